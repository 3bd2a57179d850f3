"""Charts for the bank report (命题质量报告): the bank-wide cues of one level drawn as inline SVG.

A pure engine, drawn with the same pieces as the statistics charts (``exam.charts``): no script, no
library, an accessible name that says the figures in words. Three bar charts: how often the key is
the longest option against chance and the limit, where single-choice keys sit against an even
spread, and how many options multiple-choice items key.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from exam.charts import FLAGGED, GRID, INK, MUTED, OK, Frame, count_scale, line, n, open_svg, text
from question_bank.lint import LONGEST_KEY_LIMIT, MODAL_KEY_COUNT_LIMIT, LevelSummary
from question_bank.validation import OPTION_LETTERS

BARS = Frame(420, 260, 52, 16, 24, 52)


def bars(title: str, summary: str, labels: Sequence[str], values: Sequence[float], *, top: float,
         expected: Sequence[float | None] = (), limit: float | None = None, limit_label: str = "",
         flagged: Sequence[bool] = (), unit: str = "", css: str = "chart-bars") -> str:
    """Vertical bars with an optional expected mark per bar (a dashed tick) and a limit line."""
    f = BARS
    parts = open_svg(f, title, summary, css)
    top = top or 1
    step, top = (count_scale(int(top)) if not unit else (top / 4, top))
    y_of = lambda v: f.baseline - min(v, top) / top * f.plot_height  # noqa: E731
    tick = 0.0
    while tick <= top + 1e-9:
        parts.append(line(f.left, y_of(tick), f.left + f.plot_width, y_of(tick), GRID, "grid"))
        shown = f"{tick * 100:.0f}%" if unit == "%" else f"{tick:g}"
        parts.append(text(f.left - 6, y_of(tick) + 4, shown, anchor="end", size=11))
        tick += step
    width = f.plot_width / max(1, len(values))
    for i, (label, value) in enumerate(zip(labels, values)):
        x = f.left + i * width + width * 0.2
        bad = bool(flagged and flagged[i])
        shown = f"{value * 100:.0f}%" if unit == "%" else f"{value:g}"
        parts.append(f'<rect class="bar{" flagged" if bad else ""}" x="{n(x)}" y="{n(y_of(value))}" '
                     f'width="{n(width * 0.6)}" height="{n(f.baseline - y_of(value))}" '
                     f'fill="{FLAGGED if bad else OK}"><title>{escape(f"{label}：{shown}")}</title></rect>')
        parts.append(text(x + width * 0.3, y_of(value) - 4, shown, size=11, fill=INK))
        parts.append(text(x + width * 0.3, f.baseline + 16, label, size=12))
        if i < len(expected) and expected[i] is not None:
            y = y_of(expected[i])
            parts.append(line(x - 4, y, x + width * 0.6 + 4, y, INK, "expected", dash=True, width=2))
    if limit is not None:
        parts.append(line(f.left, y_of(limit), f.left + f.plot_width, y_of(limit), FLAGGED, "limit", dash=True))
        parts.append(text(f.left + f.plot_width - 2, y_of(limit) - 4, limit_label, anchor="end", size=11,
                          fill=FLAGGED))
    if expected:
        parts.append(line(f.left, f.height - 14, f.left + 18, f.height - 14, INK, "legend", dash=True, width=2))
        parts.append(text(f.left + 24, f.height - 10, "虚线：随机时的期望", anchor="start", size=11, fill=MUTED))
    parts.append("</svg>")
    return "\n".join(parts)


def longest_key(s: LevelSummary) -> str:
    rate = s.longest_key_rate or 0.0
    summary = (f"{s.name}单选题中答案为最长选项的比例 {rate * 100:.0f}%（{s.longest_key}/{s.single}），"
               f"随机约 {s.longest_key_chance * 100:.0f}%，上限 {LONGEST_KEY_LIMIT * 100:.0f}%。")
    return bars("答案为最长选项的比例", summary, [s.name], [rate], top=1.0, expected=[s.longest_key_chance],
                limit=LONGEST_KEY_LIMIT, limit_label=f"上限 {LONGEST_KEY_LIMIT * 100:.0f}%",
                flagged=[rate > LONGEST_KEY_LIMIT], unit="%", css="chart-bars chart-longest")


def key_positions(s: LevelSummary) -> str:
    slots = sorted(set(s.key_positions_expected) | set(s.key_positions))
    labels = [OPTION_LETTERS[i] for i in slots]
    values = [s.key_positions.get(i, 0) for i in slots]
    expected = [s.key_positions_expected.get(i, 0.0) for i in slots]
    words = "，".join(f"{lb} {v} 题（期望 {e:.1f}）" for lb, v, e in zip(labels, values, expected)) or "无单选题"
    return bars("单选题答案位置", f"{s.name}单选题答案位置：{words}。", labels, values,
                top=max([*values, *expected, 1]), expected=expected, css="chart-bars chart-positions")


def key_counts(s: LevelSummary) -> str:
    counts = sorted(set(s.key_counts) | {2, 3, 4})
    labels = [f"{k} 项" for k in counts]
    values = [s.key_counts.get(k, 0) for k in counts]
    modal_limit = MODAL_KEY_COUNT_LIMIT * s.multiple if s.multiple else None
    words = "，".join(f"{lb} {v} 题" for lb, v in zip(labels, values))
    return bars("多选题正确项数", f"{s.name}多选题正确项数分布：{words}。", labels, values,
                top=max([*values, modal_limit or 0, 1]), limit=modal_limit,
                limit_label=f"任一项数上限 {MODAL_KEY_COUNT_LIMIT * 100:.0f}%",
                flagged=[modal_limit is not None and v > modal_limit for v in values], css="chart-bars chart-counts")
