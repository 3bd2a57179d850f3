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


def test_refs_are_unique_and_every_level_has_at_least_three():
    refs = [e["ref"] for e in ENTRIES]
    assert len(refs) == len(set(refs))
    per_level = Counter(e["level"] for e in ENTRIES)
    assert set(per_level) == set(standard.LEVELS)
    assert all(n >= 3 for n in per_level.values()), per_level
    # 01–05 were the first stock, too short for the time limit: an installation that has them
    # retires them (passages.refresh_stock), so today's stock must not reuse their refs
    assert not {f"stock-{level}-{n:02d}" for level in standard.LEVELS for n in range(1, 6)} & set(refs)


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["ref"] for e in ENTRIES])
def test_every_passage_outlasts_a_fast_typist(entry):
    """More Han characters than 100 字/分 × the level's time limit (issue 15)."""
    han = standard.han_count(entry["text"])
    assert han > standard.typing_passage_min_han(entry["level"]), (entry["ref"], han)


def test_some_passages_are_real_data_entry():
    """Names, numbers and addresses, as a work order has them: digits and place words in quantity."""
    data_entry = [e for e in ENTRIES if len(re.findall(r"\d{5,}", e["text"])) >= 5
                  and len(re.findall(r"[路号室栋]", e["text"])) >= 10]
    assert data_entry, "at least one data-entry passage"
    assert any(len(re.findall(r"\d", e["text"])) >= 40 for e in ENTRIES if e["level"] != "junior")


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


def test_lengths_vary():
    counts = sorted(char_count(e["text"]) for e in ENTRIES)
    assert counts[-1] - counts[0] > 300


def test_stock_passages_are_easy_as_the_labels_promise():
    """``difficulty_label`` documents the stock's spread (0 % to 1 %); keep that true."""
    shares = [difficulty.rare_share(e["text"]) for e in ENTRIES]
    assert max(shares) < difficulty.EASY_BELOW
    assert {difficulty.difficulty_label(s) for s in shares} == {"易"}
