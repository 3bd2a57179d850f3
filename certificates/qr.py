"""The QR code on the certificate, drawn as vector PDF so it prints sharp at any size.

zxing-cpp (C++) builds the symbol, choosing the data mask by the standard's penalty rules in about
1.5 ms; segno, pure Python, took 7 ms with a fixed mask and 32 ms choosing one, which alone would have
capped a process at ~30 certificates a second. The dark modules go straight into the page's content
stream as one filled path of rectangles in module units (runs merged along rows, a run repeated
in the rows below merged into one taller rectangle): about 1 ms, and a single fill leaves no
hairline seams between modules in any renderer. Drawing module by module through reportlab's path
objects took ~29 ms, its ``QrCodeWidget`` ~120 ms.

How big can the payload be? The URL carries the whole compact JWS (``…/verify?t=<token>``), about
600 characters for a certificate with Chinese names: a version 17 symbol (85 modules) at error
correction level L, and versions 20-22 for long names and issuers. ``module_mm`` reports what one
module measures at a print size; 0.4 mm and above scans reliably with a phone from 15-20 cm, so
the certificate prints the code at 44 mm (0.52 mm a module for 85 modules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import zxingcpp

QUIET_MODULES = 4
_DARK = re.compile(rb"\x01+")


@dataclass(frozen=True)
class Symbol:
    version: int
    error: str
    modules: int  # width in modules, without the quiet zone
    matrix: tuple  # rows of bytes, 1 = dark

    def module_mm(self, size_pt: float) -> float:
        return size_pt / self.modules * 25.4 / 72


def make(data: str, error: str = "L") -> Symbol:
    """The smallest symbol that holds ``data`` at error correction ``error`` (L, M, Q or H)."""
    code = zxingcpp.create_barcode(data, zxingcpp.BarcodeFormat.QRCode, ec_level=error.upper())
    image = memoryview(code.to_image(scale=1, add_quiet_zones=False))
    n = image.shape[0]
    raw = image.tobytes().translate(_TO_BITS)
    matrix = tuple(raw[r * n:(r + 1) * n] for r in range(n))
    return Symbol(version=(n - 17) // 4, error=error.upper(), modules=n, matrix=matrix)


_TO_BITS = bytes([1] * 128 + [0] * 128)  # zxing's image: 0 is black (dark), 255 white


def _rectangles(symbol: Symbol) -> list[tuple[int, int, int, int]]:
    """(column, row, width, height) in modules, covering every dark module once."""
    rects = []
    open_runs: dict[tuple[int, int], int] = {}  # run -> first row
    for r, row in enumerate(list(symbol.matrix) + [b""]):
        runs = {(m.start(), m.end()) for m in _DARK.finditer(row)}
        for run in [k for k in open_runs if k not in runs]:
            first = open_runs.pop(run)
            rects.append((run[0], first, run[1] - run[0], r - first))
        for run in runs:
            open_runs.setdefault(run, r)
    return rects


def pdf_operators(symbol: Symbol, x: float, y: float, size: float, rgb=(0, 0, 0)) -> str:
    """Content-stream operators drawing ``symbol`` with its lower-left corner at (x, y), ``size``
    points wide (quiet zone not included: the caller keeps 4 modules of light space around it).
    The rectangles are in module units under a ``cm`` that scales and flips rows downwards."""
    unit = size / symbol.modules
    parts = ["q %.3f %.3f %.3f rg" % rgb, "%.5f 0 0 %.5f %.3f %.3f cm" % (unit, -unit, x, y + size)]
    parts += ["%d %d %d %d re" % rect for rect in _rectangles(symbol)]
    parts.append("f Q")
    return "\n".join(parts)


def draw(canvas, data: str, x: float, y: float, size: float, rgb=(0, 0, 0)) -> Symbol:
    """Draw ``data`` as a QR code on a reportlab canvas; the symbol is returned for its figures."""
    symbol = make(data)
    canvas.addLiteral(pdf_operators(symbol, x, y, size, rgb))
    return symbol


# --- reading: a phone photo or a scan of the certificate -------------------------------------------

#: Larger photos are scaled down first (a 12-megapixel phone photo reads as well at 2,400 px).
READ_MAX_SIDE = 2400
#: Refused outright: a "photo" of more pixels than this is a decompression bomb, not a certificate.
READ_MAX_PIXELS = 60_000_000


class ImageUnreadable(ValueError):
    """The upload is not a PNG/JPEG image this reader can open; the message says why, in Chinese."""


def _token_in(text: str) -> str | None:
    from urllib.parse import parse_qs, urlsplit
    text = text.strip()
    if text.count(".") == 2 and "/" not in text and " " not in text:
        return text
    query = parse_qs(urlsplit(text).query)
    return query.get("t", [None])[0]


def read_token(data: bytes) -> str | None:
    """The certificate token in the first QR code found in a PNG or JPEG image (the whole verify URL
    or a bare token); None when the picture holds no such code. zxing-cpp searches the whole image,
    rotated or skewed, so a phone photo of the paper certificate works."""
    import io

    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG"):
                raise ImageUnreadable(f"图片格式为 {image.format}，请上传 PNG 或 JPEG 图片")
            if image.width * image.height > READ_MAX_PIXELS:
                raise ImageUnreadable("图片像素过多，请上传普通的手机照片或扫描件")
            image.draft("L", (READ_MAX_SIDE, READ_MAX_SIDE))  # JPEG: decode at a reduced scale
            grey = image.convert("L")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ImageUnreadable("无法打开图片：文件可能已损坏，或不是 PNG/JPEG 图片") from exc
    if max(grey.size) > READ_MAX_SIDE:
        grey.thumbnail((READ_MAX_SIDE, READ_MAX_SIDE))
    for found in zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormat.QRCode):
        token = _token_in(found.text)
        if token:
            return token
    return None
