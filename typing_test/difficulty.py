"""How hard a passage's characters are to type: the share of its Chinese characters outside the
2,500 常用字 of 《现代汉语常用字表》 (1988).

A candidate types at 50 字/分 only if every character comes up in the input method at once. A less
common character costs seconds — an unfamiliar reading, a candidate several pages down the list —
so the share of such characters, not the length or the topic, is what makes one passage slower to
copy than another. Whitespace and NFKC folding follow ``normalise``, so the figure describes exactly
the characters a candidate is asked to type.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from exam import standard
from typing_test.normalise import normalise

LIST_PATH = Path(__file__).with_name("common_chars.txt")

#: Upper bounds (exclusive) of the 易 and 中 bands; see ``difficulty_label``.
EASY_BELOW = 0.01
MEDIUM_BELOW = 0.03

#: CSS class names of the labels, for pages that colour them.
LABEL_CLASSES = {"易": "easy", "中": "medium", "难": "hard"}

#: Han characters as the standard module defines them (the typing test's speed counts the same ones).
is_han = standard.is_han


@lru_cache(maxsize=1)
def common_chars() -> frozenset[str]:
    """The list file keeps the table's layout (one stroke count a line, "N画：" before the
    characters) so it can be proof-read against the printed table; only the characters count."""
    chars: set[str] = set()
    for line in LIST_PATH.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        body = line.split("：", 1)[1] if "：" in line else line
        chars.update(c for c in body if is_han(c))
    return frozenset(chars)


def han_chars(text: str) -> list[str]:
    return [c for c in normalise(text) if is_han(c)]


def rare_share(text: str) -> float:
    """Counted by occurrence, not by distinct character: a rare character the candidate meets five
    times slows them five times. A text without Chinese characters has nothing rare in it (0.0)."""
    han = han_chars(text)
    if not han:
        return 0.0
    common = common_chars()
    return sum(1 for c in han if c not in common) / len(han)


def rare_chars(text: str) -> list[str]:
    """Distinct, in reading order, so a trainer can find each one in the text from the top."""
    common = common_chars()
    seen: dict[str, None] = {}
    for c in han_chars(text):
        if c not in common:
            seen.setdefault(c)
    return list(seen)


def difficulty_label(share: float) -> str:
    """易 below 1 %, 中 from 1 % to under 3 %, 难 from 3 %.

    The anchor is ordinary prose: the 1988 table's own statistics give its 2,500 常用字 a coverage
    of 97.97 % of a general corpus, so everyday text has about 2 % of its characters outside the
    list — the middle of the 中 band. The fifteen stock passages, plain call-centre prose, measure
    0.0 % to 1.0 % (all but one under 0.7 %), because service language keeps to everyday words; they are
    the norm a typing test should meet, since it measures speed and not a candidate's command of
    rare characters, and they all fall in 易. A trainer's passage that reaches ordinary prose's
    density (names, places, product terms) shows as 中; one at 3 % or more — about one rare
    character in every line of a printed passage, half again the density of ordinary prose — shows
    as 难 and is not a fair test of 50 字/分.
    """
    if share < EASY_BELOW:
        return "易"
    if share < MEDIUM_BELOW:
        return "中"
    return "难"


def mark_rare(text: str) -> list[list[tuple[str, bool]]]:
    """The text's paragraphs as runs of (characters, is_rare), for pages that highlight the rare
    characters while the template still escapes every run."""
    common = common_chars()
    paragraphs = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        runs: list[tuple[str, bool]] = []
        for c in line:
            rare = is_han(c) and normalise(c) not in common
            if runs and runs[-1][1] == rare:
                runs[-1] = (runs[-1][0] + c, rare)
            else:
                runs.append((c, rare))
        paragraphs.append(runs)
    return paragraphs
