"""The 常用字 list and the difficulty figures computed from it."""

from __future__ import annotations

import pytest

from typing_test import difficulty
from typing_test.difficulty import difficulty_label, rare_chars, rare_share


def test_the_list_is_the_2500_distinct_characters_of_the_1988_table():
    chars = difficulty.common_chars()
    assert len(chars) == 2500
    assert all(difficulty.is_han(c) for c in chars)
    lines = difficulty.LIST_PATH.read_text(encoding="utf-8").splitlines()
    body = "".join(line.split("：", 1)[1] for line in lines if line and not line.startswith("#"))
    assert len(body) == 2500, "no character is listed twice"
    header = "\n".join(line for line in lines if line.startswith("#"))
    assert "program-in-chinese/npm-common-chinese-characters" in header and "2500.js" in header


@pytest.mark.parametrize("char", ["您", "的", "贷", "货", "剑", "捡", "罐", "囊", "座", "席", "询", "绩"])
def test_everyday_characters_are_in_the_list(char):
    assert char in difficulty.common_chars()


@pytest.mark.parametrize("char", ["咨", "诺", "馈", "嗯", "尔", "账"])
def test_next_thousand_characters_are_not(char):
    """These belong to the table's 1,000 次常用字, outside the 2,500."""
    assert char not in difficulty.common_chars()


def test_rare_share_counts_occurrences_of_han_characters_only():
    assert rare_share("您好") == 0.0
    assert rare_share("诺言") == 0.5
    assert rare_share("诺诺言言") == 0.5
    assert rare_share("诺，言。 OK 123\n") == 0.5  # punctuation, Latin, digits, spaces are not Han
    assert rare_share("请您咨询客服") == pytest.approx(1 / 6)


@pytest.mark.parametrize("text", ["", "   \n", "ABC 123！", "80/20"])
def test_a_text_without_chinese_characters_has_no_rare_share(text):
    assert rare_share(text) == 0.0


def test_rare_chars_are_distinct_in_order_of_first_appearance():
    assert rare_chars("不要敷衍客户，敷衍会让客户反馈投诉，诺言要兑现") == ["敷", "衍", "馈", "诺", "兑"]
    assert rare_chars("您好，请讲") == []


def test_compatibility_ideographs_are_folded_before_counting():
    assert rare_share("\uf9ba") == rare_share("\u4e86") == 0.0  # 了, compatibility form and unified
    assert difficulty.mark_rare("\uf9ba") == [[("\uf9ba", False)]]


@pytest.mark.parametrize("share, label", [
    (0.0, "易"), (0.0099, "易"), (0.01, "中"), (0.02, "中"), (0.0299, "中"), (0.03, "难"), (0.2, "难"), (1.0, "难"),
])
def test_labels(share, label):
    assert difficulty_label(share) == label


def test_labels_of_hand_made_texts():
    plain = "您好，请问有什么可以帮您？" * 5  # 55 Han characters, all common
    assert difficulty_label(rare_share(plain)) == "易"
    mixed = plain + "咨询"  # 1 of 57
    assert difficulty_label(rare_share(mixed)) == "中"
    dense = "敷衍塞责" * 3 + plain
    assert difficulty_label(rare_share(dense)) == "难"


def test_mark_rare_splits_paragraphs_into_runs():
    assert difficulty.mark_rare("请兑现诺言。\n\n  谢谢 ") == [
        [("请", False), ("兑", True), ("现", False), ("诺", True), ("言。", False)],
        [("谢谢", False)],
    ]
