"""考生名单（XLSX / CSV）的读取与校验，以及可下载的模板（纯函数，不依赖 Flask 或数据库）。

An examiner enrols a whole class from the spreadsheet HR sent, so the file is checked as a whole:
every problem of every row is reported at once, each with the spreadsheet's own row number (the
header is row 1 unless title rows sit above it), so the examiner fixes the file once and uploads it
again. Nothing of a file with a problem may be imported — ``RosterResult`` holds rows only when it
holds no errors, so a caller cannot import half a file by mistake.

Headers are matched loosely (Chinese or English, any order, extra columns ignored, a "（必填）" note
tolerated) because the file usually comes from somebody else's template, not ours.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date


from exam.sessions.roster.contact import PhoneError, mobile
from exam.sessions.roster.idcard import IdCardError, check, check_character, mask
from exam import tabular
from exam.tabular import cell_text

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
#: Title rows ("2024 年第 3 期呼叫服务员考试报名表") may sit above the header; look this far down.
HEADER_SEARCH_LINES = 10
NAME_MAX, EMPLOYER_MAX = 50, 100


@dataclass(frozen=True)
class Column:
    key: str
    title: str                   # the template's header and the field name in messages
    aliases: tuple[str, ...]     # accepted header texts; the first few are shown in messages
    required: bool


COLUMNS = (
    Column("name", "姓名", ("姓名", "考生姓名", "name", "full name"), True),
    Column("id_number", "身份证号", ("身份证号", "身份证号码", "身份证", "公民身份号码", "id_number",
                                    "id number", "id card", "id_no"), True),
    Column("phone", "手机号", ("手机号", "手机", "手机号码", "电话", "联系电话", "phone", "mobile"), True),
    Column("employer", "工作单位", ("工作单位", "单位", "所在单位", "单位名称", "employer", "company"), False),
)

_HEADER_NOISE = re.compile(r"\(.*?\)|[\s_\-*:]")


def _header_key(text: str) -> str:
    """"身份证号码（必填）", "ID_Number", "id number *" and "id-number" all compare equal."""
    return _HEADER_NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


_ALIASES = {_header_key(alias): column for column in COLUMNS for alias in column.aliases}


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    id_number: str
    phone: str
    employer: str
    birth_date: date
    sex: str


@dataclass(frozen=True)
class RosterResult:
    rows: list[RosterRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.rows and self.errors:
            raise ValueError("a roster with errors must not carry rows: nothing of it may be imported")

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


class _FileError(Exception):
    """The file as a whole cannot be read; the message is the Chinese reason."""


# ---------------------------------------------------------------- reading the file

def _read(filename: str, data: bytes) -> list[tuple[int, list]]:
    """The non-blank rows with their line numbers, through the one tabular reader (exam.tabular:
    encodings, the .xls refusal, merged cells, the row cap)."""
    try:
        return list(tabular.read(filename, data, max_rows=MAX_ROWS, max_bytes=MAX_BYTES,
                                 extra_rows=HEADER_SEARCH_LINES))
    except tabular.TabularError as exc:
        raise _FileError(str(exc)) from None


def _column_hint(column: Column) -> str:
    return "、".join(column.aliases[:3] + tuple(a for a in column.aliases if a.isascii())[:1])


def _find_header(rows) -> tuple[int, int] | None:
    """(index in rows, line) of the first row near the top that names a known column."""
    for i, (line, raw) in enumerate(rows):
        if line > HEADER_SEARCH_LINES:
            return None
        if any(_header_key(cell_text(v)) in _ALIASES for v in raw):
            return i, line
    return None


def _read_header(line: int, raw: list, say) -> dict[str, int]:
    index: dict[str, int] = {}
    seen: dict[str, str] = {}
    for i, value in enumerate(raw):
        text = cell_text(value)
        column = _ALIASES.get(_header_key(text)) if text else None
        if column is None:
            continue
        if column.key in index:
            say(line, "表头", f"“{seen[column.key]}”与“{text}”是同一列（{column.title}），请只保留一列")
            continue
        index[column.key] = i
        seen[column.key] = text
    for column in COLUMNS:
        if column.required and column.key not in index:
            say(line, "表头", f"缺少“{column.title}”列（列名可写作：{_column_hint(column)}）")
    return index


# ---------------------------------------------------------------- rows

def _plain(value) -> str:
    """A cell's text with inner runs of whitespace (line breaks from Alt+Enter included) made one space."""
    return re.sub(r"\s+", " ", cell_text(value))


def _id_text(value) -> str:
    """Excel keeps only 15 significant digits of a number: an ID stored as one has lost its tail."""
    if isinstance(value, float) and abs(value) >= 1e15:
        raise IdCardError("身份证号被 Excel 当作数字保存，后几位已经丢失："
                          "请把该列设置为“文本”格式后重新填写")
    return cell_text(value)


def _check_row(line: int, raw: list, index: dict[str, int], today: date, say) -> RosterRow | None:
    def get(key: str):
        i = index.get(key)
        return raw[i] if i is not None and i < len(raw) else None

    problems = 0

    def bad(field_name: str, reason: str) -> None:
        nonlocal problems
        problems += 1
        say(line, field_name, reason)

    name = _plain(get("name"))
    if not name:
        bad("姓名", "不能为空")
    elif len(name) > NAME_MAX:
        bad("姓名", f"不能超过 {NAME_MAX} 个字，实际 {len(name)} 个字")

    card = None
    try:
        card = check(_id_text(get("id_number")), today)
    except IdCardError as exc:
        bad("身份证号", str(exc))

    phone = ""
    try:
        phone = mobile(cell_text(get("phone")))
    except PhoneError as exc:
        bad("手机号", str(exc))

    employer = _plain(get("employer"))
    if len(employer) > EMPLOYER_MAX:
        bad("工作单位", f"不能超过 {EMPLOYER_MAX} 个字，实际 {len(employer)} 个字")

    if card is None:
        return None
    row = RosterRow(line=line, name=name, id_number=card.number, phone=phone, employer=employer,
                    birth_date=card.birth_date, sex=card.sex)
    return None if problems else row


def parse(filename: str, data: bytes, today: date) -> RosterResult:
    """Every row of the roster, or — if anything at all is wrong — no rows and every problem."""
    errors: list[str] = []

    def say(line: int, field_name: str, reason: str) -> None:
        errors.append(f"文件 {filename} 第 {line} 行，{field_name}：{reason}")

    def whole(reason: str) -> RosterResult:
        return RosterResult(errors=[f"文件 {filename}：{reason}"])

    try:
        rows = _read(filename, data)
    except _FileError as exc:
        return whole(str(exc))
    if not rows:
        return whole("文件中没有任何内容")
    found = _find_header(rows)
    if found is None:
        titles = "、".join(c.title for c in COLUMNS)
        return whole(f"找不到表头：前 {HEADER_SEARCH_LINES} 行中没有可识别的列名。第一行应为表头，如：{titles}")
    position, header_line = found
    index = _read_header(header_line, rows[position][1], say)
    if errors:
        return RosterResult(errors=errors)
    body = rows[position + 1:]
    if not body:
        return whole("只有表头，没有考生：请从表头下一行起每行填写一名考生")
    if len(body) > MAX_ROWS:
        return whole(f"考生超过 {MAX_ROWS} 人：请拆分为几个文件，每个不超过 {MAX_ROWS} 行，分别导入")

    result: list[RosterRow] = []
    first_line: dict[str, int] = {}
    for line, raw in body:
        row = _check_row(line, raw, index, today, say)
        number = row.id_number if row else _valid_number(raw, index, today)
        if number is None:
            continue
        if _is_example(raw, index):     # the template's own example row: never a real candidate
            say(line, "姓名", f"这是名单模板中的示例行（姓名中有“{EXAMPLE_MARK}”），不能作为考生导入：请删除该行或改为真实考生")
            continue
        if number in first_line:
            say(line, "身份证号", f"与第 {first_line[number]} 行重复（{mask(number)}），同一考生只能出现一次")
            continue
        first_line[number] = line
        if row is not None:
            result.append(row)
    return RosterResult(errors=errors) if errors else RosterResult(rows=result)


def _valid_number(raw: list, index: dict[str, int], today: date) -> str | None:
    """The row's ID number if that cell alone is valid: a duplicate is worth reporting even when the
    row has other problems."""
    i = index["id_number"]
    try:
        return check(_id_text(raw[i] if i < len(raw) else None), today).number
    except IdCardError:
        return None


# ---------------------------------------------------------------- template

#: 110101 (北京市东城区) + 19900101 + sequence 001 (odd: 男), check character computed, never a
#: literal, so its ID is well-formed; ``parse`` refuses the row by the mark in its name, so an example
#: left in the file never becomes a candidate. 13800138000 is the number Chinese manuals use as an example.
EXAMPLE_BODY = "11010119900101001"
EXAMPLE_ID = EXAMPLE_BODY + check_character(EXAMPLE_BODY)
EXAMPLE_MARK = tabular.EXAMPLE_MARK      # one mark for every template's example rows (exam.tabular)
EXAMPLE = (f"张三{tabular.EXAMPLE_NOTE}", EXAMPLE_ID, "13800138000", "示例呼叫中心有限公司")


def _is_example(raw: list, index: dict[str, int]) -> bool:
    """The template's example row is marked in its name cell (a well-formed ID alone could be a real
    person's), so a row still carrying the mark is refused by name, whatever its ID."""
    i = index.get("name")
    return i is not None and i < len(raw) and tabular.is_example(raw[i])
WIDTHS = (14, 24, 16, 36)
#: Rows whose ID and phone cells are pre-set to text, so Excel keeps all 18 digits as typed.
TEXT_ROWS = 1000
_HELP = (
    ("姓名", "必填", f"考生姓名，不超过 {NAME_MAX} 个字。"),
    ("身份证号", "必填", "18 位居民身份证号码，末位可以是 X。该列已设为文本格式，请勿改为数字格式，"
                        "否则 Excel 会丢掉后几位。同一文件中每个身份证号只能出现一次。"),
    ("手机号", "必填", "11 位中国大陆手机号，可带 +86、空格或短横线。"),
    ("工作单位", "选填", f"考生所在单位，不超过 {EMPLOYER_MAX} 个字。"),
    (),
    ("说明", "", f"第 2 行是示例，导入前请删除或改为真实考生。每个文件最多 {MAX_ROWS} 名考生；"
                 "只读取第一个工作表；列的顺序可以调整，多余的列会被忽略。"
                 "文件中只要有一处错误，整份名单都不会导入，请按提示修改后重新上传。"),
)


def template_xlsx() -> bytes:
    text_columns = tuple(i for i, c in enumerate(COLUMNS) if c.key in ("id_number", "phone"))
    return tabular.xlsx_bytes([
        tabular.Sheet("考生名单", [c.title for c in COLUMNS], [EXAMPLE], WIDTHS, text_columns=text_columns,
                      text_rows=TEXT_ROWS),
        tabular.Sheet("填写说明", ("列名", "是否必填", "说明"), _HELP, (12, 10, 90), wrap=True),
    ])
