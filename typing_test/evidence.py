"""What the server itself judges about how a typing test's text came in: the checks that hold a result
for review (待核查) instead of scoring it.

Nothing here trusts the browser's story on its own. The server keeps its own clock of every save
(``TypingGrowth``), and compares the text it stored against (a) the time since the previous save and
(b) the counters the page sent with it. A page that tells the truth never trips these checks; a
forged or scripted save either grows faster than anyone types, or carries text its counters cannot
account for, or counters that contradict one another. Each check gives a *flag* (kind, figures and a
sentence in Chinese); any flag holds the result: no 达标 and no points until an examiner confirms or
voids it (``typing_test.service.decide``). The text itself is always stored — nothing typed is lost.

Pure (no database, no Flask), so each threshold is tested on its own.
"""

from __future__ import annotations

import datetime as dt

#: The fastest text growth accepted as typing between two saves, in characters a minute. It is six
#: times the standard's 50 汉字/分 and three times the 100 字/分 passages are sized for; sustained
#: Chinese typing beyond about 200 字/分 is competition territory, so an honest candidate stays far
#: below it. A script posting the passage, or large pieces of it, does not.
MAX_HUMAN_CPM = 300
#: Characters one save may add on top of that pace: sentence-mode pinyin commits a whole phrase or
#: sentence at once (10–20 characters after the keys were pressed in the seconds before), and the
#: page's save can trail the typing by a few seconds (a slow network, a retry).
PHRASE_ALLOWANCE = 30
#: Characters of stored text the page's commit counters may fall short by (an IME that reports a
#: commit one character short, a last save lost on a crashed page) before the text counts as
#: appearing from nowhere.
UNCOUNTED_ALLOWANCE = 10
#: Key presses a committed character needs at the least: wubi's four-key phrase codes (four keys for
#: a phrase of up to seven characters) come lowest at about 0.6; pinyin needs two or more.
MIN_KEYS_PER_CHAR = 0.5
#: Below this many characters key ratios say nothing.
MIN_CHARS_FOR_RATIO = 30

#: The typing page saves at least this often while the candidate types (exam/static/js/typing.js reads
#: it from the page state), so the growth between two saves is a few seconds of typing, which the
#: allowance above covers many times over.
PAGE_SAVE_EVERY_MS = 2000

BURST, UNCOUNTED, KEYS, STATION = "burst", "uncounted", "keys", "station"
FLAG_NAMES = {
    BURST: "文字增长超过人工录入速度",
    UNCOUNTED: "文字没有对应的按键和上屏记录",
    KEYS: "上屏字数与按键记录矛盾",
    STATION: "考试机按键远少于录入字数",
}


def max_growth(seconds: float) -> int:
    """The most characters one save may add ``seconds`` after the previous one."""
    return int(MAX_HUMAN_CPM * max(seconds, 0.0) / 60) + PHRASE_ALLOWANCE


#: Growth is checked against every save of the last minute, not only the previous one: otherwise a
#: script could post 30 characters ten times a second, each save within its own allowance.
GROWTH_WINDOW = dt.timedelta(seconds=60)

Point = tuple[int, dt.datetime]  # (characters of the stored text, server time of the save)


def history_for(points: list[Point], at: dt.datetime) -> list[Point]:
    """The earlier saves a save at ``at`` is compared with: the last one, and all within GROWTH_WINDOW."""
    earlier = [p for p in points if p[1] <= at]
    return [p for k, p in enumerate(earlier) if k == len(earlier) - 1 or at - p[1] <= GROWTH_WINDOW]


def growth_flag(history: list[Point], chars: int, at: dt.datetime) -> dict | None:
    """Text that grew faster than a person types: against each earlier save in ``history`` (the start
    counts as a save of nothing), the growth may be at most ``max_growth`` of the time between. The
    flag reports the comparison that exceeds its limit most."""
    worst = None
    for number, (previous_chars, previous_at) in enumerate(reversed(history)):
        added, seconds = chars - previous_chars, max((at - previous_at).total_seconds(), 0.0)
        limit = max_growth(seconds)
        if added > limit and (worst is None or added - limit > worst[0]):
            worst = (added - limit, added, seconds, limit, number + 1)
    if worst is None:
        return None
    _, added, seconds, limit, saves = worst
    what = (f"一次保存增加 {added} 字，距上一次保存 {seconds:.1f} 秒" if saves == 1
            else f"{saves} 次保存在 {seconds:.1f} 秒内共增加 {added} 字")
    return {"kind": BURST, "added": added, "seconds": round(seconds, 1), "limit": limit, "saves": saves,
            "text": f"{what}，人工录入至多约 {limit} 字（按每分钟 {MAX_HUMAN_CPM} 字另加 {PHRASE_ALLOWANCE} 字计）"}


def counter_flags(chars: int, totals: dict[str, int]) -> list[dict]:
    """The stored text (``chars``) against the page's counters (``signals.totals``, all page loads)."""
    flags = []
    committed, keys = totals["committed_chars"], totals["keydowns"]
    if chars > committed + UNCOUNTED_ALLOWANCE:
        flags.append({"kind": UNCOUNTED, "chars": chars, "committed": committed,
                      "text": f"已保存的文字有 {chars} 字，浏览器只记录到 {committed} 字经输入法或键盘上屏"
                              + ("（保存未附带任何计数）" if not any(totals[k] for k in ("keydowns", "committed_chars"))
                                 else "")})
    if committed >= MIN_CHARS_FOR_RATIO and keys < MIN_KEYS_PER_CHAR * committed:
        flags.append({"kind": KEYS, "committed": committed, "keydowns": keys,
                      "text": f"浏览器记录上屏 {committed} 字，却只有 {keys} 次按键"
                              f"（每字至少约 {MIN_KEYS_PER_CHAR} 次）"})
    elif totals["composed_chars"] >= MIN_CHARS_FOR_RATIO and totals["compositions"] == 0:
        flags.append({"kind": KEYS, "committed": committed, "keydowns": keys,
                      "text": f"浏览器记录经输入法上屏 {totals['composed_chars']} 字，却没有一次输入法组字"})
    return flags


def station_flag(chars: int, station_label: str | None, windows: int, keystrokes: int) -> dict | None:
    """The exam station's keyboard, where one ran and reported, pressed far fewer keys than the text
    has characters: the text was not typed on that keyboard. A silent station is shown to the examiner
    (``crosscheck``) but holds nothing: an agent that failed is not the candidate's doing."""
    if station_label is None or windows == 0 or chars < MIN_CHARS_FOR_RATIO:
        return None
    if keystrokes >= MIN_KEYS_PER_CHAR * chars:
        return None
    return {"kind": STATION, "chars": chars, "keystrokes": keystrokes,
            "text": f"考试机 {station_label} 只记录到 {keystrokes} 次按键，录入文字却有 {chars} 字"}


def save_flags(history: list[Point], chars: int, at: dt.datetime, totals: dict[str, int]) -> list[dict]:
    """Every check on one stored save: its growth against the earlier saves (``history_for``), and the
    text against the page's counters as they stand after it (``typing_test.service.save`` runs exactly
    this)."""
    growth = growth_flag(history, chars, at)
    return ([growth] if growth else []) + counter_flags(chars, totals)


def merge(stored: dict, flags: list[dict], at: dt.datetime) -> dict:
    """``stored`` (kind → first occurrence and count) with ``flags`` added."""
    merged = {k: dict(v) for k, v in (stored or {}).items()}
    for flag in flags:
        first = merged.get(flag["kind"])
        if first is None:
            merged[flag["kind"]] = {**flag, "at": at.isoformat(), "count": 1}
        else:
            first["count"] = int(first.get("count", 1)) + 1
    return merged


def sentences(stored: dict) -> list[str]:
    """The flags in Chinese, for the examiner's pages."""
    out = []
    for kind, flag in (stored or {}).items():
        more = f"（共 {flag['count']} 次）" if int(flag.get("count", 1)) > 1 else ""
        out.append(f"{FLAG_NAMES.get(kind, kind)}：{flag.get('text', '')}{more}")
    return out
