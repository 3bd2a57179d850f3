import pytest

from question_bank.formats.gift import GiftError, ParsedItem, dump, parse


def one(text):
    items = parse(text)
    assert len(items) == 1
    return items[0]


def errors_of(text, filename="questions.gift"):
    with pytest.raises(GiftError) as info:
        parse(text, filename)
    return info.value


def test_single_choice():
    it = one("客户来电表示等待时间过长时，坐席应使用哪句用语？{=非常抱歉让您久等了 ~您急什么 ~系统就是这么慢}")
    assert it.kind == "single" and it.line == 1
    assert it.stem == "客户来电表示等待时间过长时，坐席应使用哪句用语？"
    assert it.options == ["非常抱歉让您久等了", "您急什么", "系统就是这么慢"]
    assert it.weights == [100.0, 0.0, 0.0] and it.key == [0]
    assert it.option_feedback == ["", "", ""] and it.ref is None and it.tags == [] and it.title == ""


def test_multiple_choice_with_weights_and_thirds():
    it = one("以下哪些属于规范开场白的要素？{~%50%问候语 ~%50%报工号 ~%-100%询问客户年龄}")
    assert it.kind == "multiple"
    assert it.weights == [50.0, 50.0, -100.0] and it.key == [0, 1]
    it = one("投诉处理的要点有：{~%33.33333%倾听 ~%33.33333%致歉 ~%33.33333%跟进 ~%-100%争辩}")
    assert it.key == [0, 1, 2] and it.weights[0] == pytest.approx(33.33333) and it.weights[3] == -100.0


@pytest.mark.parametrize("block,key", [("{T}", True), ("{TRUE}", True), ("{F}", False),
                                       ("{FALSE}", False), ("{true}", True)])
def test_true_false(block, key):
    it = one(f"坐席可以在通话中随意挂断客户电话。{block}")
    assert it.kind == "truefalse" and it.key is key and it.options == [] and it.option_feedback == []


def test_true_false_with_feedback():
    it = one("首问负责制要求第一位接待的坐席跟进到底。{TRUE#答错了：首问负责#正确}")
    assert it.key is True and it.option_feedback == ["答错了：首问负责", "正确"]


def test_fill_in_the_blank_and_short_answer():
    it = one("客服热线号码是多少？{=12345 =一二三四五}")
    assert it.kind == "fill" and it.answers == ["12345", "一二三四五"] and it.options == []
    assert it.weights == [100.0, 100.0] and it.key is None
    blank = one("通话结束前应询问客户 {=还有其他问题吗} 再礼貌道别。")
    assert blank.kind == "fill" and blank.stem == "通话结束前应询问客户 _____ 再礼貌道别。"


def test_essay():
    it = one("请简述安抚情绪激动客户的步骤。{}")
    assert it.kind == "short" and it.options == it.answers == it.weights == [] and it.key is None
    assert one("请简述投诉升级流程。{####参考：先记录、再上报}").general_feedback == "参考：先记录、再上报"


def test_escapes():
    it = one(r"在公式 a\=b 中\{注意\}符号\~和\#以及比例 1\:2\n第二行 {=答案\=是\#1 ~反斜杠\\n}")
    assert it.stem == "在公式 a=b 中{注意}符号~和#以及比例 1:2\n第二行"
    assert it.options == ["答案=是#1", "反斜杠\\n"]


def test_comments_ids_tags_and_categories():
    text = """// 这是普通注释
$CATEGORY: 初级/服务规范

// [id:SRV-001]
// [tag:开场白] [tag:礼貌用语]
标准开场白应包含？{=问候并报工号 ~直接询问诉求}

// 第二题没有 id
结束语应包含？{=感谢来电 ~直接挂机}

$CATEGORY: 中级/投诉处理
// [id:CMP-001] [tag:投诉]
投诉应在几小时内回复？{=24 小时 ~一周}
"""
    a, b, c = parse(text)
    assert (a.ref, a.tags, a.category, a.line) == ("SRV-001", ["开场白", "礼貌用语"], "初级/服务规范", 6)
    assert (b.ref, b.tags, b.category, b.line) == (None, [], "初级/服务规范", 9)
    assert (c.ref, c.tags, c.category) == ("CMP-001", ["投诉"], "中级/投诉处理")


def test_title_and_format_prefix():
    it = one("::开场白 1::[html]标准开场白是？{=您好，很高兴为您服务 ~喂}")
    assert it.title == "开场白 1" and it.text_format == "html" and it.stem == "标准开场白是？"
    assert one(r"::比例 1\:2::[markdown]问题？{T}").title == "比例 1:2"


def test_feedback_general_and_per_answer():
    it = one("客户辱骂坐席时应？{=保持冷静并提醒文明用语#正确，先稳定情绪 ~对骂#绝对禁止 ~挂断#需按流程处理 "
             "####参见《服务规范》第 3 章}")
    assert it.option_feedback == ["正确，先稳定情绪", "绝对禁止", "需按流程处理"]
    assert it.general_feedback == "参见《服务规范》第 3 章"


def test_multiline_stem_and_answers():
    text = "客户来电称：\n“我已经等了半个小时了！”\n坐席应如何回应？\n{\n=致歉并说明原因\n~沉默\n}\n"
    it = one(text)
    assert it.stem == "客户来电称：\n“我已经等了半个小时了！”\n坐席应如何回应？"
    assert it.options == ["致歉并说明原因", "沉默"]


def test_windows_line_endings_and_bom():
    text = "\ufeff// [id:W-1]\r\n第一题？{T}\r\n\r\n第二题\r\n第二行？{=甲 ~乙}\r\n"
    a, b = parse(text)
    assert a.ref == "W-1" and a.line == 2 and b.line == 4 and b.stem == "第二题\n第二行？"


def test_several_errors_reported_together_with_line_numbers():
    text = """$CATEGORY:

第 3 行题目？{=对 ~错

多选权重不对？{~%50%甲 ~%30%乙 ~丙}

无正确答案？{~甲 ~乙}

权重非法？{~%abc%甲 ~%100%乙}

{=没有题干 ~错}

嵌入式 {=甲 ~乙} 答案 {=丙 ~丁}

正常题目？{=对 ~错}
"""
    err = errors_of(text)
    assert isinstance(err, ValueError)
    assert err.errors == [
        (1, "$CATEGORY: 后缺少类别路径"),
        (3, "缺少右花括号 }"),
        (5, "正确选项的权重之和应为 100%（当前为 80%）"),
        (7, "没有正确答案：单选题需要一个 = 答案，多选题需要正权重选项（如 ~%50%）"),
        (9, "无效的权重 %abc%"),
        (11, "题干为空"),
        (13, "一道题只能有一个 {…} 答案块（不支持嵌入式答案/完形填空题）"),
    ]
    lines = str(err).splitlines()
    assert len(lines) == 7
    assert lines[1] == "questions.gift 第 3 行：缺少右花括号 }"
    assert lines[0].startswith("questions.gift 第 1 行：")


def test_error_line_points_at_the_unclosed_brace_in_a_multiline_question():
    err = errors_of("第一题？{T}\n\n// 注释\n题干第一行\n题干第二行 {\n=甲\n~乙\n")
    assert err.errors == [(5, "缺少右花括号 }")]


@pytest.mark.parametrize("text,message", [
    ("题目？{#3:1}", "是数值题（{#…}），本系统不支持"),
    ("题目？{=甲 -> 乙}", "是配对题（->），本系统不支持"),
    ("只有题干没有答案", "缺少答案块"),
    ("题目？{~%150%甲 ~乙}", "超出 -100% 到 100% 的范围"),
    ("题目？{=甲 =乙 ~丙}", "单选题只能有一个 = 正确答案"),
    ("题目？{甲 ~乙}", "每个答案须以 = 或 ~ 开头"),
    ("::没写完的标题 题目？{T}", "标题缺少结束的 ::"),
    ("题目 } 多余？{T}", "多余的右花括号"),
    ("// [id:A]\n题一？{T}\n\n// [id:A]\n题二？{F}", "重复"),
])
def test_unsupported_and_invalid_constructs(text, message):
    assert message in str(errors_of(text))


def test_empty_input_and_comments_only():
    assert parse("") == [] and parse("// 只有注释\n\n") == []


RICH = r"""// 坐席服务规范题库（示例）
$CATEGORY: 初级/服务规范

// [id:SRV-001] [tag:开场白]
::等待致歉::客户来电表示等待时间过长时，坐席应使用哪句用语？{
=非常抱歉让您久等了，请问有什么可以帮您？#标准致歉用语
~您急什么？#不得使用反问句
~现在人多，您再等等。
####等待超过 30 秒须致歉
}

// [id:SRV-002] [tag:开场白] [tag:多选]
规范开场白包括哪些要素？{~%50%问候语 ~%50%报工号 ~%-100%询问客户隐私}

以下三项都属于投诉处理步骤：{~%33.33333%倾听 ~%33.33333%致歉 ~%33.33333%跟进 ~%-100%争辩}

$CATEGORY: 中级/系统操作
// [id:SYS-001]
坐席可在工单中记录客户的银行卡密码。{FALSE#记录密码违反信息安全规定#正确}

服务热线号码是 {=12345 =%50%一二三四五#建议写阿拉伯数字} ，全天候服务。

[html]比例 1\:2 与 a\=b 中的 \{花括号\} 要转义\n换行也要\\ {=是 ~否}

::问答::请简述处理情绪激动客户的步骤。{####倾听、共情、解决、跟进}
"""


def test_rich_sample_parses():
    items = parse(RICH, "sample.gift")
    assert [i.kind for i in items] == ["single", "multiple", "multiple", "truefalse", "fill", "single", "short"]
    fill = items[4]
    assert fill.stem == "服务热线号码是 _____ ，全天候服务。"
    assert fill.answers == ["12345", "一二三四五"] and fill.weights == [100.0, 50.0]
    assert fill.option_feedback == ["", "建议写阿拉伯数字"]
    assert items[5].stem == "比例 1:2 与 a=b 中的 {花括号} 要转义\n换行也要\\"
    assert items[5].text_format == "html" and items[5].category == "中级/系统操作"
    assert items[0].general_feedback == "等待超过 30 秒须致歉" and items[0].line == 5


def test_round_trip():
    items = parse(RICH)
    text = dump(items)
    again = parse(text)
    assert again == items
    assert dump(again) == text
    assert text.count("$CATEGORY:") == 2 and "// [id:SRV-002] [tag:开场白] [tag:多选]" in text


def test_dump_escapes_and_builds_from_dataclasses():
    item = ParsedItem(line=0, kind="single", stem="a=b? {x} ~y #z :: 50%", options=["%前缀", "普通"],
                      weights=[100.0, 0.0], answers=[], key=[0], general_feedback="总评#1",
                      option_feedback=["", "错#误"], category="", tags=["t"], ref="R:1", title="标:题")
    text = dump([item])
    assert r"a\=b? \{x\} \~y \#z \:\: 50%" in text
    assert parse(text) == [item]


def test_dump_cannot_return_to_no_category():
    a, b = parse("$CATEGORY: 甲\n题？{T}\n\n题二？{F}")
    with pytest.raises(ValueError, match="无类别"):
        dump([a, b.__class__(**{**b.__dict__, "category": ""})])
