"""Checking an item pool against a blueprint's plan, and drawing papers from it.

A pure engine (no database), split from ``question_bank.blueprint`` to keep each module short.

The difficulty rule. With a difficulty mix the plan fixes the whole paper's count per difficulty
(e.g. 25 easy, 41 medium, 16 hard); how those spread over the cells is left free, so a cell short of
hard items can be made up by another cell. Whether a draw is possible is then a flow problem (cells
supply their counts, difficulties take their counts, a cell gives at most its approved items of a
difficulty), and by the max-flow/min-cut theorem it is possible exactly when, for every set S of
difficulties, the items the paper needs in S are at most Σ over cells of min(cell count, the cell's
approved items in S). ``shortages`` reports:

1. each cell with fewer approved items than its count (difficulty None);
2. each difficulty, or set of difficulties, failing the condition above, as a whole-paper shortage
   (area and kind empty), where "available" is that Σ of min(...);
3. for a failing set, the cells holding fewer items in it than their proportional share (the cell
   count split by the mix, rounded so that the shares add up to the paper's counts). Writing those
   items always clears that whole-paper shortage (a set it was hiding may then show).

So the list is empty exactly when ``draw`` can succeed. Items whose difficulty the mix does not ask
for (share 0, or outside 1–3) are not used when there is a mix.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from fractions import Fraction

from exam import standard
from question_bank.blueprint import (
    DIFFICULTIES, KINDS, BlueprintError, Plan, fmt, mean_difficulty, round_matrix,
)


@dataclass(frozen=True)
class PoolItem:
    """An approved item version the draw may use."""

    version_id: int
    area: str
    kind: str
    difficulty: int


@dataclass(frozen=True)
class Shortage:
    """Too few approved items for a cell (area and kind set) or for the whole paper (both empty).
    ``difficulties`` names a set of difficulties when a shortage concerns more than one."""

    area: str
    kind: str
    difficulty: int | None
    needed: int
    available: int
    difficulties: tuple[int, ...] = ()

    @property
    def missing(self) -> int:
        return self.needed - self.available

    def message(self, level) -> str:
        """One line a trainer can act on, e.g. "服务技能运用 × 填空题：需要 6 题，已审核的只有 4 题，缺 2 题"."""
        lvl = level if isinstance(level, standard.Level) else standard.level(level)
        wanted = self.difficulties or ((self.difficulty,) if self.difficulty is not None else ())
        named = "或".join(DIFFICULTIES.get(d, str(d)) for d in wanted)
        if not self.area:
            return (f"全卷难度为“{named}”的题：需要 {self.needed} 题，各单元合计最多能提供 "
                    f"{self.available} 题，缺 {self.missing} 题")
        where = f"{lvl.area(self.area).name} × {KINDS.get(self.kind, self.kind)}"
        if named:
            where += f" × {named}（按难度比例）"
        return f"{where}：需要 {self.needed} 题，已审核的只有 {self.available} 题，缺 {self.missing} 题"


@dataclass(frozen=True)
class Slot:
    """One question of a drawn paper."""

    version_id: int
    area: str
    kind: str
    points: Fraction
    difficulty: int


def _usable(p: Plan, pool: list[PoolItem]) -> dict[tuple[str, str], list[PoolItem]]:
    """The pool by cell, sorted by version so a seed always draws the same paper; items of other
    cells, and difficulties the mix does not want, are dropped."""
    seen: set[int] = set()
    wanted = {d for d, n in p.difficulty_counts.items() if n > 0}
    by_cell: dict[tuple[str, str], list[PoolItem]] = {(c.area, c.kind): [] for c in p.cells}
    for item in pool:
        if item.version_id in seen:
            raise BlueprintError(f"题库中题目版本 {item.version_id} 出现了不止一次")
        seen.add(item.version_id)
        if (item.area, item.kind) in by_cell and (not wanted or item.difficulty in wanted):
            by_cell[item.area, item.kind].append(item)
    return {key: sorted(items, key=lambda i: i.version_id) for key, items in by_cell.items()}


def shortages(p: Plan, pool: list[PoolItem]) -> list[Shortage]:
    """Every reason the approved pool cannot fill the plan (see the module docstring); [] = it can."""
    by_cell = _usable(p, pool)
    found = [Shortage(c.area, c.kind, None, c.count, len(by_cell[c.area, c.kind]))
             for c in p.cells if len(by_cell[c.area, c.kind]) < c.count]
    if p.difficulty_counts:
        have = {key: Counter(item.difficulty for item in items) for key, items in by_cell.items()}
        paper = _difficulty_shortages(p, have)
        found += paper + _cell_hints(p, have, [s.difficulties or (s.difficulty,) for s in paper])
    return found


def _in_set(have: Counter, difficulties) -> int:
    return sum(have[d] for d in difficulties)


def _difficulty_shortages(p: Plan, have: dict[tuple[str, str], Counter]) -> list[Shortage]:
    """The min-cut condition for every proper set of difficulties the paper needs items from; a set
    is reported only when none of its members fails alone (that would already explain it)."""
    needed = p.difficulty_counts
    found: list[Shortage] = []
    failed_alone: set[int] = set()
    for size in range(1, len(needed)):
        for group in itertools.combinations(sorted(needed), size):
            need = sum(needed[d] for d in group)
            room = sum(min(c.count, _in_set(have[c.area, c.kind], group)) for c in p.cells)
            if need > room and not failed_alone.intersection(group):
                found.append(Shortage("", "", group[0] if size == 1 else None, need, room,
                                      () if size == 1 else group))
                if size == 1:
                    failed_alone.add(group[0])
    return found


def _cell_hints(p: Plan, have: dict[tuple[str, str], Counter], groups: list[tuple[int, ...]]) -> list[Shortage]:
    """Cells holding fewer items of a short set of difficulties than their proportional share."""
    if not groups:
        return []
    order = sorted(p.difficulty_counts)
    shares = dict(p.blueprint.difficulty_mix)
    quota = round_matrix([c.count for c in p.cells], [p.difficulty_counts[d] for d in order],
                         [[c.count * shares.get(d, Fraction(0)) for d in order] for c in p.cells])
    hints = []
    for group in groups:
        for cell, row in zip(p.cells, quota):
            share = sum(n for d, n in zip(order, row) if d in group)
            available = _in_set(have[cell.area, cell.kind], group)
            if available < share:
                hints.append(Shortage(cell.area, cell.kind, group[0] if len(group) == 1 else None,
                                      share, available, group if len(group) > 1 else ()))
    return hints


#: How many fresh draws to try before deciding that the enemy pairs leave no possible paper.
ENEMY_ATTEMPTS = 50


def enemy_map(enemies) -> dict[int, set[int]]:
    """Version id -> the version ids it may not share a paper with (from pairs of version ids)."""
    out: dict[int, set[int]] = defaultdict(set)
    for pair in enemies:
        a, b = tuple(pair)
        out[a].add(b)
        out[b].add(a)
    return out


def has_enemies(version_ids, enemies) -> list[tuple[int, int]]:
    """The enemy pairs a set of version ids holds (a paper must hold none)."""
    ids = set(version_ids)
    return sorted(tuple(sorted(pair)) for pair in enemies if set(pair) <= ids)


def sample_apart(items: list, count: int, taken: set[int], foes: dict[int, set[int]], rng: random.Random,
                 vid=lambda item: item) -> list | None:
    """``count`` items at random, none an enemy of ``taken`` or of each other (``taken`` grows);
    None when no such choice was found in this order. Without enemies this is ``rng.sample``."""
    if not foes:
        picked = rng.sample(items, count)
        taken.update(vid(i) for i in picked)
        return picked
    order = rng.sample(items, len(items))
    picked = []
    for item in order:
        if len(picked) == count:
            break
        if not foes.get(vid(item), set()) & taken:
            picked.append(item)
            taken.add(vid(item))
    return picked if len(picked) == count else None


@dataclass(frozen=True)
class PreparedPool:
    """A pool checked against a plan once: its usable items by cell (sorted) and its shortages.
    The same for every candidate drawing from the same approved bank, so callers may keep it
    (``blueprint_service`` keeps it keyed by the plan and the exact pool it was made from)."""

    items: tuple[PoolItem, ...]
    by_cell: dict[tuple[str, str], list[PoolItem]]
    problems: tuple[Shortage, ...]


def prepare(p: Plan, pool: list[PoolItem]) -> PreparedPool:
    """Everything ``draw`` derives from the pool alone (the shortage check is the costly part)."""
    return PreparedPool(tuple(pool), _usable(p, pool), tuple(shortages(p, pool)))


def draw(p: Plan, pool: list[PoolItem] | PreparedPool, rng: random.Random, enemies=frozenset()) -> list[Slot]:
    """A paper: each cell's items sampled at random, then swapped within cells until the difficulty
    counts are met; ordered by type as in the blueprint, shuffled within a type. ``enemies`` are
    pairs of version ids a trainer confirmed must not share a paper: the sampling and the swaps skip
    an item whose enemy is already on the paper, and a draw that still ends with a pair is redone.
    ``pool`` may be a ``PreparedPool`` made by ``prepare`` for this very plan."""
    prepared = pool if isinstance(pool, PreparedPool) else prepare(p, pool)
    if prepared.problems:
        lines = "；".join(s.message(p.blueprint.level) for s in prepared.problems)
        raise BlueprintError(f"已审核的题目不足以按此规则组卷：{lines}")
    foes = enemy_map(enemies)
    for _ in range(ENEMY_ATTEMPTS if foes else 1):
        slots = _draw_once(p, prepared.by_cell, rng, foes)
        if slots is not None and not has_enemies((s.version_id for s in slots), enemies):
            return slots
    raise BlueprintError("互斥题目过多：多次抽题都无法组成不含互斥题对的试卷，请增加题目或复核互斥题设置")


def _draw_once(p: Plan, by_cell: dict[tuple[str, str], list[PoolItem]], rng: random.Random,
               foes: dict[int, set[int]]) -> list[Slot] | None:
    """One attempt at a paper; ``by_cell`` (shared, never changed here) is ``_usable``'s result."""
    chosen, spare = {}, {}
    taken: set[int] = set()
    for cell in p.cells:
        key = (cell.area, cell.kind)
        picked = sample_apart(by_cell[key], cell.count, taken, foes, rng, vid=lambda i: i.version_id)
        if picked is None:
            return None
        ids = {item.version_id for item in picked}
        chosen[key] = _by_difficulty(picked)
        spare[key] = _by_difficulty([item for item in by_cell[key] if item.version_id not in ids])
    if p.difficulty_counts:
        try:
            _balance(p, chosen, spare, rng, foes)
        except BlueprintError:
            if not foes:
                raise
            return None
    slots = _ordered(p, chosen, rng)
    _check_mean(p, slots)
    return slots


def _by_difficulty(items: list[PoolItem]) -> dict[int, list[PoolItem]]:
    grouped: dict[int, list[PoolItem]] = defaultdict(list)
    for item in items:
        grouped[item.difficulty].append(item)
    return grouped


def _balance(p: Plan, chosen, spare, rng: random.Random, foes: dict[int, set[int]] | None = None) -> None:
    """Swap items within cells until the paper has exactly the planned count per difficulty. Each
    round moves one item from a difficulty with too many to one with too few, directly or through a
    middle difficulty in another cell; the pool check guarantees such a path exists, so at most one
    round per item is needed."""
    drawn = {d: sum(len(c.get(d, ())) for c in chosen.values()) for d in p.difficulty_counts}
    for _ in range(sum(c.count for c in p.cells) + 1):
        surplus = [d for d, n in p.difficulty_counts.items() if drawn[d] > n]
        if not surplus:
            return
        path = _swap_path(p, surplus, drawn, chosen, spare, rng, foes)
        if path is None:
            break
        for key, out, into in path:
            _swap(chosen[key], spare[key], out, into, rng, _taken(chosen) if foes else None, foes)
        drawn[path[0][1]] -= 1
        drawn[path[-1][2]] += 1
    raise BlueprintError("无法通过调换题目满足难度比例，请检查各单元已审核题目的难度分布")


def _swap_path(p: Plan, surplus, drawn, chosen, spare, rng: random.Random, foes: dict[int, set[int]] | None = None):
    """Breadth-first over difficulties: d → d' through a cell with a drawn item of d and an unused
    one of d' (with enemies: one no item on the paper is an enemy of). Cells are tried in random
    order so that the swaps do not favour any cell."""
    keys = list(chosen)
    rng.shuffle(keys)
    if foes:
        taken = _taken(chosen)
        spare = {key: {d: [i for i in items if not foes.get(i.version_id, set()) & taken]
                       for d, items in by_d.items()} for key, by_d in spare.items()}
    came_from = {d: None for d in surplus}
    queue = list(surplus)
    for here in queue:
        for key in keys:
            if not chosen[key].get(here):
                continue
            for there in p.difficulty_counts:
                if there in came_from or not spare[key].get(there):
                    continue
                came_from[there] = (here, key)
                if drawn[there] < p.difficulty_counts[there]:
                    return _trace(came_from, there)
                queue.append(there)
    return None


def _trace(came_from, end: int) -> list[tuple[tuple[str, str], int, int]]:
    path, there = [], end
    while came_from[there] is not None:
        here, key = came_from[there]
        path.append((key, here, there))
        there = here
    return path[::-1]


def _taken(chosen) -> set[int]:
    return {item.version_id for cell in chosen.values() for items in cell.values() for item in items}


def _swap(chosen: dict, spare: dict, out: int, into: int, rng: random.Random, taken: set[int] | None = None,
          foes: dict[int, set[int]] | None = None) -> None:
    """Replace a random drawn item of difficulty ``out`` by a random unused one of ``into``; with
    enemies, preferably by one no item on the paper is an enemy of (``draw`` checks the result)."""
    leaving = chosen[out].pop(rng.randrange(len(chosen[out])))
    if foes:
        rest = (taken or set()) - {leaving.version_id}
        choices = [n for n in range(len(spare[into]))
                   if not foes.get(spare[into][n].version_id, set()) & rest] or list(range(len(spare[into])))
        coming = spare[into].pop(rng.choice(choices))
    else:
        coming = spare[into].pop(rng.randrange(len(spare[into])))
    spare[out].append(leaving)
    chosen[into].append(coming)


def _ordered(p: Plan, chosen, rng: random.Random) -> list[Slot]:
    """Candidates see questions grouped by type in the blueprint's order; the order inside a type
    is random, so areas are mixed."""
    slots = []
    for rule in p.blueprint.types:
        group = [Slot(item.version_id, cell.area, cell.kind, cell.points, item.difficulty)
                 for cell in p.cells if cell.kind == rule.kind
                 for d in sorted(chosen[cell.area, cell.kind])
                 for item in sorted(chosen[cell.area, cell.kind][d], key=lambda i: i.version_id)]
        rng.shuffle(group)
        slots += group
    return slots


def _check_mean(p: Plan, slots: list[Slot]) -> None:
    """The counts fix the mean; this guards the promise that every form is equally hard."""
    if p.target_difficulty is None:
        return
    mean = mean_difficulty(Counter(slot.difficulty for slot in slots))
    if abs(mean - p.target_difficulty) > p.blueprint.difficulty_tolerance:
        raise BlueprintError(f"抽出的试卷平均难度 {fmt(mean)} 超出目标 {fmt(p.target_difficulty)} "
                             f"的允许偏差 {fmt(p.blueprint.difficulty_tolerance)}")


def paper_summary(slots: list[Slot]) -> dict:
    """What must be equal across parallel forms: points per area and per type, count per
    difficulty, mean difficulty (None for an empty paper)."""
    area_points: dict[str, Fraction] = defaultdict(Fraction)
    kind_points: dict[str, Fraction] = defaultdict(Fraction)
    difficulty_counts: dict[int, int] = defaultdict(int)
    for slot in slots:
        area_points[slot.area] += slot.points
        kind_points[slot.kind] += slot.points
        difficulty_counts[slot.difficulty] += 1
    return {
        "area_points": dict(sorted(area_points.items())),
        "kind_points": dict(sorted(kind_points.items())),
        "difficulty_counts": dict(sorted(difficulty_counts.items())),
        "mean_difficulty": mean_difficulty(difficulty_counts),
        "total_points": sum(area_points.values(), Fraction(0)),
        "item_count": len(slots),
    }
