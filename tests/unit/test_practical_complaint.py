"""The complaint: the call's script and checks plus the four steps of handling a complaint
(acknowledge, apologise, solve, commit to a follow-up), its rubric share, and the stock complaints."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest

from exam.service_phrases import default_lists
from practical import scenarios
from practical.kinds import complaint, kind

CONTENT = json.loads((Path(scenarios.CONTENT_DIR) / "complaint.json").read_text(encoding="utf-8"))

SPEC = {
    "caller": "投诉客户", "situation": "客户的包裹丢了，你可以为他补发。", "agent_id": "2100",
    "turns": [
        {"id": "t1", "type": "opening", "caller": "（电话接通）", "next": "t2"},
        {"id": "t2", "caller": "你们怎么回事！我的包裹丢了！",
         "next": [{"if": {"list": "acknowledge"}, "goto": "t3"}, {"goto": "t2b"}]},
        {"id": "t2b", "caller": "你有没有在听我说话？", "next": "t3"},
        {"id": "t3", "caller": "那现在怎么办？", "next": "t4"},
        {"id": "t4", "caller": "好吧。"},
    ],
}
OPENING = "您好，我是 2100 号客服代表，请问有什么可以帮您？"
GOOD = [OPENING, "您的心情我非常理解，非常抱歉给您带来不便。", "我马上为您办理补发，24 小时内给您回电。", "感谢您的来电，再见！"]


def grade(replies, points=30, lists=None, spec=SPEC):
    return complaint.grade_with(spec, {"replies": replies}, 1, Fraction(points), lists or default_lists())


def failed(result):
    return {c.code: c.message for c in result.checks if not c.passed}


def suggested(result):
    """The machine's suggestions for the examiner's criteria that are not met: code → message."""
    return {s["code"]: s["message"] for s in result.suggestions if s["verdict"] != "met"}


STEPS = ["acknowledge", "apology", "solution", "follow_up"]


def test_kind_constants_and_rubric():
    assert kind("complaint") is complaint
    assert (complaint.KIND, complaint.NAME, complaint.LEVELS, complaint.MANUAL) == (
        "complaint", "投诉处理", ("intermediate",), True)
    rubric = complaint.default_rubric(SPEC)
    assert [r["key"] for r in rubric] == STEPS + ["courtesy"]  # SPEC has no key points
    assert sum(Fraction(r["points"]) for r in rubric) == complaint.MANUAL_SHARE == Fraction(2, 3)
    with pytest.raises(scenarios.ScenarioError, match="投诉处理只用于中级"):
        scenarios.check({"kind": "complaint", "level": "junior", "title": "x", "minutes": 10, "spec": SPEC})


def test_a_good_complaint_call_earns_the_machine_share_and_every_suggestion():
    result = grade(GOOD)
    assert failed(result) == {} and suggested(result) == {}
    assert result.points == result.max_points == 10  # 30 × (1 − 2/3): the procedural checks only
    assert [s["code"] for s in result.suggestions] == STEPS + ["courtesy"]
    worth = {s["code"]: Fraction(s["max_points"]) for s in result.suggestions}
    assert worth["apology"] == 30 * Fraction(2, 3) * Fraction(2, 11) and sum(worth.values()) == 20
    assert next(s for s in result.suggestions if s["code"] == "acknowledge")["where"] == "第 2 轮"


@pytest.mark.parametrize("replies, code, message", [
    ([OPENING, "非常抱歉给您带来不便。", "请您放心。", GOOD[2], GOOD[3]], "acknowledge",
     "全程未表示理解客户的心情（如“您的心情我非常理解”）"),
    ([OPENING, "非常抱歉。", GOOD[2], "我非常理解您的心情。", GOOD[3]], "acknowledge",
     "第 4 轮才表示理解，晚于第 3 轮提出的解决方案：应先安抚情绪，再解决问题"),
    ([OPENING, "您的心情我非常理解。", GOOD[2], GOOD[3]], "apology", "全程未真诚、具体地致歉"),
    ([OPENING, GOOD[1], "24 小时内给您回电。", GOOD[3]], "solution", "全程未提出可行的解决方案"),
    ([OPENING, GOOD[1], "我马上为您办理补发。", GOOD[3]], "follow_up", "全程未承诺处理时限或回电"),
])
def test_each_complaint_step_is_a_suggestion_that_fails_alone(replies, code, message):
    result = grade(replies)
    assert code in suggested(result) and suggested(result)[code].startswith(message), suggested(result)
    assert set(suggested(result)) - {"courtesy"} == {code}


def test_a_negated_understanding_is_no_understanding_and_says_so():
    result = grade([OPENING, "我不理解您为什么这么激动。", "好的。", GOOD[2], GOOD[3]])
    ack = next(s for s in result.suggestions if s["code"] == "acknowledge")
    assert ack["evidence"][0]["negated"] == ["不…理解您"]
    courtesy = next(s for s in result.suggestions if s["code"] == "courtesy")
    assert courtesy["verdict"] == "not_met" and "为什么这么激动" in courtesy["message"]


@pytest.mark.parametrize("promise", ["两个工作日内答复您", "处理好后给您回电", "明天上午与您联系", "3 天内处理完毕"])
def test_a_follow_up_is_a_time_limit_or_a_callback(promise):
    replies = list(GOOD)
    replies[2] = f"我马上为您办理补发，{promise}。"
    assert suggested(grade(replies)) == {}


def test_an_unfinished_complaint_says_so():
    result = grade(GOOD[:2])
    assert suggested(result)["solution"].startswith("通话未完成，未提出可行的解决方案")
    assert {"closing", "taboo", "habits"} <= set(failed(result))
    assert "follow_up" in suggested(result) and "apology" not in suggested(result)


def test_the_complaint_keeps_the_calls_checks():
    replies = list(GOOD)
    replies[0] = "喂？"
    replies[2] = "没办法，我为您办理补发，24 小时内给您回电。"
    assert set(failed(grade(replies))) == {"opening.greeting", "opening.self_intro", "opening.offer_help", "taboo"}


def test_a_trainers_lists_and_the_scenarios_own_solution_words_are_used():
    replies = list(GOOD)
    replies[2] = "我给您加急补寄，24 小时内给您回电。"
    assert "solution" in suggested(grade(replies))
    spec = {**SPEC, "phrases": {"solution": ["补寄"]}}
    assert suggested(grade(replies, spec=spec)) == {}
    lists = {**default_lists(), "apology": ("深表歉意",)}
    assert set(suggested(grade(GOOD, lists=lists))) == {"apology"}
    assert complaint.auto_grade(SPEC, {"replies": GOOD}, 1, Fraction(30)) == grade(GOOD)


def test_the_caller_calms_down_only_when_understood():
    cold = complaint.candidate_view(SPEC, {"replies": [OPENING, "好的。"]}, 1)
    warm = complaint.after_save(SPEC, {"replies": GOOD[:2]}, 1)
    negated = complaint.candidate_view(SPEC, {"replies": [OPENING, "我不理解您为什么这么激动。"]}, 1)
    assert cold["transcript"][-1]["text"] == negated["transcript"][-1]["text"] == "你有没有在听我说话？"
    assert warm["transcript"][-1]["text"] == "那现在怎么办？"
    assert "acknowledge" not in json.dumps(warm) and not warm["finished"]


# ---------------------------------------------------------------- the stock complaints

def test_four_stock_complaints_at_the_intermediate_level():
    assert [e["level"] for e in CONTENT] == ["intermediate"] * 4
    assert len({e["ref"] for e in CONTENT}) == 4 and all(e["kind"] == "complaint" for e in CONTENT)


@pytest.mark.parametrize("entry", CONTENT, ids=[e["ref"] for e in CONTENT])
def test_every_stock_complaint_is_valid_and_gradeable(entry):
    spec = entry["spec"]
    assert complaint.validate_spec(spec) == []
    assert scenarios.check(entry).rubric == complaint.default_rubric(spec)
    turns = sum(1 for t in spec["turns"] if t.get("type") != "opening")
    assert 4 <= len(entry["example_replies"]) <= 8 and turns >= 4
    example = {"replies": entry["example_replies"]}
    assert complaint.normalise_answer(spec, example, 1) == example
    for points in (Fraction(30), Fraction(7)):
        full = complaint.auto_grade(spec, example, 1, points)
        assert failed(full) == {} and full.points == full.max_points == points * Fraction(1, 3)
        assert suggested(full) == {}
        assert sum(c.max_points for c in full.checks) == full.max_points
        assert complaint.auto_grade(spec, {}, 1, points).points == 0
    # The caller reacts: a cold reply to the first grievance takes another branch.
    cold = complaint.candidate_view(spec, {"replies": [entry["example_replies"][0], "好的。"]}, 1)
    warm = complaint.candidate_view(spec, {"replies": entry["example_replies"][:2]}, 1)
    assert cold["transcript"][-1] != warm["transcript"][-1] or spec["turns"][1].get("type") == "hold"
