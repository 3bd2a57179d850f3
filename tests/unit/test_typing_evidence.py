"""The server's hold-for-review checks on their own (typing_test.evidence), validated on a corpus of
honest and cheating sessions (tests/unit/typing_evidence_corpus.py), and the evidence chart."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from tests.unit import typing_evidence_corpus as corpus
from typing_test import evidence, growth_chart

T0 = corpus.T0


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_the_growth_limit_is_300_a_minute_plus_a_phrase():
    assert evidence.max_growth(0) == 30 and evidence.max_growth(2) == 40 and evidence.max_growth(60) == 330
    assert evidence.growth_flag([(0, T0)], 40, at(2)) is None
    flag = evidence.growth_flag([(0, T0)], 41, at(2))
    assert flag["kind"] == "burst" and flag["added"] == 41 and flag["limit"] == 40
    assert "一次保存增加 41 字，距上一次保存 2.0 秒" in flag["text"]
    assert evidence.growth_flag([(500, T0)], 10, at(1)) is None  # deleting text is never a burst


def test_many_small_saves_are_judged_together_over_the_last_minute():
    points = [(0, T0)] + [(30 * k, at(5 + 0.1 * k)) for k in range(1, 4)]  # 30 characters every 0.1 s
    history = evidence.history_for(points, at(5.4))
    assert evidence.growth_flag(history[-1:], 120, at(5.4)) is None  # each save within its own allowance
    flag = evidence.growth_flag(history, 120, at(5.4))
    assert flag["saves"] > 1 and "次保存在" in flag["text"]
    # a save long ago is compared only when it is the last one
    old = [(0, T0), (100, at(10)), (200, at(100))]
    assert evidence.history_for(old, at(130)) == [(200, at(100))]
    assert evidence.history_for(old, at(50)) == [(0, T0), (100, at(10))]


def test_counters_must_account_for_the_text_and_keys_for_the_commits():
    honest = corpus.totals(100, 300)
    assert evidence.counter_flags(100, honest) == []
    assert evidence.counter_flags(110, honest) == []  # within the allowance
    assert [f["kind"] for f in evidence.counter_flags(111, honest)] == ["uncounted"]
    missing = evidence.counter_flags(50, corpus.totals(0, 0, compositions=0))
    assert [f["kind"] for f in missing] == ["uncounted"] and "保存未附带任何计数" in missing[0]["text"]
    assert [f["kind"] for f in evidence.counter_flags(100, corpus.totals(100, 49))] == ["keys"]
    assert evidence.counter_flags(100, corpus.totals(100, 50)) == []
    assert evidence.counter_flags(20, corpus.totals(20, 0)) == []  # too few characters to judge
    assert [f["kind"] for f in evidence.counter_flags(100, corpus.totals(100, 300, compositions=0))] == ["keys"]


def test_a_station_holds_only_when_it_reported_and_pressed_far_fewer_keys_than_characters():
    assert evidence.station_flag(100, None, 0, 0) is None  # no station
    assert evidence.station_flag(100, "A01", 0, 0) is None  # a silent agent is shown, not held
    assert evidence.station_flag(100, "A01", 4, 50) is None
    assert evidence.station_flag(100, "A01", 4, 49)["kind"] == "station"


def test_flags_keep_the_first_occurrence_and_count_the_rest():
    first = evidence.growth_flag([(0, T0)], 500, at(1))
    merged = evidence.merge({}, [first], at(1))
    merged = evidence.merge(merged, [evidence.growth_flag([(500, at(1))], 900, at(2))], at(2))
    assert merged["burst"]["added"] == 500 and merged["burst"]["count"] == 2
    assert evidence.sentences(merged)[0].startswith("文字增长超过人工录入速度：一次保存增加 500 字")
    assert "（共 2 次）" in evidence.sentences(merged)[0]


@pytest.mark.parametrize("session", corpus.corpus(), ids=lambda s: s.name)
def test_the_corpus_verdicts(session):
    held = corpus.verdict(session)
    if session.genuine:
        assert held == [], "an honest candidate is never held"
    elif session.name.startswith("按 240 字/分匀速注入"):
        # the limit of what the server sees alone: a script that paces itself under 300 字/分 and forges
        # consistent counters; only an exam station (or a proctor) catches it
        assert held == []
    else:
        assert held, "a cheat the server can see is held"


def test_the_confusion_matrix_quoted_in_the_readme():
    m = corpus.matrix()
    assert (len(m[True, True]), len(m[True, False]), len(m[False, True]), len(m[False, False])) == (0, 15, 9, 1)


def test_the_growth_chart_is_well_formed_and_says_what_it_shows():
    points = [growth_chart.Point(2.0 * k, 2 * k) for k in range(1, 30)] + [growth_chart.Point(62.0, 900)]
    keys = [growth_chart.Point(15.0, 40), growth_chart.Point(30.0, 90)]
    marks = [growth_chart.Mark(20.0, "paste", "粘贴（已阻止）"), growth_chart.Mark(25.0, "focus_loss", "离开<页面>")]
    svg = growth_chart.growth_chart(points, keys, marks, 600)
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and "1 次保存增长超过人工录入速度" in root.get("aria-label")
    assert len(root.findall(f".//{ns}circle[@class='burst']")) == 1
    assert root.find(f".//{ns}polyline[@class='station-keys']") is not None
    assert len(root.findall(f".//{ns}rect[@class='event paste']")) == 1
    assert "离开<页面>" in "".join(root.itertext())  # escaped in the markup, intact when read
    empty = growth_chart.growth_chart([], [], [], 600)
    assert "没有收到任何带文字的保存" in ET.fromstring(empty).get("aria-label")


def test_text_an_undo_put_back_counts_as_committed():
    from typing_test import signals
    stored = signals.merge({}, "p", {"keydowns": 900, "composed_chars": 300, "compositions": 280, "deleted": 1,
                                     "restored_chars": 120})
    totals = signals.totals(stored)
    assert totals["committed_chars"] == 420
    assert evidence.counter_flags(420, totals) == []  # 300 typed, 120 deleted by mistake and restored
