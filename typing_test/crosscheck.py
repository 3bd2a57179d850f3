"""Cross-checking the exam station's keystroke summaries against the browser's commit log.

A typist using pinyin presses several keys for every character the input method commits (wubi two
to four, pinyin more); a text that appears with fewer key presses than characters, key presses the
browser saw but the PC's keyboard did not, or a keyboard busy while the test page was idle, are
things an examiner should look at. Flags inform; they never change a score.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing_test.signals import keys_per_char

SHORTCUT_NAMES = {
    "alt_tab": "Alt+Tab 切换窗口",
    "win": "Win 键",
    "ctrl_c": "Ctrl+C 复制",
    "ctrl_v": "Ctrl+V 粘贴",
    "print_screen": "PrintScreen 截屏",
}

#: Browser key presses beyond station key presses by this factor (plus a margin) were not typed on
#: this PC's keyboard; station presses beyond browser ones by the other factor went to another window.
BROWSER_EXCESS_FACTOR, BROWSER_EXCESS_MARGIN = 1.5, 20
STATION_EXCESS_FACTOR, STATION_EXCESS_MARGIN = 2.0, 50


@dataclass(frozen=True)
class StationTotals:
    windows: int
    keystrokes: int
    char_keys: int
    injected: int
    shortcuts: dict[str, int]
    median_interval_ms: float | None


def station_totals(summaries) -> StationTotals:
    shortcuts = {key: 0 for key in SHORTCUT_NAMES}
    medians = []
    for s in summaries:
        for key, value in (s.shortcuts or {}).items():
            if key in shortcuts and isinstance(value, int):
                shortcuts[key] += value
        median = (s.intervals or {}).get("median_ms")
        if isinstance(median, (int, float)) and (s.intervals or {}).get("count"):
            medians.append((median, s.intervals["count"]))
    weight = sum(n for _, n in medians)
    return StationTotals(
        windows=len(summaries), keystrokes=sum(s.keystrokes for s in summaries),
        char_keys=sum(s.char_keys for s in summaries), injected=sum(s.injected for s in summaries),
        shortcuts=shortcuts,
        median_interval_ms=sum(m * n for m, n in medians) / weight if weight else None,
    )


def station_flags(station_label: str | None, totals: StationTotals | None, browser: dict[str, int] | None) -> list[str]:
    """Flags from the station's summaries, alone and against the browser's counters (``signals.totals``);
    ``browser`` is None for a theory attempt, which has no commit log."""
    if station_label is None:
        return []
    if totals is None or totals.windows == 0:
        return [f"考试机 {station_label} 的监控程序没有上报任何数据"]
    flags = [f"考试机记录{SHORTCUT_NAMES[key]} {n} 次" for key, n in totals.shortcuts.items() if n]
    if totals.injected:
        flags.append(f"操作系统标记为程序注入的按键 {totals.injected} 次")
    if browser is None:
        return flags
    chars, keydowns, keys = browser["committed_chars"], browser["keydowns"], totals.keystrokes
    ratio = keys_per_char(keys, chars)
    if ratio is not None and ratio < 1:
        flags.append(f"考试机记录按键 {keys} 次，少于录入的 {chars} 字（每字 {ratio:.2f} 次）：文字可能并非在本机键盘键入")
    if keydowns > BROWSER_EXCESS_FACTOR * keys + BROWSER_EXCESS_MARGIN:
        flags.append(f"浏览器记录按键 {keydowns} 次，考试机仅记录 {keys} 次：按键可能由程序模拟")
    if keys > STATION_EXCESS_FACTOR * keydowns + STATION_EXCESS_MARGIN:
        flags.append(f"考试机记录按键 {keys} 次，远多于测试页面的 {keydowns} 次：可能在其他窗口输入")
    return flags

