"""The validation corpus (tests/corpus/practical): for every stock call and complaint, at least five
realistic good and five bad reply sets with expected verdicts. No bad set may reach 60 % of the
suggested points, no good one fall below 85 %, and every expected per-criterion verdict must hold."""

from __future__ import annotations

import json

import pytest

from practical import scenarios, validation

OUTCOMES = validation.evaluate()
CALL_SCENARIOS = sorted(raw["ref"] for _, raw in scenarios.stock_entries() if raw["kind"] in ("call", "complaint"))


def test_every_call_and_complaint_scenario_has_five_good_and_five_bad_sets():
    counts = {ref: {"good": 0, "bad": 0} for ref in CALL_SCENARIOS}
    for o in OUTCOMES:
        counts[o.scenario][o.expect] += 1
    assert {ref: c for ref, c in counts.items() if c["good"] < 5 or c["bad"] < 5} == {}


def test_sets_are_distinct_and_described():
    for path in validation.corpus_files():
        data = json.loads(path.read_text(encoding="utf-8"))
        replies = [tuple(s["replies"]) for s in data["sets"]]
        assert len(set(replies)) == len(replies), path.name
        assert all(s["style"] and s["expect"] in ("good", "bad") for s in data["sets"]), path.name


@pytest.mark.parametrize("outcome", OUTCOMES, ids=[f"{o.scenario}:{o.set_id}" for o in OUTCOMES])
def test_each_set_lands_on_its_side_of_the_line_with_its_expected_verdicts(outcome):
    if outcome.expect == "good":
        assert outcome.share >= validation.GOOD_AT_LEAST, outcome
    else:
        assert outcome.share < validation.BAD_BELOW, outcome
    assert outcome.verdict_misses == (), outcome


def test_the_matrix_is_clean():
    table = validation.matrix(OUTCOMES)
    assert table["good"]["<60%"] == table["good"]["60–85%"] == 0
    assert table["bad"]["≥85%"] == table["bad"]["60–85%"] == 0


COACHING = validation.evaluate_coaching()
QA_SCENARIOS = sorted(raw["ref"] for _, raw in scenarios.stock_entries() if raw["kind"] == "qa")


def test_every_qa_scenario_has_five_good_and_five_bad_coaching_sets():
    counts = {ref: {"good": 0, "bad": 0} for ref in QA_SCENARIOS}
    for o in COACHING:
        counts[o.scenario][o.expect] += 1
    assert {ref: c for ref, c in counts.items() if c["good"] < 5 or c["bad"] < 5} == {}


@pytest.mark.parametrize("outcome", COACHING, ids=[f"{o.scenario}:{o.set_id}" for o in COACHING])
def test_each_coaching_set_gets_its_expected_suggestion(outcome):
    """Good coaching is suggested in full, bad coaching at most one point of the guide."""
    assert outcome.holds and outcome.verdict == outcome.expected_verdict, outcome
