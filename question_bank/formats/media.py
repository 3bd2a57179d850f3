"""Pictures an item shows in its stem, checked before they reach the bank (pure: no Flask, no database).

A picture arrives inside an import file (Moodle XML ``<file encoding="base64">``, a QTI package's
image file) and is judged by its bytes, never by its name: the first bytes must be those of PNG,
JPEG, GIF or WebP, Pillow (a dependency through reportlab, see ``exam.sessions.roster.profiles``) must
read the same format from the header, and the pixel size is read from the header before anything
is decoded, so a small file that expands to an enormous image is refused without being unpacked.
SVG is refused whatever it is called: it is a document that can carry script.

A checked picture is named by the SHA-256 of its bytes; the stem refers to it as
``/media/<sha256>.<ext>`` (``url``), so the same picture is stored once, a stored one never changes,
and a browser may cache it for good. ``refs`` finds the pictures a stem shows.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field

MAX_FILE = 2 * 1024 * 1024          # per picture
MAX_ITEM = 2 * 1024 * 1024          # all pictures of one item together
MAX_SIDE = 8000                     # pixels, per side
MAX_PER_ITEM = 10

#: (magic bytes at offset 0, Pillow's format name, MIME type, extension)
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "PNG", "image/png", "png"),
    (b"\xff\xd8\xff", "JPEG", "image/jpeg", "jpg"),
    (b"GIF87a", "GIF", "image/gif", "gif"),
    (b"GIF89a", "GIF", "image/gif", "gif"),
)
MIME_BY_EXT = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
EXT_BY_MIME = {v: k for k, v in MIME_BY_EXT.items()}
KINDS = "PNG、JPEG、GIF 或 WebP"
URL_RE = re.compile(r"/media/([0-9a-f]{64})\.(png|jpg|gif|webp)")
_SRC_RE = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?(/media/[0-9a-f]{64}\.(?:png|jpg|gif|webp))""", re.I)


class MediaError(ValueError):
    """A picture was refused; the message says why, in Chinese, naming the file."""


@dataclass(frozen=True)
class Picture:
    sha256: str
    mime: str
    width: int
    height: int
    data: bytes = field(repr=False, compare=False)

    @property
    def ext(self) -> str:
        return EXT_BY_MIME[self.mime]

    @property
    def url(self) -> str:
        return url(self.sha256, self.mime)

    @property
    def size(self) -> int:
        return len(self.data)


def url(sha256: str, mime: str) -> str:
    """Where the app serves a stored picture (``question_bank.media_views``)."""
    return f"/media/{sha256}.{EXT_BY_MIME[mime]}"


def refs(markup: str) -> list[str]:
    """The SHA-256 of every stored picture ``markup`` shows (``<img src="/media/…">``), in order, once each."""
    return list(dict.fromkeys(URL_RE.fullmatch(m).group(1) for m in _SRC_RE.findall(markup or "")))


#: One ``<img …>`` tag, quoted attribute values may hold ">" (the sanitiser uses it too).
IMG_TAG_RE = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.I)
_ALT_TEXT_RE = re.compile(r"""\balt\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def without_alt(markup: str) -> int:
    """How many pictures of ``markup`` have no alt text (screen readers then have nothing to say)."""
    count = 0
    for tag in IMG_TAG_RE.findall(markup or ""):
        m = _ALT_TEXT_RE.search(tag)
        if not m or not (m.group(1) or m.group(2) or "").strip():
            count += 1
    return count


def _sniff(data: bytes) -> tuple[str, str] | None:
    for magic, kind, mime, _ext in _MAGIC:
        if data.startswith(magic):
            return kind, mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP", "image/webp"
    return None


def _looks_like_svg(name: str, data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return name.lower().endswith((".svg", ".svgz")) or head.startswith((b"<?xml", b"<svg", b"<!doctype svg"))


def check(name: str, data: bytes) -> Picture:
    """``data`` as a stored picture, or MediaError saying, in Chinese, what is wrong with file ``name``."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise MediaError(f"图片文件“{name}”是空的")
    if _looks_like_svg(name, data):
        raise MediaError(f"图片文件“{name}”是 SVG 矢量图：SVG 可能含脚本，不接受，请另存为 PNG 后再导入")
    if len(data) > MAX_FILE:
        raise MediaError(f"图片文件“{name}”有 {len(data) / 1048576:.1f} MB，超过每张 {MAX_FILE // 1048576} MB 的上限："
                         "请压缩或缩小后再导入")
    sniffed = _sniff(data)
    if sniffed is None:
        raise MediaError(f"文件“{name}”不是 {KINDS} 图片（按文件内容判断，而不是扩展名），未导入")
    kind, mime = sniffed
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != kind:
                raise MediaError(f"图片文件“{name}”的内容与其格式标记不符，文件可能已损坏")
            width, height = image.size
            if max(width, height) > MAX_SIDE:
                raise MediaError(f"图片文件“{name}”有 {width}×{height} 像素，每边不能超过 {MAX_SIDE} 像素")
            image.verify()
    except MediaError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise MediaError(f"图片文件“{name}”无法读取，文件可能已损坏") from None
    return Picture(hashlib.sha256(data).hexdigest(), mime, width, height, data)


def check_item(pictures: list[Picture]) -> None:
    """One item's pictures together: at most MAX_PER_ITEM, at most MAX_ITEM bytes."""
    unique = {p.sha256: p for p in pictures}
    if len(unique) > MAX_PER_ITEM:
        raise MediaError(f"题干有 {len(unique)} 张图片，每道题最多 {MAX_PER_ITEM} 张")
    total = sum(p.size for p in unique.values())
    if total > MAX_ITEM:
        raise MediaError(f"题干的图片合计 {total / 1048576:.1f} MB，每道题合计不能超过 {MAX_ITEM // 1048576} MB")
