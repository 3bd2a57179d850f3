"""The bank report's charts: well-formed SVG that says its figures in words."""

import xml.etree.ElementTree as ET
from collections import Counter

from question_bank import lint_charts
from question_bank.lint import LevelSummary


def summary():
    return LevelSummary("junior", items=80, approved=80, single=60, longest_key=25, longest_key_chance=0.25,
                        key_positions=Counter({0: 30, 1: 10, 2: 10, 3: 10}),
                        key_positions_expected={0: 15.0, 1: 15.0, 2: 15.0, 3: 15.0}, multiple=20,
                        key_counts=Counter({3: 15, 2: 3, 4: 2}))


def test_charts_are_well_formed_and_name_their_figures():
    s = summary()
    longest, positions, counts = (draw(s) for draw in (lint_charts.longest_key, lint_charts.key_positions,
                                                         lint_charts.key_counts))
    for svg in (longest, positions, counts):
        root = ET.fromstring(svg)
        assert root.get("role") == "img" and root.get("aria-label")
    assert "42%（25/60）" in ET.fromstring(longest).get("aria-label") and 'class="bar flagged"' in longest
    assert "A 30 题（期望 15.0）" in ET.fromstring(positions).get("aria-label")
    assert 'class="bar flagged"' in counts and "3 项 15 题" in ET.fromstring(counts).get("aria-label")


def test_an_empty_level_still_draws():
    empty = LevelSummary("senior")
    for draw in (lint_charts.longest_key, lint_charts.key_positions, lint_charts.key_counts):
        ET.fromstring(draw(empty))
