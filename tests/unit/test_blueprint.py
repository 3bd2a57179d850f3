import itertools
import random
from collections import Counter
import time
from fractions import Fraction

import pytest

from exam import standard
from question_bank import blueprint as bpm
from question_bank import blueprint_draw as drawing
from question_bank.blueprint import Blueprint, BlueprintError, TypeRule
from question_bank.blueprint_draw import PoolItem

LEVELS = list(standard.LEVELS)


def rules(*spec):
    return tuple(TypeRule(kind, count, Fraction(points)) for kind, count, points in spec)


def make(level="junior", types=None, **extra):
    types = types if types is not None else bpm.default_blueprint(level).types
    return Blueprint(level=level, mode=extra.pop("mode", "per_candidate"), types=types, **extra)


# An exactly proportional blueprint for junior (weights 20/10/50/20 = 2:1:5:2 of 10).
EVEN = rules(("single", 40, 1), ("multiple", 10, 2), ("truefalse", 20, 1), ("short", 10, 2))


def matrix(p):
    return {(c.area, c.kind): c.count for c in p.cells}


def synthetic_pool(p, factor=3, seed=7, weights=(3, 5, 2)):
    """``factor`` times the needed items per cell, difficulties drawn 30/50/20 at random."""
    rng = random.Random(seed)
    pool, next_id = [], 1
    for cell in p.cells:
        for _ in range(cell.count * factor):
            pool.append(PoolItem(next_id, cell.area, cell.kind, rng.choices((1, 2, 3), weights)[0]))
            next_id += 1
    return pool


# --- validate ---------------------------------------------------------------------------------------

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
    started = time.perf_counter()
    p = bpm.plan(bpm.default_blueprint(level))
    assert time.perf_counter() - started < 0.05
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


# --- shortages --------------------------------------------------------------------------------------

def test_ample_pool_has_no_shortages():
    for level in LEVELS:
        p = bpm.plan(bpm.default_blueprint(level))
        assert drawing.shortages(p, synthetic_pool(p)) == []


def test_a_thin_cell_is_reported_with_needed_available_and_missing():
    p = bpm.plan(bpm.default_blueprint("junior"))
    fill = next(c for c in p.cells if c.area == "service" and c.kind == "fill")
    pool = synthetic_pool(p)
    cell_items = [i for i in pool if (i.area, i.kind) == ("service", "fill")]
    pool = [i for i in pool if (i.area, i.kind) != ("service", "fill")] + cell_items[:fill.count - 2]
    found = drawing.shortages(p, pool)
    assert len(found) == 1
    (short,) = found
    assert (short.area, short.kind, short.difficulty) == ("service", "fill", None)
    assert (short.needed, short.available, short.missing) == (fill.count, fill.count - 2, 2)
    assert short.message("junior") == f"服务技能运用 × 填空题：需要 {fill.count} 题，已审核的只有 {fill.count - 2} 题，缺 2 题"
    assert short.message(standard.level("junior")) == short.message("junior")


def test_a_cell_with_exactly_enough_items_is_not_short_and_repeats_across_forms():
    p = bpm.plan(make(types=EVEN))  # no mix: any item of the cell will do
    cell = next(c for c in p.cells if c.kind == "short")
    pool = synthetic_pool(p)
    exact = [i for i in pool if (i.area, i.kind) == (cell.area, cell.kind)][:cell.count]
    pool = [i for i in pool if (i.area, i.kind) != (cell.area, cell.kind)] + exact
    assert drawing.shortages(p, pool) == []
    for seed in range(5):
        slots = drawing.draw(p, pool, random.Random(seed))
        drawn = {s.version_id for s in slots if (s.area, s.kind) == (cell.area, cell.kind)}
        assert drawn == {i.version_id for i in exact}


def test_too_few_hard_items_are_reported_for_the_paper_and_for_the_cells_to_write():
    p = bpm.plan(bpm.default_blueprint("junior"))
    pool = [i for i in synthetic_pool(p, factor=4) if i.difficulty != 3 or i.kind == "short"]
    found = drawing.shortages(p, pool)
    paper = [s for s in found if not s.area]
    assert [(s.difficulty, s.needed) for s in paper] == [(3, 16)]
    assert paper[0].available <= 2  # the two short-answer items are all a paper can hold
    assert paper[0].message("junior").startswith("全卷难度为“难”的题：需要 16 题，各单元合计最多能提供")
    hints = [s for s in found if s.area]
    assert {(s.area, s.kind) for s in hints} >= {("service", "single"), ("computer", "truefalse")}
    assert all(s.difficulty == 3 and s.available == 0 and s.kind != "short" for s in hints)
    assert sum(s.missing for s in hints) >= paper[0].missing
    assert "服务技能运用 × 单选题 × 难（按难度比例）：需要 4 题，已审核的只有 0 题，缺 4 题" in [
        s.message("junior") for s in hints]
    with pytest.raises(BlueprintError, match="已审核的题目不足以按此规则组卷：全卷难度为“难”的题"):
        drawing.draw(p, pool, random.Random(0))


def test_writing_the_hinted_items_clears_the_shortage():
    p = bpm.plan(bpm.default_blueprint("senior"))
    pool = [i for i in synthetic_pool(p, factor=4) if i.difficulty != 1]
    hints = [s for s in drawing.shortages(p, pool) if s.area]
    next_id = max(i.version_id for i in pool) + 1
    for hint in hints:
        for n in range(hint.missing):
            pool.append(PoolItem(next_id + n, hint.area, hint.kind, hint.difficulty))
        next_id += hint.missing
    assert drawing.shortages(p, pool) == []
    drawing.draw(p, pool, random.Random(3))


def test_cells_holding_only_hard_items_force_too_many_hard_questions():
    """No single difficulty is short, but the easy-or-medium items cannot fill the paper's 66:
    single-choice items (40 on the paper) are all hard, and the paper wants only 16 hard."""
    p = bpm.plan(bpm.default_blueprint("junior"))
    pool, ids = [], itertools.count(1)
    for cell in p.cells:
        for difficulty in ((3, 3, 3) if cell.kind == "single" else (1, 1, 2, 2)):
            pool += [PoolItem(next(ids), cell.area, cell.kind, difficulty) for _ in range(cell.count)]
    found = drawing.shortages(p, pool)
    assert [(s.difficulty, s.difficulties, s.needed) for s in found if not s.area] == [(None, (1, 2), 66)]
    assert "全卷难度为“易或中”的题：需要 66 题" in found[0].message("junior")
    with pytest.raises(BlueprintError):
        drawing.draw(p, pool, random.Random(0))


def test_shortages_are_empty_exactly_when_a_draw_succeeds():
    """The min-cut rule is exact: thin random pools either draw, or have a shortage, never both."""
    bp = make(types=EVEN, difficulty_mix=((1, Fraction(3, 10)), (2, Fraction(1, 2)), (3, Fraction(1, 5))),
              difficulty_tolerance=Fraction(1, 5))
    p = bpm.plan(bp)
    outcomes = set()
    for seed in range(120):
        rng = random.Random(seed)
        weights = [rng.random() for _ in range(3)]
        pool = synthetic_pool(p, factor=rng.choice((1, 2)), seed=seed, weights=weights)
        pool = [i for i in pool if rng.random() < 0.9]
        possible = _max_flow_feasible(p, pool)
        assert (drawing.shortages(p, pool) == []) == possible, seed
        if possible:
            drawing.draw(p, pool, random.Random(seed))  # the swaps always find the way
        else:
            with pytest.raises(BlueprintError):
                drawing.draw(p, pool, random.Random(seed))
        outcomes.add(possible)
    assert outcomes == {True, False}


def _max_flow_feasible(p, pool):
    """Independent check by augmenting paths: cells supply their counts, difficulties take theirs."""
    cells = [(c.area, c.kind) for c in p.cells]
    supply = {key: c.count for key, c in zip(cells, p.cells)}
    held = Counter((i.area, i.kind, i.difficulty) for i in pool)
    cap = {(key, d): held[(*key, d)] for key in cells for d in p.difficulty_counts}
    flow = dict.fromkeys(cap, 0)
    left = dict(p.difficulty_counts)

    def augment(key, visited):
        for d in p.difficulty_counts:
            if flow[key, d] < cap[key, d] and d not in visited:
                visited.add(d)
                if left[d] > 0:
                    left[d] -= 1
                    flow[key, d] += 1
                    return True
                for other in cells:  # move one of another cell's units from d elsewhere
                    if flow[other, d] > 0 and augment(other, visited):
                        flow[other, d] -= 1
                        flow[key, d] += 1
                        return True
        return False

    for key in cells:
        for _ in range(supply[key]):
            if not augment(key, set()):
                return False
    return True


# --- draw -------------------------------------------------------------------------------------------

def test_parallel_forms_are_equal_in_points_and_difficulty_and_differ_in_items():
    p = bpm.plan(bpm.default_blueprint("intermediate"))
    pool = synthetic_pool(p)
    tolerance = p.blueprint.difficulty_tolerance
    expected_areas = {a.code: Fraction(a.weight) for a in standard.level("intermediate").areas}
    expected_kinds = {r.kind: r.count * r.points for r in p.blueprint.types}
    papers, seen = set(), set()
    for seed in range(500):
        slots = drawing.draw(p, pool, random.Random(seed))
        summary = drawing.paper_summary(slots)
        assert summary["area_points"] == expected_areas
        assert summary["kind_points"] == expected_kinds
        assert summary["total_points"] == standard.FULL_MARKS
        assert summary["difficulty_counts"] == p.difficulty_counts
        assert abs(summary["mean_difficulty"] - p.target_difficulty) <= tolerance
        ids = [s.version_id for s in slots]
        assert len(ids) == len(set(ids))
        papers.add(frozenset(ids))
        seen.update(ids)
    assert len(papers) == 500
    assert seen == {i.version_id for i in pool}


def test_a_seed_always_draws_the_same_paper():
    p = bpm.plan(bpm.default_blueprint("senior"))
    pool = synthetic_pool(p)
    shuffled = list(pool)
    random.Random(1).shuffle(shuffled)
    assert drawing.draw(p, pool, random.Random(42)) == drawing.draw(p, shuffled, random.Random(42))
    assert drawing.draw(p, pool, random.Random(42)) != drawing.draw(p, pool, random.Random(43))


def test_questions_are_grouped_by_type_in_the_blueprints_order():
    p = bpm.plan(bpm.default_blueprint("junior"))
    slots = drawing.draw(p, synthetic_pool(p), random.Random(5))
    kinds = [s.kind for s in slots]
    assert kinds == sorted(kinds, key=[r.kind for r in p.blueprint.types].index)
    singles = [s.area for s in slots if s.kind == "single"]
    assert singles != sorted(singles)  # areas are mixed within a type
    assert all(s.points == next(c.points for c in p.cells if c.kind == s.kind) for s in slots)


def test_without_a_mix_any_difficulty_is_drawn():
    p = bpm.plan(make(types=EVEN, mode="fixed"))
    pool = [PoolItem(i.version_id, i.area, i.kind, 3) for i in synthetic_pool(p, factor=2)]
    slots = drawing.draw(p, pool, random.Random(0))
    summary = drawing.paper_summary(slots)
    assert summary["difficulty_counts"] == {3: sum(r.count for r in EVEN)}
    assert summary["area_points"] == {a.code: a.weight for a in standard.level("junior").areas}


def test_items_of_difficulties_the_mix_leaves_out_are_not_drawn():
    bp = make(types=EVEN, difficulty_mix=((1, Fraction(1, 2)), (2, Fraction(1, 2))), difficulty_tolerance=Fraction(1, 10))
    p = bpm.plan(bp)
    assert p.difficulty_counts == {1: 40, 2: 40, 3: 0}
    slots = drawing.draw(p, synthetic_pool(p, factor=4, weights=(1, 1, 1)), random.Random(9))
    assert drawing.paper_summary(slots)["difficulty_counts"] == {1: 40, 2: 40}


def test_pool_items_outside_the_plan_are_ignored_and_duplicates_refused():
    p = bpm.plan(bpm.default_blueprint("junior"))
    pool = synthetic_pool(p) + [PoolItem(99999, "guidance", "single", 2)]
    assert 99999 not in {s.version_id for s in drawing.draw(p, pool, random.Random(0))}
    with pytest.raises(BlueprintError, match="题目版本 1 出现了不止一次"):
        drawing.draw(p, pool + [pool[0]], random.Random(0))
