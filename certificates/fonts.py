"""The Chinese font the certificate is printed in, embedded so it reads the same on every machine.

reportlab embeds TrueType outlines only: Noto CJK's CFF/OTF fails to load, and a CID font such as
``STSong-Light`` embeds nothing and prints boxes where the reader lacks it. WenQuanYi Zen Hei
(Debian's ``fonts-wqy-zenhei``, GPL with the font embedding exception) is TrueType and covers
GB 18030, rare surname characters included. reportlab subsets it per document, so a certificate
carries only the glyphs it prints (about 40 kB). ``CALLEXAM_CERT_FONT`` names another TrueType file.
"""

from __future__ import annotations

import os
from pathlib import Path

FONT = "CertHei"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",  # Fedora / Arch
    "/usr/local/share/fonts/wqy-zenhei.ttc",
)

_registered: str | None = None


class FontMissing(RuntimeError):
    pass


def font_path() -> Path:
    wanted = os.environ.get("CALLEXAM_CERT_FONT")
    for candidate in ([wanted] if wanted else []) + list(CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("找不到证书所用的中文字体（文泉驿正黑 wqy-zenhei.ttc）：请安装 Debian 软件包 "
                      "fonts-wqy-zenhei，或用环境变量 CALLEXAM_CERT_FONT 指定一个 TrueType 字体文件。")


def register() -> str:
    """The registered font's name; loading the 17 MB collection happens once per process."""
    global _registered
    if _registered is None:
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        path = font_path()
        index = 0 if path.suffix.lower() == ".ttc" else None
        font = TTFont(FONT, str(path), subfontIndex=index) if index is not None else TTFont(FONT, str(path))
        pdfmetrics.registerFont(font)
        _registered = FONT
    return _registered


def missing_glyphs(text: str) -> str:
    """The characters of ``text`` the font cannot draw (reportlab would drop them silently)."""
    from reportlab.pdfbase import pdfmetrics

    face = pdfmetrics.getFont(register()).face
    return "".join(sorted({ch for ch in text if not ch.isspace() and ord(ch) not in face.charToGlyph}))
