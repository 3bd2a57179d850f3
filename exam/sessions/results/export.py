"""A session's results table as files for the examination office: XLSX (Excel/WPS) and CSV.

Both hold the same rows and columns as the results page (``exam.sessions.results.table``), written by
the one tabular module (``exam.tabular``): every cell is text, so a candidate named ``=HYPERLINK(…)`` is
never a formula (OWASP CSV injection) and the CSV and the workbook say the same (``88`` in both, never
``88.0``). Headers are Chinese; the CSV carries a UTF-8 byte-order mark, without which Excel on Chinese
Windows reads UTF-8 as GBK and garbles every header.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from exam import standard, tabular
from exam.sessions.results.table import DONE, Part, ResultRow, Table
from exam.timeutil import to_local

COLUMNS = ("准考证号", "姓名", "用户名", "理论成绩", "理论结论", "实操成绩", "实操结论",
           "打字速度（字/分）", "打字准确率（%）", "打字结论", "总体结论", "备注")
WIDTHS = (16, 12, 14, 10, 10, 10, 12, 16, 16, 10, 10, 36)
SHEET_RESULTS = "成绩汇总"
SHEET_NOTES = "说明"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def verdict(passed: bool | None, yes: str = "合格", no: str = "不合格", undecided: str = "待定") -> str:
    return undecided if passed is None else yes if passed else no


def _score(part: Part) -> float | None:
    return round(float(part.score), 2) if part.state == DONE and part.score is not None else None


def _part_verdict(part: Part, yes: str = "合格", no: str = "不合格") -> str:
    return verdict(part.passed, yes, no) if part.state == DONE else part.state_name


def row_values(row: ResultRow) -> list:
    """One row in ``COLUMNS`` order: scores rounded (None for an empty cell), verdicts as words."""
    t = row.typing
    return [row.ticket_number or "", row.name, row.username,
            _score(row.theory), _part_verdict(row.theory),
            _score(row.practical), _part_verdict(row.practical),
            round(t.net_cpm, 1) if t.state == DONE and t.net_cpm is not None else None,
            round(t.accuracy * 100, 1) if t.state == DONE and t.accuracy is not None else None,
            _part_verdict(t, "达标", "未达标"),
            verdict(row.overall), "；".join(row.notes)]


def notes(table: Table, generated_at: dt.datetime, tz: str) -> list[tuple[str, str]]:
    s = table.exam_session
    local = lambda value: to_local(value, tz).strftime("%Y-%m-%d %H:%M")  # noqa: E731
    return [
        ("场次", s.name),
        ("等级", standard.level(s.level).name),
        ("理论考试时间", f"{local(s.opens_at)} 至 {local(s.closes_at)}"),
        ("实操考核时间", f"{local(s.practical_window[0])} 至 {local(s.practical_window[1])}"),
        ("导出时间", local(generated_at)),
        ("合格规则", f"理论 {standard.THEORY_PASS_MARK} 分合格，实操 {standard.PRACTICAL_PASS_MARK} 分合格（满分 "
                 f"{standard.FULL_MARKS}，含打字部分得分），打字每分钟正确录入不少于 "
                 f"{standard.TYPING_CHARS_PER_MINUTE} 字且准确率达标；三项均合格为总体合格。"),
        ("结论说明", "待定：尚有未评分或未交卷的部分；缺考、作废按不合格计。"),
    ]


def to_xlsx(table: Table, generated_at: dt.datetime, tz: str) -> bytes:
    return tabular.xlsx_bytes([
        tabular.Sheet(SHEET_RESULTS, COLUMNS, (row_values(r) for r in table.rows), WIDTHS),
        tabular.Sheet(SHEET_NOTES, ("项目", "内容"), notes(table, generated_at, tz), (14, 90), wrap=True),
    ])


def to_csv(table: Table) -> bytes:
    return tabular.csv_bytes(COLUMNS, (row_values(r) for r in table.rows))


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def filename(table: Table, ext: str) -> str:
    """The session's name, made safe for every file system, and what the file is."""
    name = _UNSAFE.sub("_", table.exam_session.name).strip(" ._") or f"场次{table.exam_session.id}"
    return f"{name}-成绩汇总.{ext}"


def content_disposition(name: str, fallback: str) -> str:
    """An attachment header that keeps the Chinese file name (RFC 5987/6266 ``filename*``) with a
    plain ASCII ``filename`` for clients that do not read it."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
