"""Text files from Chinese offices, decoded (pure; no database, no Flask).

Kept apart from the importer so that anything reading a text upload — the question importer, the
candidate roster — can decode it without pulling in the question bank's models and services.
"""

from __future__ import annotations

from question_bank.formats import FormatError

ENCODING_ERROR = "无法识别文件编码：请另存为 UTF-8 编码的文本"


def decode(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM), else GB18030: Chinese Windows saves text and CSV in it by default.
    Raises FormatError (line 0: the whole file) when neither fits."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise FormatError(filename, [(0, ENCODING_ERROR)]) from None
