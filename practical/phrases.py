"""Finding the standard's service phrases in what a candidate typed (pure: no database, no Flask).

A typed reply is judged by whether it *contains* a phrase, not whether it equals one: candidates wrap
the standard's words in their own sentences. Both sides are normalised alike so that spacing, full- or
half-width forms, letter case and punctuation never decide a check (the entry syntax, including the
``{数字}`` placeholder, is described in ``exam.service_phrases``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from exam.service_phrases import PLACEHOLDERS

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def normalise(text: str) -> str:
    """NFKC, case-folded, without whitespace, punctuation or symbols (categories Z*, P*, S*, Cc, Cf)."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] not in "ZPSC")


def entry_problem(entry: str) -> str | None:
    """Why ``entry`` cannot be used as a phrase-list entry, in Chinese, or None."""
    for placeholder in _PLACEHOLDER.findall(entry):
        if placeholder not in PLACEHOLDERS:
            return f"不认识的占位符“{{{placeholder}}}”，只能用 {'、'.join('{' + p + '}' for p in PLACEHOLDERS)}"
    if not normalise(_PLACEHOLDER.sub("", entry)):
        if _PLACEHOLDER.search(entry):
            return "不能只有占位符，需要带上文字（如“{数字}号”）"
        return "去掉空格和标点后为空，会与任何回答相符"
    return None


@lru_cache(maxsize=4096)
def _pattern(entry: str) -> re.Pattern | str:
    """A plain entry as its normalised text (a substring test); one with placeholders as a regex."""
    if not _PLACEHOLDER.search(entry):
        return normalise(entry)
    parts, last = [], 0
    for match in _PLACEHOLDER.finditer(entry):
        parts.append(re.escape(normalise(entry[last:match.start()])))
        parts.append(PLACEHOLDERS.get(match.group(1), re.escape(normalise(match.group(0)))))
        last = match.end()
    parts.append(re.escape(normalise(entry[last:])))
    return re.compile("".join(parts))


def _count(normalised: str, entry: str) -> int:
    pattern = _pattern(entry)
    if isinstance(pattern, str):
        return normalised.count(pattern) if pattern else 0
    return len(pattern.findall(normalised))


def find(text: str, entries: Iterable[str]) -> list[str]:
    """The entries that occur in ``text``, in the entries' order, each once."""
    normalised = normalise(text)
    return [entry for entry in dict.fromkeys(entries) if _count(normalised, entry)]


def contains(text: str, entries: Iterable[str]) -> bool:
    normalised = normalise(text)
    return any(_count(normalised, entry) for entry in entries)


def occurrences(text: str, entries: Iterable[str]) -> dict[str, int]:
    """How often each entry occurs in ``text`` (entries that do not occur are left out).

    Longer entries are counted first and their text taken out, so a shorter entry inside a longer one
    (“久等了” in “让您久等了”) is never counted twice for one slip."""
    working, ordered = normalise(text), list(dict.fromkeys(entries))
    found: dict[str, int] = {}
    for entry in sorted(ordered, key=lambda e: -len(normalise(e))):
        pattern = _pattern(entry)
        if isinstance(pattern, str):
            n = working.count(pattern) if pattern else 0
            working = working.replace(pattern, "\x00") if n else working
        else:
            working, n = pattern.subn("\x00", working)
        if n:
            found[entry] = n
    return {entry: found[entry] for entry in ordered if entry in found}


def same(a: str, b: str) -> bool:
    """Whether two entries are the same once normalised (a list must not hold both)."""
    return normalise(a) == normalise(b)


def merged(lists: dict[str, Iterable[str]], extra: dict[str, Iterable[str]] | None) -> dict[str, tuple[str, ...]]:
    """``lists`` with a scenario's own entries appended to the lists it names."""
    out = {key: tuple(entries) for key, entries in lists.items()}
    for key, entries in (extra or {}).items():
        out[key] = tuple(dict.fromkeys((*out.get(key, ()), *entries)))
    return out
