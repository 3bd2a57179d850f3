"""Enemy pairs never share a paper, over many draws, in every way a paper is drawn (pure engines)."""

import random
from collections import Counter

import pytest

from question_bank import assembly
from question_bank import blueprint as bpm
from question_bank import blueprint_draw as drawing
from question_bank.blueprint import BlueprintError
from tests.unit.blueprint_fixtures import synthetic_pool

DRAWS = 1000


def enemy_pairs(pool, rng, count=60):
    """Random pairs, half inside one cell (the hard case: the same cell fills from both), half across."""
    pairs = set()
    by_cell = {}
    for item in pool:
        by_cell.setdefault((item.area, item.kind), []).append(item.version_id)
    cells = [ids for ids in by_cell.values() if len(ids) >= 2]
    while len(pairs) < count:
        if len(pairs) % 2:
            a, b = rng.sample(rng.choice(cells), 2)
        else:
            a, b = rng.sample([i.version_id for i in pool], 2)
        pairs.add(frozenset((a, b)))
    return frozenset(pairs)


@pytest.mark.parametrize("level", ["junior", "senior"])
def test_blueprint_draws_never_hold_an_enemy_pair(level):
    p = bpm.plan(bpm.default_blueprint(level))
    pool = synthetic_pool(p)
    rng = random.Random(11)
    enemies = enemy_pairs(pool, rng)
    seen = Counter()
    for _ in range(DRAWS):
        slots = drawing.draw(p, pool, rng, enemies)
        ids = {s.version_id for s in slots}
        assert drawing.has_enemies(ids, enemies) == []
        assert drawing.paper_summary(slots)["total_points"] == 100     # the plan still holds
        seen.update(ids)
    in_pairs = {v for pair in enemies for v in pair}
    assert all(seen[v] > 0 for v in in_pairs)      # enemies are kept apart, not kept out
    # without the pairs, the same draws would put some pair together: the test has teeth
    together = sum(bool(drawing.has_enemies({s.version_id for s in drawing.draw(p, pool, rng)}, enemies))
                   for _ in range(50))
    assert together > 0


def test_a_draw_without_enemies_is_unchanged_by_the_feature():
    p = bpm.plan(bpm.default_blueprint("junior"))
    pool = synthetic_pool(p)
    assert drawing.draw(p, pool, random.Random(3)) == drawing.draw(p, pool, random.Random(3), frozenset())


def test_a_cell_of_mutual_enemies_cannot_be_filled_and_says_why():
    p = bpm.plan(bpm.default_blueprint("junior"))
    cell = next(c for c in p.cells if c.count >= 2)
    pool = synthetic_pool(p)
    ids = [i.version_id for i in pool if (i.area, i.kind) == (cell.area, cell.kind)]
    everyone = frozenset(frozenset((a, b)) for a in ids for b in ids if a < b)
    with pytest.raises(BlueprintError, match="互斥题目过多"):
        drawing.draw(p, pool, random.Random(1), everyone)


def test_area_assembly_never_holds_an_enemy_pair():
    pool = {"computer": list(range(1, 31)), "seat_tools": list(range(31, 51)),
            "service": list(range(51, 131)), "basics": list(range(131, 161))}
    rng = random.Random(5)
    enemies = frozenset(frozenset(rng.sample(range(1, 161), 2)) for _ in range(80))
    for _ in range(DRAWS):
        slots = assembly.assemble("junior", 50, pool, rng, enemies)
        assert len(slots) == 50 and drawing.has_enemies({s.version_id for s in slots}, enemies) == []
    impossible = frozenset(frozenset((a, b)) for a in range(31, 51) for b in range(31, 51) if a < b)
    with pytest.raises(assembly.AssemblyError, match="互斥题目过多"):
        assembly.assemble("junior", 50, pool, rng, impossible)
