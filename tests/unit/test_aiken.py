import pytest

from question_bank.formats.aiken import AikenError, dump, parse
from question_bank.formats.gift import FULL_WEIGHT, ParsedItem

SAMPLE = """客户来电表示等待时间过长时，坐席应使用哪句用语？
A. 非常抱歉让您久等了
B. 您急什么
C. 系统就是这么慢
ANSWER: A

客户询问无法当场答复的问题时，
坐席应如何回应？
A) 这个我不知道
B) 请您稍等，我为您核实后回复
ANSWER: B
结束通话前，坐席的标准结束语是：
A. 还有其他可以帮您的吗？感谢您的来电
B. 没事我挂了
C. 嗯
D. 拜拜
ANSWER: A
"""


def errors_of(text, filename="题目.txt"):
    with pytest.raises(AikenError) as info:
        parse(text, filename)
    return info.value


def test_valid_file_with_multiline_stem_and_paren_style():
    items = parse(SAMPLE)
    assert [it.line for it in items] == [1, 7, 12]
    first, second, third = items
    assert first.kind == "single"
    assert first.stem == "客户来电表示等待时间过长时，坐席应使用哪句用语？"
    assert first.options == ["非常抱歉让您久等了", "您急什么", "系统就是这么慢"]
    assert first.weights == [FULL_WEIGHT, 0.0, 0.0] and first.key == [0]
    assert first.answers == [] and first.option_feedback == ["", "", ""]
    assert first.general_feedback == "" and first.category == "" and first.tags == []
    assert first.ref is None and first.title == ""
    assert second.stem == "客户询问无法当场答复的问题时，\n坐席应如何回应？"
    assert second.options == ["这个我不知道", "请您稍等，我为您核实后回复"]
    assert second.key == [1] and second.weights == [0.0, FULL_WEIGHT]
    assert third.key == [0] and len(third.options) == 4


def test_parsed_item_type():
    assert all(isinstance(it, ParsedItem) for it in parse(SAMPLE))


def test_full_width_variants():
    text = "\ufeff坐席接听电话的第一句应是：\nＡ．您好，很高兴为您服务\nＢ）喂，说\nＣ． 有事吗\nＡＮＳＷＥＲ：Ａ\n"
    (it,) = parse(text)
    assert it.options == ["您好，很高兴为您服务", "喂，说", "有事吗"]
    assert it.key == [0] and it.line == 1
    (it,) = parse("客户投诉时首先应：\nA. 倾听并致歉\nB. 打断客户\nANSWER：B\n")
    assert it.key == [1]


def test_crlf_and_bom():
    assert parse("\ufeff" + SAMPLE.replace("\n", "\r\n")) == parse(SAMPLE)
    assert [it.line for it in parse(SAMPLE.replace("\n", "\r\n"))] == [1, 7, 12]


def test_ascii_option_needs_space_after_mark():
    (it,) = parse("A.坐席应如何称呼客户？\nA. 先生/女士\nB. 喂\nANSWER: A")
    assert it.stem == "A.坐席应如何称呼客户？"


def test_empty_input():
    assert parse("") == [] and parse("\n\n  \n") == []


def test_missing_answer_line():
    err = errors_of("请问如何安抚情绪激动的客户？\nA. 耐心倾听\nB. 提高音量\n\n下一题？\nA. 是\nB. 否\nANSWER: A\n")
    assert err.errors == [(1, "缺少 ANSWER: 行")]
    assert str(err) == "题目.txt 第 1 行：缺少 ANSWER: 行"


def test_missing_answer_at_end_of_file_and_before_next_stem():
    err = errors_of("第一题？\nA. 是\nB. 否\n第二题？\nA. 是\nB. 否")
    assert err.errors == [(1, "缺少 ANSWER: 行"), (4, "缺少 ANSWER: 行")]


def test_answer_letter_not_among_options():
    err = errors_of("\n\n礼貌用语是？\nA. 您好\nB. 喂\nANSWER: C\n")
    assert err.errors == [(6, "答案 C 不在选项中")]


def test_bad_answer_value():
    err = errors_of("礼貌用语是？\nA. 您好\nB. 喂\nANSWER: AB\n")
    assert err.errors == [(4, "ANSWER 行应为单个大写字母，实际为“AB”")]


def test_fewer_than_two_options():
    err = errors_of("礼貌用语是？\nA. 您好\nANSWER: A\n")
    assert err.errors == [(1, "选项少于 2 个（选项每行一个，写作 “A. 文本”“A) 文本”“A、文本”或“A．文本”（全角亦可））")]


def test_option_letters_out_of_order_or_duplicated():
    err = errors_of("礼貌用语是？\nA. 您好\nC. 喂\nC. 嗯\nANSWER: A\n")
    assert err.errors == [(3, "选项字母顺序错误或重复：应为 B，实际为 C"),
                          (4, "选项字母顺序错误或重复：应为 D，实际为 C")]


def test_options_without_question():
    err = errors_of("A. 您好\nB. 喂\nANSWER: A\n\n正常题？\nA. 是\nB. 否\nANSWER: B\nA. 多余选项\n")
    assert err.errors == [(1, "选项前缺少题目"), (9, "选项前缺少题目")]


def test_empty_question_text():
    err = errors_of("\u200b\nA. 您好\nB. 喂\nANSWER: A\n")
    assert err.errors == [(1, "题干为空")]


def test_empty_option_and_stray_answer():
    err = errors_of("ANSWER: A\n\n礼貌用语是？\nＡ．\nＢ．喂\nANSWER: B\n")
    assert err.errors == [(1, "ANSWER 行前没有题目"), (4, "选项 A 内容为空")]


def test_several_errors_at_once_are_all_reported():
    text = ("第一题？\nA. 是\nANSWER: A\n\n"        # 1: 选项不足
            "第二题？\nA. 是\nB. 否\nANSWER: D\n\n"  # 8: 答案不在选项中
            "第三题？\nB. 是\nA. 否\nANSWER: A\n\n"  # 11,12: 字母顺序
            "第四题？\nA. 是\nB. 否\n")              # 15: 缺 ANSWER
    err = errors_of(text)
    assert [n for n, _ in err.errors] == [1, 8, 11, 12, 15]
    assert str(err).splitlines()[0].startswith("题目.txt 第 1 行：选项少于 2 个（选项每行一个，写作 “A. 文本”")
    assert str(err).splitlines()[-1] == "题目.txt 第 15 行：缺少 ANSWER: 行"


def test_round_trip():
    items = parse(SAMPLE)
    text = dump(items)
    assert parse(text) == items
    assert parse(dump(parse(text))) == items
    assert "A) " not in text and text.endswith("ANSWER: A\n")
    assert dump([]) == ""


def test_round_trip_full_width():
    items = parse("坐席应如何结束通话？\nＡ．感谢您的来电，再见\nＢ．直接挂断\nＡＮＳＷＥＲ：Ａ")
    assert parse(dump(items)) == items


def _item(**kw):
    base = dict(line=1, kind="single", stem="题干", options=["是", "否"], weights=[FULL_WEIGHT, 0.0],
                answers=[], key=[0], general_feedback="", option_feedback=["", ""], category="",
                tags=[], ref=None, title="")
    base.update(kw)
    return ParsedItem(**base)


def test_dump_rejects_other_kinds():
    with pytest.raises(ValueError, match="只支持单选题"):
        dump([_item(kind="multiple", key=[0, 1])])


def test_dump_rejects_newlines_in_options():
    with pytest.raises(ValueError, match="含换行"):
        dump([_item(options=["您好\n请讲", "喂"])])


def test_dump_rejects_unrepresentable_stem():
    with pytest.raises(ValueError, match="题干"):
        dump([_item(stem="请选择：\nA. 这一行像选项")])
