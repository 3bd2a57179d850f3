"""Every name printable: the certificate fonts draw what Zen Hei lacks with HanaMin, per character,
and say which character no font has. Read back with poppler's pdftotext and pdffonts (independent
readers), so a glyph reportlab dropped or mapped to the wrong code point is seen."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest

from certificates import document, fonts
from certificates.view import CertificateView

RARE = "陈\U0002CC56"   # 陈𬱖: U+2CC56 (CJK extension E) is in real names; Zen Hei has no glyph for it
VIEW = CertificateView(
    number="HJ-2026-C-000007", holder_name=RARE, id_masked="110***********123X", level_code="junior",
    level_name="初级", theory_score="86", practical_score="72.5", typing_cpm="61.3",
    issued_on=dt.date(2026, 7, 1), expires_on=dt.date(2029, 6, 30), issuer="callexam 演示考点")


def poppler(tool: str, pdf: bytes, tmp_path, *args) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} (poppler-utils) 未安装：请运行 make system-deps")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                          capture_output=True, text=True, check=True).stdout


def test_a_character_the_first_font_lacks_is_drawn_by_hanamin():
    assert fonts.runs(RARE) == [(fonts.FONT, "陈"), ("CertMinB", "\U0002CC56")]
    assert fonts.missing_glyphs(RARE) == ""
    assert fonts.string_width(RARE, 10) > fonts.string_width("陈", 10) > 0


def test_what_no_font_has_is_named_with_its_code_point():
    with pytest.raises(fonts.Unprintable) as caught:
        fonts.check_printable("王\U000F0001五", "持证人姓名")
    assert "U+F0001" in str(caught.value) and "无法打印" in str(caught.value)
    assert caught.value.characters == "\U000F0001"
    fonts.check_printable("阿依古丽·买买提 O'Neil", "持证人姓名")  # dots, Latin, spaces: all printable


def test_the_certificate_embeds_both_fonts_and_the_name_reads_back(tmp_path):
    pdf = document.render(VIEW, "a.b.c", "https://exam.example.cn/verify")
    embedded = poppler("pdffonts", pdf, tmp_path)
    assert re.search(r"\+WenQuanYiZenHei\S*\s+TrueType.*yes\s+yes\s+yes", embedded), embedded
    assert re.search(r"\+HanaMinB\s+TrueType.*yes\s+yes\s+yes", embedded), embedded
    text = poppler("pdftotext", pdf, tmp_path)
    assert RARE in text  # the ToUnicode map says U+2CC56 (reportlab alone wrote U+2CC5)


def test_the_admission_ticket_uses_the_same_fonts(tmp_path):
    from exam.sessions.roster import admission_pdf
    from exam.sessions.roster.admission import AdmissionTicket
    now = dt.datetime(2026, 7, 1, 9, 0)
    ticket = AdmissionTicket(
        name=RARE, masked_id="110***********123X", ticket_number="202607010001", employer="", session_name="测试场次",
        level_name="初级", room_name="第一考场", room_location="", seat_no=1,
        theory_window=(now, now + dt.timedelta(hours=1)), practical_window=(now, now + dt.timedelta(hours=2)),
        duration_minutes=60, rules=("请携带身份证",))
    pdf = admission_pdf.render([ticket], "2026-07-01 08:00")
    assert "+HanaMinB" in poppler("pdffonts", pdf, tmp_path)
    assert RARE in poppler("pdftotext", pdf, tmp_path)
