"""Shared SVG drawing for the app's server-side charts (item statistics, session results).

A pure engine (no database, no Flask). Why SVG from the server: exam rooms often sit on a LAN
without internet and the app's CSP runs scripts only from its own files, so a chart must need no
library and no script at all. An inline SVG prints, zooms, and is read by screen readers through
``role="img"`` and an ``aria-label`` that says what the chart shows in words; its ``<title>`` names it.

Colours are presentation attributes, not ``style`` attributes: the CSP's ``style-src 'self'`` would
drop inline styles, while attributes are always honoured (and app.css may still override them).
Every piece of text is escaped, so the result is well-formed XML whatever it contains.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from html import escape
from typing import Sequence

from exam import standard

BIN_WIDTH = 10  # points per histogram bar

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


HISTOGRAM = Frame(600, 380, 56, 24, 30, 66)


def n(value: float) -> str:
    """A coordinate, short and stable: two decimals at most, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def open_svg(frame: Frame, title: str, summary: str, css: str) -> list[str]:
    """The opening of a chart: the element with its accessible name (``summary``), its title and the
    plotting area's frame. Callers append their marks and then ``"</svg>"``."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" viewBox="0 0 {frame.width} {frame.height}" '
        f'width="{frame.width}" height="{frame.height}" role="img" aria-label="{escape(summary)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{frame.left}" y="{frame.top}" width="{n(frame.plot_width)}" height="{n(frame.plot_height)}" '
        f'fill="#fff" stroke="{GRID}"/>',
    ]


def text(x: float, y: float, content: str, anchor: str = "middle", size: int = 12, fill: str = MUTED,
         css: str = "", extra: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return (f'<text{cls} x="{n(x)}" y="{n(y)}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{extra}>'
            f"{escape(content)}</text>")


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, css: str, dash: bool = False, width: int = 1) -> str:
    dashes = ' stroke-dasharray="6 4"' if dash else ""
    return (f'<line class="{css}" x1="{n(x1)}" y1="{n(y1)}" x2="{n(x2)}" y2="{n(y2)}" '
            f'stroke="{stroke}" stroke-width="{width}"{dashes}/>')


def axis_titles(frame: Frame, x_title: str, y_title: str) -> list[str]:
    middle = frame.top + frame.plot_height / 2
    return [text(frame.left + frame.plot_width / 2, frame.height - 30, x_title, fill=INK),
            text(16, middle, y_title, fill=INK, extra=f' transform="rotate(-90 16 {n(middle)})"')]


def count_scale(top: int) -> tuple[int, int]:
    """A step and a top for a count axis with about five gridlines whatever the counts."""
    top = max(top, 1)
    step = max(1, -(-top // 5))
    return step, step * -(-top // step)


def score_bins(scores: Sequence[float | Fraction]) -> list[int]:
    """Counts of scores in bars of BIN_WIDTH points; full marks fall in the last bar."""
    bins = [0] * (int(standard.FULL_MARKS) // BIN_WIDTH)
    for score in scores:
        bins[int(clamp(score // BIN_WIDTH, 0, len(bins) - 1))] += 1
    return bins


def score_x(score: float, frame: Frame = HISTOGRAM) -> float:
    return frame.left + clamp(float(score), 0.0, standard.FULL_MARKS) / standard.FULL_MARKS * frame.plot_width


def _ranges(count: int) -> list[tuple[int, int]]:
    return [(i * BIN_WIDTH, (i + 1) * BIN_WIDTH) for i in range(count)]


def histogram_summary(scores: Sequence[float | Fraction], *, title: str, pass_mark: int) -> str:
    """The histogram in words: how many candidates, the pass mark, how many passed, who scored where."""
    bins = score_bins(scores)
    passed = sum(1 for s in scores if s >= pass_mark)
    spread = "，".join(f"{lo}–{hi} 分 {k} 人" for (lo, hi), k in zip(_ranges(len(bins)), bins) if k)
    return (f"{title}直方图：共 {len(scores)} 名考生，合格线 {pass_mark} 分，"
            f"合格 {passed} 人" + (f"；{spread}" if spread else "") + "。")


def score_histogram(scores: Sequence[float | Fraction], *, title: str, pass_mark: int, x_title: str,
                    css: str = "chart-histogram") -> str:
    """Histogram of scores out of full marks in bars of 10 points, with the pass mark drawn as a dashed
    line; the accessible summary says in words how many scored where and how many passed."""
    bins = score_bins(scores)
    ranges = _ranges(len(bins))
    f = HISTOGRAM
    parts = open_svg(f, title, histogram_summary(scores, title=title, pass_mark=pass_mark), css)
    step, scale_top = count_scale(max(bins))
    for tick in range(0, scale_top + 1, step):
        y = f.baseline - tick / scale_top * f.plot_height
        parts.append(line(f.left, y, f.left + f.plot_width, y, GRID, "grid"))
        parts.append(text(f.left - 6, y + 4, str(tick), anchor="end"))
    parts.append('<g class="bars">')
    for (lo, hi), k in zip(ranges, bins):
        x, width = score_x(lo), score_x(hi) - score_x(lo)
        height = k / scale_top * f.plot_height
        parts.append(f'<rect class="bar" x="{n(x + 1)}" y="{n(f.baseline - height)}" width="{n(width - 2)}" '
                     f'height="{n(height)}" fill="{OK}" data-count="{k}">'
                     f"<title>{lo}–{hi} 分：{k} 人</title></rect>")
        if k:
            parts.append(text(x + width / 2, f.baseline - height - 4, str(k), fill=INK, css="bar-count"))
    parts.append("</g>")
    for lo, _ in ranges + [(int(standard.FULL_MARKS), None)]:
        parts.append(text(score_x(lo), f.baseline + 16, str(lo)))
    x = score_x(pass_mark)
    parts.append(line(x, f.top, x, f.baseline, PASS_LINE, "pass-mark", dash=True, width=2))
    parts.append(text(x, f.top - 8, f"合格线 {pass_mark} 分", size=11, fill=PASS_LINE))
    parts.extend(axis_titles(f, x_title, "人数"))
    parts.append("</svg>")
    return "\n".join(parts)
