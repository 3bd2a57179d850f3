"""Every item-writing rule on an item that breaks it and on one that does not."""

import json

import pytest

from question_bank import lint
from question_bank.validation import validate


def item(ref="T-1", **change):
    raw = {"ref": ref, "level": "junior", "area": "service", "type": "single",
           "stem": "客户来电咨询时，坐席员首先应当做什么？",
           "options": ["问候客户并报工号", "直接询问客户姓名", "先查看客户历史工单", "请客户稍候再拨"], "key": [0]}
    raw.update(change)
    return lint.Entry(raw["ref"], raw["ref"], validate(raw))


def rules(findings):
    return {f.rule for f in findings}


def one(entry, bank=None):
    return rules(lint.check_item(entry, bank))


# ---------------------------------------------------------------- all / none of the above

@pytest.mark.parametrize("option", ["以上都对", "以上都不对", "以上说法都正确", "以上均不正确", "以上皆是",
                                    "都不对", "All of the above"])
def test_all_or_none_of_the_above_is_an_error(option):
    entry = item(options=["问候客户", "报工号", "确认需求", option])
    found = [f for f in lint.check_item(entry) if f.rule == "all_none_of_above"]
    assert found and found[0].severity == lint.ERROR and found[0].blocking
    assert "随机排序" in found[0].advice and option in found[0].message


def test_an_option_merely_mentioning_the_above_is_fine():
    assert "all_none_of_above" not in one(item(options=["按上述流程处理", "问候客户", "报工号", "挂机"]))


# ---------------------------------------------------------------- negative stems

@pytest.mark.parametrize("stem", ["下列做法中，不符合首问负责制的是？", "关于投诉处理，下列说法错误的是？",
                                  "下列哪个字符不能出现在文件名中？", "除了问候语以外，开篇语还应包括什么？"])
def test_an_unemphasised_negative_question_is_an_error(stem):
    found = [f for f in lint.check_item(item(stem=stem)) if f.rule == "negative_stem"]
    assert found and found[0].blocking and "加粗" in found[0].advice


@pytest.mark.parametrize("stem", [
    "下列做法中，<strong>不符合</strong>首问负责制的是？",
    "下列做法中，“不符合”首问负责制的是？",
    "客户情绪激动不能平静时，坐席员应当怎么做？",            # the negative is context, not the question
    "下列汉字输入法中，按字形（而不是读音）编码的是哪一种？",  # a parenthesised aside
    "IVR 菜单的操作步骤一般不宜超过几层？",                  # a limit, not a negative question
    "错误率超过多少的坐席需要复训？",                        # 错误 as a noun
])
def test_emphasised_or_non_question_negatives_pass(stem):
    assert "negative_stem" not in one(item(stem=stem))


def test_true_false_statements_may_be_negative():
    entry = item(type="truefalse", options=[], key=False, stem="坐席员不能在通话中使用静音键。")
    assert "negative_stem" not in one(entry)


# ---------------------------------------------------------------- fill-in answers

def test_a_fill_in_with_one_wording_is_an_error_and_synonyms_fix_it():
    single = item(type="fill", options=None, key=None, stem="质检结果应反馈给 ____。", answers=["班长"])
    found = [f for f in lint.check_item(single) if f.rule == "fill_single_answer"]
    assert found and found[0].blocking and "同义词" in found[0].advice
    many = item(type="fill", options=None, key=None, stem="质检结果应反馈给 ____。", answers=["班长", "值班长"])
    assert "fill_single_answer" not in one(many)


def test_wordings_equal_after_normalising_count_as_one():
    entry = item(type="fill", options=None, key=None, stem="服务水平 ____。", answers=["80/20", "８０／２０"])
    assert "fill_single_answer" in one(entry)


# ---------------------------------------------------------------- longest option is the key

def test_a_key_longer_than_every_other_option_is_a_warning():
    entry = item(options=["问候客户，报出工号，并询问客户需要什么帮助", "直接询问姓名", "查看工单", "请稍候"])
    found = [f for f in lint.check_item(entry) if f.rule == "longest_key"]
    assert found and found[0].severity == lint.WARNING and not found[0].blocking


def test_a_key_tied_for_longest_is_no_cue():
    entry = item(options=["问候客户报工号", "询问客户的姓名", "查看历史工单", "请稍后再拨打"])
    assert not lint.longest_key(entry.data) and "longest_key" not in one(entry)


def _singles(n_longest, n_other, level="junior"):
    out = []
    for n in range(n_longest):
        out.append(item(f"L{n}", level=level, stem=f"第{n}题：坐席员在第{n}种情形下应当如何处理客户的来电请求？",
                        options=[f"按流程完整记录并转交第{n}责任部门跟进", "挂断", "转接", "等待"]))
    for n in range(n_other):
        out.append(item(f"O{n}", level=level, stem=f"第{n}号情形：按照标准，第{n}类客户诉求由谁负责跟进答复？",
                        options=["甲", "乙乙乙乙", "丙", "丁"], key=[n % 4]))
    return out


def test_the_bank_wide_longest_key_rate_fails_above_the_limit():
    report = lint.check_bank(_singles(8, 12))
    assert report.levels["junior"].longest_key == 8 + 3  # three of the others key the long option B
    found = [f for f in report.findings if f.rule == "longest_key_rate"]
    assert found and found[0].blocking and "随机约为 25%" in found[0].message


def test_the_bank_wide_longest_key_rate_passes_at_chance():
    report = lint.check_bank(_singles(2, 18))
    assert report.levels["junior"].longest_key_rate <= lint.LONGEST_KEY_LIMIT
    assert "longest_key_rate" not in rules(report.findings)


def test_a_rate_over_too_few_items_is_reported_but_not_judged():
    report = lint.check_bank(_singles(5, 0))
    assert report.levels["junior"].longest_key_rate == 1.0
    assert "longest_key_rate" not in rules(report.findings)


# ---------------------------------------------------------------- key positions

def test_keys_piled_on_one_position_are_a_warning():
    bank = [item(f"P{n}", stem=f"第{n}个问题：坐席员遇到第{n}类情况时怎么办？", options=["甲", "乙", "丙", "丁"], key=[0])
            for n in range(24)]
    found = [f for f in lint.check_bank(bank).findings if f.rule == "key_position"]
    assert found and found[0].severity == lint.WARNING and "随机排序" in found[0].advice


def test_balanced_key_positions_pass():
    bank = [item(f"P{n}", stem=f"第{n}个问题：坐席员遇到第{n}类情况时怎么办？", options=["甲", "乙", "丙", "丁"], key=[n % 4])
            for n in range(24)]
    summary = lint.check_bank(bank).levels["junior"]
    assert summary.key_position_p > 0.9 and "key_position" not in rules(lint.check_bank(bank).findings)


def test_chi_square_tail_matches_known_values():
    assert lint._chi_square_sf(3.841, 1) == pytest.approx(0.05, abs=1e-3)
    assert lint._chi_square_sf(7.815, 3) == pytest.approx(0.05, abs=1e-3)
    assert lint._chi_square_sf(30.0, 3) < 1e-5


def test_poisson_binomial_tail():
    assert lint._poisson_binomial_tail([0.5, 0.5], 1) == pytest.approx(0.75)
    assert lint._poisson_binomial_tail([0.25] * 4, 0) == pytest.approx(1.0)


# ---------------------------------------------------------------- multiple-choice key counts

def _multiples(counts):
    return [item(f"M{n}", type="multiple", stem=f"第{n}题：处理第{n}类投诉时，坐席员应做到哪些？",
                 options=["倾听", "致歉", "记录", "跟进", "回访"], key=list(range(k))) for n, k in enumerate(counts)]


def test_one_key_count_in_most_multiple_choice_items_is_an_error():
    report = lint.check_bank(_multiples([3] * 8 + [2, 4]))
    found = {f.rule: f for f in report.findings}
    assert found["key_count_modal"].blocking and "3 个" in found["key_count_modal"].message
    assert "5" in found["key_count_spread"].message


def test_spread_key_counts_pass():
    report = lint.check_bank(_multiples([2, 3, 4, 5] * 3))
    assert not {"key_count_modal", "key_count_spread"} & rules(report.findings)


# ---------------------------------------------------------------- implausible distractors

def test_a_distractor_about_personal_attributes_is_flagged():
    entry = item(type="multiple", options=["服务态度", "座席员的身高和外貌", "业务知识", "沟通技巧"], key=[0, 2, 3])
    found = [f for f in lint.check_item(entry) if f.rule == "distractor_vocabulary"]
    assert found and "身高、外貌" in found[0].message and found[0].severity == lint.WARNING


def test_a_distractor_in_a_vocabulary_nothing_else_uses_is_flagged():
    bank = [item("A"), item("B", stem="坐席员如何记录客户来电？", options=["记录工单", "询问客户", "查看历史", "转接部门"])]
    odd = item("C", options=["问候客户并报工号", "询问客户姓名", "查看客户历史工单", "擦拭窗户玻璃"])
    vocabulary = lint.bank_vocabulary(bank + [odd])
    assert "distractor_vocabulary" in one(odd, vocabulary)
    assert "distractor_vocabulary" not in one(bank[0], vocabulary)


def test_a_far_shorter_distractor_is_flagged_and_homogeneous_options_pass():
    entry = item(options=["问候客户并报出本人工号", "询问客户姓名与联系电话", "挂", "查看客户的历史工单记录"])
    found = [f for f in lint.check_item(entry) if f.rule == "distractor_length"]
    assert found and "只有 1 字" in found[0].message
    assert "distractor_length" not in one(item())


# ---------------------------------------------------------------- near-duplicate stems

def test_identical_stems_in_a_level_are_an_error_and_close_ones_a_warning():
    a, b = item("A"), item("B")
    assert rules(lint.similar_stems([a, b])) == {"duplicate_stem"}
    c = item("C", stem="客户来电咨询时，坐席员首先应当做些什么？")
    found = lint.similar_stems([a, c])
    assert rules(found) == {"similar_stem"} and "同一等级" in found[0].message


def test_similar_stems_across_levels_say_so_and_different_stems_pass():
    a = item("A")
    b = item("B", level="intermediate", area="service", stem="客户来电咨询时，坐席员首先应当做什么呢？")
    found = lint.similar_stems([a, b])
    assert found and "不同等级" in found[0].message
    assert lint.similar_stems([item("A"), item("D", stem="结束通话前，坐席员应当确认哪些事项？")]) == []


# ---------------------------------------------------------------- enemy pairs

def _fill(ref="F", answers=("首问负责制", "首问责任制"), level="junior"):
    return item(ref, level=level, type="fill", options=None, key=None,
                stem="第一位接到客户诉求的员工负责跟踪到底，这称为 ____。", answers=list(answers))


def test_a_fill_answer_in_another_items_options_is_an_enemy_pair():
    other = item("X", stem="下列哪项制度要求第一位接待者跟进到底？",
                 options=["首问负责制", "轮岗制", "坐席值班制", "质检抽查制"])
    report = lint.check_bank([_fill(), other])
    found = [f for f in report.findings if f.rule == "enemy_pair"]
    assert found and found[0].blocking and set(found[0].idents) == {"F", "X"}
    assert "首问负责制" in found[0].message and '"enemies"' in found[0].advice


def test_a_decided_pair_is_not_reported_again():
    other = item("X", stem="首问负责制要求第一位接待者做什么？")
    for decision in ("enemy", "not_enemy"):
        report = lint.check_bank([_fill(), other], {frozenset(("F", "X")): decision})
        assert "enemy_pair" not in rules(report.findings)


def test_no_enemy_across_levels_or_without_the_answer():
    elsewhere = item("X", level="senior", area="service", stem="首问负责制要求第一位接待者做什么？")
    unrelated = item("Y")
    assert lint.suggest_enemies([_fill(), elsewhere, unrelated]) == []


def test_numbers_match_only_whole():
    fill = _fill(answers=("80", "八十"))
    assert lint.suggest_enemies([fill, item("X", stem="服务水平的目标为 180 秒内接通多少来电？")]) == []
    assert lint.suggest_enemies([fill, item("Y", stem="接通率达到 80% 时应如何排班？")])


def test_a_choice_key_phrase_in_another_stem_is_an_advisory_enemy():
    key_item = item("K", options=["首问负责制", "轮岗制度", "值班制度", "抽查制度"])
    other = item("X", stem="执行首问负责制时，第一位接待者应当怎样跟进？")
    found = [f for f in lint.check_bank([key_item, other]).findings if f.rule == "key_phrase_cue"]
    assert found and found[0].severity == lint.WARNING


def test_common_vocabulary_is_no_cue():
    fill = _fill(answers=("客户", "顾客"))
    peers = [item(f"P{n}", stem=f"第{n}位客户来电时怎么办？") for n in range(20)]
    assert lint.suggest_enemies([fill, *peers]) == []


# ---------------------------------------------------------------- whole reports

def test_warnings_and_drafts_never_block():
    draft = lint.Entry("D", "D", validate({"ref": "D", "level": "junior", "area": "service", "type": "single",
                                           "stem": "下列说法错误的是？", "options": ["甲", "乙", "以上都对"],
                                           "key": [0]}), approved=False)
    report = lint.check_bank([draft, item()])
    assert report.findings and not report.blocking


def test_report_json_and_text_carry_the_summary():
    report = lint.check_bank([item(), _fill(answers=("班长",))])
    data = json.loads(json.dumps(report.as_json(), ensure_ascii=False))
    assert data["passed"] is False and data["levels"]["junior"]["items"] == 2
    text = lint.render_text(report)
    assert text.startswith("题库命题质量检查") and "未通过" in text and "初级：2 题" in text


def test_checking_one_item_against_the_bank():
    bank = [item("X", stem="下列哪项制度要求第一位接待者跟进到底？",
                 options=["首问负责制", "轮岗制", "坐席值班制", "质检抽查制"])]
    found = lint.check_against_bank(_fill(answers=("首问负责制",)), bank)
    assert {"enemy_pair", "fill_single_answer"} <= rules(found)


def test_an_acronym_answer_alone_is_only_a_warning():
    entry = item(type="fill", options=None, key=None, stem="一次性解决率的英文缩写是 ____。", answers=["FCR", "fcr"])
    found = {f.rule: f for f in lint.check_item(entry)}
    assert "fill_single_answer" not in found and found["fill_single_term"].severity == lint.WARNING


@pytest.mark.parametrize("stem", ["客户警惕地说：“你们是不是骗子？我怎么知道你真是客服？”坐席员最恰当的回应是什么？",
                                  "客户问能不能改期，坐席员应如何答复？"])
def test_quoted_speech_and_yes_no_questions_are_not_negative_stems(stem):
    assert "negative_stem" not in one(item(stem=stem))


def test_a_short_or_sentence_long_key_is_no_key_phrase_cue():
    short_key = item("K", options=["监听", "强插", "拦截", "示忙"])
    sentence = item("L", options=["按流程完整记录客户诉求并在承诺时限内转交责任部门处理", "挂断", "转接", "等待"])
    others = [item("X", stem="质检员通过监听发现问题后应如何反馈？"),
              item("Y", stem="按流程完整记录客户诉求并在承诺时限内转交责任部门处理，这体现了什么原则？")]
    found = lint.check_bank([short_key, sentence, *others]).findings
    assert "key_phrase_cue" not in {f.rule for f in found}


def test_one_item_against_the_bank_finds_what_the_whole_bank_check_finds_for_it():
    bank = [_fill("F1"), _fill("F2", answers=("首问负责制",)), item("A"), item("B"),
            item("C", stem="下列哪项制度要求第一位接待者跟进到底？", options=["首问负责制", "轮岗制", "值班制", "抽查制"]),
            item("D", level="intermediate", area="service", stem="客户来电咨询时，坐席员首先应当做什么呢？")]
    full = lint.check_bank(bank)
    for entry in bank:
        mine = sorted(f.line() for f in lint.check_against_bank(entry, bank))
        assert mine == sorted(f.line() for f in full.findings if entry.ident in f.idents and f.level is None)
        assert mine
