"""A call log as the files a candidate downloads: CSV for any tool, XLSX for Excel/WPS.

Headers are Chinese because the candidate works in Chinese. The CSV carries a UTF-8 byte-order mark,
without which Excel on Chinese Windows reads UTF-8 as GBK and garbles every header. Both files hold
the same rows, one call each, with the same cell text (numbers as numbers in the workbook), so a
candidate may use either; the workbook adds a sheet stating the date, the period and the staffed
agent-hours occupancy is measured against (the page states them too, since a CSV has no room for
them without breaking its rows).
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from practical.kpi import KPIS, SL_THRESHOLD_S, CallLog, CallRecord

COLUMNS = ("呼叫编号", "进线时间", "呼叫状态", "排队等待(秒)", "是否接通", "是否放弃", "通话时长(秒)",
           "保持时长(秒)", "话后处理(秒)", "座席工号", "首次解决", "业务类型")

SHEET_LOG = "通话记录"
SHEET_NOTES = "说明"


def _records(log: CallLog | list[CallRecord]) -> list[CallRecord]:
    return log.records if isinstance(log, CallLog) else list(log)


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def rows(log: CallLog | list[CallRecord]) -> list[list]:
    """One list per call in ``COLUMNS`` order; durations as ints, flags as 是/否."""
    return [[r.call_id, r.offered_at, r.status, r.wait_s, _yes(r.answered), _yes(r.abandoned), r.talk_s, r.hold_s,
             r.acw_s, r.agent_id, _yes(r.resolved_first_contact) if r.answered else "", r.category]
            for r in _records(log)]


def to_csv(log: CallLog | list[CallRecord]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(log))
    return out.getvalue().encode("utf-8-sig")


def notes(log: CallLog | list[CallRecord]) -> list[tuple[str, str]]:
    """What a workbook's 说明 sheet says besides the rows."""
    out = []
    if isinstance(log, CallLog):
        if log.date:
            out.append(("统计日期", log.date))
        if log.period:
            out.append(("统计时段", log.period))
        hours = log.staffed_seconds / 3600
        out.append(("座席总在线时长（小时）", f"{hours:g}"))
        out.append(("座席总在线时长（秒）", str(log.staffed_seconds)))
    out.append(("记录条数", str(len(_records(log)))))
    out.append(("服务水平阈值", f"{SL_THRESHOLD_S} 秒"))
    out.append(("呼叫状态", "接通：已由座席接听；放弃：排队中挂断；溢出未接入：未进入排队"))
    out += [(f"指标：{k.name}", k.definition) for k in KPIS.values()]
    return out


def to_xlsx(log: CallLog | list[CallRecord]) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = SHEET_LOG
    sheet.append(list(COLUMNS))
    for row in rows(log):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    for n, width in enumerate((10, 20, 12, 13, 9, 9, 13, 13, 13, 10, 9, 10), 1):
        sheet.column_dimensions[get_column_letter(n)].width = width
    info = wb.create_sheet(SHEET_NOTES)
    for key, value in notes(log):
        info.append([key, value])
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 80
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
