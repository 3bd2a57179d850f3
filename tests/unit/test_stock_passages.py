"""The stock typing passages shipped with the application are valid, varied and well formed."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from exam import standard
from typing_test import difficulty, passages
from typing_test.models import MAX_PASSAGE_CHARS, MIN_PASSAGE_CHARS
from typing_test.normalise import char_count

ENTRIES = passages.stock_entries()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["ref"] for e in ENTRIES])
def test_every_stock_passage_is_valid(entry):
    data = passages.validate(entry)
    assert MIN_PASSAGE_CHARS <= char_count(entry["text"]) <= MAX_PASSAGE_CHARS
    assert entry["level"] in standard.LEVELS and data.level == entry["level"]
    assert data.text == entry["text"], "the file is stored clean: one paragraph a line, no blank lines"
    assert re.fullmatch(rf"stock-{entry['level']}-\d\d", entry["ref"])
    assert "T/GSOCCIA 001-2020" in entry["source"] and entry["title"]


def test_refs_are_unique_and_every_level_has_at_least_five():
    refs = [e["ref"] for e in ENTRIES]
    assert len(refs) == len(set(refs))
    per_level = Counter(e["level"] for e in ENTRIES)
    assert set(per_level) == set(standard.LEVELS)
    assert all(n >= 5 for n in per_level.values()), per_level


def test_no_paragraph_appears_twice():
    paragraphs = Counter(p for e in ENTRIES for p in e["text"].split("\n"))
    assert [p for p, n in paragraphs.items() if n > 1] == []
    assert all(e["text"].count("\n") >= 3 for e in ENTRIES), "each passage has several paragraphs"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["ref"] for e in ENTRIES])
def test_every_passage_uses_chinese_punctuation(entry):
    text = entry["text"]
    assert "，" in text and "。" in text
    assert not re.search(r"[\u4e00-\u9fff][,.;:?!]", text), "no half-width punctuation after Chinese"
    assert text.count("“") == text.count("”")


def test_lengths_vary_from_short_to_long():
    counts = sorted(char_count(e["text"]) for e in ENTRIES)
    assert counts[0] < 450 and counts[-1] > 1100
    assert sum(1 for c in counts if 600 <= c <= 1000) >= 4


def test_stock_passages_are_easy_as_the_labels_promise():
    """``difficulty_label`` documents the stock's spread (0 % to 1 %); keep that true."""
    shares = [difficulty.rare_share(e["text"]) for e in ENTRIES]
    assert max(shares) < difficulty.EASY_BELOW
    assert {difficulty.difficulty_label(s) for s in shares} == {"易"}
