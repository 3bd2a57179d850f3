"""Every CSV and XLSX file the app reads or writes goes through here (pure: bytes in, rows out).

Reading (question import, roster import, bulk verification):

- CSV in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (what Chinese Windows and WPS save
  by default); comma or tab separated (tab when the first line has tabs and no commas).
- XLSX (the first sheet), streamed with openpyxl's read-only reader after resetting the sheet's
  declared size, so a file claiming a million rows costs only the rows it holds; each row is read
  once (``ws[n]`` per row would rescan the sheet: quadratic, see PITFALLS). A merged range reads as
  its top-left value in every cell it covers (the merge list is read from the sheet's XML, streamed);
  ``Rows.merges`` lists the ranges, and ``wide_merges`` names those that span several columns of a data
  row, which a reader whose columns mean different things refuses (the question bank's 选项A/选项B).
- At most ``max_rows`` non-blank rows and ``MAX_LINES`` lines, at most ``MAX_COLUMNS`` columns: a
  bigger file is refused with a Chinese message saying the limit, before any row is checked, so no
  upload keeps a worker busy for long (and the web server's request time limit backs this up).
- Old Excel (.xls), WPS (.et/.wps) and other non-files get one refusal, worded once (``XLS_REFUSAL``).
- Line numbers are the spreadsheet's own (the header is usually line 1), kept with each row.
- A cell that starts with ``'`` followed by one of ``= + - @`` (how ``write_*`` neutralised it) reads
  back without the quote, so an export imports again unchanged.

Writing (results, question export, call logs, initial passwords, bulk verification results):

- every cell is text (numbers formatted by ``text``, so CSV and XLSX say the same: ``1`` not ``1.0``);
- a cell starting with ``= + - @``, tab or carriage return is prefixed with ``'`` (OWASP "CSV
  injection"), in CSV and XLSX alike, and XLSX cells are typed as strings, so no spreadsheet program
  evaluates a candidate named ``=HYPERLINK(…)``;
- CSV as UTF-8 with BOM and CRLF (Excel and WPS open it in Chinese without asking); XLSX with a bold
  header row and column widths.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import PurePath

#: How many lines (blank or not) a file may run to, and how many columns are read of each row.
MAX_LINES = 100_000
MAX_COLUMNS = 64
#: How many merged ranges a sheet may hold (a title row or a few grouped cells are normal).
MAX_MERGES = 5_000

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv",)
OLD_SUFFIXES = (".xls", ".et", ".wps", ".ods")
ZIP_MAGIC, OLE_MAGIC = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

XLS_REFUSAL = "这是旧版 Excel（.xls）或 WPS 表格文件，无法读取：请在 Excel 或 WPS 中“另存为” .xlsx 或 CSV 后再上传"
ENCODING_REFUSAL = "无法识别文件编码：请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后再上传"

#: The characters that make a spreadsheet program read a cell as a formula (OWASP CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?%?\Z")
#: A merged range in a sheet's XML (any namespace prefix): <mergeCell ref="A1:C1"/>.
_MERGE_REF = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3}\d{1,7}:[A-Z]{1,3}\d{1,7})"')


class TabularError(ValueError):
    """The whole file cannot be read; the message (Chinese) says why and what to do."""


@dataclass(frozen=True)
class Rows:
    """The non-blank rows of a file, each with its spreadsheet line number, cells as read (XLSX keeps
    numbers and dates; use ``cell_text`` for what a person typed)."""

    rows: list[tuple[int, list]] = field(default_factory=list)
    kind: str = "csv"   # "csv" or "xlsx"
    #: The sheet's merged ranges as written (``F2:G2``), XLSX only.
    merges: tuple[str, ...] = ()

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


# ---------------------------------------------------------------- reading

def cell_text(value) -> str:
    """A cell as the text a person typed: 12.0 read back as "12", no BOM, trimmed, and a quote this
    module put in front of a formula character taken off again."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\ufeff", "").strip()
    if len(text) > 1 and text[0] == "'" and text[1] in FORMULA_STARTS:
        text = text[1:].strip()
    return text


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030. Raises TabularError."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise TabularError(ENCODING_REFUSAL) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise TabularError(ENCODING_REFUSAL) from None


def kind_of(filename: str, data: bytes) -> str:
    """"xlsx" or "csv" from the name and the content; TabularError for anything else."""
    suffix = PurePath(filename or "").suffix.lower()
    if suffix in OLD_SUFFIXES or data.startswith(OLE_MAGIC):
        raise TabularError(XLS_REFUSAL)
    if suffix in XLSX_SUFFIXES:
        return "xlsx"
    if suffix in CSV_SUFFIXES:
        if data.startswith(ZIP_MAGIC):
            raise TabularError("文件内容是 Excel 工作簿而不是 CSV：请上传 .xlsx 文件，或在 Excel 中“另存为” CSV")
        return "csv"
    shown = f"“{suffix}”" if suffix else "（无扩展名）"
    raise TabularError(f"不支持的文件类型{shown}：请上传 .xlsx 或 .csv 文件")


def read(filename: str, data: bytes, *, max_rows: int, max_bytes: int | None = None,
         extra_rows: int = 10, kind: str | None = None) -> Rows:
    """The file's non-blank rows. More than ``max_rows + extra_rows`` of them (``extra_rows``: the
    header and title rows above it) is refused, as is a file over ``max_bytes``. ``kind`` ("csv",
    "xlsx") is given when the caller already knows the format (an import's --format); an old Excel
    file is refused either way."""
    if not data or not data.strip():
        raise TabularError("文件是空的")
    if max_bytes is not None and len(data) > max_bytes:
        raise TabularError(f"文件超过 {_size(max_bytes)}：请拆分为几个文件分别上传")
    if kind is None or data.startswith(OLE_MAGIC):
        kind = kind_of(filename, data)
    limit = max_rows + extra_rows
    merges: list[str] = []
    raw = _xlsx_rows(data, merges) if kind == "xlsx" else _csv_rows(data)
    found = []
    for line, cells in raw:
        if line > MAX_LINES:
            raise TabularError(f"文件超过 {MAX_LINES:,} 行：请删去多余的空行或拆分为几个文件")
        if any(cell_text(v) for v in cells):
            found.append((line, cells))
            if len(found) > limit:
                raise TabularError(f"文件的数据超过 {max_rows:,} 行（第 {line} 行已超出）：请拆分为几个文件分别上传")
    return Rows(found, kind, tuple(merges))


def wide_merges(rows: Rows, header_line: int = 1) -> list[tuple[int, str]]:
    """(line, Chinese message) for every data row (below ``header_line``) that a merged range spanning
    several columns covers, naming the range and the columns by their header. Such a row reads the
    top-left value in each column it covers, which is wrong where the columns mean different things
    (选项A and 选项B would hold the same option): a reader with such columns refuses these rows. A merge
    down one column (one 等级 for several rows) is a normal way to write a sheet and reads as before."""
    from openpyxl.utils import get_column_letter
    from openpyxl.utils.cell import range_boundaries

    names = next(([cell_text(v) for v in cells] for line, cells in rows if line == header_line), [])
    present = {line for line, _ in rows}
    out = []
    for ref in rows.merges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        if max_col == min_col:
            continue
        columns = "、".join(f"“{names[c - 1]}”" if c - 1 < len(names) and names[c - 1] else get_column_letter(c)
                           for c in range(min_col, min(max_col, MAX_COLUMNS) + 1))
        for line in range(max(min_row, header_line + 1), max_row + 1):
            if line in present:
                out.append((line, f"{ref} 是跨列合并的单元格（{columns}列）：合并后这几列会读成同一个值，"
                                  "请取消合并，每列分别填写"))
    return sorted(out)


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def _csv_rows(data: bytes):
    text = decode(data)
    if "\x00" in text:
        raise TabularError("文件不是文本格式的 CSV：请在 Excel 中“另存为”“CSV UTF-8（逗号分隔）”后再上传")
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for line, row in enumerate(reader, start=1):
            yield reader.line_num if reader.line_num else line, row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise TabularError(f"CSV 格式有误（第 {reader.line_num} 行：{exc}）：请检查引号是否成对") from None


def _xlsx_rows(data: bytes, merges: list[str]):
    """The sheet's rows; ``merges`` receives its merged ranges."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
    except Exception:  # openpyxl raises many kinds for something that is not a workbook
        raise TabularError("无法作为 Excel（.xlsx）文件打开：文件可能已损坏，或并不是电子表格") from None
    try:
        merged = _merged_cells(data, getattr(sheet, "_worksheet_path", None), merges)
        sheet.reset_dimensions()  # the declared size may be a million rows; read what is there
        for line, values in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            cells = list(values)
            while cells and cells[-1] is None:
                cells.pop()
            if merged:
                for col in range(len(cells)):
                    if (line, col) in merged:
                        cells[col] = merged[(line, col)]
                for (row, col), value in merged.items():
                    if row == line and col >= len(cells):
                        cells.extend([None] * (col + 1 - len(cells)))
                        cells[col] = value
            yield line, cells
            if line > MAX_LINES:
                return
    except TabularError:
        raise
    except Exception:
        raise TabularError("Excel 文件内容已损坏，无法读取：请在 Excel 中打开并重新保存后再上传") from None
    finally:
        book.close()


def _merged_cells(data: bytes, path: str | None, ranges: list[str]) -> dict[tuple[int, int], object]:
    """(line, column index) → the top-left value, for every cell a merged range covers beyond its
    top-left one; ``ranges`` receives the ranges. Read by streaming the sheet's XML (read-only
    openpyxl does not expose merges)."""
    if not path:
        return {}
    from openpyxl.utils.cell import range_boundaries

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        name = path.lstrip("/")
        if name not in archive.namelist():
            return {}
        with archive.open(name) as source:   # a byte scan: parsing the whole XML again costs as much as the rows
            tail = b""
            while chunk := source.read(1 << 20):
                block = tail + chunk
                last_end = 0
                for match in _MERGE_REF.finditer(block):
                    ranges.append(match.group(1).decode("ascii"))
                    last_end = match.end()
                    if len(ranges) > MAX_MERGES:
                        raise TabularError(f"工作表中的合并单元格超过 {MAX_MERGES:,} 处：请取消合并后再上传")
                tail = block[max(last_end, len(block) - 256):]
    if not ranges:
        return {}
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    for ref in ranges:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (TypeError, ValueError):
            continue
        if (max_row - min_row + 1) * (max_col - min_col + 1) > MAX_COLUMNS * 1000:
            raise TabularError(f"工作表的合并单元格 {ref} 范围过大：请取消合并后再上传")
        for row in range(min_row, max_row + 1):
            for col in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                if (row, col) != (min_row, min_col):
                    covered[(row, col - 1)] = (min_row, min_col - 1)
    if not covered:
        return {}
    # the top-left values, read in one more pass over the rows that hold them
    wanted = {origin for origin in covered.values()}
    rows_wanted = {row for row, _ in wanted}
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        last = max(rows_wanted)
        values: dict[tuple[int, int], object] = {}
        for line, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS, max_row=last), start=1):
            if line in rows_wanted:
                for row_no, col in wanted:
                    if row_no == line and col < len(row):
                        values[(row_no, col)] = row[col]
    finally:
        book.close()
    return {cell: values.get(origin) for cell, origin in covered.items()}


# ---------------------------------------------------------------- templates

#: A template's example rows carry this note in a cell the user must rewrite for a real row (a roster's
#: 姓名, a question's 题干); a reader refuses a row still carrying it (``is_example``), so an example left
#: in a file never becomes a candidate or a question.
EXAMPLE_MARK = "示例行"
EXAMPLE_NOTE = f"（{EXAMPLE_MARK}，导入前请删除）"
#: The mark in brackets, as the note writes it (also half-width or shortened): ``以下示例行为`` is no mark.
_EXAMPLE_RE = re.compile(rf"[（(【\[]\s*{EXAMPLE_MARK}")


def is_example(value) -> bool:
    """Whether a cell still carries a template's example mark (``EXAMPLE_NOTE``)."""
    return bool(_EXAMPLE_RE.search(str(value or "")))


# ---------------------------------------------------------------- writing

def text(value) -> str:
    """A value as the text of an exported cell: whole numbers without ".0", exact fractions and
    decimals as plain numbers, booleans as 是/否, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Fraction):
        value = float(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{round(value, 4):g}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def neutralise(value) -> str:
    """The exported text of a cell, with a leading formula character made harmless (OWASP). A plain
    number ("-12.5", "+3", "-40%") is no formula and stays as it is, so statistics read normally."""
    out = text(value)
    if out.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(out):
        return "'" + out
    return out


@dataclass(frozen=True)
class Choice:
    """A drop-down (Excel data validation) offering ``values`` in one column of a template. ``strict``
    refuses anything else as it is typed; otherwise the list only helps (a cell may hold several
    values, such as 初级、中级). The server checks every value again when the file comes back."""

    values: Sequence[str]
    strict: bool = False
    prompt: str = ""


@dataclass
class Sheet:
    """One worksheet to write: a bold header row (frozen when ``freeze``), its rows, column widths.
    ``wrap`` wraps long text; ``bold`` lists data rows (1 = the first after the header) shown in bold,
    e.g. a second table's header. ``numbers`` keeps int and float values as number cells — only for
    data the server generated itself (a practical task's call log, which candidates compute on);
    text is neutralised either way."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence] = ()
    widths: Sequence[int] = ()
    wrap: bool = False
    freeze: bool = True
    bold: Sequence[int] = ()
    numbers: bool = False
    #: Columns (0-based) formatted as text ("@") in every row up to ``text_rows`` data rows, so that
    #: Excel keeps an 18-digit ID number as typed into a template.
    text_columns: Sequence[int] = ()
    text_rows: int = 0
    #: Drop-downs by column (0-based), for the data rows up to ``choice_rows``.
    choices: dict = field(default_factory=dict)
    choice_rows: int = 1000


def _drop_down(col: int, choice: Choice, rows: int):
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    listed = ",".join(choice.values)
    if len(listed) > 255 or any('"' in v or "," in v for v in choice.values):
        raise ValueError("drop-down values must fit Excel's 255-character list without commas or quotes")
    letter = get_column_letter(col + 1)
    dv = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True, showErrorMessage=choice.strict,
                        showInputMessage=bool(choice.prompt), prompt=choice.prompt or None,
                        error="请从下拉列表中选择" if choice.strict else None)
    dv.add(f"{letter}2:{letter}{rows + 1}")
    return dv


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 with BOM, CRLF, every cell neutralised text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """One workbook: per sheet a bold header row, its rows, column widths. Written in openpyxl's
    write-only mode (rows streamed, nothing rescanned); every cell is a string cell."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from openpyxl.styles import Alignment

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    for spec in sheets:
        ws = book.create_sheet(spec.title[:31])
        for i, width in enumerate(spec.widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        if spec.freeze:
            ws.freeze_panes = "A2"

        def cells(values, font=None, spec=spec, ws=ws):
            out = []
            for value in values:
                if spec.numbers and isinstance(value, (int, float)) and not isinstance(value, bool):
                    cell = WriteOnlyCell(ws, value=value)
                elif value is None or value == "":
                    cell = WriteOnlyCell(ws, value=None)
                else:
                    cell = WriteOnlyCell(ws, value=neutralise(value))
                    cell.data_type = "s"  # text, never a formula, whatever it starts with
                    if spec.wrap:
                        cell.alignment = wrap
                if font is not None:
                    cell.font = font
                out.append(cell)
            return out

        for col, choice in spec.choices.items():
            ws.data_validations.append(_drop_down(col, choice, spec.choice_rows))
        ws.append(cells(spec.header, bold))
        bold_rows = set(spec.bold)
        written = 0
        for written, row in enumerate(spec.rows, start=1):
            row_cells = cells(row, bold if written in bold_rows else None)
            for col in spec.text_columns:
                if col < len(row_cells):
                    row_cells[col].number_format = "@"
            ws.append(row_cells)
        if spec.text_columns:
            width = max(spec.text_columns) + 1
            for _ in range(written, spec.text_rows):
                blank = [WriteOnlyCell(ws, value=None) for _ in range(width)]
                for col in spec.text_columns:
                    blank[col].number_format = "@"
                ws.append(blank)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
