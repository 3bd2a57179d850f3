"""Admission tickets (准考证) as A4 PDF pages (pure: plain values in, bytes out).

One page per candidate, so the same function makes a candidate's own ticket and the whole session's
stack for the printer. The Chinese fonts are the certificates' (``certificates.fonts``: WenQuanYi Zen
Hei, with HanaMin per character for the rare name characters Zen Hei lacks), embedded and subset to
the characters used: the ticket must print the same on a borrowed office computer with no Chinese
fonts at all, which ``UnicodeCIDFont`` cannot promise, and 陈𬱖's ticket must show his name. The ticket number is printed in large digits and as a
Code 128 barcode, so the door can scan it instead of reading twelve digits aloud.
"""

from __future__ import annotations

import io

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from certificates import fonts
from exam.sessions.roster.admission import AdmissionTicket

FONT = fonts.FONT
TITLE = "呼叫服务员职业技能等级考试"
PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
PHOTO_W, PHOTO_H = 30 * mm, 40 * mm          # 一寸照片的常用打印尺寸（约 25×35 mm，留边）
FontMissing = fonts.FontMissing


def _register_font() -> str:
    return fonts.register()


def _window(pair) -> str:
    start, end = pair
    if start.date() == end.date():
        return f"{start:%Y年%m月%d日 %H:%M} – {end:%H:%M}"
    return f"{start:%Y年%m月%d日 %H:%M} – {end:%Y年%m月%d日 %H:%M}"


def _facts(t: AdmissionTicket) -> list[tuple[str, str]]:
    theory = f"{_window(t.theory_window)}（作答 {t.duration_minutes} 分钟）"
    place = t.seat_label + (f"（{t.room_location}）" if t.room_location else "")
    return [
        ("姓　　名", t.name), ("身份证号", t.masked_id), ("工作单位", t.employer or "—"),
        ("考试场次", t.session_name), ("报考等级", t.level_name), ("考场座位", place),
        ("理论考试", theory), ("实操考核", f"{_window(t.practical_window)}（含打字测试）"),
    ]


def _photo(c: Canvas, t: AdmissionTicket, x: float, y: float) -> None:
    c.setStrokeColor(colors.grey)
    c.rect(x, y, PHOTO_W, PHOTO_H)
    if t.photo:
        try:
            c.drawImage(ImageReader(io.BytesIO(t.photo)), x + 1, y + 1, PHOTO_W - 2, PHOTO_H - 2,
                        preserveAspectRatio=True, anchor="c")
            return
        except Exception:     # a photo that will not decode must not cost the candidate their ticket
            pass
    c.setFont(FONT, 8)
    c.setFillColor(colors.grey)
    c.drawCentredString(x + PHOTO_W / 2, y + PHOTO_H / 2 + 2, "照片")
    c.drawCentredString(x + PHOTO_W / 2, y + PHOTO_H / 2 - 10, "（请贴近期免冠照片）")
    c.setFillColor(colors.black)


def _page(c: Canvas, t: AdmissionTicket, printed: str) -> None:
    top = PAGE_H - MARGIN
    c.setFont(FONT, 16)
    c.drawCentredString(PAGE_W / 2, top - 8 * mm, TITLE)
    c.setFont(FONT, 26)
    c.drawCentredString(PAGE_W / 2, top - 21 * mm, "准  考  证")
    c.setLineWidth(1.2)
    c.line(MARGIN, top - 26 * mm, PAGE_W - MARGIN, top - 26 * mm)

    # Ticket number: big digits, then its barcode.
    y = top - 38 * mm
    c.setFont(FONT, 11)
    c.drawString(MARGIN, y, "准考证号")
    c.setFont(FONT, 20)
    c.drawString(MARGIN + 22 * mm, y - 1, " ".join([t.ticket_number[:4], t.ticket_number[4:-4], t.ticket_number[-4:]])
                 if len(t.ticket_number) >= 12 else t.ticket_number)
    barcode = Code128(t.ticket_number, barHeight=12 * mm, barWidth=0.36 * mm, humanReadable=False)
    barcode.drawOn(c, MARGIN + 2 * mm - barcode.lquiet, y - 18 * mm)

    # Photo on the right of the number; the facts below both, full width.
    _photo(c, t, PAGE_W - MARGIN - PHOTO_W, top - 30 * mm - PHOTO_H)
    value_style = ParagraphStyle("v", fontName=FONT, fontSize=11.5, leading=15, wordWrap="CJK")
    y = top - 78 * mm
    for label, value in _facts(t):
        para = Paragraph(fonts.markup(value), value_style)
        _w, h = para.wrap(PAGE_W - 2 * MARGIN - 24 * mm, 60 * mm)
        c.setFont(FONT, 11.5)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(MARGIN, y - 11.5, label)
        c.setFillColor(colors.black)
        para.drawOn(c, MARGIN + 24 * mm, y - h)
        y -= max(h, 15) + 3 * mm

    # Rules.
    y -= 2 * mm
    c.setLineWidth(0.6)
    c.line(MARGIN, y, PAGE_W - MARGIN, y)
    y -= 8 * mm
    c.setFont(FONT, 13)
    c.drawString(MARGIN, y, "考场规则")
    y -= 3 * mm
    rule_style = ParagraphStyle("r", fontName=FONT, fontSize=10.5, leading=15.5, wordWrap="CJK",
                                leftIndent=6 * mm, firstLineIndent=-6 * mm)
    for n, rule in enumerate(t.rules, start=1):
        para = Paragraph(f"{n}．{fonts.markup(rule)}", rule_style)
        _w, h = para.wrap(PAGE_W - 2 * MARGIN, 80 * mm)
        y -= h + 1.5 * mm
        para.drawOn(c, MARGIN, y)

    c.setFont(FONT, 9)
    c.setFillColor(colors.grey)
    c.drawString(MARGIN, MARGIN - 6 * mm, f"请妥善保管本准考证，考试结束前不得遗失。打印时间：{printed}")
    c.setFillColor(colors.black)


def render(tickets: list[AdmissionTicket], printed: str, title: str = "准考证") -> bytes:
    """A PDF with one A4 page per ticket; ``printed`` is the local time shown in the footer."""
    _register_font()
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, pageCompression=1, initialFontName=FONT, initialFontSize=11)
    c.setTitle(title)
    c.setAuthor("callexam")
    c.setSubject(TITLE)
    for t in tickets:
        _page(c, t, printed)
        c.showPage()
    c.save()
    return out.getvalue()
