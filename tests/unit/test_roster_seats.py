"""Spreading colleagues apart on the seat plan (``seats.spread``), without a database."""

import random
from collections import Counter

import pytest

from exam.sessions.rooms.seats import spread


def neighbours_sharing(order, key):
    return sum(1 for a, b in zip(order, order[1:]) if key(a) and key(a) == key(b))


@pytest.mark.parametrize("seed", range(20))
def test_no_two_colleagues_sit_side_by_side_when_that_can_be_avoided(seed):
    people = [(f"p{i}", employer) for i, employer in enumerate("AAAAABBBBCCCDD" + "E" * 6)]
    order = spread(people, key=lambda p: p[1], rng=random.Random(seed))
    assert Counter(order) == Counter(people), "everyone is placed exactly once"
    assert neighbours_sharing(order, lambda p: p[1]) == 0


def test_blank_employers_never_clash():
    people = [(f"p{i}", "") for i in range(6)] + [("q", "A")]
    order = spread(people, key=lambda p: p[1], rng=random.Random(1))
    assert sorted(order) == sorted(people)


def test_one_employer_over_half_places_everyone_as_well_as_it_can():
    people = [(f"a{i}", "A") for i in range(7)] + [("b1", "B"), ("b2", "B"), ("c", "C")]
    order = spread(people, key=lambda p: p[1], rng=random.Random(3))
    assert sorted(order) == sorted(people)
    # 7 of 10 from A: at least 7 - 1 - 3 = 3 unavoidable adjacencies, and no more than that.
    assert neighbours_sharing(order, lambda p: p[1]) == 3


def test_the_same_seed_gives_the_same_plan():
    people = [(f"p{i}", "AB"[i % 2]) for i in range(10)]
    key = lambda p: p[1]  # noqa: E731
    assert spread(people, key, random.Random(7)) == spread(people, key, random.Random(7))
