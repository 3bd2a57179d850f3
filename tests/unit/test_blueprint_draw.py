"""Shortages of the approved pool and the draws: parallel forms, determinism, difficulty."""

import itertools
import random
from collections import Counter
from fractions import Fraction

import pytest

from exam import standard
from question_bank import blueprint as bpm
from question_bank import blueprint_draw as drawing
from question_bank.blueprint import BlueprintError
from question_bank.blueprint_draw import PoolItem
from tests.unit.blueprint_fixtures import EVEN, LEVELS, make, synthetic_pool


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
