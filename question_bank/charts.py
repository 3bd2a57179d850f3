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
from question_bank.stats import EASY_FACILITY, HARD_FACILITY

PERCENT = 100.0  # facility runs 0…PERCENT, discrimination −PERCENT…PERCENT
BIN_WIDTH = 10  # points per histogram bar
MAX_POINT_LABELS = 12  # beyond this many flagged items, written labels would pile up: hover titles only

INK, MUTED, GRID, OK, FLAGGED, PASS_LINE = "#1f2933", "#616e7c", "#d9e2ec", "#1f5f8b", "#b42318", "#9a6700"


@dataclass(frozen=True)
class Frame:
    """A chart's size and the margins around its plotting area, in SVG user units."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int

    @property
    def plot_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def plot_height(self) -> float:
        return self.height - self.top - self.bottom

    @property
    def baseline(self) -> float:
        return self.top + self.plot_height


SCATTER = Frame(600, 380, 64, 24, 30, 66)
HISTOGRAM = Frame(600, 380, 56, 24, 30, 66)


@dataclass(frozen=True)
class Point:
    """One item on the scatter plot; ``note`` (its warnings) is added to the hover title."""

    label: str
    facility: float | None
    discrimination: float | None
    flagged: bool = False
    note: str = ""


def _n(value: float) -> str:
    """A coordinate, short and stable: two decimals at most, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def facility_x(facility: float) -> float:
    return SCATTER.left + _clamp(facility, 0.0, PERCENT) / PERCENT * SCATTER.plot_width


def discrimination_y(discrimination: float) -> float:
    d = _clamp(discrimination, -PERCENT, PERCENT)
    return SCATTER.top + (PERCENT - d) / (2 * PERCENT) * SCATTER.plot_height


def _open(frame: Frame, title: str, summary: str, css: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="{frame.width}" height="{frame.height}" role="img" aria-label="{escape(summary)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{frame.left}" y="{frame.top}" width="{_n(frame.plot_width)}" height="{_n(frame.plot_height)}" '
        f'fill="#fff" stroke="{GRID}"/>',
    ]


def _text(x: float, y: float, text: str, anchor: str = "middle", size: int = 12, fill: str = MUTED,
          css: str = "", extra: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return (f'<text{cls} x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>'
            f"{escape(text)}</text>")


def _line(x1: float, y1: float, x2: float, y2: float, stroke: str, css: str, dash: bool = False, width: int = 1) -> str:
    dashes = ' stroke-dasharray="6 4"' if dash else ""
    return (f'<line class="{css}" x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            f'stroke="{stroke}" stroke-width="{width}"{dashes}/>')


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


def score_bins(totals: Sequence[float]) -> list[int]:
    """Counts of total scores in bars of BIN_WIDTH points; full marks fall in the last bar."""
    bins = [0] * (int(standard.FULL_MARKS) // BIN_WIDTH)
    for total in totals:
        bins[int(_clamp(total // BIN_WIDTH, 0, len(bins) - 1))] += 1
    return bins


def score_x(score: float) -> float:
    return HISTOGRAM.left + _clamp(score, 0.0, standard.FULL_MARKS) / standard.FULL_MARKS * HISTOGRAM.plot_width


def score_histogram(totals: Sequence[float]) -> str:
    """Histogram of total scores, 0 to full marks in bars of 10 points, with the pass mark drawn."""
    bins = score_bins(totals)
    passed = sum(1 for t in totals if standard.theory_passed(t))
    ranges = [(i * BIN_WIDTH, (i + 1) * BIN_WIDTH) for i in range(len(bins))]
    spread = "，".join(f"{lo}–{hi} 分 {n} 人" for (lo, hi), n in zip(ranges, bins) if n)
    summary = (f"总分分布直方图：共 {len(totals)} 名考生，合格线 {standard.THEORY_PASS_MARK} 分，"
               f"合格 {passed} 人" + (f"；{spread}" if spread else "") + "。")
    parts = _open(HISTOGRAM, "总分分布", summary, "chart-histogram")
    f = HISTOGRAM
    top = max(bins + [1])
    step = max(1, -(-top // 5))  # about five gridlines whatever the number of candidates
    scale_top = step * -(-top // step)
    for tick in range(0, scale_top + 1, step):
        y = f.baseline - tick / scale_top * f.plot_height
        parts.append(_line(f.left, y, f.left + f.plot_width, y, GRID, "grid"))
        parts.append(_text(f.left - 6, y + 4, str(tick), anchor="end"))
    parts.append('<g class="bars">')
    for (lo, hi), n in zip(ranges, bins):
        x, width = score_x(lo), score_x(hi) - score_x(lo)
        height = n / scale_top * f.plot_height
        parts.append(f'<rect class="bar" x="{_n(x + 1)}" y="{_n(f.baseline - height)}" width="{_n(width - 2)}" '
                     f'height="{_n(height)}" fill="{OK}" data-count="{n}">'
                     f"<title>{lo}–{hi} 分：{n} 人</title></rect>")
        if n:
            parts.append(_text(x + width / 2, f.baseline - height - 4, str(n), fill=INK, css="bar-count"))
    parts.append("</g>")
    for lo, _ in ranges + [(int(standard.FULL_MARKS), None)]:
        parts.append(_text(score_x(lo), f.baseline + 16, str(lo)))
    x = score_x(standard.THEORY_PASS_MARK)
    parts.append(_line(x, f.top, x, f.baseline, PASS_LINE, "pass-mark", dash=True, width=2))
    parts.append(_text(x, f.top - 8, f"合格线 {standard.THEORY_PASS_MARK} 分", size=11, fill=PASS_LINE))
    parts.append(_text(f.left + f.plot_width / 2, f.height - 30, "总分（分）", fill=INK))
    parts.append(_text(16, f.top + f.plot_height / 2, "人数", fill=INK,
                       extra=f' transform="rotate(-90 16 {_n(f.top + f.plot_height / 2)})"'))
    parts.append("</svg>")
    return "\n".join(parts)
