"""考生名单文件（XLSX / CSV）的读取与校验。"""

import io
from datetime import date

import openpyxl
import pytest

from exam.sessions.roster import sheet as roster
from exam.sessions.roster.idcard import check_character
from exam.sessions.roster.sheet import MAX_ROWS, RosterResult, RosterRow, parse, template_xlsx

TODAY = date(2024, 6, 1)

# Hand-checked in tests/unit/test_idcard.py: 110101 + 19900101 + 001 → 5, + 002 → 3; 11010519491231002X
# is GB 11643-1999's own example.
MAN = "110101199001010015"
WOMAN = "110101199001010023"
WITH_X = "11010519491231002X"
WRONG_CHECK = "110105194912310023"     # the check character should be X

CN_HEADER = ["姓名", "身份证号", "手机", "工作单位"]
ROWS = [
    ["张伟", MAN, "138 0013 8000", "华东呼叫中心"],
    ["李娜", WOMAN, "+86 139-0013-9000", ""],
    ["王芳", WITH_X.lower(), "15012345678", "银行客服部"],
]
EXPECTED = [
    RosterRow(line=2, name="张伟", id_number=MAN, phone="13800138000", employer="华东呼叫中心",
              birth_date=date(1990, 1, 1), sex="男"),
    RosterRow(line=3, name="李娜", id_number=WOMAN, phone="13900139000", employer="",
              birth_date=date(1990, 1, 1), sex="女"),
    RosterRow(line=4, name="王芳", id_number=WITH_X, phone="15012345678", employer="银行客服部",
              birth_date=date(1949, 12, 31), sex="女"),
]


def xlsx(*rows) -> bytes:
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(list(values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(*rows, encoding="utf-8") -> bytes:
    def quote(c):
        c = str(c)
        return f'"{c}"' if ("," in c or "\n" in c or '"' in c) else c
    return "\r\n".join(",".join(quote(c) for c in r) for r in rows).encode(encoding) + b"\r\n"


def reorder(rows, order):
    return [[r[i] for i in order] for r in rows]


def errors(filename, data):
    result = parse(filename, data, TODAY)
    assert result.rows == [] and not result.ok
    return result.errors


# ---------------------------------------------------------------- good files

def test_xlsx_with_chinese_header():
    result = parse("名单.xlsx", xlsx(CN_HEADER, *ROWS), TODAY)
    assert result.errors == [] and result.ok
    assert result.rows == EXPECTED


def test_xlsx_with_english_header_in_another_order_and_an_extra_column():
    header = ["phone", "Notes", "ID_Number", "Name", "Employer"]
    body = [[r[2], "备注", r[1], r[0], r[3]] for r in ROWS]
    result = parse("roster.XLSX", xlsx(header, *body), TODAY)
    assert result.rows == EXPECTED


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_and_header_variants(encoding):
    header = ["身份证号码", "手机号", "姓名", "单位"]
    data = csv_bytes(header, *reorder(ROWS, (1, 2, 0, 3)), encoding=encoding)
    result = parse("名单.csv", data, TODAY)
    assert result.errors == []
    assert result.rows == EXPECTED


def test_csv_gbk_as_saved_by_excel_on_chinese_windows():
    data = csv_bytes(["电话", "employer", "id number", "name"], *reorder(ROWS, (2, 3, 1, 0)), encoding="gbk")
    assert parse("名单.csv", data, TODAY).rows == EXPECTED


def test_tab_separated_utf16_text():
    text = "\r\n".join("\t".join(r) for r in [CN_HEADER, *ROWS])
    assert parse("名单.csv", text.encode("utf-16"), TODAY).rows == EXPECTED


def test_employer_column_is_optional():
    result = parse("名单.csv", csv_bytes(["姓名", "身份证号", "手机号"], ["张伟", MAN, "13800138000"]), TODAY)
    assert result.rows[0].employer == ""


def test_header_notes_and_title_rows_keep_the_sheets_own_line_numbers():
    data = xlsx(["2024 年第 3 期呼叫服务员考试报名表"], [], ["姓名（必填）", "身份证号 *", "手机号：", "工作单位"],
                ROWS[0], [], ROWS[1])
    result = parse("名单.xlsx", data, TODAY)
    assert [r.line for r in result.rows] == [4, 6]


def test_blank_rows_are_skipped_but_counted():
    data = csv_bytes(CN_HEADER, ROWS[0], ["", "", "", ""], ROWS[1])
    assert [r.line for r in parse("名单.csv", data, TODAY).rows] == [2, 4]


def test_cells_are_tidied():
    data = xlsx(CN_HEADER, ["  张\n伟 ", f" {MAN} ", 13800138000, "  华东\n呼叫中心 "])
    row = parse("名单.xlsx", data, TODAY).rows[0]
    assert (row.name, row.id_number, row.phone, row.employer) == ("张 伟", MAN, "13800138000", "华东 呼叫中心")


def test_id_typed_as_a_number_is_refused_because_its_tail_is_gone():
    # Excel (and openpyxl) store numbers as doubles: 110101199001010015 comes back as 1.1010119900101e17.
    [error] = errors("名单.xlsx", xlsx(CN_HEADER, ["张伟", int(MAN), "13800138000"]))
    assert error.startswith("文件 名单.xlsx 第 2 行，身份证号：身份证号被 Excel 当作数字保存")


# ---------------------------------------------------------------- row errors, all of them, with lines

def test_every_row_error_is_reported_with_file_line_and_field():
    data = xlsx(
        CN_HEADER,
        ROWS[0],                                                     # 2: fine
        ["", MAN[:17], "1380013800", "x" * 101],                     # 3: four problems
        ["张" * 51, WRONG_CHECK, "12800138000", ""],                 # 4
        ["赵六", "990101199001010011", "138a0013800", ""],          # 5
        ["钱七", "110101199002300015", "+1 415 555 0100", ""],       # 6
        ["孙八", "110101203001010015", "", ""],                      # 7
        ["周九", 1.10101199001010e17, "13800138000", ""],            # 8: Excel made the ID a number
    )
    assert errors("名单.xlsx", data) == [
        "文件 名单.xlsx 第 3 行，姓名：不能为空",
        "文件 名单.xlsx 第 3 行，身份证号：身份证号应为 18 位，实际 17 位",
        "文件 名单.xlsx 第 3 行，手机号：手机号应为 11 位，实际 10 位",
        "文件 名单.xlsx 第 3 行，工作单位：不能超过 100 个字，实际 101 个字",
        "文件 名单.xlsx 第 4 行，姓名：不能超过 50 个字，实际 51 个字",
        "文件 名单.xlsx 第 4 行，身份证号：第 18 位校验码应为 X，实际为 3",
        "文件 名单.xlsx 第 4 行，手机号：手机号应以 13–19 开头，实际以 12 开头",
        "文件 名单.xlsx 第 5 行，身份证号：地区码 99 不是有效的省级行政区代码",
        "文件 名单.xlsx 第 5 行，手机号：手机号只能包含数字，实际含有“a”",
        "文件 名单.xlsx 第 6 行，身份证号：出生日期 19900230 不存在",
        "文件 名单.xlsx 第 6 行，手机号：只支持中国大陆手机号（+86），实际为 +1 415 555 0100",
        "文件 名单.xlsx 第 7 行，身份证号：出生日期晚于今天",
        "文件 名单.xlsx 第 7 行，手机号：手机号不能为空",
        "文件 名单.xlsx 第 8 行，身份证号：身份证号被 Excel 当作数字保存，后几位已经丢失："
        "请把该列设置为“文本”格式后重新填写",
    ]


def test_a_row_too_short_for_its_header_misses_its_cells():
    assert errors("名单.csv", csv_bytes(CN_HEADER, ["张伟"])) == [
        "文件 名单.csv 第 2 行，身份证号：身份证号不能为空",
        "文件 名单.csv 第 2 行，手机号：手机号不能为空",
    ]


def test_one_bad_row_means_no_rows():
    result = parse("名单.csv", csv_bytes(CN_HEADER, *ROWS, ["", MAN.replace("1", "2", 1), "", ""]), TODAY)
    assert result.rows == [] and not result.ok and len(result.errors) == 3


def test_result_cannot_carry_rows_and_errors():
    with pytest.raises(ValueError):
        RosterResult(rows=EXPECTED, errors=["x"])


# ---------------------------------------------------------------- duplicates

def test_duplicate_id_names_both_lines():
    data = csv_bytes(CN_HEADER, ROWS[0], ROWS[1], ["张伟（重复）", MAN, "13700137000", ""])
    assert errors("名单.csv", data) == [
        "文件 名单.csv 第 4 行，身份证号：与第 2 行重复（110101********0015），同一考生只能出现一次",
    ]


def test_duplicates_are_found_across_spellings_and_despite_other_errors():
    data = xlsx(
        CN_HEADER,
        ["王芳", WITH_X, "15012345678", ""],                  # 2
        ["", WITH_X.lower(), "15012345678", ""],              # 3: same number, lower-case x, no name
        ["王芳", "１１０１０５１９４９１２３１００２Ｘ", "15012345678", ""],   # 4: full-width
    )
    assert errors("名单.xlsx", data) == [
        "文件 名单.xlsx 第 3 行，姓名：不能为空",
        "文件 名单.xlsx 第 3 行，身份证号：与第 2 行重复（110105********002X），同一考生只能出现一次",
        "文件 名单.xlsx 第 4 行，身份证号：与第 2 行重复（110105********002X），同一考生只能出现一次",
    ]


# ---------------------------------------------------------------- header errors

def test_missing_required_columns_are_all_reported():
    data = xlsx(["姓名", "工作单位", "备注"], ["张伟", "华东呼叫中心", ""])
    assert errors("名单.xlsx", data) == [
        "文件 名单.xlsx 第 1 行，表头：缺少“身份证号”列（列名可写作：身份证号、身份证号码、身份证、id_number）",
        "文件 名单.xlsx 第 1 行，表头：缺少“手机号”列（列名可写作：手机号、手机、手机号码、phone）",
    ]


def test_the_same_column_twice():
    data = csv_bytes(["姓名", "身份证号", "身份证号码", "手机"], ["张伟", MAN, MAN, "13800138000"])
    assert errors("名单.csv", data) == [
        "文件 名单.csv 第 1 行，表头：“身份证号”与“身份证号码”是同一列（身份证号），请只保留一列",
    ]


def test_no_recognisable_header():
    data = csv_bytes(["序号", "名字", "证件"], ["1", "张伟", MAN])
    [error] = errors("名单.csv", data)
    assert error.startswith("文件 名单.csv：找不到表头")
    assert "姓名、身份证号、手机号、工作单位" in error


def test_header_too_far_down_is_not_found():
    data = xlsx(*[[f"说明 {i}"] for i in range(10)], CN_HEADER, ROWS[0])
    assert errors("名单.xlsx", data)[0].startswith("文件 名单.xlsx：找不到表头")


# ---------------------------------------------------------------- broken and odd files

@pytest.mark.parametrize("filename, data, reason", [
    ("名单.xlsx", b"", "文件是空的"),
    ("名单.csv", b"", "文件是空的"),
    ("名单.csv", b"  \r\n\r\n", "文件是空的"),
    ("名单.csv", "\ufeff".encode("utf-8"), "文件中没有任何内容"),
    ("名单.csv", b",,,\r\n,,,\r\n", "文件中没有任何内容"),
    ("名单.xlsx", b"\x00\x01\x02garbage\xff\xfe" * 50, "无法作为 Excel（.xlsx）文件打开：文件可能已损坏，或并不是电子表格"),
    ("名单.xlsx", b"PK\x03\x04" + b"\x00" * 200, "无法作为 Excel（.xlsx）文件打开：文件可能已损坏，或并不是电子表格"),
    ("名单.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,
     "这是旧版 Excel（.xls）或 WPS 表格文件，无法读取：请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再上传"),
    ("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 200,
     "这是旧版 Excel（.xls）或 WPS 表格文件，无法读取：请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再上传"),
    ("名单.csv", b"\x81\xff\x80\x00\x9f" * 40, "无法识别文件编码：请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后再上传"),
    ("名单.csv", "姓名,身份证号\x00,手机".encode(), "文件不是文本格式的 CSV：请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后再上传"),
    ("名单.txt", b"abc", "不支持的文件类型“.txt”：请上传 .xlsx 或 .csv 文件"),
    ("名单", b"abc", "不支持的文件类型（无扩展名）：请上传 .xlsx 或 .csv 文件"),
])
def test_broken_files(filename, data, reason):
    assert errors(filename, data) == [f"文件 {filename}：{reason}"]


def test_a_workbook_named_csv():
    [error] = errors("名单.csv", xlsx(CN_HEADER, *ROWS))
    assert error == "文件 名单.csv：文件内容是 Excel 工作簿而不是 CSV：请上传 .xlsx 文件，或在 Excel 中“另存为” CSV"


def test_unbalanced_quotes_in_a_csv_field_that_is_too_long():
    data = ('姓名,身份证号,手机\r\n"张伟,' + "x" * 200_000).encode()
    [error] = errors("名单.csv", data)
    assert error.startswith("文件 名单.csv：CSV 格式有误")


@pytest.mark.parametrize("filename, data", [("名单.xlsx", xlsx(CN_HEADER)),
                                            ("名单.csv", csv_bytes(CN_HEADER, encoding="utf-8-sig"))])
def test_header_only(filename, data):
    assert errors(filename, data) == [f"文件 {filename}：只有表头，没有考生：请从表头下一行起每行填写一名考生"]


def test_too_large_a_file():
    data = csv_bytes(CN_HEADER, *[ROWS[0]] * (MAX_ROWS + 1))
    assert errors("名单.csv", data) == [
        f"文件 名单.csv：考生超过 {MAX_ROWS} 人：请拆分为几个文件，每个不超过 {MAX_ROWS} 行，分别导入",
    ]


def test_too_many_bytes(monkeypatch):
    monkeypatch.setattr(roster, "MAX_BYTES", 100)
    [error] = errors("名单.csv", csv_bytes(CN_HEADER, *ROWS))
    assert error.startswith("文件 名单.csv：文件超过")


def test_exactly_the_maximum_is_fine():
    # 5 birth dates x 1000 sequence codes, each with its computed check character: all different.
    numbers = [body + check_character(body)
               for day in range(1, 6) for seq in range(1000)
               for body in [f"1101011990010{day}{seq:03d}"]]
    data = csv_bytes(CN_HEADER, *[[f"考生{i}", n, "13800138000", ""] for i, n in enumerate(numbers)])
    result = parse("名单.csv", data, TODAY)
    assert result.errors == [] and len(result.rows) == MAX_ROWS
    assert result.rows[-1].line == MAX_ROWS + 1


# ---------------------------------------------------------------- template

def test_template_example_row_is_refused_and_a_real_row_in_its_place_imports():
    data = template_xlsx()
    result = parse("考生名单模板.xlsx", data, TODAY)
    assert not result.ok and not result.rows
    assert result.errors == ["文件 考生名单模板.xlsx 第 2 行，姓名：这是名单模板中的示例行（姓名中有“示例行”），"
                             "不能作为考生导入：请删除该行或改为真实考生"]
    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[0]
    ws["A2"], ws["B2"] = "李四", "11010119900101002" + check_character("11010119900101002")
    out = io.BytesIO()
    book.save(out)
    result = parse("考生名单.xlsx", out.getvalue(), TODAY)
    assert result.ok and result.errors == []
    [row] = result.rows
    assert (row.line, row.name, row.phone) == (2, "李四", "13800138000")
    assert (row.birth_date, row.sex) == (date(1990, 1, 1), "女")


def test_template_layout():
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx()))
    ws = book.worksheets[0]
    assert [c.value for c in ws[1]] == ["姓名", "身份证号", "手机号", "工作单位"]
    assert ws["B2"].value == MAN and ws["B2"].data_type == "s"
    assert ws["B3"].number_format == "@" and ws["C500"].number_format == "@"   # Excel keeps all 18 digits
    assert book.sheetnames == ["考生名单", "填写说明"]
