"""The standard's phrase lists as data, the matcher that finds them in a reply, and the checks a
trainer's edited list goes through."""

from __future__ import annotations

import pytest

from exam.service_phrases import PHRASE_LISTS, default_lists, name
from practical import phrases
from practical.phrases_service import MAX_ENTRIES, check_entries, parse_entries

REQUIRED = ("greeting", "self_intro", "offer_help", "hold_before", "hold_after", "closing", "thanks", "silent",
            "dialect", "abuse", "off_topic", "acknowledge", "apology", "solution", "follow_up", "taboo", "habits")


def test_every_required_list_is_there_with_a_chinese_name_entries_and_a_source():
    assert set(REQUIRED) <= set(PHRASE_LISTS)
    for key, spec in PHRASE_LISTS.items():
        assert spec.name and spec.note and spec.entries, key
        assert isinstance(spec.entries, tuple)
        assert name(key) == spec.name
    assert default_lists()["taboo"] == PHRASE_LISTS["taboo"].entries


@pytest.mark.parametrize("key", list(PHRASE_LISTS))
def test_the_standard_lists_pass_the_checks_a_trainer_list_must_pass(key):
    assert check_entries(key, list(PHRASE_LISTS[key].entries)) == []


def test_the_standards_prescribed_phrases_are_found():
    lists = default_lists()
    opening = "先生/女士，您好！我是嘉定东方有线网络有限公司 08 号业务受理专员，请问有什么可以帮您？"
    for key in ("greeting", "self_intro", "offer_help"):
        assert phrases.contains(opening, lists[key]), key
    assert phrases.contains("先生/女士，请您稍等，我帮您核实一下好吗？", lists["hold_before"])
    assert phrases.contains("先生/女士，感谢您的耐心等待", lists["hold_after"])
    assert phrases.contains("对不起，让您久等了", lists["hold_after"])
    assert phrases.contains("您好请讲、您好请讲，非常抱歉，听不见您的声音，无法为您服务", lists["silent"])
    assert phrases.contains("非常抱歉，先生，打断您一下，您方便讲普通话吗？谢谢！", lists["dialect"])
    assert phrases.contains("请问您需要帮助吗？", lists["abuse"])
    assert phrases.contains("请问您有业务需要咨询吗？", lists["off_topic"])
    assert phrases.contains("感谢您的来电，祝您晚安，再见！", lists["closing"])
    assert phrases.contains("您的心情我非常理解", lists["acknowledge"])
    assert phrases.contains("我们会在 24 小时与您联系，好吗？", lists["follow_up"])


def test_normalise_ignores_width_case_spaces_and_punctuation():
    assert phrases.normalise("  您好，\n请讲！ ") == "您好请讲"
    assert phrases.normalise("ＡＰＰ　１０８６号") == "app1086号"
    assert phrases.normalise("18:00") == "1800"
    assert phrases.contains("您好 ， 请 讲", ["您好，请讲"])


@pytest.mark.parametrize("text", ["我是8号专员", "我是008号", "我的工号是一〇八六", "1086 号为您服务"])
def test_a_job_number_is_found_in_any_spelling(text):
    assert phrases.contains(text, PHRASE_LISTS["self_intro"].entries)


@pytest.mark.parametrize("text", ["我是客服", "请问您的手机号码是多少", "很高兴为您服务"])
def test_an_introduction_without_a_job_number_is_not_one(text):
    assert not phrases.contains(text, PHRASE_LISTS["self_intro"].entries)


def test_placeholder_entries_match_digits_in_figures_or_words():
    assert phrases.find("我们 24 小时内回复，最迟两个工作日", ["{数字}小时", "{数字}个工作日", "{数字}天"]) == [
        "{数字}小时", "{数字}个工作日"]
    assert not phrases.contains("今天就办", ["{数字}天"])


def test_taboo_and_habit_lists_avoid_the_usual_false_alarms():
    lists = default_lists()
    assert not phrases.contains("不知道您现在方便接听吗？", lists["taboo"])
    assert not phrases.contains("我看看有没有办法帮您加急", lists["taboo"])
    assert phrases.find("这个我不知道，没办法", lists["taboo"]) == ["我不知道", "没办法"]
    assert not phrases.contains("您的信用额度是两万元", lists["habits"])
    assert phrases.contains("那个，那个，您稍等", lists["habits"])


def test_occurrences_count_a_short_entry_inside_a_long_one_once():
    assert phrases.occurrences("让您久等了", ["久等了", "让您久等了"]) == {"让您久等了": 1}
    assert phrases.occurrences("让您久等了，久等了", ["久等了", "让您久等了"]) == {"让您久等了": 1, "久等了": 1}
    assert phrases.occurrences("嗯嗯，对对对，嗯嗯", PHRASE_LISTS["habits"].entries) == {"嗯嗯": 2, "对对对": 1}
    assert phrases.occurrences("工号 8 号，工号 9 号", ["{数字}号"]) == {"{数字}号": 2}


def test_merged_adds_a_scenarios_own_entries_without_repeats():
    out = phrases.merged({"solution": ("为您办理",)}, {"solution": ["加急", "为您办理"], "apology": ["失礼了"]})
    assert out == {"solution": ("为您办理", "加急"), "apology": ("失礼了",)}


def test_entry_problems_are_explained_in_chinese():
    assert "占位符" in phrases.entry_problem("{号码}号")
    assert "为空" in phrases.entry_problem("，。！")
    assert "只有占位符" in phrases.entry_problem("{数字}")
    assert phrases.entry_problem("{数字}号") is None


def test_a_trainers_list_is_checked_entry_by_entry():
    assert check_entries("nope", ["a"]) == ["没有名为 'nope' 的用语列表"]
    assert check_entries("taboo", []) == ["至少要有 1 条"]
    assert any(f"最多 {MAX_ENTRIES} 条" in p for p in check_entries("taboo", [f"词{n}" for n in range(MAX_ENTRIES + 1)]))
    problems = check_entries("taboo", ["没办法", "没 办法！", "x" * 41, "{号码}", "，"])
    assert problems[0] == "第 2 条“没 办法！”：与第 1 条重复（比较时不计空格、标点和大小写）"
    assert "每条最多 40 字" in problems[1] and "占位符" in problems[2] and "为空" in problems[3]
    assert len(problems) == 4


def test_entries_are_read_one_a_line():
    assert parse_entries(" 没办法 \n\n  我不知道\r\n") == ["没办法", "我不知道"]
