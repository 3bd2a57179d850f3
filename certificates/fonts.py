"""The Chinese fonts every printed document of callexam is drawn in (certificates, admission
tickets), embedded so a page reads the same on every machine, and the one place that says whether
a name can be printed at all.

reportlab embeds TrueType outlines only: Noto CJK's CFF/OTF fails to load, and a CID font such as
``STSong-Light`` embeds nothing and prints boxes where the reader lacks it. Two TrueType faces:

- WenQuanYi Zen Hei (Debian ``fonts-wqy-zenhei``, GPL with the font embedding exception), the face
  of every page: GB 18030's common characters, Latin, digits, punctuation;
- HanaMin (Debian ``fonts-hanazono``, SIL OFL / Hanazono licence), used *per character* where Zen Hei
  has no glyph: HanaMinB first, for CJK extension B and beyond (陈𬱖, U+2CC56 in extension E, is a
  real name Zen Hei cannot draw), then HanaMinA for rare BMP and extension A characters.

reportlab drops a character silently when the face lacks it, so text is split into runs, each in
the first face that has all of its characters (``runs``), and anything no face can draw is refused
before a document is made (``check_printable``) — a certificate is never issued, reissued or
revoked for a name its own paper could not print. reportlab subsets every face per document, so a
certificate carries only the glyphs it prints. ``CALLEXAM_CERT_FONT`` names another primary
TrueType file, ``CALLEXAM_CERT_FALLBACK_FONTS`` (``:``-separated) other fallbacks.
"""

from __future__ import annotations

import os
import threading
import unicodedata
from pathlib import Path

FONT = "CertHei"
PRIMARY = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc",  # Fedora / Arch
    "/usr/local/share/fonts/wqy-zenhei.ttc",
)
#: (registered name, candidate files): tried in this order for a character the primary face lacks.
FALLBACKS = (
    ("CertMinB", ("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf", "/usr/share/fonts/hanazono/HanaMinB.ttf")),
    ("CertMinA", ("/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", "/usr/share/fonts/hanazono/HanaMinA.ttf")),
)
PACKAGES = "fonts-wqy-zenhei fonts-hanazono"

_lock = threading.Lock()
_registered: str | None = None
_fallbacks: list[tuple[str, frozenset]] | None = None


class FontMissing(RuntimeError):
    """A font file is not installed; the message says which Debian package to install."""


class Unprintable(ValueError):
    """Text holds characters no certificate font can draw; the message names each one."""

    def __init__(self, message: str, characters: str):
        super().__init__(message)
        self.characters = characters


def _utf16_hex(code: int) -> str:
    """A code point as a ToUnicode destination: UTF-16BE, a surrogate pair above U+FFFF."""
    return chr(code).encode("utf-16-be").hex().upper()


def _to_unicode_cmap(fontname, subset):
    """reportlab's ``makeToUnicodeCMap`` writes ``<%04X>``, which for 𬱖 (U+2CC56) gives five hex
    digits that PDF readers cut to U+2CC5 (a Coptic letter): copying or searching the name, or
    pdftotext, would then read the wrong character. The same CMap with UTF-16BE destinations."""
    from reportlab.pdfbase import ttfonts
    text = ttfonts._callexam_original_cmap(fontname, subset)
    head, _sep, _rest = text.partition("beginbfchar")
    entries = "\n".join("<%02X> <%s>" % (i, _utf16_hex(v)) for i, v in enumerate(subset))
    return (head.rsplit("\n", 1)[0] + "\n%d beginbfchar\n" % len(subset) + entries +
            "\nendbfchar\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")


def _patch_to_unicode() -> None:
    from reportlab.pdfbase import ttfonts
    if not hasattr(ttfonts, "_callexam_original_cmap"):
        ttfonts._callexam_original_cmap = ttfonts.makeToUnicodeCMap
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap


def font_path() -> Path:
    wanted = os.environ.get("CALLEXAM_CERT_FONT")
    for candidate in ([wanted] if wanted else []) + list(PRIMARY):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing("找不到证书所用的中文字体（文泉驿正黑 wqy-zenhei.ttc）：请安装 Debian 软件包 "
                      "fonts-wqy-zenhei（make run 会自动安装），或用环境变量 CALLEXAM_CERT_FONT 指定一个 TrueType 字体文件。")


def _ttfont(name: str, path: Path):
    from reportlab.pdfbase.ttfonts import TTFont
    if path.suffix.lower() == ".ttc":
        return TTFont(name, str(path), subfontIndex=0)
    return TTFont(name, str(path))


def register() -> str:
    """The primary face's registered name; loading the 17 MB collection happens once per process."""
    global _registered
    if _registered is None:
        with _lock:
            if _registered is None:
                from reportlab.pdfbase import pdfmetrics
                _patch_to_unicode()
                pdfmetrics.registerFont(_ttfont(FONT, font_path()))
                _registered = FONT
    return _registered


def _fallback_paths() -> list[tuple[str, Path]]:
    extra = [p for p in os.environ.get("CALLEXAM_CERT_FALLBACK_FONTS", "").split(":") if p]
    found = [(f"CertExtra{i}", Path(p)) for i, p in enumerate(extra) if Path(p).is_file()]
    for name, candidates in FALLBACKS:
        path = next((Path(c) for c in candidates if Path(c).is_file()), None)
        if path is not None:
            found.append((name, path))
    return found


def fallbacks() -> list[tuple[str, frozenset]]:
    """The fallback faces that are installed, each with the code points it covers; loaded on the
    first character the primary face lacks (HanaMin is 53 MB, most documents never need it)."""
    global _fallbacks
    if _fallbacks is None:
        with _lock:
            if _fallbacks is None:
                from reportlab.pdfbase import pdfmetrics
                loaded = []
                for name, path in _fallback_paths():
                    font = _ttfont(name, path)
                    pdfmetrics.registerFont(font)
                    loaded.append((name, frozenset(font.face.charToGlyph)))
                _fallbacks = loaded
    return _fallbacks


def _primary_covers() -> frozenset:
    from reportlab.pdfbase import pdfmetrics
    face = pdfmetrics.getFont(register()).face
    cached = getattr(face, "_callexam_cover", None)
    if cached is None:
        cached = frozenset(face.charToGlyph)
        face._callexam_cover = cached
    return cached


def _drawable(ch: str) -> bool:
    """White space and format characters (zero-width joiners, variation selectors) draw nothing."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Mn")


def face_for(ch: str) -> str | None:
    """The registered face that draws ``ch`` (primary first), None when none can."""
    if not _drawable(ch) or ord(ch) in _primary_covers():
        return FONT
    for name, covers in fallbacks():
        if ord(ch) in covers:
            return name
    return None


def runs(text: str) -> list[tuple[str, str]]:
    """``text`` as [(face name, piece)], consecutive characters of one face together."""
    register()
    out: list[tuple[str, str]] = []
    for ch in text:
        face = face_for(ch) or FONT
        if out and out[-1][0] == face:
            out[-1] = (face, out[-1][1] + ch)
        else:
            out.append((face, ch))
    return out


def missing_glyphs(text: str) -> str:
    """The characters of ``text`` no installed face can draw (reportlab would drop them silently)."""
    register()
    return "".join(sorted({ch for ch in text if _drawable(ch) and face_for(ch) is None}))


def describe(characters: str) -> str:
    return "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in characters)


def check_printable(text: str, what: str) -> None:
    """Raise ``Unprintable`` naming every character of ``text`` no face can print; ``what`` says
    where it stands (e.g. "持证人姓名“陈𬱖”")."""
    try:
        missing = missing_glyphs(text)
    except FontMissing as exc:
        raise Unprintable(str(exc), "") from exc
    if missing:
        raise Unprintable(f"{what}中的 {describe(missing)} 证书字体无法打印：请核对是否录入有误；"
                          f"确需使用请安装含该字的 TrueType 字体（CALLEXAM_CERT_FALLBACK_FONTS）", missing)


def string_width(text: str, size: float) -> float:
    from reportlab.pdfbase import pdfmetrics
    return sum(pdfmetrics.stringWidth(piece, face, size) for face, piece in runs(text))


def text_out(text_object, text: str, size: float) -> None:
    """Write ``text`` into a reportlab text object, switching face per run."""
    for face, piece in runs(text):
        text_object.setFont(face, size)
        text_object.textOut(piece)


def draw_string(canvas, x: float, y: float, text: str, size: float, anchor: str = "l") -> None:
    """``canvas.drawString`` with per-character fallback faces; anchor "l", "c" or "r"."""
    width = string_width(text, size)
    x = {"l": x, "c": x - width / 2, "r": x - width}[anchor]
    t = canvas.beginText(x, y)
    text_out(t, text, size)
    canvas.drawText(t)


def markup(text: str) -> str:
    """``text`` escaped for a reportlab ``Paragraph``, runs in a fallback face wrapped in <font>."""
    out = []
    for face, piece in runs(text):
        piece = piece.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        out.append(piece if face == FONT else f'<font name="{face}">{piece}</font>')
    return "".join(out)
