from fractions import Fraction

from exam import grading, standard
from exam.delivery.answers import AnswerFormatError, normalise

import pytest


def slot(position, kind, key, order=(0, 1, 2, 3), points=Fraction(5), area="service"):
    return grading.GradableSlot(position, area, kind, key, list(order), points)


def test_answers_are_mapped_back_through_the_candidates_option_order():
    # The candidate saw original option 2 first; choosing display position 0 is choosing option 2.
    s = slot(0, "single", [2], order=(2, 0, 3, 1))
    assert grading.is_correct(s, "0")
    assert not grading.is_correct(s, "2")


def test_multiple_choice_is_all_or_nothing():
    s = slot(0, "multiple", [0, 3], order=(3, 1, 0, 2))
    assert grading.is_correct(s, "0,2")
    assert not grading.is_correct(s, "0")
    assert not grading.is_correct(s, "0,1,2")


def test_true_false_and_blank():
    assert grading.is_correct(slot(0, "truefalse", True, order=()), "T")
    assert not grading.is_correct(slot(0, "truefalse", False, order=()), "T")
    assert not grading.is_correct(slot(0, "single", [0]), "")


def test_exactly_sixty_in_thirds_passes():
    # 15 items of 20/3 points: 9 right is exactly 60, which floats would put a hair below.
    slots = [slot(i, "single", [0], points=Fraction(20, 3)) for i in range(15)]
    answers = {i: "0" for i in range(9)}
    g = grading.grade(slots, answers)
    assert g.score == standard.THEORY_PASS_MARK and g.passed and g.correct == 9
    g = grading.grade(slots, {i: "0" for i in range(8)})
    assert not g.passed and g.score_display == 53.33


def test_breakdown_by_area():
    slots = [slot(0, "single", [0], area="computer"), slot(1, "single", [1], area="service")]
    g = grading.grade(slots, {0: "0", 1: "0"})
    assert g.by_area == {"computer": (5, 5), "service": (0, 5)}


@pytest.mark.parametrize("kind,count,raw,expected", [
    ("single", 4, "2", "2"), ("multiple", 4, "3,0,3", "0,3"), ("truefalse", 0, "F", "F"),
    ("single", 4, "", ""), ("multiple", 5, None, ""),
])
def test_normalise_accepts(kind, count, raw, expected):
    assert normalise(kind, count, raw) == expected


@pytest.mark.parametrize("kind,count,raw,message", [
    ("single", 4, "4", "超出范围"), ("single", 4, "0,1", "只能选一项"), ("truefalse", 0, "yes", "T 或 F"),
    ("multiple", 4, "a", "数字"), ("single", 4, 3, "文本"),
])
def test_normalise_refuses(kind, count, raw, message):
    with pytest.raises(AnswerFormatError, match=message):
        normalise(kind, count, raw)


def test_partial_credit_multiple_gives_a_share_for_a_subset_and_nothing_for_a_wrong_pick():
    s = grading.GradableSlot(0, "service", "multiple", [0, 1, 3], [0, 1, 2, 3], Fraction(3), "partial")
    assert grading.credit(s, "0,1,3") == 1
    assert grading.credit(s, "0,3") == Fraction(2, 3)
    assert grading.credit(s, "0,2") == 0          # 错选不得分
    all_or_nothing = grading.GradableSlot(0, "service", "multiple", [0, 1, 3], [0, 1, 2, 3], Fraction(3), "all")
    assert grading.credit(all_or_nothing, "0,3") == 0
    g = grading.grade([s], {0: "1,3"})
    assert g.score == 2 and g.marks == {0: 2}


def test_fill_answers_match_across_width_case_and_spaces():
    s = grading.GradableSlot(0, "basics", "fill", ["80/20", "Service Level"], [], Fraction(2))
    assert grading.is_correct(s, "８０／２０")
    assert grading.is_correct(s, "  service   level ")
    assert not grading.is_correct(s, "80/30")
    assert not grading.is_correct(s, "")


def test_short_answers_wait_for_the_examiner_and_then_count():
    choice = slot(0, "single", [0], points=Fraction(95))
    short = grading.GradableSlot(1, "service", "short", {"reference": "r", "points": ["p"]}, [], Fraction(5))
    g = grading.grade([choice, short], {0: "0", 1: "您好，请问有什么可以帮您？"})
    assert g.pending == [1] and g.passed is None and g.score == 95
    g = grading.grade([choice, short], {0: "0", 1: "…"}, manual={1: Fraction(7)})
    assert g.pending == [] and g.score == standard.FULL_MARKS and g.passed   # capped at the slot's points
    blank = grading.grade([choice, short], {0: "1"})
    assert blank.pending == [] and blank.score == 0 and blank.passed is False


def test_typed_answers_are_kept_as_typed_within_their_limits():
    assert normalise("fill", 0, " 80/20 ") == " 80/20 "
    assert normalise("short", 0, "   ") == ""
    with pytest.raises(AnswerFormatError, match="不能超过"):
        normalise("fill", 0, "字" * 201)
