"""The certificate as a person sees it: one A4 landscape page, framed, to be printed and hung up.

Everything printed comes from a ``CertificateView`` (the same values the QR token signs), so the
paper and the token cannot disagree. The page's ornament (frame, guilloché band, corner pieces, the
pale rosette behind the text) does not depend on the certificate: its PDF operators are built once
per process and pasted into each page, which keeps rendering near 10 ms.

The token is printed in the QR code and also kept in the PDF's document information under
``/CallexamToken`` (``pades.extract_token`` reads it back without decoding the image); ``pades.sign``
additionally attaches it as ``certificate-token.jws`` inside the signed revision.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zlib
from functools import lru_cache

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFArray, PDFDictionary, PDFInfo, PDFName, PDFStream, PDFString
from reportlab.pdfgen import canvas as rl_canvas

from . import fonts, qr

W, H = landscape(A4)
RED = (0.549, 0.110, 0.075)      # #8C1C13, the frame and the title
GOLD = (0.722, 0.569, 0.227)     # #B8913A
INK = (0.145, 0.133, 0.122)      # near-black for the body text
GREY = (0.42, 0.40, 0.37)
SEAL = (0.80, 0.10, 0.08)
PAPER = (0.984, 0.969, 0.925)    # ivory
PALE = (0.925, 0.885, 0.780)     # the rosette behind the text

QR_SIZE = 125.0                  # points: 44 mm, about 0.45 mm a module for a ~700-byte URL
TOKEN_INFO_KEY = "CallexamToken"
ORNAMENT_FORM = "callexamOrnament"


class _Info(PDFInfo):
    """reportlab's document information plus the token (reportlab has no API for custom keys)."""

    token = ""

    def format(self, document):
        text = super().format(document)
        if not self.token:
            return text
        extra = PDFDictionary({TOKEN_INFO_KEY: PDFString(self.token)}).format(document)
        return text.rstrip()[:-2].rstrip() + b"\n" + extra.strip()[2:]


def qr_data(token: str, verify_url: str) -> str:
    """What the QR code holds: the verify page with the token (``…/verify?t=<token>``). A
    ``verify_url`` that already carries the token is used as it is."""
    if token and token in verify_url:
        return verify_url
    return f"{verify_url}{'&' if '?' in verify_url else '?'}t={token}"


def _date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- the ornament, built once -----------------------------------------------------------------

def _rgb(c, stroke=False) -> str:
    return "%.3f %.3f %.3f %s" % (*c, "RG" if stroke else "rg")


def _rect(inset: float) -> str:
    return "%.2f %.2f %.2f %.2f re" % (inset, inset, W - 2 * inset, H - 2 * inset)


def _wave_side(x0, y0, x1, y1, amplitude, phase) -> list[str]:
    """A sine wave along one side, a whole number of periods so it meets the next side at zero."""
    length = math.hypot(x1 - x0, y1 - y0)
    periods = max(1, round(length / 17))
    nx, ny = -(y1 - y0) / length, (x1 - x0) / length
    steps = periods * 8
    out = []
    for i in range(steps + 1):
        t = i / steps
        off = amplitude * math.sin(2 * math.pi * periods * t + phase)
        px, py = x0 + (x1 - x0) * t + nx * off, y0 + (y1 - y0) * t + ny * off
        out.append("%.1f %.1f %s" % (px, py, "m" if i == 0 else "l"))
    return out


def _rosette(cx, cy, big_r, small_r, d, turns_points=1500) -> str:
    """A hypotrochoid, the spirograph figure of banknotes and diplomas."""
    k = (big_r - small_r) / small_r
    laps = small_r // math.gcd(int(big_r), int(small_r))
    ops = []
    for i in range(turns_points + 1):
        t = 2 * math.pi * laps * i / turns_points
        x = cx + (big_r - small_r) * math.cos(t) + d * math.cos(k * t)
        y = cy + (big_r - small_r) * math.sin(t) - d * math.sin(k * t)
        ops.append("%.1f %.1f %s" % (x, y, "m" if i == 0 else "l"))
    return "\n".join(ops)


def _corner(x, y) -> list[str]:
    """A red square with a gold diamond where the band turns the corner."""
    s, d = 9.0, 5.5
    return [_rgb(RED), "%.2f %.2f %.2f %.2f re f" % (x - s, y - s, 2 * s, 2 * s),
            _rgb(GOLD), "%.2f %.2f m %.2f %.2f l %.2f %.2f l %.2f %.2f l h f"
            % (x, y - d, x + d, y, x, y + d, x - d, y),
            _rgb(PAPER), "%.2f %.2f %.2f %.2f re f" % (x - 1.2, y - 1.2, 2.4, 2.4)]


@lru_cache(maxsize=1)
def _ornament_stream() -> bytes:
    return zlib.compress(ornament().encode("ascii"), 9)


def _place_ornament(c) -> None:
    """Put the ornament on the page as a Form XObject whose stream was compressed once per process
    (reportlab would deflate its 60 kB again for every certificate: ~4 ms, a tenth of the budget).
    Registered the way reportlab's own ``beginForm``/``endForm`` do, so ``doForm`` finds it."""
    form = PDFStream(PDFDictionary({
        "Type": PDFName("XObject"), "Subtype": PDFName("Form"), "FormType": 1,
        "BBox": PDFArray([0, 0, W, H]), "Filter": PDFName("FlateDecode")}),
        content=_ornament_stream(), filters=[])
    c._doc.addForm(ORNAMENT_FORM, form)
    c.doForm(ORNAMENT_FORM)


@lru_cache(maxsize=1)
def ornament() -> str:
    ops = ["q", _rgb(PAPER), "0 0 %.2f %.2f re f" % (W, H)]
    ops += ["0.5 w", _rgb(PALE, True), _rosette(W / 2, 292, 150, 35, 95), "S"]
    ops += ["0.35 w", _rosette(W / 2, 292, 60, 12, 34, 600), "S"]
    ops += ["4.5 w", _rgb(RED, True), _rect(19), "S"]
    ops += ["0.8 w", _rgb(GOLD, True), _rect(25), "S", _rect(41), "S", "0.4 w", _rect(44), "S"]
    band = 33.0
    corners = [(band, band), (W - band, band), (W - band, H - band), (band, H - band)]
    ops += ["0.55 w", _rgb(GOLD, True)]
    for phase in (0.0, math.pi):
        for (x0, y0), (x1, y1) in zip(corners, corners[1:] + corners[:1]):
            ops += _wave_side(x0, y0, x1, y1, 4.6, phase) + ["S"]
    for x, y in corners:
        ops += _corner(x, y)
    ops.append("Q")
    return "\n".join(ops)


# --- text helpers -----------------------------------------------------------------------------

def _width(text: str, size: float, spacing: float = 0.0) -> float:
    return fonts.string_width(text, size) + spacing * max(len(text) - 1, 0)


def _runs(c, cx: float, y: float, runs, bold_stroke: float = 0.0) -> None:
    """Draw [(text, size, colour, bold)] on one baseline, centred on ``cx``."""
    total = sum(_width(t, s) for t, s, _, _ in runs)
    x = cx - total / 2
    for text, size, colour, bold in runs:
        _text(c, x, y, text, size, colour, bold=bold)
        x += _width(text, size)


def _text(c, x, y, text, size, colour, anchor="l", spacing=0.0, bold=False) -> None:
    width = _width(text, size, spacing)
    x = {"l": x, "c": x - width / 2, "r": x - width}[anchor]
    if bold:  # the font has no bold face: fill and stroke the outlines; q/Q because the text
        c.saveState()  # render mode outlives the text object and reportlab never writes "0 Tr"
        c.setStrokeColorRGB(*colour)
        c.setLineWidth(size / 38)
    t = c.beginText(x, y)
    t.setCharSpace(spacing)
    t.setFillColorRGB(*colour)
    if bold:
        t.setTextRenderMode(2)
    fonts.text_out(t, text, size)  # a fallback face for each character the first one lacks
    c.drawText(t)
    if bold:
        c.restoreState()


def _seal(c, cx: float, cy: float, issuer: str) -> None:
    """The round red stamp over the issuer's name, as on a paper certificate."""
    c.saveState()
    c.setFillAlpha(0.82)
    c.setStrokeAlpha(0.82)
    c.setStrokeColorRGB(*SEAL)
    c.setFillColorRGB(*SEAL)
    c.setLineWidth(2.6)
    c.circle(cx, cy, 45, stroke=1, fill=0)
    c.setLineWidth(0.6)
    c.circle(cx, cy, 40.5, stroke=1, fill=0)
    star = c.beginPath()
    for i in range(10):
        r = 7.0 if i % 2 == 0 else 2.8
        a = math.pi / 2 + i * math.pi / 5
        (star.moveTo if i == 0 else star.lineTo)(cx + r * math.cos(a), cy + 18 + r * math.sin(a))
    star.close()
    c.drawPath(star, stroke=0, fill=1)
    size = 10.0 if len(issuer) <= 14 else 8.0
    widths = [fonts.string_width(ch, size) for ch in issuer]
    radius = 32.0
    span = min(sum(widths) * 1.12 / radius, math.radians(250))
    angle = math.pi / 2 + span / 2
    per = span / max(sum(widths), 1)
    for ch, w in zip(issuer, widths):
        mid = angle - w * per / 2
        c.saveState()
        c.translate(cx + radius * math.cos(mid), cy + radius * math.sin(mid))
        c.rotate(math.degrees(mid) - 90)
        fonts.draw_string(c, 0, -size * 0.35, ch, size, anchor="c")
        c.restoreState()
        angle -= w * per
    c.setFont(fonts.FONT, 7.5)
    c.drawCentredString(cx, cy - 34, "证书专用章")
    c.restoreState()


# --- the page ---------------------------------------------------------------------------------

def render(view, token: str, verify_url: str) -> bytes:
    """The unsigned certificate PDF (``pades.sign`` certifies it). ``verify_url`` is the public
    verify page, either bare (``https://exam.example.cn/verify``: the QR code adds ``?t=<token>``)
    or already carrying the token (``files.verify_url``); the page prints it without the query.
    Raises ``fonts.Unprintable`` (a ValueError) when no font can draw a character of the name or
    issuer; ``service`` refuses such names before anything is issued, so this is the last guard."""
    fonts.register()
    fonts.check_printable(view.holder_name, f"持证人姓名“{view.holder_name}”")
    fonts.check_printable(view.issuer, f"发证机构“{view.issuer}”")
    out = io.BytesIO()
    c = rl_canvas.Canvas(out, pagesize=(W, H), pageCompression=1, initialFontName=fonts.FONT)
    info = _Info()
    info.token = token
    c._doc.info = info
    c.setTitle(f"{view.title} {view.number}")
    c.setAuthor(view.issuer)
    c.setSubject(f"{view.holder_name} · {view.level_name} · 证书编号 {view.number}")
    c.setCreator("callexam")
    c.setKeywords("职业技能等级证书, 呼叫服务员, " + view.number)

    _place_ornament(c)
    # title block
    _text(c, W / 2, 470, "职业技能等级证书", 40, RED, anchor="c", spacing=9, bold=True)
    _text(c, W / 2, 446, "VOCATIONAL SKILL LEVEL CERTIFICATE", 9.5, GOLD, anchor="c", spacing=3.2)
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(0.7)
    c.line(W / 2 - 150, 433, W / 2 - 12, 433)
    c.line(W / 2 + 12, 433, W / 2 + 150, 433)
    c.setFillColorRGB(*GOLD)
    p = c.beginPath()
    p.moveTo(W / 2, 428); p.lineTo(W / 2 + 6, 433); p.lineTo(W / 2, 438); p.lineTo(W / 2 - 6, 433)
    p.close()
    c.drawPath(p, stroke=0, fill=1)
    _runs(c, W / 2, 398, [("呼叫服务员", 22, INK, True), ("  ·  ", 22, GOLD, False),
                          (view.level_name, 22, RED, True)])
    # the statement
    _runs(c, W / 2, 356, [("兹证明  ", 14, INK, False), (view.holder_name, 21, INK, True),
                          (f"  （公民身份号码 {view.id_masked}）", 13, INK, False)])
    _text(c, W / 2, 330, "参加呼叫服务员职业技能等级认定，理论知识考试、操作技能考核及中文录入测试成绩均合格，",
          13, INK, anchor="c")
    _text(c, W / 2, 309, f"核准为{view.level_name}呼叫服务员，特发此证。", 13, INK, anchor="c")
    # the three results
    boxes = [("理论知识考试", view.theory_score, "分"), ("操作技能考核", view.practical_score, "分"),
             ("中文录入速度", view.typing_cpm, "字/分")]
    bw, gap, top = 150.0, 22.0, 288.0
    left = W / 2 - (3 * bw + 2 * gap) / 2
    for i, (label, value, unit) in enumerate(boxes):
        x = left + i * (bw + gap)
        c.setFillColorRGB(1, 1, 1)
        c.setFillAlpha(0.55)
        c.setStrokeColorRGB(*GOLD)
        c.setLineWidth(0.8)
        c.roundRect(x, top - 62, bw, 62, 5, stroke=1, fill=1)
        c.setFillAlpha(1)
        _text(c, x + bw / 2, top - 19, label, 10.5, GREY, anchor="c", spacing=1.5)
        _runs(c, x + bw / 2, top - 48, [(value, 24, RED, True), (" " + unit, 11, GREY, False)])
    # bottom left: the register details
    rows = [("证书编号", view.number), ("发证日期", _date(view.issued_on)),
            ("有效期至", _date(view.expires_on)), ("核验网址", verify_url.split("?")[0])]
    for i, (label, value) in enumerate(rows):
        y = 186 - i * 21
        _text(c, 84, y, label, 11, GREY, spacing=1)
        _text(c, 84 + 62, y, value, 11 if i < 3 else 9.5, INK)
    _text(c, 84, 88, "本证书附有数字签名，任何改动都会使签名失效；可扫描右侧二维码或登录核验网址查验真伪。",
          7.5, GREY)
    # bottom middle: issuer, date and seal
    sx = 505.0
    _seal(c, sx, 142, view.issuer)  # stamped over the issuer's name and date, as on paper
    _text(c, sx, 140, view.issuer, 13, INK, anchor="c")
    _text(c, sx, 121, _date(view.issued_on), 12, INK, anchor="c")
    # bottom right: the QR code on a white tile with its quiet zone
    qx, qy = W - 68 - QR_SIZE, 84.0
    c.setFillColorRGB(1, 1, 1)
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(0.6)
    pad = 8.0
    c.rect(qx - pad, qy - pad, QR_SIZE + 2 * pad, QR_SIZE + 2 * pad, stroke=1, fill=1)
    qr.draw(c, qr_data(token, verify_url), qx, qy, QR_SIZE)
    _text(c, qx + QR_SIZE / 2, qy - pad - 13, "扫码核验证书真伪", 9, GREY, anchor="c", spacing=1)
    c.showPage()
    c.save()
    return out.getvalue()
