"""What counts as a character in the typing test: the same folding for passages and typed text.

NFKC folds full-width Latin letters, digits and the full-width forms of ``，：；？！（）`` onto their
half-width twins, so a candidate whose input method is in half-width punctuation mode is not marked
wrong for it. ``。、“”《》`` have no compatibility twins and stay as they are. Whitespace (spaces,
line breaks, the ideographic space) is layout, not text: it is removed and never counted.
"""

from __future__ import annotations

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def char_count(text: str) -> int:
    """Characters a passage asks for, punctuation included, whitespace not."""
    return len(normalise(text))
