"""The examiner's picture of how a typing test's text came in: characters over the server's time.

A small inline SVG (``exam.charts``: no script, no library, readable by a screen reader through its
summary). The text's length at every save the server stored is one line; where an exam station ran,
its cumulative key presses are a second, dashed line on the same scale (an honest pinyin typist's key
line runs two to four times above the text line; a text line above the key line was not typed on
that keyboard). Saves that grew faster than a person types (``evidence.max_growth``) are red dots;
blocked pastes and drops, focus losses and key-less bursts are marks along the time axis.

Pure: it takes plain points, so it is tested without a database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from typing import Sequence

from exam.charts import FLAGGED, GRID, INK, MUTED, OK, PASS_LINE, Frame, axis_titles, count_scale, line, n, open_svg, text
from typing_test import evidence

GROWTH = Frame(640, 260, 56, 20, 24, 62)
STATION = "#5b4b8a"


@dataclass(frozen=True)
class Point:
    seconds: float  # since the start
    chars: int


@dataclass(frozen=True)
class Mark:
    seconds: float
    kind: str  # an event kind (signals.EVENT_KINDS)
    label: str


def bursts(points: Sequence[Point]) -> list[tuple[Point, int, int]]:
    """The saves the server's growth check flags (``evidence.growth_flag`` against the same earlier
    saves it compares): (point, characters added, the limit)."""
    start = dt.datetime(2000, 1, 1, tzinfo=dt.timezone.utc)  # any origin: only differences matter

    def when(seconds: float) -> dt.datetime:
        return start + dt.timedelta(seconds=seconds)

    out, earlier = [], [(0, start)]
    for p in points:
        flag = evidence.growth_flag(evidence.history_for(earlier, when(p.seconds)), p.chars, when(p.seconds))
        if flag:
            out.append((p, flag["added"], flag["limit"]))
        earlier.append((p.chars, when(p.seconds)))
    return out


def summary(points: Sequence[Point], keys: Sequence[Point], marks: Sequence[Mark], limit_seconds: float) -> str:
    if not points:
        return "录入过程图：服务器没有收到任何带文字的保存。"
    last = points[-1]
    parts = [f"录入过程图：共 {len(points)} 次保存，{last.seconds / 60:.1f} 分钟时达到 {last.chars} 字"
             f"（限时 {limit_seconds / 60:.0f} 分钟）"]
    found = bursts(points)
    if found:
        p, added, limit = found[0]
        parts.append(f"{len(found)} 次保存增长超过人工录入速度，首次在第 {p.seconds:.0f} 秒增加 {added} 字（上限约 {limit} 字）")
    else:
        parts.append("没有超过人工录入速度的增长")
    if keys:
        parts.append(f"考试机累计按键 {keys[-1].chars} 次")
    if marks:
        parts.append(f"另有 {len(marks)} 个页面事件")
    return "；".join(parts) + "。"


def growth_chart(points: Sequence[Point], keys: Sequence[Point], marks: Sequence[Mark], limit_seconds: float) -> str:
    f = GROWTH
    span = max(limit_seconds, points[-1].seconds if points else 0, keys[-1].seconds if keys else 0, 1.0)
    step, top = count_scale(max([p.chars for p in points] + [k.chars for k in keys] + [1]))

    def x(seconds: float) -> float:
        return f.left + min(max(seconds, 0.0), span) / span * f.plot_width

    def y(value: float) -> float:
        return f.baseline - value / top * f.plot_height

    parts = open_svg(f, "录入过程：字数随服务器时间的增长", summary(points, keys, marks, limit_seconds), "chart-growth")
    for tick in range(0, top + 1, step):
        parts.append(line(f.left, y(tick), f.left + f.plot_width, y(tick), GRID, "grid"))
        parts.append(text(f.left - 6, y(tick) + 4, str(tick), anchor="end"))
    minutes = max(int(span // 60), 1)
    every = max(1, -(-minutes // 10))
    for m in range(0, minutes + 1, every):
        parts.append(text(x(m * 60), f.baseline + 16, f"{m}"))
    if keys:
        path = " ".join(f"{n(x(k.seconds))},{n(y(k.chars))}" for k in [Point(0.0, 0), *keys])
        parts.append(f'<polyline class="station-keys" points="{path}" fill="none" stroke="{STATION}" '
                     f'stroke-width="2" stroke-dasharray="6 4"><title>考试机累计按键</title></polyline>')
    if points:
        path = " ".join(f"{n(x(p.seconds))},{n(y(p.chars))}" for p in [Point(0.0, 0), *points])
        parts.append(f'<polyline class="typed-chars" points="{path}" fill="none" stroke="{OK}" stroke-width="2">'
                     f"<title>已保存的字数</title></polyline>")
    for p, added, limit in bursts(points):
        parts.append(f'<circle class="burst" cx="{n(x(p.seconds))}" cy="{n(y(p.chars))}" r="5" fill="{FLAGGED}">'
                     f"<title>第 {p.seconds:.0f} 秒：一次增加 {added} 字，人工录入上限约 {limit} 字</title></circle>")
    for m in marks:
        colour = FLAGGED if m.kind in ("paste", "drop", "burst") else PASS_LINE
        parts.append(f'<rect class="event {escape(m.kind)}" x="{n(x(m.seconds) - 3)}" y="{n(f.baseline - 10)}" '
                     f'width="6" height="10" fill="{colour}"><title>第 {m.seconds:.0f} 秒：{escape(m.label)}</title></rect>')
    parts.extend(axis_titles(f, "分钟（服务器时间，自开始计）", "字数"))
    legend_y = f.height - 8
    parts.append(line(f.left, legend_y - 4, f.left + 24, legend_y - 4, OK, "legend", width=2))
    parts.append(text(f.left + 30, legend_y, "已保存字数", anchor="start", size=11, fill=INK))
    if keys:
        parts.append(line(f.left + 130, legend_y - 4, f.left + 154, legend_y - 4, STATION, "legend", dash=True, width=2))
        parts.append(text(f.left + 160, legend_y, "考试机累计按键", anchor="start", size=11, fill=INK))
    parts.append(f'<circle cx="{f.left + 290}" cy="{legend_y - 4}" r="4" fill="{FLAGGED}"/>')
    parts.append(text(f.left + 298, legend_y, "超速增长", anchor="start", size=11, fill=INK))
    parts.append(f'<rect x="{f.left + 370}" y="{legend_y - 9}" width="6" height="10" fill="{PASS_LINE}"/>')
    parts.append(text(f.left + 380, legend_y, "页面事件（粘贴、离开页面等）", anchor="start", size=11, fill=MUTED))
    parts.append("</svg>")
    return "\n".join(parts)
