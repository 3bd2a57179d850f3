import dataclasses
import io

import openpyxl
import pytest

from exam.standard import LEVELS
from exam.tabular import EXAMPLE_NOTE
from question_bank.formats import FormatError
from question_bank.formats.sheet import (
    COLUMNS, EXAMPLES, SheetItem, read_csv, read_xlsx, template_xlsx, write_csv, write_xlsx,
)

HEADER = ",".join(COLUMNS)


def csv_bytes(*rows, header=HEADER, bom=False):
    text = "\r\n".join([header, *rows]) + "\r\n"
    return text.encode("utf-8-sig" if bom else "utf-8")


def row(level="初级", area="服务技能运用", kind="单选", stem="坐席接听电话的标准开头语是？",
        options=("您好，很高兴为您服务", "喂，说", "", "", "", ""), answer="A", ref="",
        explanation="", point="", difficulty="", tags="", source="", title=""):
    options = list(options) + [""] * (6 - len(options))
    cells = [ref, title, level, area, kind, stem, *options, answer, explanation, point, difficulty, tags, source]
    return ",".join(f'"{c}"' if ("," in c or "\n" in c) else c for c in cells)


def errors_of(data, reader=read_csv, filename="题库.csv"):
    with pytest.raises(FormatError) as info:
        reader(data, filename)
    return info.value


ITEMS = [
    SheetItem(line=2, ref="Q1", levels=("junior", "intermediate", "senior"), area="service",
              kind="single", stem="客户投诉时坐席首先应？", options=("安抚情绪", "争辩", "挂断"),
              key=(0,), explanation="先处理情绪。", knowledge_point="投诉处理", difficulty=1,
              tags=("投诉", "情绪"), source="教材"),
    SheetItem(line=3, ref="Q2", levels=("senior",), area="guidance", kind="multiple",
              stem="新员工培训应包括哪些内容？", options=("业务知识", "服务规范", "系统操作", "打游戏"),
              key=(0, 1, 2), difficulty=3),
    SheetItem(line=4, ref="", levels=("junior",), area="basics", kind="truefalse",
              stem="坐席可以向第三方透露客户的个人信息。", key=False),
    SheetItem(line=5, ref="", levels=("intermediate",), area="computer", kind="fill",
              stem="复制的快捷键是 Ctrl+____。", answers=("C", "c")),
    SheetItem(line=6, ref="", levels=("junior",), area="seat_tools", kind="short",
              stem="简述来电弹屏的作用。", reference_answer="自动显示来电客户资料，提高处理效率。",
              tags=("坐席工具",)),
    SheetItem(line=7, ref="=1+1", levels=("junior",), area="service", kind="truefalse",
              stem="=以等号开头的题干", key=True),
]


# ---------------------------------------------------------------- valid input

def test_reads_a_single_choice_row():
    [item] = read_csv(csv_bytes(row(ref="FW-1", explanation="标准开头语", point="开头语",
                                    difficulty="1", tags="服务用语、开头语", source="规范")))
    assert item == SheetItem(
        line=2, ref="FW-1", levels=("junior",), area="service", kind="single",
        stem="坐席接听电话的标准开头语是？", options=("您好，很高兴为您服务", "喂，说"), key=(0,),
        explanation="标准开头语", knowledge_point="开头语", difficulty=1, tags=("服务用语", "开头语"),
        source="规范")
    assert item.line == 2


def test_reads_each_kind():
    data = csv_bytes(
        row(kind="多选", options=("致歉", "安抚", "争吵", "记录"), answer="DA B"),
        row(kind="判断", options=(), answer="错"),
        row(kind="判断", options=(), answer="√"),
        row(kind="填空", options=(), answer="您好 | 你好|"),
        row(kind="简答", options=(), answer="先致歉，再核实，最后回复。"),
        row(kind="单选题", answer="ｂ"),
    )
    multi, false, true, fill, short, single = read_csv(data)
    assert multi.kind == "multiple" and multi.key == (0, 1, 3)
    assert false.kind == "truefalse" and false.key is False and false.options == ()
    assert true.key is True
    assert fill.kind == "fill" and fill.answers == ("您好", "你好") and fill.key is None
    assert short.kind == "short" and short.reference_answer == "先致歉，再核实，最后回复。"
    assert single.kind == "single" and single.key == (1,)
    assert [i.line for i in (multi, false, true, fill, short, single)] == [2, 3, 4, 5, 6, 7]


def test_truefalse_spellings():
    answers = {"正确": True, "对": True, "T": True, "t": True, "×": False, "F": False, "错误": False}
    items = read_csv(csv_bytes(*(row(kind="判断", options=(), answer=a) for a in answers)))
    assert [i.key for i in items] == list(answers.values())


def test_several_levels_sorted_and_by_code():
    items = read_csv(csv_bytes(row(level="高级、初级"), row(level="senior,intermediate"),
                               row(level="中级，中级")))
    assert [i.levels for i in items] == [("junior", "senior"), ("intermediate", "senior"),
                                         ("intermediate",)]


@pytest.mark.parametrize("area", ["guidance", "业务指导与日常管理", "业务指导、培训与管理", "业务指导与管理"])
def test_area_by_code_or_any_name(area):
    [item] = read_csv(csv_bytes(row(level="中级、高级", area=area)))
    assert item.area == "guidance"


def test_defaults_blank_optional_and_difficulty():
    [item] = read_csv(csv_bytes(row()))
    assert (item.ref, item.explanation, item.knowledge_point, item.source) == ("", "", "", "")
    assert item.difficulty == 2 and item.tags == ()


def test_bom_csv_and_column_order_and_spaces():
    header = " 题干 ,答案, 等级,职业功能,题型,选项B,选项A"
    [item] = read_csv(csv_bytes("坐席应使用？,B,初级,service,单选,普通话,方言", header=header, bom=True))
    assert item.options == ("方言", "普通话") and item.key == (1,) and item.area == "service"


def test_only_required_columns_are_needed():
    [item] = read_csv(csv_bytes("初级,相关基础知识,判断,呼叫中心属于服务业。,正确",
                                header="等级,职业功能,题型,题干,答案"))
    assert item.key is True and item.difficulty == 2


def test_skips_empty_rows_and_keeps_line_numbers():
    data = csv_bytes(",,,,,,,,,,,,,,,,", row(), "", row(answer="X"))
    err = errors_of(data)
    assert err.errors == [(5, "“答案”列：“X”应为选项字母 A–F")]


def test_multiline_cell_in_csv():
    [item] = read_csv(csv_bytes(row(stem="第一行\n第二行")))
    assert item.stem == "第一行\n第二行"


def test_reads_xlsx_built_with_openpyxl_and_numeric_cells():
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["题型", "等级", "职业功能", "题干", "答案", "难度", "选项A", "选项B", "编号"])
    ws.append(["填空", "中级", "计算机使用", "二进制 10 等于十进制几？", 2, 3.0, None, None, 17])
    ws.append([None] * 9)
    ws.append(["单选", "初级", "computer", "保存的快捷键？", "A", 1, "Ctrl+S", "Ctrl+P", "Q-2"])
    out = io.BytesIO()
    book.save(out)
    fill, single = read_xlsx(out.getvalue(), "题库.xlsx")
    assert fill.answers == ("2",) and fill.difficulty == 3 and fill.ref == "17"
    assert single.line == 4 and single.key == (0,) and single.options == ("Ctrl+S", "Ctrl+P")


# ---------------------------------------------------------------- errors

@pytest.mark.parametrize("kwargs, message", [
    ({"level": ""}, "“等级”列：不能为空"),
    ({"level": "专家"}, "“等级”列：未知等级“专家”"),
    ({"area": ""}, "“职业功能”列：不能为空"),
    ({"area": "打字"}, "“职业功能”列：未知职业功能“打字”"),
    ({"area": "guidance"}, "“职业功能”列：初级没有职业功能“guidance”"),
    ({"kind": ""}, "“题型”列：不能为空"),
    ({"kind": "论述"}, "“题型”列：“论述”不是有效题型"),
    ({"stem": ""}, "“题干”列：不能为空"),
    ({"answer": ""}, "“答案”列：不能为空"),
    ({"answer": "AB"}, "“答案”列：单选题答案应为一个选项字母，如 B"),
    ({"answer": "C"}, "“答案”列：答案中的选项C没有内容"),
    ({"answer": "甲"}, "“答案”列：“甲”应为选项字母 A–F"),
    ({"kind": "多选", "answer": "A"}, "“答案”列：多选题答案应为两个或以上的选项字母，如 ACD"),
    ({"kind": "多选", "answer": "AC"}, "“答案”列：答案中的选项C没有内容"),
    ({"kind": "判断", "options": (), "answer": "也许"}, "“答案”列：“也许”无效，判断题答案应为 正确 或 错误"),
    ({"kind": "填空", "options": (), "answer": "|"}, "“答案”列：填空题至少需要一个答案"),
    ({"options": ("甲",)}, "“选项B”列：单选题至少需要 2 个选项"),
    ({"options": ("甲", "", "丙")}, "“选项B”列：选项应从 A 开始连续填写"),
    ({"kind": "判断", "answer": "对"}, "“选项A”列：判断题不应填写选项"),
    ({"kind": "简答", "answer": "略"}, "“选项A”列：简答题不应填写选项"),
    ({"difficulty": "4"}, "“难度”列：“4”无效，应为 1、2 或 3"),
    ({"difficulty": "很难"}, "“难度”列：“很难”无效"),
])
def test_error_names_line_and_column(kwargs, message):
    err = errors_of(csv_bytes(row(), row(**kwargs)))
    assert any(line == 3 and text.startswith(message) for line, text in err.errors), err.errors
    assert f"题库.csv 第 3 行：{message}" in str(err)


@pytest.mark.parametrize("word, level", [("易", 1), ("中", 2), ("难", 3), ("3", 3)])
def test_difficulty_as_the_template_note_writes_it(word, level):
    (item,) = read_csv(csv_bytes(row(difficulty=word)))
    assert item.difficulty == level


def test_an_essay_without_reference_answer_is_read_and_left_for_review():
    (item,) = read_csv(csv_bytes(row(kind="简答", options=(), answer="")))
    assert item.kind == "short" and item.reference_answer == ""


def test_collects_every_error_of_every_row():
    err = errors_of(csv_bytes(row(level="专家", answer="Z"), row(), row(kind="多选", answer="A"),
                              row(difficulty="9")), read_csv, "题库.xlsx")
    lines = [n for n, _ in err.errors]
    assert lines == [2, 2, 4, 5]
    assert "题库.xlsx 第 4 行：“答案”列：多选题答案应为两个或以上的选项字母，如 ACD" in str(err)


def test_unknown_and_duplicate_and_missing_headers():
    header = "等级,职业功能,题形,题干,题干,难 度"
    err = errors_of(csv_bytes("初级,service,单选,题,题,1", header=header))
    messages = [m for n, m in err.errors if n == 1]
    assert len(messages) == len(err.errors) == 5
    assert any(m.startswith("“题形”列：未知的列名") for m in messages)
    assert any(m.startswith("“难 度”列：未知的列名") for m in messages)
    assert "“题干”列：表头重复" in messages
    assert "“题型”列：缺少此列" in messages and "“答案”列：缺少此列" in messages


def test_empty_file_and_bad_encoding_and_bad_xlsx():
    assert errors_of(b"").errors[0][0] == 1
    assert read_csv(HEADER.encode("gb18030")) == []   # Chinese Windows' own encoding is read (exam.tabular)
    assert ".xlsx" in str(errors_of(b"not a zip", read_xlsx, "题库.xlsx"))
    assert "旧版 Excel（.xls）" in str(errors_of(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, read_xlsx, "题库.xls"))


def test_header_only_gives_no_items():
    assert read_csv(csv_bytes()) == []


def test_xlsx_errors_use_spreadsheet_rows():
    data = write_xlsx(ITEMS[:2])
    book = openpyxl.load_workbook(io.BytesIO(data))
    book.active["M3"] = "Z"
    out = io.BytesIO()
    book.save(out)
    err = errors_of(out.getvalue(), read_xlsx, "题库.xlsx")
    assert str(err) == "题库.xlsx 第 3 行：“答案”列：“Z”应为选项字母 A–F"


# ---------------------------------------------------------------- round trips

def test_csv_round_trip():
    data = write_csv(ITEMS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert read_csv(data) == ITEMS


def test_xlsx_round_trip():
    assert read_xlsx(write_xlsx(ITEMS)) == ITEMS


def test_writer_uses_the_area_name_of_the_first_level():
    text = write_csv(ITEMS[1:2]).decode("utf-8-sig")
    assert "业务指导、培训与管理" in text and "高级" in text and "多选" in text and "ABC" in text


def test_writer_rejects_what_the_format_cannot_hold():
    with pytest.raises(ValueError):
        write_csv([SheetItem(line=0, ref="", levels=("junior",), area="service", kind="fill",
                             stem="题", answers=("a|b",))])


# ---------------------------------------------------------------- template

def test_template_opens_and_has_both_sheets():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert book.sheetnames == ["题库", "填写说明"]
    ws = book["题库"]
    assert [c.value for c in ws[1]] == list(COLUMNS)
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    stem = openpyxl.utils.get_column_letter(COLUMNS.index("题干") + 1)
    assert ws.column_dimensions[stem].width > ws.column_dimensions["A"].width
    help_text = "\n".join(str(c.value) for r in book["填写说明"].iter_rows() for c in r if c.value)
    for name in COLUMNS:
        assert name in help_text
    for lvl in LEVELS.values():
        assert lvl.name in help_text
        for area in lvl.areas:
            assert area.name in help_text and area.code in help_text


def test_the_templates_example_rows_are_refused_on_import_and_valid_once_rewritten():
    """Audit finding 15: the example rows imported as real questions; they carry the roster template's
    mark (exam.tabular.EXAMPLE_NOTE) in the stem and are refused by line and column, as a roster's are."""
    from question_bank.transfer_sheet import from_sheet
    from question_bank.validation import validate
    with pytest.raises(FormatError) as info:
        read_xlsx(template_xlsx(), "模板.xlsx")
    assert [line for line, _ in info.value.errors] == [2, 3, 4, 5, 6]
    assert all(m.startswith("“题干”列：这是导入模板中的示例行（题干中有“（示例行，导入前请删除）”）")
               for _, m in info.value.errors)
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    assert "第 2–6 行是每种题型的示例" in "\n".join(str(c.value) for r in book["填写说明"].iter_rows() for c in r if c.value)
    for row in book["题库"].iter_rows(min_row=2):              # a trainer rewrites the stem, dropping the mark
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith(EXAMPLE_NOTE):
                cell.value = cell.value.removeprefix(EXAMPLE_NOTE)
    out = io.BytesIO()
    book.save(out)
    items = read_xlsx(out.getvalue(), "模板.xlsx")
    assert items == [dataclasses.replace(e, stem=e.stem.removeprefix(EXAMPLE_NOTE)) for e in EXAMPLES]
    assert [i.kind for i in items] == ["single", "multiple", "truefalse", "fill", "short"]
    assert [i.line for i in items] == [2, 3, 4, 5, 6]
    data = [validate(from_sheet(i)) for i in items]
    assert data[1].scoring == "partial" and data[4].points == ["倾听并致歉", "记录诉求", "提出解决方案", "跟进回访"]


def test_template_explains_scoring_points_partial_credit_and_offers_drop_downs():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    help_text = "\n".join(str(c.value) for r in book["填写说明"].iter_rows() for c in r if c.value)
    assert "评分要点" in help_text and "少选得分" in help_text and "默认“全对得分”" in help_text
    assert "也可直接填 易、中、难" in help_text and "以 | 分隔" in help_text
    assert "考生的试卷上不显示" in help_text and "::名称::" in help_text       # the 标题 column
    lists = {str(dv.sqref).split(":")[0]: (dv.formula1, dv.showErrorMessage)
             for dv in book["题库"].data_validations.dataValidation}
    column = {name: openpyxl.utils.get_column_letter(i + 1) for i, name in enumerate(COLUMNS)}
    assert lists[column["题型"] + "2"] == ('"单选,多选,判断,填空,简答"', True)
    assert lists[column["难度"] + "2"][1] is True and "易" in lists[column["难度"] + "2"][0]
    assert lists[column["等级"] + "2"] == ('"初级,中级,高级"', False)          # several levels may be typed
    assert all(a.name in lists[column["职业功能"] + "2"][0] for lvl in LEVELS.values() for a in lvl.areas)
