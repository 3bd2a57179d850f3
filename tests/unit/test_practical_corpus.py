"""The validation corpus (tests/corpus/practical): for every stock call and complaint, at least five
realistic good and five bad reply sets with expected verdicts. No bad set may reach 60 % of the
suggested points, no good one fall below 85 %, and every expected per-criterion verdict must hold."""

from __future__ import annotations

import json

import pytest

from practical import scenarios, validation

OUTCOMES = validation.evaluate()
CALL_SCENARIOS = sorted(raw["ref"] for _, raw in scenarios.stock_entries() if raw["kind"] in ("call", "complaint"))


def sets_per_scenario(outcomes, scenarios_expected=()) -> dict[str, dict[str, int]]:
    """Good and bad sets counted per scenario. With ``scenarios_expected`` every one of them is listed,
    even with no set, and a set of any other scenario is a KeyError."""
    counts = {ref: {"good": 0, "bad": 0} for ref in scenarios_expected}
    for o in outcomes:
        tally = counts[o.scenario] if scenarios_expected else counts.setdefault(o.scenario, {"good": 0, "bad": 0})
        tally[o.expect] += 1
    return counts


def test_every_call_and_complaint_scenario_has_five_good_and_five_bad_sets():
    counts = sets_per_scenario(OUTCOMES, CALL_SCENARIOS)
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
    counts = sets_per_scenario(COACHING, QA_SCENARIOS)
    assert {ref: c for ref, c in counts.items() if c["good"] < 5 or c["bad"] < 5} == {}


@pytest.mark.parametrize("outcome", COACHING, ids=[f"{o.scenario}:{o.set_id}" for o in COACHING])
def test_each_coaching_set_gets_its_expected_suggestion(outcome):
    """Good coaching is suggested in full, bad coaching at most one point of the guide."""
    assert outcome.holds and outcome.verdict == outcome.expected_verdict, outcome


# ---------------------------------------------------------------- the held-out corpus
# tests/corpus/practical_heldout: written blind to the matcher and the word lists by a second engineer
# (see practical.validation). A set marked ``known_miss`` must still be a miss: when a general fix makes
# it land, the marker (and its line in the README) goes.

HELDOUT = validation.evaluate(validation.HELDOUT_DIR)
HELDOUT_COACHING = validation.evaluate_coaching(validation.HELDOUT_QA_DIR)


def test_the_held_out_corpus_covers_four_calls_two_complaints_and_every_qa_scenario():
    kinds = {raw["ref"]: raw["kind"] for _, raw in scenarios.stock_entries()}
    counts = sets_per_scenario(HELDOUT)
    assert all(c["good"] >= 3 and c["bad"] >= 3 for c in counts.values()), counts
    assert sum(kinds[ref] == "call" for ref in counts) >= 4 and sum(kinds[ref] == "complaint" for ref in counts) >= 2
    qa_counts = sets_per_scenario(HELDOUT_COACHING, QA_SCENARIOS)
    assert {ref: c for ref, c in qa_counts.items() if c["good"] < 5 or c["bad"] < 5} == {}


@pytest.mark.parametrize("outcome", HELDOUT, ids=[f"{o.scenario}:{o.set_id}" for o in HELDOUT])
def test_each_held_out_set_lands_on_its_side_of_the_line_unless_a_known_miss(outcome):
    assert outcome.holds != bool(outcome.known_miss), outcome


@pytest.mark.parametrize("outcome", HELDOUT_COACHING, ids=[f"{o.scenario}:{o.set_id}" for o in HELDOUT_COACHING])
def test_each_held_out_coaching_set_gets_its_expected_suggestion_unless_a_known_miss(outcome):
    """The line (good in full, bad at most half) holds for every set; a known miss is a verdict the
    examiner has to change (a bad comment credited with naming the element while praising it)."""
    assert outcome.holds, outcome
    assert (outcome.verdict == outcome.expected_verdict) != bool(outcome.known_miss), outcome
