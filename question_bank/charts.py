"""Charts for the item statistics page, drawn on the server as inline SVG strings.

A pure engine (no database, no Flask). Why SVG from the server: exam rooms often sit on a LAN
without internet and the app's CSP runs scripts only from its own files, so a chart must need no
library and no script at all. An inline SVG prints, zooms, and is read by screen readers through
``role="img"`` and an ``aria-label`` that says what the chart shows in words.

Colours are presentation attributes, not ``style`` attributes: the CSP's ``style-src 'self'`` would
drop inline styles, while attributes are always honoured (and app.css may still override them).
Every piece of text (item labels come from trainers) is escaped, so the result is well-formed XML
whatever it contains. The pass mark and full marks come from ``exam.standard``.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Sequence

from exam import standard
from exam.charts import FLAGGED, GRID, INK, MUTED, OK, Frame
from exam.charts import clamp as _clamp
from exam.charts import line as _line
from exam.charts import n as _n
from exam.charts import open_svg as _open
from exam.charts import score_histogram as _score_histogram
from exam.charts import text as _text
# The histogram's pieces moved to exam.charts (the session results draw the same one); kept here by name.
from exam.charts import BIN_WIDTH, HISTOGRAM, score_bins, score_x

__all__ = ["BIN_WIDTH", "HISTOGRAM", "SCATTER", "Point", "facility_discrimination", "facility_x",
           "discrimination_y", "score_bins", "score_histogram", "score_x"]
from question_bank.stats import EASY_FACILITY, HARD_FACILITY

PERCENT = 100.0  # facility runs 0…PERCENT, discrimination −PERCENT…PERCENT
MAX_POINT_LABELS = 12  # beyond this many flagged items, written labels would pile up: hover titles only


SCATTER = Frame(600, 380, 64, 24, 30, 66)


@dataclass(frozen=True)
class Point:
    """One item on the scatter plot; ``note`` (its warnings) is added to the hover title."""

    label: str
    facility: float | None
    discrimination: float | None
    flagged: bool = False
    note: str = ""


def facility_x(facility: float) -> float:
    return SCATTER.left + _clamp(facility, 0.0, PERCENT) / PERCENT * SCATTER.plot_width


def discrimination_y(discrimination: float) -> float:
    d = _clamp(discrimination, -PERCENT, PERCENT)
    return SCATTER.top + (PERCENT - d) / (2 * PERCENT) * SCATTER.plot_height


def _pct(value: float) -> str:
    return f"{value:.2f}%"


def facility_discrimination(points: Sequence[Point]) -> str:
    """Scatter of facility (x, 0–100 %) against discrimination index (y, −100…100), with reference
    lines where ``stats.flags`` starts warning: facility 20 and 95, discrimination 0."""
    drawn = [p for p in points if p.facility is not None and p.discrimination is not None]
    flagged = sum(1 for p in drawn if p.flagged)
    summary = f"通过率与区分度散点图：共 {len(drawn)} 题，其中 {flagged} 题有提示（红色）"
    if len(drawn) < len(points):
        summary += f"；另有 {len(points) - len(drawn)} 题因作答人数过少或得分无差异无法计算，未画出"
    parts = _open(SCATTER, "通过率与区分度", summary + "。", "chart-scatter")
    f = SCATTER
    for tick in range(0, int(PERCENT) + 1, 20):
        x = facility_x(tick)
        parts.append(_line(x, f.top, x, f.baseline, GRID, "grid"))
        parts.append(_text(x, f.baseline + 16, f"{tick}%"))
    for tick in range(-int(PERCENT), int(PERCENT) + 1, 50):
        y = discrimination_y(tick)
        parts.append(_line(f.left, y, f.left + f.plot_width, y, GRID, "grid"))
        parts.append(_text(f.left - 6, y + 4, f"{tick}%", anchor="end"))
    for value, label in ((HARD_FACILITY, f"过难 {HARD_FACILITY:g}%"), (EASY_FACILITY, f"过易 {EASY_FACILITY:g}%")):
        x = facility_x(value)
        parts.append(_line(x, f.top, x, f.baseline, MUTED, "ref ref-facility", dash=True))
        parts.append(_text(x, f.top - 8, label, size=11))
    zero = discrimination_y(0)
    parts.append(_line(f.left, zero, f.left + f.plot_width, zero, INK, "ref ref-discrimination"))
    parts.append(_text(f.left + f.plot_width - 4, zero - 5, "区分度 0", anchor="end", size=11))
    parts.append('<g class="points">')
    label_flagged = flagged <= MAX_POINT_LABELS
    for p in sorted(drawn, key=lambda p: p.flagged):  # flagged points on top
        x, y = facility_x(p.facility), discrimination_y(p.discrimination)
        title = f"{p.label}：通过率 {_pct(p.facility)}，区分度 {_pct(p.discrimination)}"
        if p.note:
            title += f"；{p.note}"
        colour, css, radius = (FLAGGED, "point flagged", 6) if p.flagged else (OK, "point", 5)
        parts.append(f'<circle class="{css}" cx="{_n(x)}" cy="{_n(y)}" r="{radius}" fill="{colour}" '
                     f'fill-opacity="0.8" stroke="#fff" stroke-width="1"><title>{escape(title)}</title></circle>')
        if p.flagged and label_flagged:
            parts.append(_text(x + 8, y - 6, p.label, anchor="start", size=10, fill=FLAGGED, css="point-label"))
    parts.append("</g>")
    parts.append(_text(f.left + f.plot_width / 2, f.height - 30, "通过率（%）", fill=INK))
    parts.append(_text(16, f.top + f.plot_height / 2, "区分度（%）", fill=INK,
                       extra=f' transform="rotate(-90 16 {_n(f.top + f.plot_height / 2)})"'))
    legend_y = f.height - 10
    parts.append(f'<circle cx="{f.left + 6}" cy="{legend_y - 4}" r="5" fill="{OK}"/>')
    parts.append(_text(f.left + 16, legend_y, "正常", anchor="start", size=11))
    parts.append(f'<circle cx="{f.left + 70}" cy="{legend_y - 4}" r="6" fill="{FLAGGED}"/>')
    parts.append(_text(f.left + 80, legend_y, "有提示（见下表）", anchor="start", size=11))
    parts.append("</svg>")
    return "\n".join(parts)


def score_histogram(totals: Sequence[float]) -> str:
    """Histogram of total scores, 0 to full marks in bars of 10 points, with the pass mark drawn."""
    return _score_histogram(totals, title="总分分布", pass_mark=standard.THEORY_PASS_MARK, x_title="总分（分）")
