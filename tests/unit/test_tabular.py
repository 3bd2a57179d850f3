"""exam.tabular on real files: encodings, .xls refusal, row caps, merged cells, linear reading, and
exports that no spreadsheet program evaluates (OWASP CSV injection), checked by reading the bytes back
independently (csv module, openpyxl, the XLSX's own XML)."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from exam import tabular
from exam.tabular import TabularError

ATTACKS = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)",
           "\t=1+1", "\r=1+1"]


def xlsx(rows, merges=(), dimension=None) -> bytes:
    book = Workbook()
    ws = book.active
    for row in rows:
        ws.append(row)
    for ref in merges:
        ws.merge_cells(ref)
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    if dimension:  # a sheet that claims to be far bigger than it is
        src = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                body = src.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    body = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{dimension}"'.encode(), body, count=1)
                dst.writestr(item, body)
        data = out.getvalue()
    return data


def texts(rows):
    return [(line, [tabular.cell_text(v) for v in cells]) for line, cells in rows]


# ---------------------------------------------------------------- reading

@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_in_every_office_encoding(encoding):
    data = "姓名,证件号码\n张三,110101199003070011\n\n李四,110101199003070022\n".encode(encoding)
    rows = tabular.read("名单.csv", data, max_rows=10)
    assert texts(rows) == [(1, ["姓名", "证件号码"]), (2, ["张三", "110101199003070011"]),
                           (4, ["李四", "110101199003070022"])]  # line numbers are the file's own


def test_tab_separated_csv_and_quoted_newlines_keep_line_numbers():
    data = "姓名\t备注\n张三\t\"两行\n备注\"\n李四\t无\n".encode("utf-8")
    rows = texts(tabular.read("名单.csv", data, max_rows=10))
    assert rows[1] == (3, ["张三", "两行\n备注"]) and rows[2] == (4, ["李四", "无"])


def test_undecodable_bytes_get_one_chinese_message():
    with pytest.raises(TabularError, match="无法识别文件编码"):
        tabular.read("x.csv", b"\x81\x30\xff\xfe\x00abc" * 3 + b"\xff", max_rows=10)


@pytest.mark.parametrize("name,data", [("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
                                       ("名单.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
                                       ("名单.et", b"anything"), ("名单.wps", b"anything")])
def test_old_excel_and_wps_files_get_the_one_refusal(name, data):
    with pytest.raises(TabularError) as caught:
        tabular.read(name, data, max_rows=10)
    assert str(caught.value) == tabular.XLS_REFUSAL


def test_a_workbook_named_csv_and_an_unknown_type_are_refused_plainly():
    with pytest.raises(TabularError, match="Excel 工作簿而不是 CSV"):
        tabular.read("名单.csv", xlsx([["a"]]), max_rows=10)
    with pytest.raises(TabularError, match="不支持的文件类型“.pdf”"):
        tabular.read("名单.pdf", b"%PDF-1.7", max_rows=10)
    with pytest.raises(TabularError, match="无法作为 Excel"):
        tabular.read("名单.xlsx", b"PK\x03\x04 not really a zip", max_rows=10)


def test_rows_beyond_the_cap_are_refused_with_the_limit_named():
    rows = [["姓名"]] + [[f"考生{i}"] for i in range(30)]
    with pytest.raises(TabularError, match="超过 20 行"):
        tabular.read("名单.xlsx", xlsx(rows), max_rows=20, extra_rows=0)
    assert len(tabular.read("名单.xlsx", xlsx(rows), max_rows=30, extra_rows=1)) == 31


def test_a_sheet_claiming_a_million_rows_is_read_for_what_it_holds():
    data = xlsx([["姓名"], ["张三"]], dimension="XFD1048576")
    assert texts(tabular.read("名单.xlsx", data, max_rows=10)) == [(1, ["姓名"]), (2, ["张三"])]


def test_twenty_thousand_bad_rows_are_refused_at_the_cap_without_reading_them_all():
    """The report's 65 KB workbook: 20,000 rows each wrong. Refused once the cap is passed, so the
    work is bounded by the cap, not by the file (no timing assertion: the cap is what is checked)."""
    rows = [["姓名", "证件号码"]] + [["x", "bad"] for _ in range(20_000)]
    data = xlsx(rows)
    with pytest.raises(TabularError, match=r"超过 2,000 行（第 2,?012 行已超出）|超过 2,000 行"):
        tabular.read("名单.xlsx", data, max_rows=2000)


def test_merged_cells_read_as_their_top_left_value():
    rows = [["2026 年第 3 期报名表", None, None], ["姓名", "单位", "备注"], ["张三", "客服一部", "甲"],
            ["李四", None, "乙"]]
    data = xlsx(rows, merges=("A1:C1", "B3:B4"))
    got = texts(tabular.read("名单.xlsx", data, max_rows=10))
    assert got[0] == (1, ["2026 年第 3 期报名表", "2026 年第 3 期报名表", "2026 年第 3 期报名表"])
    assert got[2] == (3, ["张三", "客服一部", "甲"]) and got[3] == (4, ["李四", "客服一部", "乙"])


def test_wide_merges_names_merges_across_columns_of_data_rows_only():
    rows = [["2026 年第 3 期报名表", None, None], ["姓名", "单位", "备注"], ["张三", "客服一部", None],
            ["李四", None, "乙"], ["王五", "客服二部", "丙"]]
    data = xlsx(rows, merges=("A1:C1", "B3:C3", "B4:B5"))
    read = tabular.read("名单.xlsx", data, max_rows=10)
    assert read.merges == ("A1:C1", "B3:C3", "B4:B5")
    assert tabular.wide_merges(read, header_line=2) == [
        (3, "B3:C3 是跨列合并的单元格（“单位”、“备注”列）：合并后这几列会读成同一个值，请取消合并，每列分别填写")]
    assert tabular.wide_merges(tabular.read("名单.csv", "姓名\n张三\n".encode(), max_rows=10)) == []


def test_every_row_is_read_once_in_order():
    """One pass over the rows (no per-row rescans); the speed itself is measured in benchmarks/."""
    for n in (2_000, 8_000):
        data = xlsx([["姓名"]] + [[f"考生{i}"] for i in range(n)])
        rows = tabular.read("名单.xlsx", data, max_rows=n)
        assert [line for line, _ in rows] == list(range(1, n + 2))


# ---------------------------------------------------------------- writing

def test_csv_export_neutralises_every_formula_start_and_reads_back_unchanged():
    data = tabular.csv_bytes(["姓名", "成绩"], [[a, 1.0] for a in ATTACKS])
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["姓名", "成绩"]
    for attack, row in zip(ATTACKS, rows[1:]):
        assert row[0] == "'" + attack and row[1] == "1"   # 1, not 1.0: the XLSX says the same
        assert tabular.cell_text(row[0]) == attack.strip()
    back = tabular.read("导出.csv", data, max_rows=100)
    assert [tabular.cell_text(cells[0]) for _, cells in back][1:] == [a.strip() for a in ATTACKS]


def test_xlsx_export_holds_only_text_cells_and_no_formula():
    data = tabular.xlsx_bytes([tabular.Sheet("成绩", ["姓名", "成绩", "达标"], [[a, 88.5, True] for a in ATTACKS],
                                             (20, 8, 6))])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    ws = load_workbook(io.BytesIO(data)).active
    values = list(ws.iter_rows(values_only=True))
    assert values[0] == ("姓名", "成绩", "达标")
    for attack, row in zip(ATTACKS, values[1:]):
        assert row == ("'" + attack, "88.5", "是")
    for row in ws.iter_rows(min_row=2):
        assert all(cell.data_type == "s" for cell in row)
    assert ws.column_dimensions["A"].width == 20 and ws["A1"].font.b


def test_plain_numbers_are_not_prefixed_but_formulas_that_look_numeric_are():
    assert [tabular.neutralise(v) for v in (-12.5, "-12.5", "+3", "-40%", -3, "-1+2", "+1+1", "-A1")] == \
        ["-12.5", "-12.5", "+3", "-40%", "-3", "'-1+2", "'+1+1", "'-A1"]


def test_csv_and_xlsx_write_the_same_text():
    rows = [["张三", 1.0, 2.5, None, "=1"], ["李四", 0, 100, "", "@x"]]
    from_csv = list(csv.reader(io.StringIO(tabular.csv_bytes(["a", "b", "c", "d", "e"], rows).decode("utf-8-sig"))))
    ws = load_workbook(io.BytesIO(tabular.xlsx_bytes([tabular.Sheet("s", ["a", "b", "c", "d", "e"], rows)]))).active
    from_xlsx = [[v or "" for v in row] for row in ws.iter_rows(values_only=True)]
    assert from_csv == from_xlsx


def test_writing_many_rows_streams(rows=20_000):
    data = tabular.xlsx_bytes([tabular.Sheet("s", ["a", "b"], ([f"考生{i}", i] for i in range(rows)))])
    assert sum(1 for _ in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows()) == rows + 1
