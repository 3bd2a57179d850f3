"""Blueprint validation and planning: areas get their weights, types their counts."""

import itertools
from fractions import Fraction

import pytest

from exam import standard
from question_bank import blueprint as bpm
from question_bank.blueprint import Blueprint, BlueprintError, TypeRule
from tests.unit.blueprint_fixtures import EVEN, LEVELS, make, matrix, rules



@pytest.mark.parametrize("changes, message", [
    (dict(level="expert"), "未知等级 'expert'"),
    (dict(mode="weekly"), "未知组卷方式 'weekly'"),
    (dict(types=()), "至少需要一种题型"),
    (dict(types=rules(("essay", 10, 10))), "未知题型 'essay'"),
    (dict(types=rules(("single", 0, 1), ("short", 20, 5))), "单选题的题量应为至少 1 的整数"),
    (dict(types=rules(("single", 100, 0))), "单选题的每题分值应为大于 0"),
    (dict(types=(TypeRule("single", 200, 0.5),)), "应为大于 0 的整数或分数"),
    (dict(types=rules(("single", 50, 1), ("single", 50, 1))), "单选题重复出现"),
    (dict(types=rules(("single", 40, 1), ("short", 10, 5))), "各题型合计 90 分，应为 100 分（少 10 分）"),
    (dict(types=rules(("single", 45, 1), ("short", 12, 5))), "各题型合计 105 分，应为 100 分（多 5 分）"),
    (dict(difficulty_mix=((1, Fraction(1, 2)), (2, Fraction(1, 5)))), "难度比例合计 70%，应为 100%"),
    (dict(difficulty_mix=((1, Fraction(1, 2)), (4, Fraction(1, 2)))), "未知难度 4"),
    (dict(difficulty_mix=((1, Fraction(1, 2)), (1, Fraction(1, 2)))), "难度“易”的比例重复出现"),
    (dict(difficulty_mix=((1, Fraction(3, 2)), (2, Fraction(-1, 2)))), "难度“中”的比例应为非负的分数"),
    (dict(difficulty_tolerance=Fraction(-1, 10)), "平均难度的允许偏差应为非负的分数"),
    (dict(cells=(("typing", "single", 3),)), "分配表中的职业功能 'typing' 不属于初级"),
    (dict(cells=(("computer", "fill", 3),)), "分配表中的题型 'fill' 不在本规则的题型中"),
    (dict(cells=(("computer", "single", -1),)), "题量应为非负整数"),
])
def test_validate_names_each_problem_in_chinese(changes, message):
    fields = dict(level="junior", mode="per_candidate", types=EVEN) | changes
    with pytest.raises(BlueprintError, match="组卷规则有误") as caught:
        Blueprint(**fields).validate()
    assert message in str(caught.value)


def test_validate_lists_every_problem_at_once():
    with pytest.raises(BlueprintError) as caught:
        Blueprint("expert", "weekly", rules(("essay", 1, 1))).validate()
    assert all(part in str(caught.value) for part in ("未知等级", "未知组卷方式", "未知题型"))


def test_defaults_are_valid_for_every_level():
    for level in LEVELS:
        bp = bpm.default_blueprint(level)
        bp.validate()
        assert bp.mode == "per_candidate" and bp.level == level
        assert sum(r.count * r.points for r in bp.types) == standard.FULL_MARKS
    assert set(bpm.MODES) == {"fixed", "drawn", "per_candidate"}


# --- plan -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("level", LEVELS)
def test_default_plan_gives_every_area_its_weight_and_every_type_its_count(level):
    p = bpm.plan(bpm.default_blueprint(level))
    for area in standard.level(level).areas:
        assert sum(c.count * c.points for c in p.cells if c.area == area.code) == area.weight
    for rule in p.blueprint.types:
        assert sum(c.count for c in p.cells if c.kind == rule.kind) == rule.count
    assert all(c.count > 0 for c in p.cells)
    assert sum(p.difficulty_counts.values()) == sum(r.count for r in p.blueprint.types)


@pytest.mark.parametrize("level", LEVELS)
def test_default_plan_stays_within_one_item_of_proportional(level):
    p = bpm.plan(bpm.default_blueprint(level))
    counts = matrix(p)
    for area in standard.level(level).areas:
        for rule in p.blueprint.types:
            target = Fraction(area.weight * rule.count, standard.FULL_MARKS)
            assert abs(counts.get((area.code, rule.kind), 0) - target) <= 1


def test_plan_is_exactly_proportional_when_the_numbers_allow():
    p = bpm.plan(make(types=EVEN))
    shares = {"computer": 2, "seat_tools": 1, "service": 5, "basics": 2}
    expected = {(area, r.kind): r.count * share // 10 for area, share in shares.items() for r in EVEN}
    assert matrix(p) == expected


def test_plan_finds_the_closest_matrix_by_brute_force():
    """Each type its own point class, so the search is over the whole matrix; compare with brute force."""
    types = rules(("single", 20, 1), ("multiple", 15, 2), ("short", 10, 5))
    p = bpm.plan(make(types=types))
    areas = standard.level("junior").areas

    def area_vectors(weight):
        return [(weight - 2 * m - 5 * s, m, s) for m in range(16) for s in range(11) if 2 * m + 5 * s <= weight]

    def distance(rows):
        return sum((n - Fraction(a.weight * r.count, standard.FULL_MARKS)) ** 2
                   for a, row in zip(areas, rows) for n, r in zip(row, types))

    def completed(rows):  # the last area takes what the others leave
        last = tuple(r.count - sum(col) for r, col in zip(types, zip(*rows)))
        return (*rows, last) if min(last) >= 0 else None

    candidates = map(completed, itertools.product(*(area_vectors(a.weight) for a in areas[:-1])))
    best = min(distance(rows) for rows in candidates if rows is not None)
    counts = matrix(p)
    planned = [[counts.get((a.code, r.kind), 0) for r in types] for a in areas]
    assert distance(planned) == best


def test_hand_made_matrix_is_used_when_it_adds_up():
    cells = (("computer", "single", 10), ("computer", "short", 5),
             ("seat_tools", "multiple", 5),
             ("service", "single", 20), ("service", "truefalse", 20), ("service", "short", 5),
             ("basics", "single", 10), ("basics", "multiple", 5))
    p = bpm.plan(make(types=EVEN, cells=cells))
    assert matrix(p) == {(a, k): n for a, k, n in cells}
    assert p.blueprint.cells == cells


def test_hand_made_matrix_that_does_not_add_up_names_the_area_and_the_type():
    cells = (("computer", "single", 12), ("seat_tools", "single", 4), ("seat_tools", "multiple", 3),
             ("service", "single", 20), ("service", "truefalse", 20), ("service", "short", 5),
             ("basics", "single", 4), ("basics", "multiple", 7), ("basics", "short", 5))
    with pytest.raises(BlueprintError, match="分配表不符合要求") as caught:
        bpm.plan(make(types=EVEN, cells=cells))
    text = str(caught.value)
    assert "计算机使用共 12 分，应为 20 分（少 8 分）" in text
    assert "相关基础知识共 28 分，应为 20 分（多 8 分）" in text
    assert "坐席工具使用" not in text and "服务技能运用" not in text
    assert "多选题共 10 题" not in text
    assert "简答题共 10 题" not in text


def test_hand_made_matrix_with_wrong_type_counts_says_by_how_much():
    cells = (("computer", "single", 20), ("seat_tools", "single", 10), ("service", "single", 14),
             ("service", "multiple", 10), ("service", "truefalse", 16), ("basics", "truefalse", 4),
             ("basics", "short", 8))
    with pytest.raises(BlueprintError) as caught:
        bpm.plan(make(types=EVEN, cells=cells))
    text = str(caught.value)
    assert "单选题共 44 题，规则为 40 题（多 4 题）" in text
    assert "简答题共 8 题，规则为 10 题（少 2 题）" in text


def test_areas_that_no_item_values_can_make_are_named():
    with pytest.raises(BlueprintError) as caught:
        bpm.plan(make(types=rules(("short", 4, 25))))
    text = str(caught.value)
    assert "计算机使用（20 分）、坐席工具使用（10 分）、相关基础知识（20 分）无法由各题型的分值凑成" in text
    assert "服务技能运用" not in text  # 2 × 25 makes its 50 points


def test_areas_possible_alone_but_not_together_are_refused():
    """15-point items must come in pairs (the rest is made of 2s); only service has room for a pair."""
    with pytest.raises(BlueprintError, match="无法同时满足所有职业功能"):
        bpm.plan(make(types=rules(("short", 4, 15), ("multiple", 20, 2))))


def test_fractional_points_plan_exactly():
    types = rules(("single", 60, Fraction(1, 2)), ("multiple", 20, Fraction(3, 2)), ("short", 16, Fraction(5, 2)))
    for level in LEVELS:
        p = bpm.plan(make(level, types))
        for area in standard.level(level).areas:
            assert sum(c.count * c.points for c in p.cells if c.area == area.code) == area.weight


def test_difficulty_counts_use_largest_remainder_and_imply_the_target():
    p = bpm.plan(bpm.default_blueprint("junior"))
    assert p.difficulty_counts == {1: 25, 2: 41, 3: 16}  # 24.6 / 41 / 16.4 of 82 items
    assert p.target_difficulty == Fraction(19, 10)
    assert abs(bpm.mean_difficulty(p.difficulty_counts) - p.target_difficulty) <= Fraction(3, 20)


def test_no_mix_means_no_difficulty_targets():
    p = bpm.plan(make(types=EVEN))
    assert p.difficulty_counts == {} and p.target_difficulty is None


def test_a_tolerance_that_rounding_alone_breaks_is_refused():
    bp = bpm.default_blueprint("junior")
    strict = Blueprint(bp.level, bp.mode, bp.types, bp.difficulty_mix, Fraction(0))
    with pytest.raises(BlueprintError, match="超过允许偏差"):
        bpm.plan(strict)
