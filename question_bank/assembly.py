"""Paper assembly: how many items each function area gets and what each is worth.

A pure engine (no database). The standard fixes each area's share of the 100 points; the examiner
fixes the number of questions. Counts follow the weights by largest remainder, and every item in an
area is worth the area's weight divided by its count, so the paper totals exactly 100 points and each
area exactly its weight, whatever the number of questions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction

from exam import standard
from question_bank.blueprint_draw import ENEMY_ATTEMPTS, enemy_map, sample_apart


class AssemblyError(ValueError):
    """A paper cannot be built as asked; the message says why, in Chinese."""


@dataclass(frozen=True)
class Slot:
    version_id: int
    area: str
    points: Fraction


def allocate(level_code: str, item_count: int) -> dict[str, int]:
    lvl = standard.level(level_code)
    if item_count < len(lvl.areas):
        raise AssemblyError(f"题量 {item_count} 过少：{lvl.name}有 {len(lvl.areas)} 个职业功能，每个至少一题")
    exact = {a.code: Fraction(a.weight * item_count, standard.FULL_MARKS) for a in lvl.areas}
    counts = {code: int(value) for code, value in exact.items()}
    left = item_count - sum(counts.values())
    by_remainder = sorted(exact, key=lambda c: (exact[c] - counts[c], lvl.area(c).weight), reverse=True)
    for code in by_remainder[:left]:
        counts[code] += 1
    empty = [lvl.area(c).name for c, n in counts.items() if n == 0]
    if empty:
        raise AssemblyError(f"题量 {item_count} 过少：{'、'.join(empty)}分不到题目，请增加题量")
    return counts


def check_pool(level_code: str, item_count: int, pool: dict[str, list[int]]) -> dict[str, int]:
    counts = allocate(level_code, item_count)
    lvl = standard.level(level_code)
    short = [
        f"{lvl.area(code).name}需要 {n} 题，题库只有 {len(pool.get(code, []))} 题"
        for code, n in counts.items() if len(pool.get(code, [])) < n
    ]
    if short:
        raise AssemblyError("题库题目不足：" + "；".join(short))
    return counts


def assemble(level_code: str, item_count: int, pool: dict[str, list[int]], rng: random.Random,
             enemies=frozenset()) -> list[Slot]:
    """Draw a paper and shuffle its question order; ``pool`` maps area code to item version ids.
    ``enemies`` (pairs of version ids) never share the paper, as in ``blueprint_draw.draw``."""
    counts = check_pool(level_code, item_count, pool)
    lvl = standard.level(level_code)
    foes = enemy_map(enemies)
    for _ in range(ENEMY_ATTEMPTS if foes else 1):
        slots: list[Slot] | None = []
        taken: set[int] = set()
        for code, n in counts.items():
            points = Fraction(lvl.area(code).weight, n)
            picked = sample_apart(sorted(pool[code]), n, taken, foes, rng)
            if picked is None:
                slots = None
                break
            slots += [Slot(version_id, code, points) for version_id in picked]
        if slots is not None:
            rng.shuffle(slots)
            return slots
    raise AssemblyError("互斥题目过多：多次抽题都无法组成不含互斥题对的试卷，请增加题目或复核互斥题设置")


def shuffled_option_order(option_count: int, rng: random.Random) -> list[int]:
    """Display position -> original option index."""
    order = list(range(option_count))
    rng.shuffle(order)
    return order
