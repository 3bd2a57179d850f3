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
from exam.sessions.roster.idcard import mask
from exam.sessions.results.table import DONE, Part, ResultRow, Table
from exam.timeutil import to_local

BEFORE = ("准考证号", "姓名", "身份证号", "工作单位", "考场座位", "理论成绩", "理论结论", "实操成绩", "实操结论",
          "实操·打字得分")
AFTER = ("打字速度（字/分）", "打字准确率（%）", "打字结论", "总体结论", "证书编号", "备注")
WIDTH_BEFORE = (16, 12, 22, 20, 14, 10, 10, 10, 12, 12)
WIDTH_AFTER = (16, 16, 10, 10, 20, 36)
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


def task_count(table: Table) -> int:
    """How many practical task columns: the most tasks any candidate's paper has (a level's paper has
    a fixed number; a candidate who never sat it leaves the cells empty)."""
    return max((len(r.practical_tasks) for r in table.rows), default=0)


def columns(table: Table) -> tuple[str, ...]:
    """Every column HR and the 认定 body file: who (ID masked unless asked for whole, employer, seat),
    each part's score and verdict, the practical per task and its typing points, the typing speed and
    accuracy, the overall verdict and the certificate number."""
    return BEFORE + tuple(f"实操·任务{n}" for n in range(1, task_count(table) + 1)) + AFTER


def _points(value) -> float | None:
    return None if value is None else round(float(value), 2)


def row_values(row: ResultRow, tasks: int, full_id: bool = False) -> list:
    """One row in ``columns`` order: scores rounded (None for an empty cell), verdicts as words."""
    t = row.typing
    shown_id = (row.id_number if full_id else mask(row.id_number)) if row.id_number else ""
    done = row.practical.state == DONE
    per_task = [(_points(task.earned) if not task.waiting else None) for task in row.practical_tasks]
    per_task += [None] * (tasks - len(per_task))
    return [row.ticket_number or "", row.name, shown_id, row.employer, row.seat,
            _score(row.theory), _part_verdict(row.theory),
            _score(row.practical), _part_verdict(row.practical),
            _points(row.typing_points) if row.practical_tasks else None,
            *per_task,
            round(t.net_cpm, 1) if t.state == DONE and t.net_cpm is not None else None,
            round(t.accuracy * 100, 1) if t.state == DONE and t.accuracy is not None else None,
            _part_verdict(t, "达标", "未达标"),
            verdict(row.overall), row.certificate_number,
            "；".join(row.notes + ([] if done or not row.practical_tasks else ["实操分项为当前得分"]))]


def notes(table: Table, generated_at: dt.datetime, tz: str, full_id: bool = False) -> list[tuple[str, str]]:
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
        ("身份证号", "完整号码（按权限导出，已记入审计记录）" if full_id else "已遮盖中间 8 位；需完整号码报送认定机构时由有权限的考评员导出完整版"),
        ("实操分项", "实操·打字得分为打字测试计入实操的分数；实操·任务N 为第 N 个任务的得分（机器评分＋考评员评分）。"),
    ]


def _sheet_rows(table: Table, full_id: bool):
    tasks = task_count(table)
    return (row_values(r, tasks, full_id) for r in table.rows)


def to_xlsx(table: Table, generated_at: dt.datetime, tz: str, full_id: bool = False) -> bytes:
    cols = columns(table)
    widths = WIDTH_BEFORE + (10,) * task_count(table) + WIDTH_AFTER
    return tabular.xlsx_bytes([
        tabular.Sheet(SHEET_RESULTS, cols, _sheet_rows(table, full_id), widths),
        tabular.Sheet(SHEET_NOTES, ("项目", "内容"), notes(table, generated_at, tz, full_id), (14, 90), wrap=True),
    ])


def to_csv(table: Table, full_id: bool = False) -> bytes:
    return tabular.csv_bytes(columns(table), _sheet_rows(table, full_id))


_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def filename(table: Table, ext: str) -> str:
    """The session's name, made safe for every file system, and what the file is."""
    name = _UNSAFE.sub("_", table.exam_session.name).strip(" ._") or f"场次{table.exam_session.id}"
    return f"{name}-成绩汇总.{ext}"


def content_disposition(name: str, fallback: str) -> str:
    """An attachment header that keeps the Chinese file name (RFC 5987/6266 ``filename*``) with a
    plain ASCII ``filename`` for clients that do not read it."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
