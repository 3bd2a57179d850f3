"""Mapping between the import formats and ItemData: control tags, weights, essays, spreadsheets."""

import dataclasses

import pytest

from question_bank.formats import aiken, gift, sheet
from question_bank.importer import BankImportError, detect_format, read_file
from question_bank.transfer import (
    Defaults, MappingError, from_parsed, join_essay, split_essay, to_aiken, to_parsed,
)
from question_bank.transfer_sheet import from_sheet, to_sheet
from question_bank.validation import ItemData, ItemError, validate

JUNIOR_SERVICE = Defaults(("junior",), "service")


def one(text, defaults=JUNIOR_SERVICE) -> ItemData:
    items = gift.parse(text)
    assert len(items) == 1
    return validate(from_parsed(items[0], defaults))


def mapping_errors(text, defaults=JUNIOR_SERVICE) -> list[tuple[int, str]]:
    with pytest.raises(MappingError) as info:
        for item in gift.parse(text):
            from_parsed(item, defaults)
    return info.value.errors


def gift_round_trip(data: ItemData) -> ItemData:
    text = gift.dump([to_parsed(data)])
    return validate(from_parsed(gift.parse(text)[0], Defaults()))


def sheet_round_trip(data: ItemData, xlsx=False) -> ItemData:
    rows = [to_sheet(data)]
    back = sheet.read_xlsx(sheet.write_xlsx(rows)) if xlsx else sheet.read_csv(sheet.write_csv(rows))
    return validate(from_sheet(back[0]))


VARIED = [
    ItemData(levels=("junior", "intermediate"), area="service", kind="single", stem="客户情绪激动时先怎样？",
             options=("致歉安抚", "争辩", "挂断"), key=[0], explanation="先处理情绪。", knowledge_point="情绪安抚",
             difficulty=1, tags=("投诉",), source="教材第三章", ref="T-1", category="服务/投诉",
             title="Q2 投诉处理：情绪"),
    ItemData(levels=("senior",), area="guidance", kind="multiple", stem="培训计划应包括：",
             options=("目标", "内容", "<b>考核</b>", "聚餐"), key=[0, 1, 2], scoring="partial", ref="T-2"),
    ItemData(levels=("junior",), area="computer", kind="multiple", stem="a &lt; b 时哪些成立？",
             options=("甲", "乙", "丙"), key=[0, 2], scoring="all", ref="T-3", difficulty=3,
             title="a<b {~=#}: & 比较"),
    ItemData(levels=("junior",), area="basics", kind="truefalse", stem="首问负责制要求跟进到底。", key=True,
             explanation="对。", ref="T-4"),
    ItemData(levels=("junior",), area="basics", kind="truefalse", stem="可以随意挂断电话：{不}", key=False),
    ItemData(levels=("junior",), area="service", kind="fill", stem="通话结束前应询问：“还有其他可以____您的吗？”",
             key=["帮助", "帮"], ref="T-6", tags=("结束语", "服务用语")),
    ItemData(levels=("intermediate",), area="guidance", kind="short", stem="简述投诉升级流程。",
             key={"reference": "先记录\n- 不是要点的一行\n再上报", "points": ["记录", "上报", "要点：回访"]},
             explanation="见第五章\n解析：第二行", ref="T-7", category="管理"),
]


# ---------------------------------------------------------------- GIFT

def test_gift_defaults_give_level_and_area():
    data = one("客户来电时先说什么？{=您好 ~喂}")
    assert data.levels == ("junior",) and data.area == "service" and data.kind == "single"
    assert data.key == [0] and data.difficulty == 2 and data.tags == () and data.ref is None


def test_control_tags_override_defaults_and_are_removed():
    data = one("// [id:Q-1] [tag:中级] [tag:senior] [tag:业务指导与管理] [tag:难度:3] [tag:知识点:培训]"
               " [tag:来源:教材] [tag:重点]\n培训的第一步？{=需求分析 ~上课}")
    assert data.levels == ("intermediate", "senior") and data.area == "guidance"
    assert data.difficulty == 3 and data.knowledge_point == "培训" and data.source == "教材"
    assert data.tags == ("重点",) and data.ref == "Q-1"
    assert one("// [tag:difficulty:1] [tag:computer] [tag:高级]\nx？{=a ~b}").difficulty == 1


def test_level_specific_area_names_are_accepted():
    assert one("// [tag:业务指导、培训与管理] [tag:高级]\nx？{=a ~b}").area == "guidance"


def test_moodle_category_id_tags_and_escapes():
    text = ("$CATEGORY: $course$/top/服务 / 投诉\n\n// [id:M-1] [tag:投诉]\n"
            "::标题::客户说\\: 价格 \\= 10 \\~ 20 \\#1 \\{急\\}？{=致歉\\#安抚 ~争辩#不对 ####先致歉}")
    data = one(text)
    assert data.category == "$course$/top/服务/投诉" and data.ref == "M-1" and data.tags == ("投诉",)
    assert data.stem == "客户说: 价格 = 10 ~ 20 #1 {急}？"
    assert data.options == ("致歉#安抚", "争辩") and data.explanation == "先致歉\n选项反馈：\n选项B：不对"


def test_true_false_and_fill_and_plain_text():
    assert one("首问负责制要求跟进到底。{T}").key is True
    assert one("可以随意挂断。{FALSE}").key is False
    fill = one("客服热线是 {=12345 =一二三四五} 吗？")
    assert fill.kind == "fill" and fill.key == ["12345", "一二三四五"] and "_____" in fill.stem
    assert one("[plain]a <b> 与 c？{=x ~y}").stem == "a &lt;b&gt; 与 c？"


def test_multiple_choice_weights_give_partial_or_all():
    data = one("以下哪些正确？{~%50%a ~%50%b ~%-100%c}")
    assert data.kind == "multiple" and data.key == [0, 1] and data.scoring == "all"      # one default everywhere
    assert one("// [tag:少选得分]\n以下哪些正确？{~%50%a ~%50%b ~c}").scoring == "partial"
    assert one("// [tag:全对得分]\n以下哪些正确？{~%50%a ~%50%b ~c}").scoring == "all"
    thirds = one("哪些？{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}")
    assert thirds.key == [0, 1, 2] and thirds.scoring == "all"


def test_single_choice_with_partial_weight_is_an_error_naming_the_line():
    errors = mapping_errors("第一题？{=a ~b}\n\n第二题？\n{=a ~%50%b ~c}")
    assert len(errors) == 1 and errors[0][0] == 3
    assert "单选题不支持部分得分" in errors[0][1] and "多选题" in errors[0][1] and "答案" in errors[0][1]
    assert "错选扣分" in mapping_errors("x？{=a ~%-50%b}")[0][1]


def test_unequal_weights_and_penalties_are_errors():
    errors = mapping_errors("x？{~%70%a ~%30%b ~%-100%c}")
    assert "权重不相同" in errors[0][1] and "70%、30%" in errors[0][1]
    assert "-100%" in mapping_errors("x？{~%50%a ~%50%b ~%-50%c}")[0][1]
    raw = from_parsed(gift.parse("x？{=%50%a =b}")[0], JUNIOR_SERVICE)      # a fill-in keeps its full-mark answers
    assert raw["answers"] == ["b"] and "部分得分的答案“a”（50%）没有导入" in raw["warnings"][0]
    assert "没有满分（100%）的答案" in mapping_errors("x？{=%50%a}")[0][1]


def test_missing_level_area_and_bad_control_tags_are_all_reported():
    errors = mapping_errors("// [tag:难度:5] [tag:service] [tag:computer]\nx？{=a ~b}", Defaults())
    text = " | ".join(m for _, m in errors)
    assert "等级" in text and "难度" in text and "职业功能" in text and len(errors) == 3


def test_essay_convention():
    data = one("简述步骤。{####先倾听，再致歉\n- 倾听\n要点2：致歉\n• 跟进\n解析：见教材\n第二行}")
    assert data.kind == "short" and data.reference == "先倾听，再致歉"
    assert data.points == ["倾听", "致歉", "跟进"] and data.explanation == "见教材\n第二行"
    bare = one("简述。{}")        # no grader information: an incomplete draft that review refuses
    assert bare.kind == "short" and bare.reference == "" and bare.points == []
    errors = mapping_errors("简述。{####只有参考答案}")
    assert any("评分要点" in m for _, m in errors)


def test_essay_text_round_trips_even_with_marker_lines():
    reference, points, explanation = "a\n- 不是要点\n要点：也不是", ["p1", "p2"], "解析：x\n- y"
    text = join_essay(reference, points, explanation)
    ref2, points2, expl2 = split_essay(text)
    assert points2 == points
    from question_bank.sanitise import clean
    assert clean(ref2) == reference and clean(expl2) == explanation
    with pytest.raises(ValueError):
        join_essay("r", ["两\n行"])


@pytest.mark.parametrize("data", VARIED, ids=lambda d: d.kind)
def test_gift_round_trip(data):
    back = gift_round_trip(data)
    assert back == data


def test_gift_export_writes_weights_and_control_tags():
    text = gift.dump([to_parsed(VARIED[1]), to_parsed(VARIED[2])])
    assert "~%33.33333%目标" in text and "~%-100%聚餐" in text and "[tag:高级]" in text
    assert "[tag:少选得分]" in text and text.count("少选得分") == 1 and "[tag:难度:3]" in text


def test_gift_cannot_carry_a_bracket_in_a_tag():
    data = ItemData(levels=("junior",), area="service", kind="truefalse", stem="x", key=True, tags=("a]b",))
    with pytest.raises(ValueError):
        to_parsed(data)


def test_a_title_without_an_id_is_numbered_so_the_name_stays_a_title():
    """``::name::`` without ``[id:]`` becomes the 编号 on import; an item with a title but no 编号 is
    exported with the 编号 an import would give it, so its title comes back as a title."""
    data = dataclasses.replace(VARIED[4], title="判断：挂断")
    text = gift.dump([to_parsed(data)])
    assert "::判断：挂断::" in text and "[id:IMP-" in text
    back = gift_round_trip(data)
    assert back.title == "判断：挂断" and back.ref.startswith("IMP-")
    assert dataclasses.replace(back, ref=None) == data


def test_gift_names_become_the_ref_or_the_title():
    named = gift.parse("::Q2 投诉::客户来电首先？{=问候 ~不理}\n\n// [id:X-1]\n::问候题::客户来电首先？{=问候 ~不理}\n"
                       "\n// [id:X-2]\n::X-2::客户来电首先？{=问候 ~不理}\n")
    first, second, third = (validate(from_parsed(p, JUNIOR_SERVICE, auto_ref=True)) for p in named)
    assert (first.ref, first.title) == ("Q2 投诉", "")          # the name as 编号 (no [id:])
    assert (second.ref, second.title) == ("X-1", "问候题")       # beside an id: kept as the title
    assert (third.ref, third.title) == ("X-2", "")              # a name equal to the 编号 says nothing more


def test_titles_are_one_line_of_at_most_200_characters():
    base = {"levels": ["junior"], "area": "service", "type": "truefalse", "stem": "x", "key": True}
    assert validate({**base, "title": "  两\n行  <b>标题</b> "}).title == "两 行 <b>标题</b>"
    with pytest.raises(ItemError) as info:
        validate({**base, "title": "长" * 201})
    assert info.value.field == "title"


# ---------------------------------------------------------------- Aiken

def test_aiken_takes_defaults_and_round_trips_its_part():
    items = aiken.parse("客户来电先说？\nA. 喂\nB. 您好\nANSWER: B\n")
    data = validate(from_parsed(items[0], Defaults(("intermediate",), "service")))
    assert data.kind == "single" and data.key == [1] and data.levels == ("intermediate",)
    back = aiken.parse(aiken.dump([to_aiken(VARIED[0])]))[0]
    again = validate(from_parsed(back, Defaults(VARIED[0].levels, VARIED[0].area)))
    assert (again.stem, again.options, again.key) == (VARIED[0].stem, VARIED[0].options, VARIED[0].key)
    with pytest.raises(ValueError):
        to_aiken(VARIED[1])


# ---------------------------------------------------------------- spreadsheets

@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
@pytest.mark.parametrize("data", VARIED, ids=lambda d: d.kind)
def test_sheet_round_trip(data, xlsx):
    assert sheet_round_trip(data, xlsx) == data


def test_sheet_control_tags_category_and_scoring():
    row = to_sheet(VARIED[1])
    assert "少选得分" in row.tags and row.key == (0, 1, 2)
    assert "分类:服务/投诉" in to_sheet(VARIED[0]).tags
    csv = ("编号,等级,职业功能,题型,题干,选项A,选项B,选项C,答案,标签\n"
           "S-1,初级,服务技能运用,多选,哪些？,a,b,c,AB,初级、分类:甲/乙\n"
           "S-2,初级,服务技能运用,多选,哪些？,a,b,c,AB,少选得分\n").encode()
    first, second = (validate(from_sheet(s)) for s in sheet.read_csv(csv))
    assert first.scoring == "all" and first.category == "甲/乙" and first.tags == ("初级",)
    assert second.scoring == "partial"


def test_sheet_essay_points_from_the_answer_cell():
    csv = "等级,职业功能,题型,题干,答案\n中级,guidance,简答,简述。,参考答案\n".encode()
    with pytest.raises(MappingError) as info:
        from_sheet(sheet.read_csv(csv)[0])
    assert info.value.errors[0][0] == 2 and "评分要点" in info.value.errors[0][1]


# ---------------------------------------------------------------- whole files (no database)

def test_read_file_collects_every_error_with_lines_and_fields():
    text = ("第一题？{=a ~b}\n\n// [tag:难度:9]\n第二题？{=a ~b}\n\n第三题？{~%70%a ~%30%b}\n\n"
            "// [id:D]\n第四题？{T}\n\n第五题？{=a ~a}\n").encode()
    with pytest.raises(BankImportError) as info:
        read_file("坏.gift", text, None, JUNIOR_SERVICE)
    lines = info.value.lines()
    assert [n for n, _ in info.value.errors] == [4, 6, 11]
    assert all(line.startswith("坏.gift 第 ") for line in lines)
    assert "难度" in lines[0] and "权重不相同" in lines[1] and "字段“选项”" in lines[2]


def test_syntax_and_field_errors_are_reported_together():
    text = "第一题？{=a ~b\n\n第二题？{#1}\n\n// [tag:难度:9]\n第三题？{=a ~b}\n\n// [id:X]\n四？{T}\n\n// [id:X]\n五？{T}\n"
    with pytest.raises(BankImportError) as info:
        read_file("坏.gift", text.encode(), None, JUNIOR_SERVICE)
    assert [n for n, _ in info.value.errors] == [1, 3, 6, 12]


@pytest.mark.parametrize("xlsx", [False, True], ids=["csv", "xlsx"])
def test_sheet_row_errors_and_field_errors_are_reported_together(xlsx):
    rows = [sheet.SheetItem(line=0, ref="R1", levels=("junior",), area="service", kind="single", stem="一？",
                            options=("a", "a"), key=(0,)),
            sheet.SheetItem(line=0, ref="R2", levels=("junior",), area="service", kind="truefalse", stem="二？",
                            key=True),
            sheet.SheetItem(line=0, ref="R1", levels=("junior",), area="service", kind="truefalse", stem="三？",
                            key=False)]
    data = sheet.write_csv(rows).decode("utf-8-sig").replace("二？,,,,,,,正确", "二？,,,,,,,也许").encode()
    if xlsx:
        import csv
        import io
        from openpyxl import Workbook
        book = Workbook()
        for row in csv.reader(io.StringIO(data.decode())):
            book.active.append(row)
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    with pytest.raises(BankImportError) as info:
        read_file("表.xlsx" if xlsx else "表.csv", data, None, Defaults())
    assert [n for n, _ in info.value.errors] == [2, 3, 4]
    messages = [m for _, m in info.value.errors]
    assert "选项" in messages[0] and "“答案”列" in messages[1] and "编号“R1”" in messages[2]


def test_validation_errors_name_the_field_in_chinese():
    with pytest.raises(BankImportError) as info:
        read_file("a.gift", "x？{=a ~a}".encode(), None, JUNIOR_SERVICE)
    assert "字段“选项”" in str(info.value) and "重复" in str(info.value)


def test_duplicate_refs_in_a_sheet_and_encodings():
    csv = "编号,等级,职业功能,题型,题干,答案\nR,初级,service,判断,x,对\nR,初级,service,判断,y,错\n"
    with pytest.raises(BankImportError) as info:
        read_file("a.csv", csv.encode("gb18030"), None, Defaults())
    assert info.value.errors == [(3, "字段“编号”：编号“R”与第 2 行的题目重复")]
    ok = csv.replace("R,初级,service,判断,y", "S,初级,service,判断,y")
    assert len(read_file("a.csv", ok.encode("gb18030"), None, Defaults()).items) == 2
    assert len(read_file("a.csv", b"\xef\xbb\xbf" + ok.encode(), None, Defaults()).items) == 2


def test_format_detection():
    assert detect_format("x.GIFT", None) == "gift" and detect_format("x.txt", None) == "txt"   # looked at
    assert detect_format("x.txt", "aiken") == "aiken" and detect_format("题库.aiken.txt", None) == "aiken"
    assert detect_format("a.csv", None) == "csv" and detect_format("a.xlsx", None) == "xlsx"
    with pytest.raises(BankImportError) as info:
        detect_format("a.doc", None)
    assert info.value.lines()[0].startswith("a.doc：无法从扩展名判断")
