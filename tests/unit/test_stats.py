import csv
from pathlib import Path

import pytest

from question_bank import stats as istats
from question_bank.stats import ItemStats

FIXTURES = Path(__file__).parent / "fixtures" / "moodle_quiz_statistics"
REL = 1.5e-5

# qstats00.csv column -> (ItemStats field, factor turning Moodle's stored value into ours)
COLUMNS = {
    "facility": ("facility", 100),
    "sd": ("sd", 1),
    "effectiveweight": ("effective_weight", 1),
    "covariance": ("covariance", 1),
    "markvariance": ("mark_variance", 1),
    "othermarkvariance": ("other_mark_variance", 1),
    "discriminationindex": ("discrimination_index", 1),
    "covariancemax": ("covariance_max", 1),
    "discriminativeefficiency": ("discriminative_efficiency", 1),
}


def _moodle_marks():
    with open(FIXTURES / "results00.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    slots = sorted(int(k.split(".")[1]) for k in rows[0] if k.startswith("slots."))
    return [[float(row[f"slots.{s}.mark"]) for s in slots] for row in rows], [1.0] * len(slots)


def _moodle_expected():
    with open(FIXTURES / "qstats00.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_fixture_columns_are_all_covered():
    assert set(_moodle_expected()[0]) - {"slot"} == set(COLUMNS)


@pytest.mark.parametrize("expected", _moodle_expected(), ids=lambda row: f"slot{row['slot']}")
def test_item_statistics_match_moodle(expected):
    marks, max_marks = _moodle_marks()
    item = istats.item_statistics(marks, max_marks)[int(expected["slot"]) - 1]
    assert item.slot == int(expected["slot"])
    for column, (field, factor) in COLUMNS.items():
        assert getattr(item, field) == pytest.approx(factor * float(expected[column]), rel=REL), column


def test_quiz_statistics_match_moodle():
    marks, max_marks = _moodle_marks()
    quiz = istats.quiz_statistics(marks, max_marks)
    assert quiz.attempts == 25
    assert quiz.mean == pytest.approx(4.617333332, rel=REL)
    assert quiz.median == pytest.approx(4.5, rel=REL)
    assert quiz.sd == pytest.approx(0.8117265554, rel=REL)
    assert quiz.skewness == pytest.approx(-0.092502502, rel=REL)
    assert quiz.kurtosis == pytest.approx(-0.7073968557, rel=REL)
    assert quiz.cic == pytest.approx(-87.2230935542, rel=REL)
    assert quiz.error_ratio == pytest.approx(136.8294900795, rel=REL)
    assert quiz.standard_error == pytest.approx(1.1106813066, rel=REL)


def test_max_marks_scale_facility_and_sd_but_not_correlations():
    marks, max_marks = _moodle_marks()
    doubled = istats.item_statistics([[2 * m for m in row] for row in marks], [2 * m for m in max_marks])
    for a, b in zip(istats.item_statistics(marks, max_marks), doubled):
        assert b.facility == pytest.approx(a.facility)
        assert b.sd == pytest.approx(a.sd)
        assert b.discrimination_index == pytest.approx(a.discrimination_index)
        assert b.discriminative_efficiency == pytest.approx(a.discriminative_efficiency)
        assert b.mark_variance == pytest.approx(4 * a.mark_variance)


def test_single_attempt_gives_none_instead_of_dividing_by_zero():
    [item, _] = istats.item_statistics([[1, 0.5]], [1, 1])
    assert item.facility == 100
    assert item.sd is None and item.discrimination_index is None
    assert item.discriminative_efficiency is None and item.effective_weight is None
    quiz = istats.quiz_statistics([[1, 0.5]], [1, 1])
    assert (quiz.mean, quiz.median) == (1.5, 1.5)
    assert quiz.sd is quiz.skewness is quiz.kurtosis is quiz.cic is quiz.error_ratio is None
    assert quiz.standard_error is None


def test_zero_variance_gives_none_for_ratios():
    marks = [[1, 0.1, 0.1], [1, 0.1, 0.1], [1, 0.1, 0.1], [1, 0.1, 0.1]]
    items = istats.item_statistics(marks, [1, 1, 1])
    assert items[0].sd == 0
    assert all(i.discrimination_index is None and i.discriminative_efficiency is None for i in items)
    quiz = istats.quiz_statistics(marks, [1, 1, 1])
    assert quiz.sd == pytest.approx(0)
    assert quiz.skewness is quiz.kurtosis is quiz.cic is quiz.standard_error is None


def test_no_attempts_and_single_item():
    assert istats.item_statistics([], [1])[0].facility is None
    assert istats.quiz_statistics([], [1]).mean is None
    quiz = istats.quiz_statistics([[0], [1], [1]], [1])
    assert quiz.sd is not None and quiz.cic is None


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="满分"):
        istats.item_statistics([[1]], [0])
    with pytest.raises(ValueError, match="第 2 份答卷"):
        istats.quiz_statistics([[1, 1], [1]], [1, 1])


def _item(facility, discrimination):
    return ItemStats(1, facility, None, None, None, None, None, None, discrimination, None, None)


def test_flags():
    assert istats.flags(_item(96, 40)) == ["难度过易（通过率高于 95%）"]
    assert istats.flags(_item(95, 40)) == []  # "above 0.95": 95 itself is not flagged
    assert istats.flags(_item(19.9, 40)) == ["难度过难（通过率低于 20%）"]
    assert istats.flags(_item(20, 40)) == []
    assert istats.flags(_item(60, -5)) == ["区分度为负：高分考生反而答错更多，请检查答案是否有误"]
    assert istats.flags(_item(60, 10)) == ["区分度偏低（< 20）"]
    assert istats.flags(_item(60, 20)) == []
    assert istats.flags(_item(None, None)) == []


def test_moodle_fixture_items_all_flag_negative_discrimination():
    marks, max_marks = _moodle_marks()
    items = istats.item_statistics(marks, max_marks)
    assert all("区分度为负" in " ".join(istats.flags(i)) for i in items)
    assert "难度过易（通过率高于 95%）" in istats.flags(items[2])  # slot 3: facility 97.3 %


def test_analyse_gives_the_figures_the_question_bank_page_shows():
    marks, max_marks = _moodle_marks()
    result = istats.analyse(marks, max_marks)
    assert result.cic == pytest.approx(-87.2230935542, rel=REL)
    assert result.error_ratio == pytest.approx(136.8294900795, rel=REL)
    assert result.standard_error == pytest.approx(1.1106813066, rel=REL)
    assert result.items == istats.item_statistics(marks, max_marks)
    assert result.quiz == istats.quiz_statistics(marks, max_marks)


def test_below_the_minimum_sample_nothing_is_flagged():
    too_easy = _item(100, -5)
    assert istats.MIN_RESPONSES == 30
    assert istats.flags(too_easy, 1) == [] and istats.flags(too_easy, 29) == []
    assert len(istats.flags(too_easy, 30)) == 2 and istats.flags(too_easy) == istats.flags(too_easy, 30)
    assert not istats.reliable(29) and istats.reliable(30)
