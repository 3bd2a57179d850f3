import random
from fractions import Fraction

import pytest

from exam import standard
from question_bank import assembly


@pytest.mark.parametrize("level", list(standard.LEVELS))
@pytest.mark.parametrize("count", [10, 13, 20, 37, 40, 50, 100, 123])
def test_counts_follow_weights_and_points_total_exactly_100(level, count):
    counts = assembly.allocate(level, count)
    assert sum(counts.values()) == count
    pool = {code: list(range(i * 1000, i * 1000 + n)) for i, (code, n) in enumerate(counts.items())}
    slots = assembly.assemble(level, count, pool, random.Random(1))
    assert sum(s.points for s in slots) == Fraction(standard.FULL_MARKS)
    for area in standard.level(level).areas:
        assert sum(s.points for s in slots if s.area == area.code) == area.weight
    assert len({s.version_id for s in slots}) == count


def test_allocation_is_proportional_for_round_numbers():
    assert assembly.allocate("junior", 50) == {"computer": 10, "seat_tools": 5, "service": 25, "basics": 10}
    assert assembly.allocate("senior", 20) == {"computer": 2, "seat_tools": 2, "service": 6, "guidance": 8, "basics": 2}


def test_too_few_questions_are_refused_with_a_reason():
    with pytest.raises(assembly.AssemblyError, match="题量 4 过少"):
        assembly.allocate("intermediate", 4)
    with pytest.raises(assembly.AssemblyError, match="分不到题目"):
        assembly.allocate("intermediate", 6)


def test_a_thin_pool_names_the_area_and_the_shortfall():
    pool = {"computer": [1], "seat_tools": [2, 3], "service": list(range(10, 40)), "basics": list(range(50, 60))}
    with pytest.raises(assembly.AssemblyError, match="计算机使用需要 4 题，题库只有 1 题"):
        assembly.assemble("junior", 20, pool, random.Random(0))


def test_question_order_is_shuffled_per_seed():
    pool = {c: list(range(i * 100, i * 100 + 30)) for i, c in enumerate(standard.level("junior").area_codes)}
    a = [s.version_id for s in assembly.assemble("junior", 20, pool, random.Random(1))]
    b = [s.version_id for s in assembly.assemble("junior", 20, pool, random.Random(2))]
    assert a != b
    order = assembly.shuffled_option_order(4, random.Random(3))
    assert sorted(order) == [0, 1, 2, 3]
