import ast
from pathlib import Path

from fractions import Fraction

import pytest

from exam import standard

ROOT = Path(__file__).resolve().parents[2]


def test_weights_of_every_level_sum_to_full_marks():
    for lvl in standard.LEVELS.values():
        assert sum(a.weight for a in lvl.areas) == standard.FULL_MARKS == 100


def test_figures_from_the_standard():
    assert standard.THEORY_PASS_MARK == 60 and standard.PRACTICAL_PASS_MARK == 60
    assert standard.TYPING_CHARS_PER_MINUTE == 50
    junior = standard.level("junior")
    assert [(a.code, a.weight) for a in junior.areas] == [
        ("computer", 20), ("seat_tools", 10), ("service", 50), ("basics", 20)]
    assert [(a.code, a.weight) for a in standard.level("intermediate").areas] == [
        ("computer", 10), ("seat_tools", 10), ("service", 40), ("guidance", 30), ("basics", 10)]
    assert [(a.code, a.weight) for a in standard.level("senior").areas] == [
        ("computer", 10), ("seat_tools", 10), ("service", 30), ("guidance", 40), ("basics", 10)]


def test_levels_follow_the_progression_and_record_the_mapping():
    ranks = [lvl.rank for lvl in standard.LEVELS.values()]
    assert ranks == sorted(ranks)
    assert standard.level("junior").source_section == "2.2.1"
    assert standard.level("senior").source_section == "2.2.3"
    assert "2.2.1" in standard.LEVEL_MAPPING_NOTE


def test_pass_decisions_sit_exactly_on_the_line():
    assert standard.theory_passed(60) and not standard.theory_passed(59.99)
    assert standard.typing_passed(50) and not standard.typing_passed(49.9)
    assert standard.typing_passed(50, 0.95) and not standard.typing_passed(80, 0.949)


def test_typing_points_are_the_levels_share_scaled_by_speed_and_nothing_when_careless():
    full = standard.typing_rule("junior").practical_points
    assert standard.typing_points("junior", 50, 1.0) == full
    assert standard.typing_points("junior", 120, 0.96) == full  # capped at the full points
    assert standard.typing_points("junior", 25, 1.0) == Fraction(full, 2)
    assert standard.typing_points("junior", 49.99, 1.0) < full
    assert standard.typing_points("junior", 80, 0.90) == 0
    assert standard.typing_points("junior", 80, 0.90, min_accuracy=0.9) == full
    assert standard.typing_points("senior", 0, 1.0) == 0
    for code in standard.LEVELS:
        rule = standard.typing_rule(code)
        assert 0 < rule.practical_points < standard.FULL_MARKS and rule.minutes > 0


def test_unknown_level_is_reported_in_chinese():
    with pytest.raises(KeyError, match="未知等级"):
        standard.level("expert")


def _python_files():
    for package in ("exam", "question_bank", "typing_test", "practical", "certificates"):
        yield from (ROOT / package).rglob("*.py")


def test_no_other_module_compares_against_the_standards_numbers():
    """Pass marks and typing speed live in exam/standard.py only: no comparison against 60 or 50."""
    offenders = []
    for path in _python_files():
        if path.name == "standard.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare):
                for part in [node.left, *node.comparators]:
                    if isinstance(part, ast.Constant) and part.value in (50, 60, 100):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_templates_do_not_hard_code_the_pass_mark():
    for path in ROOT.rglob("templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        assert "60 分" not in text and "60分" not in text, path
