"""Exam blueprints (组卷规则): which questions a theory paper is made of.

A pure engine (no Flask, no database). A blueprint says, for one level, how many items of each type a
paper has and what each is worth, the share of easy, medium and hard items, and whether everybody sits
one paper or each candidate a parallel form. ``plan`` turns it into (function area × item type) counts
in which every area earns exactly its weight from the standard, so every paper drawn from the plan
(``blueprint_draw``) is worth the same in every area. Points are Fractions: totals are exact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from exam import standard


class BlueprintError(ValueError):
    """A blueprint cannot be used as given; the message says what is wrong, in Chinese."""


KINDS = MappingProxyType({"single": "单选题", "multiple": "多选题", "truefalse": "判断题",
                          "fill": "填空题", "short": "简答题"})

DIFFICULTIES = MappingProxyType({1: "易", 2: "中", 3: "难"})

MODES = MappingProxyType({"fixed": "固定试卷", "drawn": "按规则抽题（每场一卷）",
                          "per_candidate": "每人随机（平行试卷）"})

_PERCENT = 100  # for showing shares as percentages only


def fmt(value) -> str:
    """Show a Fraction as people write it (5, 2.5, 1/3): messages must not say '5/1'."""
    value = Fraction(value)
    decimal = f"{float(value):.6f}".rstrip("0").rstrip(".")
    return decimal if Fraction(decimal) == value else f"{value.numerator}/{value.denominator}"


def _exact(number) -> bool:
    """Ints and Fractions only: a float such as 0.1 would break exact totals."""
    return isinstance(number, (int, Fraction)) and not isinstance(number, bool)


def _more_or_less(actual, wanted, unit: str) -> str:
    """'多 2 分' / '少 1 题': the difference people must fix, with its direction."""
    return f"{'多' if actual > wanted else '少'} {fmt(abs(actual - wanted))} {unit}"


@dataclass(frozen=True)
class TypeRule:
    """How many items of one type the paper has and what each is worth."""

    kind: str
    count: int
    points: Fraction


@dataclass(frozen=True)
class Blueprint:
    """A 组卷规则 for one level. ``cells`` optionally fixes the (area, kind, count) matrix by hand."""

    level: str
    mode: str
    types: tuple[TypeRule, ...]
    difficulty_mix: tuple[tuple[int, Fraction], ...] = ()
    difficulty_tolerance: Fraction = Fraction(3, 20)
    cells: tuple[tuple[str, str, int], ...] = ()

    def validate(self) -> None:
        """Refuse a blueprint that no paper could satisfy, listing every problem at once."""
        problems = [*_level_and_mode_problems(self), *_type_problems(self.types),
                    *_mix_problems(self), *_cell_problems(self)]
        if problems:
            raise BlueprintError("组卷规则有误：" + "；".join(problems))


def _level_and_mode_problems(bp: Blueprint) -> list[str]:
    problems = []
    if bp.level not in standard.LEVELS:
        problems.append(f"未知等级 {bp.level!r}，应为 {'、'.join(standard.LEVELS)} 之一")
    if bp.mode not in MODES:
        problems.append(f"未知组卷方式 {bp.mode!r}，应为 "
                        f"{'、'.join(f'{code}“{name}”' for code, name in MODES.items())} 之一")
    return problems


def _type_problems(types: tuple[TypeRule, ...]) -> list[str]:
    """Each type once, at least one item, positive points, and the paper worth exactly full marks."""
    if not types:
        return ["至少需要一种题型"]
    problems, seen = [], set()
    for rule in types:
        name = KINDS.get(rule.kind)
        if name is None:
            problems.append(f"未知题型 {rule.kind!r}，应为 {'、'.join(KINDS)} 之一")
            continue
        if rule.kind in seen:
            problems.append(f"{name}重复出现，每种题型只能有一条规则")
        seen.add(rule.kind)
        if not isinstance(rule.count, int) or isinstance(rule.count, bool) or rule.count < 1:
            problems.append(f"{name}的题量应为至少 1 的整数（现为 {rule.count!r}）")
        if not _exact(rule.points) or rule.points <= 0:
            problems.append(f"{name}的每题分值应为大于 0 的整数或分数（现为 {rule.points!r}）")
    if not problems:
        total = sum((r.count * r.points for r in types), Fraction(0))
        if total != standard.FULL_MARKS:
            problems.append(f"各题型合计 {fmt(total)} 分，应为 {standard.FULL_MARKS} 分"
                            f"（{_more_or_less(total, standard.FULL_MARKS, '分')}）")
    return problems


def _mix_problems(bp: Blueprint) -> list[str]:
    """Difficulties 1–3 each at most once, non-negative shares summing to 1, tolerance >= 0."""
    problems, seen = [], set()
    for difficulty, share in bp.difficulty_mix:
        if difficulty not in DIFFICULTIES:
            problems.append(f"未知难度 {difficulty!r}，应为 1（易）、2（中）或 3（难）")
            continue
        if difficulty in seen:
            problems.append(f"难度“{DIFFICULTIES[difficulty]}”的比例重复出现")
        seen.add(difficulty)
        if not _exact(share) or share < 0:
            problems.append(f"难度“{DIFFICULTIES[difficulty]}”的比例应为非负的分数，如 3/10（现为 {share!r}）")
    total = sum((share for _, share in bp.difficulty_mix if _exact(share)), Fraction(0))
    if bp.difficulty_mix and not problems and total != 1:
        problems.append(f"难度比例合计 {fmt(total * _PERCENT)}%，应为 {_PERCENT}%")
    if not _exact(bp.difficulty_tolerance) or bp.difficulty_tolerance < 0:
        problems.append(f"平均难度的允许偏差应为非负的分数，如 3/20（现为 {bp.difficulty_tolerance!r}）")
    return problems


def _cell_problems(bp: Blueprint) -> list[str]:
    """Hand-made matrix entries must name an area of the level and a type of this blueprint."""
    if not bp.cells or bp.level not in standard.LEVELS:
        return []
    lvl = standard.level(bp.level)
    kinds = {r.kind for r in bp.types}
    problems, seen = [], set()
    for area, kind, count in bp.cells:
        if area not in lvl.area_codes:
            problems.append(f"分配表中的职业功能 {area!r} 不属于{lvl.name}")
        if kind not in kinds:
            problems.append(f"分配表中的题型 {kind!r} 不在本规则的题型中")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            problems.append(f"分配表中 {area} × {kind} 的题量应为非负整数（现为 {count!r}）")
        if (area, kind) in seen:
            problems.append(f"分配表中 {area} × {kind} 重复出现")
        seen.add((area, kind))
    return problems


@dataclass(frozen=True)
class Cell:
    """One (function area × item type) entry of a plan: ``count`` items worth ``points`` each."""

    area: str
    kind: str
    count: int
    points: Fraction


@dataclass(frozen=True)
class Plan:
    """What every paper of a blueprint contains; each draw fills exactly these cells."""

    blueprint: Blueprint
    cells: tuple[Cell, ...]
    difficulty_counts: dict[int, int]
    target_difficulty: Fraction | None


def plan(bp: Blueprint) -> Plan:
    """Fix how many items of each type each function area gets, and the paper's difficulty counts."""
    bp.validate()
    lvl = standard.level(bp.level)
    matrix = _checked_overrides(bp, lvl) if bp.cells else _proportional_matrix(bp, lvl)
    cells = tuple(Cell(area.code, rule.kind, matrix[area.code, rule.kind], rule.points)
                  for area in lvl.areas for rule in bp.types if matrix[area.code, rule.kind] > 0)
    total = sum(c.count for c in cells)
    counts = _difficulty_counts(bp.difficulty_mix, total)
    target = sum((d * share for d, share in bp.difficulty_mix), Fraction(0)) if counts else None
    _check_rounded_mean(bp, counts, target)
    return Plan(bp, cells, counts, target)


def _checked_overrides(bp: Blueprint, lvl: standard.Level) -> dict[tuple[str, str], int]:
    """A hand-made matrix is used as it is, but only if every area and every type adds up."""
    matrix = {(a.code, r.kind): 0 for a in lvl.areas for r in bp.types}
    for area, kind, count in bp.cells:
        matrix[area, kind] = count
    problems = []
    for area in lvl.areas:
        points = sum(matrix[area.code, r.kind] * r.points for r in bp.types)
        if points != area.weight:
            problems.append(f"{area.name}共 {fmt(points)} 分，应为 {area.weight} 分"
                            f"（{_more_or_less(points, area.weight, '分')}）")
    for rule in bp.types:
        count = sum(matrix[a.code, rule.kind] for a in lvl.areas)
        if count != rule.count:
            problems.append(f"{KINDS[rule.kind]}共 {count} 题，规则为 {rule.count} 题"
                            f"（{_more_or_less(count, rule.count, '题')}）")
    if problems:
        raise BlueprintError("分配表不符合要求：" + "；".join(problems))
    return matrix


def _proportional_matrix(bp: Blueprint, lvl: standard.Level) -> dict[tuple[str, str], int]:
    """Two stages, both exact. Types of equal points are interchangeable as far as an area's points
    go, so first split each *point class* (e.g. all 1-point types) among the areas, searching every
    combination that gives each area exactly its weight for the one closest to proportional; then
    split each class among its types, again as close to proportional as the totals allow."""
    classes = sorted({r.points for r in bp.types}, reverse=True)  # smallest last: see _area_options
    class_counts = [sum(r.count for r in bp.types if r.points == p) for p in classes]
    options = [_area_options(area.weight, classes, class_counts) for area in lvl.areas]
    _refuse_unreachable_areas(bp, lvl, options)
    by_class = _closest_class_matrix(lvl, class_counts, options)
    if by_class is None:
        weights = "、".join(f"{a.name} {a.weight} 分" for a in lvl.areas)
        raise BlueprintError(f"各职业功能的分值单独都能凑成，但现有题量无法同时满足所有职业功能"
                             f"（{weights}；{_offered(bp)}），请调整题型的分值或题量")
    matrix = {}
    for index, points in enumerate(classes):
        rules = [r for r in bp.types if r.points == points]
        rows = [chosen[index] for chosen in by_class]
        targets = [[Fraction(a.weight * r.count, standard.FULL_MARKS) for r in rules] for a in lvl.areas]
        split = round_matrix(rows, [r.count for r in rules], targets)
        for area, row in zip(lvl.areas, split):
            for rule, count in zip(rules, row):
                matrix[area.code, rule.kind] = count
    return matrix


def _area_options(weight: int, classes: list[Fraction], caps: list[int]) -> list[tuple[int, ...]]:
    """Every vector of per-class counts (within each class's total) worth exactly ``weight``. The last
    class takes the rest, so the smallest goes last; points scaled to whole numbers keep it fast."""
    scale = math.lcm(*(p.denominator for p in classes))
    values = [int(p * scale) for p in classes]
    options: list[tuple[int, ...]] = []

    def extend(prefix: tuple[int, ...], left: int) -> None:
        index = len(prefix)
        if index == len(values) - 1:
            count, rest = divmod(left, values[index])
            if not rest and count <= caps[index]:
                options.append((*prefix, count))
        else:
            for count in range(min(caps[index], left // values[index]) + 1):
                extend((*prefix, count), left - count * values[index])

    extend((), weight * scale)
    return options


def _refuse_unreachable_areas(bp: Blueprint, lvl: standard.Level, options) -> None:
    """Name the areas whose weight no combination of the blueprint's items can make."""
    unreachable = [f"{a.name}（{a.weight} 分）" for a, found in zip(lvl.areas, options) if not found]
    if unreachable:
        raise BlueprintError(f"{'、'.join(unreachable)}无法由各题型的分值凑成（{_offered(bp)}），"
                             "请调整题型的分值或题量")


def _offered(bp: Blueprint) -> str:
    return "现有：" + "、".join(f"{KINDS[r.kind]} {r.count} 题×{fmt(r.points)} 分" for r in bp.types)


def _closest_class_matrix(lvl: standard.Level, class_counts: list[int], options):
    """Branch and bound over areas for the class vectors that use up every class and are closest
    (squared distance) to proportional; None if none exists. Cheapest vectors first; a branch stops
    when the open areas' cheapest vectors cannot beat the best found; dead-end states are remembered
    so impossible blueprints fail fast. The area with most vectors goes last and takes the rest."""
    order = sorted(range(len(lvl.areas)), key=lambda i: len(options[i]))
    last = len(order) - 1

    def cost(position: int, vector: tuple[int, ...]) -> int:
        weight = lvl.areas[order[position]].weight
        return sum((n * standard.FULL_MARKS - weight * total) ** 2 for n, total in zip(vector, class_counts))

    choices = [sorted((cost(position, v), v) for v in options[i]) for position, i in enumerate(order)]
    floor = [sum(c[0][0] for c in choices[position:]) for position in range(len(order))] + [0]
    best: list = [math.inf, None]
    dead: set = set()

    def search(position: int, left: tuple[int, ...], spent: int, chosen: tuple) -> bool:  # False: dead end
        if position == last:  # what is left is worth the last area's weight by now
            if spent + cost(position, left) < best[0]:
                best[:] = [spent + cost(position, left), (*chosen, left)]
            return True
        if (position, left) in dead:
            return False
        alive = False
        for own, vector in choices[position]:
            if spent + own + floor[position + 1] >= best[0]:
                return True  # not explored, so not known to be dead
            rest = tuple(a - b for a, b in zip(left, vector))
            if min(rest) >= 0 and search(position + 1, rest, spent + own, (*chosen, vector)):
                alive = True
        if not alive:
            dead.add((position, left))
        return alive

    search(0, tuple(class_counts), 0, ())
    if best[1] is None:
        return None
    return [vector for _, vector in sorted(zip(order, best[1]))]  # back in the standard's area order


def round_matrix(row_sums: list[int], col_sums: list[int], targets: list[list[Fraction]]) -> list[list[int]]:
    """The integer matrix with the given row and column sums (equal totals) closest to ``targets`` in
    squared distance: one unit at a time along a cheapest path, which with convex costs is exact.
    It starts from the rounded-down targets when they fit (no cycle of changes gains from there)."""
    scale = math.lcm(*(Fraction(t).denominator for row in targets for t in row))
    goal = [[int(Fraction(t) * scale) for t in row] for row in targets]
    counts = [[max(0, g // scale) for g in row] for row in goal]
    rows_left = [total - sum(row) for total, row in zip(row_sums, counts)]
    cols_left = [total - sum(col) for total, col in zip(col_sums, zip(*counts))]
    if min(rows_left + cols_left) < 0:  # they do not fit: start from nothing
        counts = [[0] * len(col_sums) for _ in row_sums]
        rows_left, cols_left = list(row_sums), list(col_sums)

    def change(i: int, j: int, step: int) -> int:
        before = counts[i][j] * scale - goal[i][j]
        return (before + step * scale) ** 2 - before ** 2

    for _ in range(sum(rows_left)):
        path = _cheapest_path(counts, rows_left, cols_left, change)
        for i, j, step in path:
            counts[i][j] += step
        rows_left[path[0][0]] -= 1
        cols_left[path[-1][1]] -= 1
    return counts


def _cheapest_path(counts, rows_left, cols_left, change) -> list[tuple[int, int, int]]:
    """Bellman–Ford from rows with units left to columns with room, alternating +1 (row→column)
    and −1 (column→row, only where a unit sits) steps; returns the (row, column, ±1) steps."""
    rows, cols = len(rows_left), len(cols_left)
    row_dist = [0 if left > 0 else math.inf for left in rows_left]
    col_dist, col_from, row_from = [math.inf] * cols, [None] * cols, [None] * rows
    for _ in range(rows + cols):
        changed = False
        for i in range(rows):
            for j in range(cols):
                if row_dist[i] + change(i, j, 1) < col_dist[j]:
                    col_dist[j], col_from[j], changed = row_dist[i] + change(i, j, 1), i, True
                if counts[i][j] > 0 and col_dist[j] + change(i, j, -1) < row_dist[i]:
                    row_dist[i], row_from[i], changed = col_dist[j] + change(i, j, -1), j, True
        if not changed:
            break
    end = min((j for j in range(cols) if cols_left[j] > 0), key=lambda j: col_dist[j])
    path, j = [], end
    while True:
        i = col_from[j]
        path.append((i, j, 1))
        if row_from[i] is None:
            return path[::-1]
        j = row_from[i]
        path.append((i, j, -1))


def _difficulty_counts(mix: tuple[tuple[int, Fraction], ...], total: int) -> dict[int, int]:
    """Whole-paper counts per difficulty by largest remainder; every difficulty is listed (0 for
    one the mix leaves out) so that a draw knows those items are not wanted. Empty without a mix."""
    if not mix:
        return {}
    shares = {d: Fraction(0) for d in DIFFICULTIES} | dict(mix)
    exact = {d: share * total for d, share in shares.items()}
    counts = {d: math.floor(value) for d, value in exact.items()}
    order = sorted(exact, key=lambda d: (counts[d] - exact[d], -exact[d], d))
    for d in order[:total - sum(counts.values())]:
        counts[d] += 1
    return dict(sorted(counts.items()))


def mean_difficulty(counts: dict[int, int]) -> Fraction | None:
    items = sum(counts.values())
    return Fraction(sum(d * n for d, n in counts.items()), items) if items else None


def _check_rounded_mean(bp: Blueprint, counts: dict[int, int], target: Fraction | None) -> None:
    """Rounding the mix to whole items moves the mean; no draw can meet a tolerance that this breaks."""
    mean = mean_difficulty(counts)
    if target is not None and abs(mean - target) > bp.difficulty_tolerance:
        raise BlueprintError(
            f"按难度比例取整后全卷平均难度为 {fmt(mean)}，与目标 {fmt(target)} 相差超过允许偏差 "
            f"{fmt(bp.difficulty_tolerance)}，请放宽允许偏差或调整题量")


_DEFAULT_TYPES = (("single", 40, 1), ("multiple", 10, 2), ("truefalse", 20, 1), ("fill", 10, 1), ("short", 2, 5))
_DEFAULT_MIX = ((1, Fraction(3, 10)), (2, Fraction(1, 2)), (3, Fraction(1, 5)))


def default_blueprint(level: str) -> Blueprint:
    """Single 40×1, multiple 10×2, true/false 20×1, fill 10×1, short 2×5, easy/medium/hard 30/50/20 %,
    a fresh parallel form per candidate. Every level's weights (multiples of 10) can be met with it."""
    types = tuple(TypeRule(kind, count, Fraction(points)) for kind, count, points in _DEFAULT_TYPES)
    return Blueprint(level, "per_candidate", types, _DEFAULT_MIX, Fraction(3, 20))
