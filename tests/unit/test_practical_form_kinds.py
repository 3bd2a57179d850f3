"""The form-filling kinds through the kind interface: 工单录入 (work_order), 通话质检 (qa), 书面任务 (written)."""

import copy
import json
from fractions import Fraction
from pathlib import Path

import pytest

from exam import standard
from practical import scenarios
from practical import work_order as wo
from practical.kinds import KIND_CODES, kind, normalise_answer
from practical.kinds.base import AnswerError

CONTENT = Path(scenarios.__file__).resolve().parent / "content"
WO, QA, WRITTEN = kind("work_order"), kind("qa"), kind("written")
SEED = 424242
LEVELS = {"work_order": "junior", "qa": "intermediate", "written": "senior"}


def content(code):
    return json.loads((CONTENT / f"{code}.json").read_text(encoding="utf-8"))


def has_chinese(text):
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def broken(spec, path, value):
    spec = copy.deepcopy(spec)
    target = spec
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return spec


# --------------------------------------------------------------- declarations and content

def test_kinds_declare_themselves():
    assert (WO.KIND, WO.NAME, WO.LEVELS, WO.MANUAL_SHARE) == ("work_order", "工单录入", ("junior",), 0)
    assert (QA.KIND, QA.NAME, QA.LEVELS, QA.MANUAL_SHARE) == ("qa", "通话质检", ("intermediate",), Fraction(1, 3))
    assert (WRITTEN.KIND, WRITTEN.NAME, WRITTEN.LEVELS, WRITTEN.MANUAL_SHARE) == ("written", "书面任务", ("senior",), 1)
    assert WO.default_rubric({}) == [] and QA.default_rubric({}) == []  # nothing to derive a guide from


@pytest.mark.parametrize("code", ["work_order", "qa", "written"])
def test_every_content_scenario_is_valid(code):
    entries = content(code)
    assert len(entries) == 4 and len({e["ref"] for e in entries}) == 4
    for raw in entries:
        assert raw["kind"] == code and raw["level"] == LEVELS[code] and has_chinese(raw["title"])
        assert kind(code).validate_spec(raw["spec"]) == [], raw["ref"]
        if getattr(kind(code), "RUBRIC_FROM_SPEC", False):  # the QA task's coaching criterion
            assert "rubric" not in raw
        else:
            assert raw["rubric"] == kind(code).default_rubric(raw["spec"])
        data = scenarios.check(raw, raw["ref"])
        assert data.rubric == kind(code).default_rubric(raw["spec"])
        assert data.ref == raw["ref"]


def test_content_has_the_promised_shape():
    for raw in content("work_order"):
        assert 8 <= len(raw["spec"]["transcript"]) <= 15
    for raw in content("qa"):
        assert 10 <= len(raw["spec"]["transcript"]) <= 20
    assert sorted(r["spec"]["task_type"] for r in content("written")) == ["script", "script", "training_plan",
                                                                          "training_plan"]


@pytest.mark.parametrize("raw", content("written"), ids=lambda r: r["ref"])
def test_written_rubric_shares_sum_to_one_and_carry_the_guidance(raw):
    rubric = WRITTEN.default_rubric(raw["spec"])
    assert sum(Fraction(c["points"]) for c in rubric) == 1
    assert [c["name"] for c in rubric] == ["结构完整", "内容准确", "符合服务规范", "可操作性"]
    assert raw["spec"]["guidance"] in next(c for c in rubric if c["key"] == "accuracy")["description"]
    points = next(p.points for p in standard.PRACTICAL_PAPERS["senior"].parts if p.kind == "written")
    assert all((Fraction(c["points"]) * points * 2).denominator == 1 for c in rubric)  # examiners mark in halves


# --------------------------------------------------------------- validate_spec

@pytest.mark.parametrize("path,value,field", [
    (("instructions",), "", "instructions"), (("call_time",), "昨天上午", "call_time"),
    (("transcript",), [], "transcript"), (("transcript", 1, "speaker"), "robot", "transcript[1].speaker"),
    (("transcript", 2, "text"), " ", "transcript[2].text"), (("categories",), ["只有一项"], "categories"),
    (("fields", "phone", "truth"), "136 0851 247", "fields.phone.truth"),
    (("fields", "phone", "truth"), "电话", "fields.phone.truth"),
    (("fields", "caller", "truth"), "", "fields.caller.truth"),
    (("fields", "category", "truth"), "不存在的类别", "fields.category.truth"),
    (("fields", "problem", "keywords"), [], "fields.problem.keywords"),
    (("fields", "problem", "keywords", 0, "any"), [], "fields.problem.keywords[0].any"),
    (("fields", "problem", "keywords", 1, "name"), "", "fields.problem.keywords[1].name"),
    (("fields", "follow_up", "truth"), "尽快", "fields.follow_up.truth"),
    (("fields", "follow_up", "tolerance_minutes"), -5, "fields.follow_up.tolerance_minutes"),
    (("fields", "caller", "weight"), 0, "fields.caller.weight"),
    (("fields", "follow_up"), KeyError, "fields.follow_up"), (("fields",), "x", "fields"),
    (("holidays",), ["2024-06-31"], "holidays[0]"), (("holidays",), "2024-06-10", "holidays"),
    (("workdays",), ["2024-05-15"], "workdays[0]"), (("workdays",), ["2024-05-18", "2024-05-18"], "workdays[1]"),
])
def test_work_order_spec_problems_name_the_field_in_chinese(path, value, field):
    problems = WO.validate_spec(broken(content("work_order")[0]["spec"], path, value))
    assert problems and any(p.startswith(f"{field}：") for p in problems), problems
    assert all(has_chinese(p) for p in problems)


def test_work_order_phone_problem_reads_as_documented():
    problems = WO.validate_spec(broken(content("work_order")[0]["spec"], ("fields", "phone", "truth"), "12345"))
    assert any(p.startswith("fields.phone.truth：不是有效的电话号码") for p in problems)


def typed_reference(spec):
    """The scenario without its elements, the reference typed by hand as before elements existed."""
    reference = {k: int(v) if v.denominator == 1 else float(v) for k, v in QA.reference_marks(spec).items()}
    rubric = [{k: v for k, v in item.items() if k != "elements"} for item in spec["rubric"]]
    return {**copy.deepcopy(spec), "rubric": rubric, "reference": reference}


@pytest.mark.parametrize("path,value,field", [
    (("instructions",), "", "instructions"), (("transcript",), [{"speaker": "agent", "text": "您好"}], "transcript"),
    (("transcript", 0, "speaker"), "caller", "transcript[0].speaker"), (("rubric",), [], "rubric"),
    (("rubric", 2, "max"), 0, "rubric[2].max"), (("rubric", 2, "max"), "三十", "rubric[2].max"),
    (("rubric", 1, "key"), "opening", "rubric[1].key"), (("rubric", 1, "key"), "倾听", "rubric[1].key"),
    (("rubric", 0, "name"), "", "rubric[0].name"), (("rubric", 0, "description"), "", "rubric[0].description"),
    (("rubric", 0, "tolerance"), "很宽", "rubric[0].tolerance"), (("rubric", 0, "tolerance"), 10, "rubric[0].tolerance"),
    (("rubric", 0, "tolerance"), -1, "rubric[0].tolerance"),
    (("reference", "opening"), 12, "reference.opening"), (("reference", "opening"), -1, "reference.opening"),
    (("reference", "opening"), KeyError, "reference.opening"), (("reference", "extra"), 3, "reference.extra"),
    (("reference",), [], "reference"), (("notes", "nothing"), "说明", "notes.nothing"),
])
def test_qa_spec_problems_name_the_field_in_chinese(path, value, field):
    problems = QA.validate_spec(broken(typed_reference(content("qa")[0]["spec"]), path, value))
    assert problems and any(p.startswith(f"{field}：") for p in problems), problems
    assert all(has_chinese(p) for p in problems)


def test_qa_reference_above_max_reads_as_documented():
    problems = QA.validate_spec(broken(typed_reference(content("qa")[0]["spec"]), ("reference", "opening"), 11))
    assert problems == ["reference.opening：超出该项满分 10 分"]
    problems = QA.validate_spec(broken(content("qa")[0]["spec"], ("rubric", 2, "max"), -3))
    assert any(p.startswith("rubric[2].max：应为正数") for p in problems)


@pytest.mark.parametrize("path,value,field", [
    (("task_type",), "essay", "task_type"), (("prompt",), "", "prompt"), (("guidance",), " ", "guidance"),
    (("materials",), "", "materials"), (("requirements",), "写好", "requirements"),
    (("requirements", 0), "", "requirements[0]"), (("min_chars",), 10, "min_chars"),
    (("max_chars",), 200, "max_chars"), (("max_chars",), 9000, "max_chars"),
])
def test_written_spec_problems_name_the_field_in_chinese(path, value, field):
    problems = WRITTEN.validate_spec(broken(content("written")[0]["spec"], path, value))
    assert problems and any(p.startswith(f"{field}：") for p in problems), problems
    assert all(has_chinese(p) for p in problems)


# --------------------------------------------------------------- work_order grading

def perfect_work_order(spec):
    f = spec["fields"]
    return {"fields": {
        "caller": wo.accepted_names(f["caller"]["truth"])[0], "phone": f["phone"]["truth"],
        "category": f["category"]["truth"], "follow_up": f["follow_up"]["truth"],
        "problem": "；".join(g["any"][0] for g in f["problem"]["keywords"])}}


@pytest.mark.parametrize("n", range(4))
def test_work_order_perfect_answer_scores_full_points(n):
    spec = content("work_order")[n]["spec"]
    answer = WO.normalise_answer(spec, perfect_work_order(spec), SEED)
    result = WO.auto_grade(spec, answer, SEED, Fraction(10))
    assert result.points == result.max_points == 10 and all(c.passed for c in result.checks)
    assert [c.where for c in result.checks] == ["来电人姓名", "电话号码", "业务类别", "问题描述", "承诺时限"]


def test_work_order_accepts_the_ways_people_write_things():
    spec = content("work_order")[0]["spec"]  # 刘建华, 13608512476, 明天上午10点前 (call on Monday 09:40)
    answer = WO.normalise_answer(spec, {"fields": {
        "caller": " 刘 建华", "phone": "＋86 136-0851-2476", "category": "故障报修",
        "problem": "昨天晚上10点左右开始上不了网，光猫ＬＯＳ灯闪红，已经拔电源重启过，需要师傅上门。",
        "follow_up": "5月14日10:00前"}}, SEED)
    result = WO.auto_grade(spec, answer, SEED, Fraction(20))
    assert result.points == 20, [c.message for c in result.checks]


def test_work_order_wrong_and_partial_fields_score_by_weight_with_reasons():
    spec = content("work_order")[0]["spec"]  # weights 1, 2, 1, 4, 2 of 10; five keyword groups
    answer = perfect_work_order(spec)
    answer["fields"]["phone"] = "136 0851 247"
    answer["fields"]["problem"] = "断网，光猫红灯"
    answer["fields"]["follow_up"] = "明天下午"
    result = WO.auto_grade(spec, WO.normalise_answer(spec, answer, SEED), SEED, Fraction(10))
    by = {c.code: c for c in result.checks}
    assert by["field.caller"].points == 1 and by["field.category"].points == 1
    assert by["field.phone"].points == 0 and by["field.phone"].max_points == 2
    assert by["field.phone"].message.startswith("电话号码：应为 11 位手机号，录入的是 10 位")
    assert by["field.problem"].points == Fraction(4) * Fraction(2, 5)
    assert "问题描述：缺少要点‘开始时间’" in by["field.problem"].message
    assert "‘已自行重启’" in by["field.problem"].message and "‘需上门维修’" in by["field.problem"].message
    assert by["field.follow_up"].points == 0 and by["field.follow_up"].message.startswith("承诺时限：")
    assert result.points == 1 + 1 + Fraction(8, 5) and result.max_points == 10


def test_work_order_working_days_promised_on_a_monday_match_the_date_they_mean():
    spec = content("work_order")[1]["spec"]  # 3个工作日内, said on Monday 2024-06-03 14:15
    assert (spec["call_time"], spec["fields"]["follow_up"]["truth"]) == ("2024-06-03 14:15", "3个工作日内")
    for written in ("周四下班前", "6月6日前", "三个工作日内"):
        answer = perfect_work_order(spec)
        answer["fields"]["follow_up"] = written
        result = WO.auto_grade(spec, WO.normalise_answer(spec, answer, SEED), SEED, Fraction(10))
        assert result.points == 10, (written, [c.message for c in result.checks])
    holiday = dict(spec, holidays=["2024-06-05"])  # a holiday on the Wednesday pushes it to Friday
    answer = perfect_work_order(holiday)
    answer["fields"]["follow_up"] = "周四前"
    by = {c.code: c for c in WO.auto_grade(holiday, answer, SEED, Fraction(10)).checks}
    assert not by["field.follow_up"].passed and "6月7日 18:00" in by["field.follow_up"].message
    assert WO.validate_spec(holiday) == []
    note = WO.candidate_view(dict(holiday, workdays=["2024-06-08"]), {}, SEED)["calendar_note"]
    assert note == "法定节假日 6月5日（周三）；调休上班 6月8日（周六）"
    assert WO.candidate_view(spec, {}, SEED)["calendar_note"] == ""


def test_work_order_blank_answer_scores_nothing():
    spec = content("work_order")[1]["spec"]
    result = WO.auto_grade(spec, {}, SEED, Fraction(10))
    assert result.points == 0 and all("未" in c.message for c in result.checks)
    assert WO.auto_grade(spec, None, SEED, Fraction(10)).points == 0


@pytest.mark.parametrize("raw,words", [
    ("not a dict", "JSON"), ({"fields": ["a"]}, "fields"), ({"fields": {"address": "某地"}}, "没有栏目"),
    ({"fields": {"phone": ["136"]}}, "电话号码"), ({"fields": {"category": "其他"}}, "不是可选的类别"),
    ({"fields": {"problem": "很" * 501}}, "问题描述：有 501 字"), ({"fields": {"caller": True}}, "来电人姓名"),
    # a field typed at the top level is refused, naming fields and its keys (it was dropped silently)
    ({"caller": "陈晓燕", "phone": "0851-85527319"}, "多余的键 'caller'、'phone'；工单录入的答案只能有这些键：fields（"),
    ({"fields": {}, "notes": "x"}, "phone 电话号码"),
])
def test_work_order_malformed_answers_are_refused_in_chinese(raw, words):
    with pytest.raises(AnswerError) as exc:  # through the common path every save and 试做 takes
        normalise_answer("work_order", content("work_order")[0]["spec"], raw, SEED)
    assert words in str(exc.value) and has_chinese(str(exc.value))


@pytest.mark.parametrize("code", KIND_CODES)
def test_every_kind_declares_its_answer_keys_and_a_stray_one_is_refused_naming_them(code):
    """One rule for every kind (``practical.kinds.normalise_answer``): a top-level key the kind does not
    read is refused, naming it and the expected keys, never dropped; the declared keys themselves pass
    (the kind's own rules then judge their content: empty answers are valid for every kind)."""
    module = kind(code)
    assert module.ANSWER_KEYS and all(has_chinese(meaning) for meaning in module.ANSWER_KEYS.values())
    spec = content(code)[0]["spec"]
    with pytest.raises(AnswerError) as exc:
        normalise_answer(code, spec, {"备注": "x"}, SEED)
    message = str(exc.value)
    assert "多余的键 '备注'" in message and module.NAME in message
    assert all(f"{key}（" in message for key in module.ANSWER_KEYS)
    if code not in ("call", "complaint"):  # a call's empty reply list is its own error (作答为空 in try)
        assert isinstance(normalise_answer(code, spec, {}, SEED), dict)


def test_work_order_answer_is_stored_trimmed_in_form_order():
    spec = content("work_order")[0]["spec"]
    stored = WO.normalise_answer(spec, {"fields": {"problem": " 断网 ", "caller": "刘建华", "phone": ""}}, SEED)
    assert stored == {"fields": {"caller": "刘建华", "problem": "断网"}}
    assert WO.normalise_answer(spec, None, SEED) == {"fields": {}}


@pytest.mark.parametrize("n", range(4))
def test_work_order_view_leaks_nothing(n):
    spec = content("work_order")[n]["spec"]
    view = WO.candidate_view(spec, {}, SEED)
    text = json.dumps(view, ensure_ascii=False)
    public = " ".join([spec["instructions"], *(line["text"] for line in spec["transcript"])])
    fields = spec["fields"]
    assert wo.parse_phone(fields["phone"]["truth"]).digits not in text
    assert fields["follow_up"]["truth"] not in public and fields["follow_up"]["truth"] not in text
    secrets = [g["name"] for g in fields["problem"]["keywords"]]
    secrets += [w for g in fields["problem"]["keywords"] for w in g["any"]]
    hidden = [s for s in secrets if s not in public]
    assert len(hidden) >= 3  # the keyword groups are not the transcript's own words
    assert [s for s in hidden if s in text] == []
    for secret in ('"truth"', '"keywords"', '"weight"', '"any"', "tolerance_minutes"):
        assert secret not in text
    assert [f["label"] for f in view["form"]] == ["来电人姓名", "电话号码", "业务类别", "问题描述", "承诺时限"]
    assert view["form"][2]["options"] == spec["categories"] and len(view["transcript"]) == len(spec["transcript"])


def test_work_order_view_shows_saved_values():
    spec = content("work_order")[0]["spec"]
    view = WO.candidate_view(spec, {"fields": {"caller": "刘建华"}}, SEED)
    assert view["form"][0]["value"] == "刘建华" and view["form"][1]["value"] == ""


# --------------------------------------------------------------- qa grading

def qa_spec(n=0):
    return content("qa")[n]["spec"]


@pytest.mark.parametrize("n", range(4))
def test_qa_reference_marks_follow_from_the_rubrics_elements(n):
    spec = qa_spec(n)
    assert "reference" not in spec and all(item["elements"] for item in spec["rubric"])
    for item in spec["rubric"]:
        assert sum(Fraction(str(e["points"])) for e in item["elements"]) == Fraction(str(item["max"]))
        assert QA.reference_marks(spec)[item["key"]] == sum(Fraction(str(e["points"])) for e in item["elements"]
                                                              if e["met"])
    assert QA.validate_spec(typed_reference(spec)) == []  # the same marks typed by hand are still valid
    assert QA.validate_spec({**spec, "reference": {"opening": int(QA.reference_marks(spec)["opening"])}}) == []


@pytest.mark.parametrize("change, message", [
    (lambda s: s["rubric"][0]["elements"][0].update(points=9), "rubric[0].elements：各要素分值之和为 16 分，应等于该项满分 10 分"),
    (lambda s: s["rubric"][0]["elements"][1].update(met="yes"), "rubric[0].elements[1].met：应为 true"),
    (lambda s: s["rubric"][0]["elements"][1].update(points=0), "rubric[0].elements[1].points：应为正数"),
    (lambda s: s["rubric"][0]["elements"][1].update(name=""), "rubric[0].elements[1].name："),
    (lambda s: s["rubric"][0].update(elements=[]), "rubric[0].elements：应为 1 至 8 个评分要素"),
    (lambda s: s.update(reference={"listening": 12}), "reference.listening：与评分要素推出的 10 分不符"),
    (lambda s: s["rubric"][1].pop("elements"), "reference.listening：缺少该项的参考评分"),
])
def test_qa_element_problems_name_the_field_in_chinese(change, message):
    spec = copy.deepcopy(qa_spec(0))
    change(spec)
    problems = QA.validate_spec(spec)
    assert any(p.startswith(message) for p in problems), problems


def test_qa_results_say_which_elements_the_reference_found_and_missed():
    result = QA.auto_grade(qa_spec(0), {"scores": {"closing": 2}}, SEED, Fraction(135))
    closing = next(c for c in result.checks if c.code == "item.closing")
    assert closing.passed and "未做到：询问是否还有其他需要（4 分）、感谢来电（2 分）、规范道别（2 分）" in closing.message
    assert "做到：客户表态后再收线" in closing.message


@pytest.mark.parametrize("n", range(4))
def test_qa_reference_marking_scores_full_points(n):
    spec = qa_spec(n)
    answer = QA.normalise_answer(spec, {"scores": {k: str(v) for k, v in QA.reference_marks(spec).items()}}, SEED)
    result = QA.auto_grade(spec, answer, SEED, Fraction(30))
    assert result.points == result.max_points == 20 and all(c.passed for c in result.checks)  # 2/3 of 30


def test_qa_agreement_within_tolerance_twice_tolerance_and_beyond():
    spec = qa_spec(0)  # opening 10 ±1 (ref 10), listening 20 ±10 % (ref 10), solving 30 ±3 (ref 24),
    #                    courtesy 20 ±2 (ref 10), closing 10 ±1 (ref 2); points weighted by max (90 in all)
    answer = QA.normalise_answer(spec, {"scores": {
        "opening": 9, "listening": "13", "solving": "30分", "courtesy": 10.5}}, SEED)
    result = QA.auto_grade(spec, answer, SEED, Fraction(135))  # marks are 2/3 of the task: 90
    by = {c.code: c for c in result.checks}
    assert by["item.opening"].points == 10 and by["item.opening"].passed
    assert by["item.listening"].points == 10 and not by["item.listening"].passed  # 3 off, 2×2 allowed: half
    assert "倾听与确认：您评 13 分" in by["item.listening"].message and "参考评分 10 分" in by["item.listening"].message
    assert "两倍误差" in by["item.listening"].message
    assert by["item.solving"].points == 15  # 6 off, exactly twice ±3: half
    assert by["item.courtesy"].points == 20
    assert by["item.closing"].points == 0 and "结束规范：未评分" in by["item.closing"].message
    assert result.points == 55 and result.max_points == 90


def test_qa_far_off_mark_earns_nothing_and_says_which_way():
    spec = qa_spec(0)
    result = QA.auto_grade(spec, {"scores": {"courtesy": 17}}, SEED, Fraction(135))
    courtesy = next(c for c in result.checks if c.code == "item.courtesy")
    assert courtesy.points == 0 and "偏高" in courtesy.message and "参考理由" in courtesy.message


def test_qa_tolerance_forms():
    from practical import qa
    assert qa.tolerance(1, Fraction(10)) == 1
    assert qa.tolerance("10%", Fraction(15)) == Fraction(3, 2)
    assert qa.tolerance("１０％", Fraction(20)) == 2
    assert qa.tolerance(None, Fraction(30)) == 3
    assert qa.agreement(Fraction(7), Fraction(7), Fraction(0), Fraction(10), "±0 分").credit == 1
    assert qa.agreement(Fraction(8), Fraction(7), Fraction(0), Fraction(10), "±0 分").credit == 0


@pytest.mark.parametrize("raw,words", [
    ([], "JSON"), ({"scores": [1, 2]}, "scores"), ({"comments": "好"}, "comments"),
    ({"scores": {"speed": 3}}, "没有评分项"), ({"scores": {"opening": 11}}, "开场规范：超出该项满分 10 分"),
    ({"scores": {"opening": "很好"}}, "开场规范"), ({"scores": {"opening": -1}}, "开场规范"),
    ({"scores": {"opening": 7.25}}, "一位小数"), ({"scores": {"opening": True}}, "开场规范"),
    ({"comments": {"opening": "长" * 301}}, "不超过 300 字"), ({"comments": {"opening": 5}}, "评语"),
    ({"comments": {"speed": "快"}}, "没有评分项"),
])
def test_qa_malformed_answers_are_refused_in_chinese(raw, words):
    with pytest.raises(AnswerError) as exc:
        QA.normalise_answer(qa_spec(0), raw, SEED)
    assert words in str(exc.value) and has_chinese(str(exc.value))


def test_qa_answer_is_stored_as_numbers_in_rubric_order():
    stored = QA.normalise_answer(qa_spec(0), {"scores": {"closing": " 3 ", "opening": "７.5", "solving": ""},
                                              "comments": {"opening": "  未报工号 ", "closing": ""}}, SEED)
    assert stored == {"scores": {"opening": 7.5, "closing": 3}, "comments": {"opening": "未报工号"}}
    assert list(stored["scores"]) == ["opening", "closing"]


@pytest.mark.parametrize("n", range(4))
def test_qa_view_leaks_no_reference_marking(n):
    spec = qa_spec(n)
    view = QA.candidate_view(spec, {}, SEED)
    text = json.dumps(view, ensure_ascii=False)
    assert '"reference"' not in text and '"notes"' not in text and "参考评分 " not in text and '"met"' not in text
    assert [[e["name"] for e in i["elements"]] for i in view["items"]] == \
        [[e["name"] for e in i["elements"]] for i in spec["rubric"]]  # the QA officer marks per element
    for note in spec["notes"].values():
        assert note not in text
    assert all(item["score"] == "" for item in view["items"])
    assert [i["max"] for i in view["items"]] == [str(i["max"]) for i in spec["rubric"]]
    assert len(view["transcript"]) == len(spec["transcript"])


def test_qa_view_shows_the_candidates_own_marks():
    spec = qa_spec(0)
    view = QA.candidate_view(spec, {"scores": {"opening": 7.5}, "comments": {"opening": "未报工号"}}, SEED)
    assert view["items"][0]["score"] == "7.5" and view["items"][0]["comment"] == "未报工号"


# --------------------------------------------------------------- written

def written_spec(n=0):
    return content("written")[n]["spec"]  # 400–1500 characters


@pytest.mark.parametrize("count,passed,words", [(399, False, "少于"), (400, True, "符合"), (1500, True, "符合"),
                                                (1501, False, "超过")])
def test_written_auto_grade_is_one_informational_length_check(count, passed, words):
    text = "\n".join(["服务" * 50] * (count // 100)) + "好" * (count % 100)
    result = WRITTEN.auto_grade(written_spec(), {"text": text}, SEED, Fraction(25))
    assert result.points == 0 and result.max_points == 0 and len(result.checks) == 1
    check = result.checks[0]
    assert check.passed is passed and words in check.message and f"{count} 字" in check.message
    assert check.points == 0 and check.max_points == 0


def test_written_blank_answer_is_short():
    result = WRITTEN.auto_grade(written_spec(), None, SEED, Fraction(25))
    assert not result.checks[0].passed and "0 字" in result.checks[0].message


@pytest.mark.parametrize("raw,words", [
    ("文本", "JSON"), ({"text": 12}, "text"), ({"text": "长" * 5001}, "不能超过 5000 字"),
])
def test_written_malformed_answers_are_refused_in_chinese(raw, words):
    with pytest.raises(AnswerError) as exc:
        WRITTEN.normalise_answer(written_spec(), raw, SEED)
    assert words in str(exc.value) and has_chinese(str(exc.value))


def test_written_answer_keeps_the_text_with_unix_line_breaks():
    assert WRITTEN.normalise_answer(written_spec(), {"text": "一、开场\r\n您好"}, SEED) == {"text": "一、开场\n您好"}
    assert WRITTEN.normalise_answer(written_spec(), {}, SEED) == {"text": ""}


@pytest.mark.parametrize("n", range(4))
def test_written_view_leaks_no_guidance(n):
    spec = written_spec(n)
    view = WRITTEN.candidate_view(spec, {"text": "您好 世界"}, SEED)
    text = json.dumps(view, ensure_ascii=False)
    assert spec["guidance"] not in text and "本题要点" not in text and '"guidance"' not in text
    assert view["prompt"] == spec["prompt"] and view["count"] == 4
    assert (view["min_chars"], view["max_chars"]) == (spec["min_chars"], spec["max_chars"])


# --------------------------------------------------------------- qa coaching comments (examiner-marked)

GOOD_COACHING = [
    {"listening": "客户没说完就打断，也没有复述户号。应该等客户说完再问户号，并复述核对；标准要求认真聆听，概括并复述对方的需求。"},
    {"complaint": "中途说“没办法”“谁也不想”是在为公司辩解。应先说“您的心情我非常理解”，承认问题后直接给办法。"},
    {"opening": "只说了“您好请讲”，没有报工号。应按开篇语：您好，我是XX号客服专员，请问有什么可以帮您？"},
    {"solving": "先要卡号、身份证，延误了安全指导。下次应先指导客户关阀、开窗、撤离，再核实身份。"},
]


@pytest.mark.parametrize("n", range(4))
def test_qa_coaching_is_an_examiner_criterion_with_a_guide_that_follows_from_the_rubric(n):
    from practical import qa_coaching
    spec = qa_spec(n)
    rubric = QA.default_rubric(spec)
    assert [c["key"] for c in rubric] == ["coaching"] and Fraction(rubric[0]["points"]) == QA.MANUAL_SHARE
    reference = QA.reference_marks(spec)
    weakest = qa_coaching.weakest(spec, reference)
    losses = {i["key"]: Fraction(str(i["max"])) - reference[i["key"]] for i in spec["rubric"]}
    assert {i["key"] for i in weakest} == {k for k, v in losses.items() if v == max(losses.values())}
    guide = "\n".join(rubric[0]["guide"])
    assert all(f"「{i['name']}」" in guide for i in weakest)
    # the standard is quoted only where it prescribes something; the gas leak's order of steps is the hotline's
    assert ("没有规定用语，本点不适用" in guide) == (n == 3)


@pytest.mark.parametrize("n", range(4))
def test_qa_coaching_suggestion_reads_the_comments_and_gives_evidence(n):
    spec = qa_spec(n)
    good = QA.auto_grade(spec, {"scores": {}, "comments": GOOD_COACHING[n]}, SEED, Fraction(30))
    assert good.max_points == 20 and good.points == 0
    [hint] = good.suggestions
    assert (hint["code"], hint["decided_by"], hint["verdict"]) == ("coaching", "examiner", "met")
    assert Fraction(hint["points"]) == Fraction(hint["max_points"]) == 10
    assert {e["note"].split("：")[0].split(" ")[0] for e in hint["evidence"]} >= {"指出薄弱环节", "说明应当怎样做"}
    vague = QA.auto_grade(spec, {"comments": {spec["rubric"][0]["key"]: "整体不错，继续保持。"}}, SEED, Fraction(30))
    assert vague.suggestions[0]["verdict"] == "not_met" and vague.suggestions[0]["points"] == "0"
    silent = QA.auto_grade(spec, {}, SEED, Fraction(30))
    assert silent.suggestions[0]["message"] == "未写评语，无从辅导"


def test_qa_coaching_naming_the_fault_without_saying_what_to_do_is_partly_met():
    hint = QA.auto_grade(qa_spec(0), {"comments": {"listening": "打断客户，没有复述户号。"}}, SEED,
                         Fraction(30)).suggestions[0]
    assert hint["verdict"] == "partly_met" and Fraction(hint["credit"]) == Fraction(1, 3)
    assert "说明应当怎样做：否" in hint["message"] and "使用标准的用语：否" in hint["message"]


@pytest.mark.parametrize("comment, cue", [
    ("“您好，请讲”是标准规定的开篇语，使用正确。", None),  # the 请 is the agent's, quoted: nobody is told anything
    ("应使用标准开篇语：“您好！我是XX号业务受理专员，请问有什么可以帮您？”", "应"),
    ("下次用开篇语“您好！我是XX号业务受理专员”。", "下次"),
])
def test_qa_coaching_an_instruction_is_the_coachs_word_not_one_inside_quotation_marks(comment, cue):
    from practical import qa_coaching
    item = {"key": "opening", "name": "开场规范"}
    found = qa_coaching._instructed([(item, comment)], ["开篇语"])
    assert [c for _, c, _ in found] == ([cue] if cue else [])


def test_qa_rules_1_keep_the_old_split_and_say_comments_are_not_scored():
    spec = {**qa_spec(0), "rules_version": 1}
    assert QA.manual_share(spec) == 0 and QA.default_rubric(spec) == []
    result = QA.auto_grade(spec, {"comments": GOOD_COACHING[0]}, SEED, Fraction(30))
    assert result.max_points == 30 and result.suggestions == []
    assert "评语不计分" in QA.candidate_view(spec, {}, SEED)["scoring"]
    current = QA.candidate_view(qa_spec(0), {}, SEED)
    assert "评语占本题的 1/3" in current["scoring"] and current["comments_scored"]
    text = json.dumps(current, ensure_ascii=False)
    assert "coaching" not in text and "认真聆听" not in text  # the guide is the examiner's, never the candidate's


@pytest.mark.parametrize("change, message", [
    (lambda s: s.update(rules_version=1), "rules_version：评分规则版本由系统在组卷时写入"),
    (lambda s: s.update(coaching=[]), "coaching：应为对象"),
    (lambda s: s["coaching"].update(speed={}), "coaching.speed：评分表中没有这一项"),
    (lambda s: s["coaching"]["listening"].update(advice=""), "coaching.listening.advice：不能为空"),
    (lambda s: s["coaching"]["listening"].update(names=[]), "coaching.listening.names：应为 1 至 20 个词语"),
    (lambda s: s["coaching"]["listening"]["standard"].update(wording=["标准没有的话"]),
     "coaching.listening.standard.wording：“标准没有的话”不在标准原文（text）中"),
])
def test_qa_coaching_problems_name_the_field_in_chinese(change, message):
    spec = copy.deepcopy(qa_spec(0))
    change(spec)
    problems = QA.validate_spec(spec)
    assert any(p.startswith(message) for p in problems), problems


def test_examiners_carry_at_least_half_of_every_conversation_kind_and_qa_is_not_one():
    """The rule of issue 16.1 (examiner decisions carry at least half of a call's and a complaint's
    points) holds for every kind where the candidate talks to a caller; the QA task judges a transcript
    against a reference and keeps 2/3 of its points on that exact comparison."""
    from practical.kinds import KIND_CODES
    from practical.trial import CALL_KINDS
    talking = [code for code in KIND_CODES if hasattr(kind(code), "merge_answer")]
    assert sorted(talking) == sorted(CALL_KINDS) and "qa" not in talking
    assert all(kind(code).MANUAL_SHARE >= Fraction(1, 2) for code in talking)
    assert QA.MANUAL_SHARE == Fraction(1, 3)


def test_every_shipped_stock_scenario_is_listed_in_the_shipped_hashes():
    """The stock refresh updates an installed stock scenario only from a content hash some release
    shipped; run ``scripts/stock_scenario_hashes.py`` after changing a stock file."""
    from exam.models_registry import load_all
    load_all()
    shipped = scenarios.shipped_hashes()
    missing = [raw["ref"] for _, raw in scenarios.stock_entries()
               if scenarios.raw_content_hash(raw) not in shipped.get(raw["ref"], ())]
    assert missing == [], f"运行 scripts/stock_scenario_hashes.py：{missing}"
