"""Text files from Chinese offices, decoded (pure; no database, no Flask).

Kept apart from the importer so that anything reading a text upload — the question importer, the
candidate roster — can decode it without pulling in the question bank's models and services.
"""

from __future__ import annotations

from exam import tabular
from question_bank.formats import FormatError

ENCODING_ERROR = "无法识别文件编码：请另存为 UTF-8 编码的文本"


def decode(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030: Chinese Windows saves text and CSV
    in it by default — the one decoder of every upload (exam.tabular). Raises FormatError (line 0:
    the whole file) when none fits."""
    try:
        return tabular.decode(data)
    except tabular.TabularError:
        raise FormatError(filename, [(0, ENCODING_ERROR)]) from None
