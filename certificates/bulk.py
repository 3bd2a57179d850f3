"""Bulk verification files: read HR's list of numbers and names (XLSX or CSV), write the results XLSX.

A file that cannot be read as a list (no header, wrong type, too many rows) is refused whole. A row
with a bad number or name is reported *on its own line* of the results ("格式有误" and why), and
every other row is still checked: one mistyped number no longer costs HR the other 1,999 answers,
and the results still list every line of their file in order, so nothing is silently left out. Headers are matched loosely (Chinese or
English, any order, extra columns ignored) since the list usually comes from HR's own template.
Pure functions: no Flask, no database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from certificates import numbering
from exam import tabular
from exam.tabular import cell_text

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024
NAME_MAX = 100     # as the look-up form and the register's holder_name column
HEADER_SEARCH_LINES = 10

NUMBER_ALIASES = ("证书编号", "证书号", "证书号码", "编号", "number", "certificate number", "certificate no")
NAME_ALIASES = ("姓名", "持证人", "持证人姓名", "name", "holder", "holder name")
_NOISE = re.compile(r"\(.*?\)|[\s_\-*:.]")


def _key(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


_COLUMNS = {**{_key(a): "number" for a in NUMBER_ALIASES}, **{_key(a): "name" for a in NAME_ALIASES}}


@dataclass(frozen=True)
class BulkRow:
    line: int
    number: str        # normalised (numbering.normalise)
    name: str


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be checked as written: reported on its line in the results."""

    line: int
    number: str
    name: str
    problem: str


@dataclass(frozen=True)
class BulkFile:
    rows: list[BulkRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)   # the file itself cannot be read: nothing is checked
    bad: list[BadRow] = field(default_factory=list)

    def __post_init__(self):
        if (self.rows or self.bad) and self.errors:
            raise ValueError("a file with errors must carry no rows: nothing of it may be checked")

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows or self.bad)


def _rows(filename: str, data: bytes) -> list[tuple[int, list]]:
    """Non-blank rows with their line numbers, through the one tabular reader (exam.tabular);
    raises ValueError with the Chinese reason."""
    try:
        return list(tabular.read(filename, data, max_rows=MAX_ROWS, max_bytes=MAX_BYTES,
                                 extra_rows=HEADER_SEARCH_LINES))
    except tabular.TabularError as exc:
        raise ValueError(str(exc)) from None


def parse(filename: str, data: bytes) -> BulkFile:
    try:
        rows = _rows(filename, data)
    except ValueError as exc:
        return BulkFile(errors=[str(exc)])
    header = next(((i, line, raw) for i, (line, raw) in enumerate(rows)
                   if line <= HEADER_SEARCH_LINES and any(_key(cell_text(v)) in _COLUMNS for v in raw)), None)
    if header is None:
        return BulkFile(errors=["找不到表头：第一行应写“证书编号”和“姓名”两列（可下载模板）"])
    start, header_line, raw = header
    index: dict[str, int] = {}
    for i, value in enumerate(raw):
        column = _COLUMNS.get(_key(cell_text(value)))
        if column and column not in index:
            index[column] = i
    errors = [f"第 {header_line} 行（表头）：缺少“{title}”列" for key, title in (("number", "证书编号"), ("name", "姓名"))
              if key not in index]
    if errors:
        return BulkFile(errors=errors)
    body = rows[start + 1:]
    if not body:
        return BulkFile(errors=["表头下面没有要核验的证书"])
    if len(body) > MAX_ROWS:
        return BulkFile(errors=[f"一次最多核验 {MAX_ROWS} 张证书：请拆分为几个文件"])
    found: list[BulkRow] = []
    bad: list[BadRow] = []
    for line, cells in body:
        def get(key: str) -> str:
            i = index[key]
            return re.sub(r"\s+", " ", cell_text(cells[i])) if i < len(cells) else ""
        number, name = get("number"), get("name")
        problems = []
        if not number:
            problems.append("“证书编号”为空")
        elif numbering.parse(number) is None:
            problems.append(f"证书编号“{number[:40]}”格式不对，应如 HJ-2026-C-000123")
        if not name:
            problems.append("“姓名”为空")
        elif len(name) > NAME_MAX:
            problems.append(f"姓名超过 {NAME_MAX} 个字")
        if problems:
            bad.append(BadRow(line, number[:40], name[:NAME_MAX], "；".join(problems)))
        else:
            found.append(BulkRow(line, numbering.normalise(number), name))
    return BulkFile(rows=found, bad=bad)


RESULT_HEADER = ("行号", "证书编号", "姓名", "核验结果", "等级", "身份证号（脱敏）", "理论知识成绩", "操作技能成绩",
                 "打字速度（字/分）", "发证日期", "有效期至", "发证机构", "说明")
RESULT_WIDTHS = (6, 20, 12, 10, 8, 22, 12, 12, 14, 12, 12, 24, 36)


#: Why a row was not checked: its number had too many wrong names from this account (exam.throttle);
#: such a row is 未核对 (``unchecked_row``), never 未找到.
SKIPPED_WHY = "该编号本小时内姓名不符次数过多，已暂停核验；请核对姓名后稍后再试"


def result_row(row: BulkRow, found) -> tuple:
    """One line of the results: ``found`` is a ``verification.Found`` or None."""
    if found is None:
        return (row.line, row.number, row.name, "未找到", "", "", "", "", "", "", "", "",
                "登记库中没有该编号的证书，或姓名与证书不符")
    v = found.view
    note = {"valid": "证书有效", "expired": f"证书已于 {v.expires_on.isoformat()} 过期",
            "revoked": "证书已撤销" + (f"（{found.revoked_on.isoformat()}）" if found.revoked_on else "")
            + ("，已换发新证书" if found.reissued else "")}.get(v.status, "")
    return (row.line, v.number, row.name, v.status_name, v.level_name, v.id_masked, _number(v.theory_score),
            _number(v.practical_score), _number(v.typing_cpm), v.issued_on.isoformat(), v.expires_on.isoformat(),
            v.issuer, note)


#: What a row that could not be asked says (the register unreachable or throttling the console's
#: questions): neither true nor false, so never counted as "未找到".
UNCHECKED = "未核对"


def unchecked_row(row: BulkRow, why: str) -> tuple:
    return (row.line, row.number, row.name, UNCHECKED, "", "", "", "", "", "", "", "", why)


def result_lines(parsed: BulkFile, answers: list) -> list[tuple]:
    """Every line of the file in its order: the checked rows' answers (``answers[i]`` is a
    ``verification.Found``, None for not found, or a str saying why the row could not be asked)
    and the bad rows. One function for the web page and ``callexam certificates verify-bulk``."""
    lines = [unchecked_row(r, a) if isinstance(a, str) else result_row(r, a) for r, a in zip(parsed.rows, answers)]
    lines += [(b.line, b.number, b.name, "格式有误", "", "", "", "", "", "", "", "", f"第 {b.line} 行：{b.problem}")
              for b in parsed.bad]
    return sorted(lines, key=lambda line: line[0])


STATUSES = ("有效", "已过期", "已撤销", "未找到", "格式有误", UNCHECKED)


def counts(lines: list[tuple]) -> dict[str, int]:
    """How many lines have each result, in ``STATUSES`` order."""
    return {status: sum(1 for line in lines if line[3] == status) for status in STATUSES}


def _number(text):
    """A score as the number it is ("72.5" → 72.5, "86" → 86), so the results sheet sums and sorts."""
    if text in ("", None):
        return ""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return text
    return int(value) if value.is_integer() else value


def results_xlsx(lines: list[tuple], checked_at: str) -> bytes:
    summary = [("核验时间", checked_at), ("共核验", len(lines))]
    summary += list(counts(lines).items())
    # numbers=True: the line numbers and scores are ints and floats the server made (HR's own cells,
    # the number and name, are str and stay neutralised text), so the sheet sums and sorts them
    return tabular.xlsx_bytes([tabular.Sheet("核验结果", RESULT_HEADER, lines, RESULT_WIDTHS, wrap=True, numbers=True),
                               tabular.Sheet("说明", ("项目", "内容"), summary, (12, 24), numbers=True)])


def template_xlsx() -> bytes:
    return tabular.xlsx_bytes([tabular.Sheet("核验名单", ("证书编号", "姓名"), [("HJ-2026-C-000123", "张三")], (22, 14))])
