"""The session results page's charts and the shared primitives in exam.charts: well-formed SVG, bars
where the numbers say, the pass marks from the standard, summaries in words, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest

from exam import charts, standard
from exam.sessions.results import charts as results_charts
from exam.sessions.results.charts import RateBar

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img" and root.get("aria-label")
    assert "<script" not in svg and "style=" not in svg
    return root


def test_theory_and_practical_histograms_draw_their_own_pass_marks():
    scores = [Fraction(145, 2), Fraction(59), Fraction(60), Fraction(100)]
    for chart, mark, css in ((results_charts.theory_histogram(scores), standard.THEORY_PASS_MARK, "chart-theory"),
                             (results_charts.practical_histogram(scores), standard.PRACTICAL_PASS_MARK,
                              "chart-practical")):
        root = parse(chart.svg)
        assert css in root.get("class").split()
        counts = [int(r.get("data-count")) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
        assert counts == charts.score_bins(scores) and sum(counts) == 4
        (line,) = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "pass-mark"]
        assert float(line.get("x1")) == pytest.approx(charts.score_x(mark))
        assert chart.summary == root.get("aria-label")
        assert f"合格线 {mark} 分" in chart.summary and "共 4 名考生" in chart.summary


def test_pass_rate_bars_are_as_long_as_the_share_and_say_so():
    bars = [RateBar("理论考试", 3, 4), RateBar("实操考核", 0, 4), RateBar("总体（取证）", 0, 0)]
    chart = results_charts.pass_rates(bars)
    root = parse(chart.svg)
    rects = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "rate-bar"]
    frame = results_charts._rates_frame(len(bars))
    widths = [float(r.get("width")) for r in rects]
    assert widths == pytest.approx([0.75 * frame.plot_width, 0, 0])
    assert [r.get("data-decided") for r in rects] == ["4", "4", "0"]
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "rate-label"]
    assert labels == ["75.0%（3/4）", "0.0%（0/4）", "暂无结论"]
    assert chart.summary.startswith("合格率") and "理论考试 75.0%（3/4）" in chart.summary
    assert RateBar("x", 0, 0).share is None


def test_empty_charts_are_still_valid():
    parse(results_charts.theory_histogram([]).svg)
    parse(results_charts.pass_rates([]).svg)


def test_text_is_escaped_in_the_primitives():
    nasty = '<b>"&\'</b>'
    root = parse(results_charts.pass_rates([RateBar(nasty, 1, 2)]).svg)
    assert nasty in [t.text for t in root.iter(f"{SVG}text")]
    assert charts.n(1.0) == "1" and charts.n(-0.001) == "0" and charts.n(2.345) == "2.35"
    assert charts.count_scale(0) == (1, 1) and charts.count_scale(7) == (2, 8)
