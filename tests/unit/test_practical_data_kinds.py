"""The senior data kinds, 话务数据分析 (kpi) and 话务预测与排班 (staffing), through the kind interface."""

import copy
import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

from practical import kpi, kpi_export, kpi_targets, scenarios
from practical.kinds import kind
from practical.kinds.base import AnswerError

CONTENT = Path(scenarios.__file__).resolve().parent / "content"
KPI = kind("kpi")
STAFFING = kind("staffing")
SEED = 987654321


def content(code):
    return json.loads((CONTENT / f"{code}.json").read_text(encoding="utf-8"))


def has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --------------------------------------------------------------- content and specs

@pytest.mark.parametrize("code", ["kpi", "staffing"])
def test_every_content_scenario_is_valid(code):
    entries = content(code)
    assert len(entries) == 4 and len({e["ref"] for e in entries}) == 4
    for raw in entries:
        assert raw["kind"] == code and raw["level"] == "senior" and has_chinese(raw["title"])
        assert kind(code).validate_spec(raw["spec"]) == []
        data = scenarios.check(raw, raw["ref"])
        assert data.rubric == []
        assert has_chinese(raw["spec"]["instructions"])


def test_kinds_declare_themselves():
    assert (KPI.KIND, KPI.NAME, KPI.LEVELS, KPI.MANUAL_SHARE) == ("kpi", "话务数据分析", ("senior",), 0)
    assert (STAFFING.KIND, STAFFING.NAME, STAFFING.LEVELS, STAFFING.MANUAL_SHARE) == (
        "staffing", "话务预测与排班", ("senior",), 0)
    assert KPI.default_rubric({}) == [] and STAFFING.default_rubric({}) == []


def _broken(spec, path, value):
    spec = copy.deepcopy(spec)
    target = spec
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return spec


@pytest.mark.parametrize("path,value,field", [
    (("instructions",), "", "instructions"), (("asked",), [], "asked"), (("asked",), ["speed"], "asked[0]"),
    (("standard",), "gold", "standard"), (("log", "calls"), 10, "log.calls"),
    (("log", "profile"), [], "log.profile"), (("log", "start"), "8点", "log.start"),
    (("log", "date"), "昨天", "log.date"), (("log", "fcr_share"), 1.5, "log.fcr_share"),
    (("log", "staffed_agent_hours"), 5, "log.staffed_agent_hours"), (("log",), KeyError, "log"),
    (("log", "calls_per_day"), 5, "log.calls_per_day"),
])
def test_kpi_spec_problems_name_the_field_in_chinese(path, value, field):
    problems = KPI.validate_spec(_broken(content("kpi")[0]["spec"], path, value))
    assert problems and any(p.startswith(f"{field}：") for p in problems), problems
    assert all(has_chinese(p) for p in problems)


@pytest.mark.parametrize("path,value,field", [
    (("instructions",), " ", "instructions"), (("interval_minutes",), 20, "interval_minutes"),
    (("forecast",), [], "forecast"), (("forecast", 2), -5, "forecast[2]"), (("aht_s",), 5, "aht_s"),
    (("aht_s",), [200, 300], "aht_s"), (("target_level",), 1, "target_level"),
    (("target_answer_s",), 0, "target_answer_s"), (("shrinkage",), 0.9, "shrinkage"),
    (("max_occupancy",), 1.5, "max_occupancy"), (("start",), "25:00", "start"), (("jitter",), 2, "jitter"),
    (("start",), "23:00", "forecast"),
])
def test_staffing_spec_problems_name_the_field_in_chinese(path, value, field):
    problems = STAFFING.validate_spec(_broken(content("staffing")[0]["spec"], path, value))
    assert problems and any(p.startswith(f"{field}：") for p in problems), problems
    assert all(has_chinese(p) for p in problems)


# --------------------------------------------------------------- kpi

def kpi_spec(n=2):
    return content("kpi")[n]["spec"]  # asks all seven KPIs under the suggested standard


def perfect_kpi_answer(spec, seed):
    values = KPI.figures(spec, seed).values()
    shown = {k: f"{float(values[k]):.2f}" for k in spec["asked"]}
    short = kpi_targets.short_of_target({k: values[k] for k in spec["asked"]}, spec["standard"])
    return {"values": shown, "short_of_target": sorted(short)}


@pytest.mark.parametrize("n", range(4))
def test_kpi_perfect_answer_scores_full_points(n):
    spec = content("kpi")[n]["spec"]
    answer = KPI.normalise_answer(spec, perfect_kpi_answer(spec, SEED), SEED)
    result = KPI.auto_grade(spec, answer, SEED, Fraction(25))
    assert result.points == result.max_points == 25
    assert all(c.passed for c in result.checks)


def test_kpi_blank_answer_scores_nothing():
    result = KPI.auto_grade(kpi_spec(), {}, SEED, Fraction(25))
    assert result.points == 0 and result.max_points == 25
    assert any("未填写" in c.message for c in result.checks)


def test_kpi_partial_credit_is_per_value_and_per_classification():
    spec = kpi_spec()  # 7 values share 7/10 of 25 points; 6 KPIs with a target share 3/10
    answer = perfect_kpi_answer(spec, SEED)
    answer["values"]["aht"] = str(float(answer["values"]["aht"]) + 10)
    result = KPI.auto_grade(spec, KPI.normalise_answer(spec, answer, SEED), SEED, Fraction(25))
    assert result.points == 25 - Fraction(25) * Fraction(7, 10) / 7
    wrong = [c for c in result.checks if not c.passed]
    assert [c.code for c in wrong] == ["kpi.aht"] and "正确值" in wrong[0].message
    flipped = perfect_kpi_answer(spec, SEED)
    flipped["short_of_target"] = sorted(set(flipped["short_of_target"]) ^ {"answer_rate"})
    result = KPI.auto_grade(spec, KPI.normalise_answer(spec, flipped, SEED), SEED, Fraction(25))
    assert result.points == 25 - Fraction(25) * Fraction(3, 10) / 6


def test_kpi_each_candidate_gets_their_own_log():
    spec = kpi_spec(0)
    assert KPI.log_for(spec, 1).records != KPI.log_for(spec, 2).records
    assert KPI.log_for(spec, 1) == KPI.log_for(spec, 1)
    log = KPI.log_for(spec, 1)
    assert log.staffed_seconds == 90 * 3600 and len(log.records) == 900
    assert kpi_export.to_csv(log) and kpi_export.to_xlsx(log)


@pytest.mark.parametrize("n", range(4))
def test_kpi_view_contains_no_expected_figures(n):
    spec = content("kpi")[n]["spec"]
    view = KPI.candidate_view(spec, {}, SEED)
    text = json.dumps(view, ensure_ascii=False)
    for key, value in KPI.figures(spec, SEED).values().items():
        for shown in (f"{float(value):.2f}", f"{float(value):.1f}"):
            assert not re.search(rf"(?<![\d.]){re.escape(shown)}(?![\d])", text), (key, shown)
    assert {k["key"] for k in view["kpis"]} == set(spec["asked"])
    assert all(k["definition"] and k["tolerance"] for k in view["kpis"])
    assert view["targets"] and all("≥" in t["target"] or "≤" in t["target"] or "–" in t["target"] for t in view["targets"])
    assert view["download"]["formats"] == ["xlsx", "csv"]


def test_kpi_answers_are_normalised():
    spec = kpi_spec()
    stored = KPI.normalise_answer(spec, {"values": {"aht": "２４５秒", "answer_rate": "85.3%", "asa": "",
                                                    "occupancy": "1"},
                                         "short_of_target": ["fcr", "aht", "fcr"]}, SEED)
    assert stored == {"values": {"answer_rate": "85.3", "aht": "245", "occupancy": "1"},
                      "short_of_target": ["aht", "fcr"]}
    assert KPI.normalise_answer(spec, None, SEED) == {"values": {}, "short_of_target": []}


@pytest.mark.parametrize("raw,words", [
    ({"values": {"answer_rate": "八十五"}}, "接通率"), ({"values": {"answer_rate": "120"}}, "接通率"),
    ({"values": {"aht": "-3"}}, "平均处理时长"), ({"values": {"speed": "1"}}, "speed"),
    ({"short_of_target": ["abandon_rate"]}, "未达标"), ({"short_of_target": "aht"}, "未达标"),
    ([1, 2], "JSON"), ({"values": {"fcr": "9" * 50}}, "一次性解决率"),
])
def test_kpi_garbage_is_refused_naming_the_field(raw, words):
    with pytest.raises(AnswerError) as exc:
        KPI.normalise_answer(kpi_spec(), raw, SEED)
    assert words in str(exc.value) and has_chinese(str(exc.value))


def test_kpi_figures_match_the_exported_file():
    spec = kpi_spec(1)
    log = KPI.log_for(spec, SEED)
    assert KPI.figures(spec, SEED) == kpi.compute(log.records, log.staffed_seconds)


# --------------------------------------------------------------- staffing

def staffing_spec(n=0):
    return content("staffing")[n]["spec"]


def perfect_staffing_answer(spec, seed):
    return {"agents": {str(i): p.scheduled for i, p in enumerate(STAFFING.plans(spec, seed))}}


@pytest.mark.parametrize("n", range(4))
def test_staffing_perfect_answer_scores_full_points(n):
    spec = staffing_spec(n)
    answer = STAFFING.normalise_answer(spec, perfect_staffing_answer(spec, SEED), SEED)
    result = STAFFING.auto_grade(spec, answer, SEED, Fraction(25))
    assert result.points == result.max_points == 25
    assert len(result.checks) == len(spec["forecast"])


def test_staffing_off_by_one_earns_half_and_further_nothing():
    spec = staffing_spec(0)  # 16 intervals of 25/16 points
    answer = perfect_staffing_answer(spec, SEED)
    answer["agents"]["0"] += 1
    answer["agents"]["1"] -= 3
    result = STAFFING.auto_grade(spec, answer, SEED, Fraction(25))
    each = Fraction(25, 16)
    assert result.points == 25 - each / 2 - each
    first, second = result.checks[0], result.checks[1]
    assert first.where == "08:00–08:30" and "相差 1 人" in first.message and "多排了 1 人" in first.message
    assert second.where == "08:30–09:00" and "低于目标 80%" in second.message and second.points == 0


def test_staffing_forgotten_shrinkage_is_explained():
    spec = staffing_spec(0)
    plans = STAFFING.plans(spec, SEED)
    raw = {"agents": {str(i): p.on_phones for i, p in enumerate(plans)}}
    result = STAFFING.auto_grade(spec, raw, SEED, Fraction(25))
    assert result.points == 0
    assert all("未按缩减率 30% 上调" in c.message for c in result.checks)


def test_staffing_blank_scores_nothing():
    result = STAFFING.auto_grade(staffing_spec(1), {}, SEED, Fraction(25))
    assert result.points == 0 and all("未填写" in c.message for c in result.checks)


def test_staffing_jitter_varies_by_seed_only_when_asked():
    assert STAFFING.forecasts(staffing_spec(2), 1) != STAFFING.forecasts(staffing_spec(2), 2)
    assert STAFFING.forecasts(staffing_spec(2), 1) == STAFFING.forecasts(staffing_spec(2), 1)
    assert STAFFING.forecasts(staffing_spec(0), 1) == staffing_spec(0)["forecast"]


def test_staffing_view_contains_no_required_counts():
    # Forecasts chosen so every required count is a number that appears nowhere else on the page.
    spec = {"instructions": "测试", "start": "08:00", "interval_minutes": 30, "forecast": [1234, 2345, 3456],
            "aht_s": 240, "target_level": 0.8, "target_answer_s": 20, "shrinkage": 0.3, "max_occupancy": 0.85}
    assert STAFFING.validate_spec(spec) == []
    text = json.dumps(STAFFING.candidate_view(spec, {}, SEED), ensure_ascii=False)
    for p in STAFFING.plans(spec, SEED):
        for n in (p.on_phones, p.scheduled):
            assert not re.search(rf"(?<!\d){n}(?!\d)", text), n


@pytest.mark.parametrize("n", range(4))
def test_staffing_content_views_hold_only_the_inputs(n):
    spec = staffing_spec(n)
    view = STAFFING.candidate_view(spec, {}, SEED)
    assert [i["calls"] for i in view["intervals"]] == STAFFING.forecasts(spec, SEED)
    for interval in view["intervals"]:
        assert set(interval) == {"index", "label", "calls", "aht_s", "value"}
    text = json.dumps(view, ensure_ascii=False)
    assert not any(word in text for word in ("scheduled", "on_phones", "required", "expected"))
    scheduled = [p.scheduled for p in STAFFING.plans(spec, SEED)]
    assert json.dumps(scheduled) not in text


def test_staffing_answers_are_normalised():
    spec = staffing_spec(1)
    stored = STAFFING.normalise_answer(spec, {"agents": {"3": "１２０人", "0": 55, "1": "", "2": 7.0}}, SEED)
    assert stored == {"agents": {"0": 55, "2": 7, "3": 120}}


@pytest.mark.parametrize("raw,words", [
    ({"agents": {"0": "很多"}}, "第 1 个时段（09:00–09:30）"), ({"agents": {"2": -1}}, "第 3 个时段"),
    ({"agents": {"1": 3.5}}, "第 2 个时段"), ({"agents": {"99": 3}}, "没有时段"), ({"agents": [1]}, "agents"),
    ("12", "JSON"), ({"agents": {"0": True}}, "第 1 个时段"),
])
def test_staffing_garbage_is_refused_naming_the_interval(raw, words):
    with pytest.raises(AnswerError) as exc:
        STAFFING.normalise_answer(staffing_spec(1), raw, SEED)
    assert words in str(exc.value) and has_chinese(str(exc.value))
