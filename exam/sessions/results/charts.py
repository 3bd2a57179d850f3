"""The session results page's charts: theory and practical score distributions and the pass rates,
drawn on the server as inline SVG with ``exam.charts`` (no script, nothing fetched: see there why).

Each chart comes with its title and a summary in words; the page shows the summary under the chart
and the SVG carries it as its accessible name, so a screen reader and a sighted reader get the same
facts. Pure: it gets the numbers from ``exam.sessions.results.table`` and knows nothing of the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from html import escape
from typing import Sequence

from exam import standard
from exam.charts import GRID, INK, MUTED, OK, Frame, histogram_summary, line, n, open_svg, score_histogram, text

PERCENT = 100


@dataclass(frozen=True)
class Chart:
    title: str
    summary: str
    svg: str


@dataclass(frozen=True)
class RateBar:
    """One bar of the pass-rate chart: ``passed`` of ``decided`` candidates (absentees excluded)."""

    name: str
    passed: int
    decided: int

    @property
    def share(self) -> float | None:
        return self.passed / self.decided if self.decided else None


def theory_histogram(scores: Sequence[float | Fraction]) -> Chart:
    return _histogram(scores, "理论知识考试成绩分布", standard.THEORY_PASS_MARK, "理论成绩（分）", "chart-theory")


def practical_histogram(scores: Sequence[float | Fraction]) -> Chart:
    return _histogram(scores, "操作技能考核成绩分布", standard.PRACTICAL_PASS_MARK, "实操成绩（分）", "chart-practical")


def _histogram(scores, title: str, pass_mark: int, x_title: str, css: str) -> Chart:
    svg = score_histogram(scores, title=title, pass_mark=pass_mark, x_title=x_title, css=f"chart-histogram {css}")
    return Chart(title, histogram_summary(scores, title=title, pass_mark=pass_mark), svg)


ROW_HEIGHT = 44


def _rates_frame(count: int) -> Frame:
    return Frame(600, 30 + max(count, 1) * ROW_HEIGHT + 56, 120, 110, 30, 56)


def _share_text(bar: RateBar) -> str:
    if bar.share is None:
        return "暂无结论"
    return f"{bar.share * PERCENT:.1f}%（{bar.passed}/{bar.decided}）"


def rates_summary(bars: Sequence[RateBar]) -> str:
    parts = [f"{b.name} {_share_text(b)}" for b in bars]
    return "合格率（按已有结论的考生计，缺考不计）：" + "；".join(parts) + "。"


def pass_rates(bars: Sequence[RateBar]) -> Chart:
    """Horizontal bars, one per part and one for the overall (certificate) verdict, 0–100 %."""
    title = "合格率"
    summary = rates_summary(bars)
    f = _rates_frame(len(bars))
    parts = open_svg(f, title, summary, "chart-rates")
    for tick in range(0, PERCENT + 1, 20):
        x = f.left + tick / PERCENT * f.plot_width
        parts.append(line(x, f.top, x, f.baseline, GRID, "grid"))
        parts.append(text(x, f.baseline + 16, f"{tick}%"))
    parts.append('<g class="bars">')
    for i, bar in enumerate(bars):
        y = f.top + i * ROW_HEIGHT + 8
        height = ROW_HEIGHT - 16
        width = (bar.share or 0) * f.plot_width
        parts.append(text(f.left - 8, y + height / 2 + 4, bar.name, anchor="end", fill=INK))
        parts.append(f'<rect class="rate-bar" x="{f.left}" y="{n(y)}" width="{n(width)}" height="{n(height)}" '
                     f'fill="{OK}" data-passed="{bar.passed}" data-decided="{bar.decided}">'
                     f"<title>{escape(bar.name)}：{_share_text(bar)}</title></rect>")
        parts.append(text(f.left + width + 6, y + height / 2 + 4, _share_text(bar), anchor="start",
                          fill=INK if bar.share is not None else MUTED, css="rate-label"))
    parts.append("</g>")
    parts.append(text(f.left + f.plot_width / 2, f.height - 14, "合格率（%）", fill=INK))  # below the tick labels
    parts.append("</svg>")
    return Chart(title, summary, "\n".join(parts))
