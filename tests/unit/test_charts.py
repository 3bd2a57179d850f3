"""The statistics page's SVG charts: well-formed XML, points and bars where the numbers say, text escaped."""

import xml.etree.ElementTree as ET

import pytest

from exam import standard
from question_bank import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything that is not well-formed
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert "<script" not in svg and "style=" not in svg and "on" + "load" not in svg
    return root


def circles(root):
    return [c for c in root.iter(f"{SVG}circle") if "point" in (c.get("class") or "")]


def test_scatter_places_points_by_facility_and_discrimination():
    f = charts.SCATTER
    root = parse(charts.facility_discrimination([
        charts.Point("Q1", 0.0, -100.0),
        charts.Point("Q2", 50.0, 0.0),
        charts.Point("Q3", 100.0, 100.0, flagged=True, note="区分度偏低"),
    ]))
    by_label = {c.find(f"{SVG}title").text.split("：")[0]: c for c in circles(root)}
    assert set(by_label) == {"Q1", "Q2", "Q3"}
    expected = {
        "Q1": (f.left, f.top + f.plot_height),
        "Q2": (f.left + f.plot_width / 2, f.top + f.plot_height / 2),
        "Q3": (f.left + f.plot_width, f.top),
    }
    for label, (x, y) in expected.items():
        assert float(by_label[label].get("cx")) == pytest.approx(x, abs=0.01)
        assert float(by_label[label].get("cy")) == pytest.approx(y, abs=0.01)
    assert "flagged" in by_label["Q3"].get("class") and "flagged" not in by_label["Q1"].get("class")
    assert by_label["Q3"].get("fill") != by_label["Q1"].get("fill")
    assert by_label["Q2"].find(f"{SVG}title").text == "Q2：通过率 50.00%，区分度 0.00%"
    assert by_label["Q3"].find(f"{SVG}title").text.endswith("；区分度偏低")
    assert "共 3 题，其中 1 题有提示" in root.get("aria-label")


def test_scatter_reference_lines_sit_at_the_flag_thresholds():
    root = parse(charts.facility_discrimination([charts.Point("Q1", 40.0, 30.0)]))
    lines = [ln for ln in root.iter(f"{SVG}line") if "ref" in (ln.get("class") or "").split()]
    vertical = sorted(float(ln.get("x1")) for ln in lines if ln.get("x1") == ln.get("x2"))
    horizontal = [float(ln.get("y1")) for ln in lines if ln.get("y1") == ln.get("y2")]
    assert vertical == pytest.approx([charts.facility_x(20), charts.facility_x(95)], abs=0.01)
    assert horizontal == pytest.approx([charts.discrimination_y(0)], abs=0.01)


def test_scatter_leaves_out_items_without_figures_and_says_so():
    root = parse(charts.facility_discrimination([charts.Point("Q1", 40.0, None), charts.Point("Q2", 60.0, 10.0)]))
    assert len(circles(root)) == 1
    assert "另有 1 题" in root.get("aria-label")
    parse(charts.facility_discrimination([]))  # an empty session still draws a valid chart


def test_scatter_clamps_out_of_range_values_into_the_plot():
    root = parse(charts.facility_discrimination([charts.Point("Q", 120.0, -250.0)]))
    (c,) = circles(root)
    assert float(c.get("cx")) == pytest.approx(charts.SCATTER.left + charts.SCATTER.plot_width)
    assert float(c.get("cy")) == pytest.approx(charts.SCATTER.baseline)


def test_labels_are_escaped():
    nasty = '<script>alert("x")</script> & 1 < 2 \' "'
    svg = charts.facility_discrimination([charts.Point(nasty, 10.0, -20.0, flagged=True, note=nasty)])
    root = parse(svg)
    assert "<script>" not in svg
    (c,) = circles(root)
    assert c.find(f"{SVG}title").text.startswith(nasty)  # the text survives, as text
    labels = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "point-label"]
    assert labels == [nasty]


def bars(root):
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def test_histogram_bins_scores_in_tens_with_full_marks_in_the_last_bar():
    totals = [0, 9.99, 10, 55, 59.5, 60, 60, 99, standard.FULL_MARKS]
    assert charts.score_bins(totals) == [2, 1, 0, 0, 0, 2, 2, 0, 0, 2]
    root = parse(charts.score_histogram(totals))
    counts = [int(r.get("data-count")) for r in bars(root)]
    assert counts == [2, 1, 0, 0, 0, 2, 2, 0, 0, 2]
    heights = [float(r.get("height")) for r in bars(root)]
    assert heights[0] == pytest.approx(2 * heights[1]) and heights[2] == 0
    xs = [float(r.get("x")) for r in bars(root)]
    assert xs[6] == pytest.approx(charts.score_x(60) + 1)
    shown = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "bar-count"]
    assert shown == ["2", "1", "2", "2", "2"]


def test_histogram_draws_the_pass_mark_and_summarises_in_words():
    root = parse(charts.score_histogram([45.0, 72.5, 88.0]))
    (line,) = [ln for ln in root.iter(f"{SVG}line") if ln.get("class") == "pass-mark"]
    assert float(line.get("x1")) == pytest.approx(charts.score_x(standard.THEORY_PASS_MARK))
    label = root.get("aria-label")
    assert f"合格线 {standard.THEORY_PASS_MARK} 分" in label and "合格 2 人" in label and "共 3 名考生" in label
    assert "40–50 分 1 人" in label
    parse(charts.score_histogram([]))
