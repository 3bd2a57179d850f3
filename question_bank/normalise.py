"""Normalising typed answers before they are compared with a fill-in-the-blank item's accepted answers.

Candidates type on whatever input method the exam-room PC has: the same answer arrives as "８０／２０"
from a full-width IME and "80/20" from a half-width one, with stray spaces around it or an ideographic
space (U+3000) inside. Marking must not depend on that. NFKC folds full-width letters, digits and
ASCII punctuation and the ideographic space to their ordinary forms; whitespace runs collapse to one
space and are trimmed; Latin letters compare case-insensitively. Full-width punctuation with an
ASCII twin (，：；！？（）) folds to it, so "您好，请讲" and "您好,请讲" are the same answer; the ideographic
marks with no twin (。、《》) stay as they are.
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def normalise_answer(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text)
    return _SPACES.sub(" ", folded).strip().casefold()


def matches(typed: str, accepted: list[str]) -> bool:
    """Whether a typed answer equals any accepted answer once both are normalised."""
    wanted = normalise_answer(typed)
    return bool(wanted) and any(wanted == normalise_answer(a) for a in accepted)
