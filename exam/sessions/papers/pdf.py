"""The exam office's room papers as PDFs (pure: ``records`` values in, bytes out): the sign-in sheet
(签到表), the seat plan (座位表) and the room report (考场记录).

Same fonts as the admission tickets and certificates (``certificates.fonts``: WenQuanYi Zen Hei with
HanaMin for the rare name characters, embedded and subset), so a sheet prints the same on any office
computer and 陈𬱖 can sign beside his own name. Sheets are A4 with the session, room and page number on
every page, for the binder they end up in.
"""

from __future__ import annotations

import io
import math

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from certificates import fonts
from exam.sessions.papers.records import RoomReport, RoomSheet

FONT = fonts.FONT
TITLE = "呼叫服务员职业技能等级考试"
MARGIN = 14 * mm
PHOTO_W, PHOTO_H = 15 * mm, 20 * mm
SEATS_PER_ROW = 6


def _styles() -> dict[str, ParagraphStyle]:
    fonts.register()
    return {
        "title": ParagraphStyle("t", fontName=FONT, fontSize=16, leading=22, alignment=1),
        "sub": ParagraphStyle("s", fontName=FONT, fontSize=10, leading=14, alignment=1),
        "cell": ParagraphStyle("c", fontName=FONT, fontSize=9.5, leading=12.5, wordWrap="CJK"),
        "small": ParagraphStyle("m", fontName=FONT, fontSize=8, leading=10.5, wordWrap="CJK"),
        "h": ParagraphStyle("h", fontName=FONT, fontSize=12, leading=17, spaceBefore=6, spaceAfter=3),
        "body": ParagraphStyle("b", fontName=FONT, fontSize=10, leading=14, wordWrap="CJK"),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(fonts.markup(str(text)), style)


def _head(sheet: RoomSheet, paper: str, st) -> list:
    place = sheet.room_name + (f"（{sheet.location}）" if sheet.location else "")
    windows = "；".join(f"{label} {when}" for label, when in sheet.windows)
    return [_p(f"{TITLE} · {paper}", st["title"]),
            _p(f"{sheet.session_name} · {sheet.level_name} · 考场：{place}", st["sub"]),
            _p(windows, st["sub"]), Spacer(1, 4 * mm)]


def _footer(label: str, printed: str):
    def draw(canvas, doc):
        canvas.saveState()
        width, _ = doc.pagesize
        fonts.draw_string(canvas, MARGIN, 8 * mm, f"{label} · 打印时间 {printed}", 8)
        fonts.draw_string(canvas, width - MARGIN, 8 * mm, f"第 {doc.page} 页", 8, anchor="r")
        canvas.restoreState()
    return draw


def _build(story: list, label: str, printed: str, pagesize=A4) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN + 4 * mm, title=label, author="callexam", subject=TITLE)
    footer = _footer(label, printed)
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _photo(data: bytes | None, st):
    if data:
        try:
            reader = ImageReader(io.BytesIO(data))
            w, h = reader.getSize()
            scale = min(PHOTO_W / w, PHOTO_H / h)
            return Image(io.BytesIO(data), w * scale, h * scale)
        except Exception:     # an undecodable photo leaves the box for the examiner to compare by eye
            pass
    return _p("（无照片）", st["small"])


GRID = TableStyle([
    ("FONTNAME", (0, 0), (-1, -1), FONT),     # plain-string cells (numbers: never wrapped mid-number)
    ("FONTSIZE", (0, 0), (-1, -1), 9),
    ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
])


def signin_sheet(sheet: RoomSheet, printed: str) -> bytes:
    """签到表: seat, name, ticket, masked ID, photo, employer and an empty box for the signature."""
    st = _styles()
    rows = [[_p(h, st["cell"]) for h in ("座位", "姓名", "准考证号", "身份证号", "照片", "工作单位", "考生签名")]]
    for s in sheet.seats:
        rows.append([_p(s.seat_no or "—", st["cell"]), _p(s.name, st["cell"]), s.ticket, s.masked_id,
                     _photo(s.photo, st), _p(s.employer or "—", st["small"]), ""])
    widths = [10 * mm, 23 * mm, 27 * mm, 37 * mm, 19 * mm, 30 * mm, 36 * mm]   # 182 mm: A4 less margins
    table = Table(rows, colWidths=widths, repeatRows=1, rowHeights=[None] + [PHOTO_H + 3 * mm] * len(sheet.seats))
    story = _head(sheet, "签到表", st) + [table, Spacer(1, 6 * mm), _p(
        f"应到 {len(sheet.seats)} 人，实到＿＿＿人。监考员签名：＿＿＿＿＿＿＿＿　＿＿＿＿＿＿＿＿", st["body"])]
    table.setStyle(GRID)
    return _build(story, f"签到表 · {sheet.session_name} · {sheet.room_name}", printed)


def seat_plan(sheet: RoomSheet, printed: str) -> bytes:
    """座位表: the room's seats as a grid from the front (the invigilators' desk), each seat with its
    number, the candidate's name and ticket; an empty seat is drawn empty."""
    st = _styles()
    by_no = {s.seat_no: s for s in sheet.seats if s.seat_no}
    unseated = [s for s in sheet.seats if not s.seat_no]
    capacity = max([sheet.capacity] + list(by_no))
    columns = min(SEATS_PER_ROW, max(capacity, 1))
    rows = []
    for r in range(math.ceil(capacity / columns)):
        line = []
        for c in range(columns):
            n = r * columns + c + 1
            if n > capacity:
                line.append("")
                continue
            s = by_no.get(n)
            text = f"{n} 号<br/>{fonts.markup(s.name)}<br/>{s.ticket}" if s else f"{n} 号<br/>（空）"
            line.append(Paragraph(text, st["cell"]))
        rows.append(line)
    width = (landscape(A4)[0] - 2 * MARGIN) / columns
    table = Table(rows, colWidths=[width] * columns, rowHeights=[18 * mm] * len(rows))
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    story = _head(sheet, "座位表", st) + [_p("前　方（讲台、监考员）", st["sub"]), Spacer(1, 3 * mm), table]
    if unseated:
        story += [Spacer(1, 4 * mm), _p("未安排座位：" + "、".join(f"{s.name}（{s.ticket}）" for s in unseated),
                                        st["body"])]
    return _build(story, f"座位表 · {sheet.session_name} · {sheet.room_name}", printed, landscape(A4))


def room_report(report: RoomReport, printed: str) -> bytes:
    """考场记录: times, examiners, attendance, each candidate's outcome per part, incidents and every
    proctor action with its reason, then the signature lines."""
    st = _styles()
    sheet = report.sheet
    story = _head(sheet, "考场记录", st)
    story.append(_p("考评员（监考）：" + ("、".join(report.examiners) or "—"), st["body"]))
    story.append(_p("出勤：" + "，".join(f"{k} {v}" for k, v in report.attendance.items())
                    + ("" if report.closed else "（考试尚未全部结束，记录截至打印时间）"), st["body"]))
    story.append(_p("考生情况", st["h"]))
    rows = [[_p(h, st["cell"]) for h in ("座位", "姓名", "准考证号", "出勤", "各部分结束方式")]]
    for seat, word, endings in report.outcomes:
        rows.append([_p(seat.seat_no or "—", st["cell"]), _p(seat.name, st["cell"]), seat.ticket,
                     _p(word, st["cell"]), _p("；".join(endings) or "—", st["small"])])
    table = Table(rows, colWidths=[12 * mm, 26 * mm, 30 * mm, 30 * mm, 84 * mm], repeatRows=1)   # 已签到未作答 on one line
    table.setStyle(GRID)
    story.append(table)
    for title, lines, empty in (("考场情况记录", report.incidents, "无"), ("监考操作记录（含原因）", report.actions, "无")):
        story.append(_p(title, st["h"]))
        if not lines:
            story.append(_p(empty, st["body"]))
            continue
        rows = [[_p(h, st["cell"]) for h in ("时间", "事项", "考生", "操作人", "原因／说明")]]
        rows += [[_p(x.at, st["small"]), _p(x.what, st["cell"]), _p(x.who, st["cell"]), _p(x.by, st["cell"]),
                  _p(x.reason or "—", st["small"])] for x in lines]
        t = Table(rows, colWidths=[24 * mm, 30 * mm, 30 * mm, 22 * mm, 76 * mm], repeatRows=1)
        t.setStyle(GRID)
        story.append(t)
    story += [Spacer(1, 10 * mm), _p("监考员签名：＿＿＿＿＿＿＿＿　＿＿＿＿＿＿＿＿　　考务主管签名：＿＿＿＿＿＿＿＿　　"
                                     "日期：＿＿＿＿年＿＿月＿＿日", st["body"])]
    return _build(story, f"考场记录 · {sheet.session_name} · {sheet.room_name}", printed)
