"""Blueprints and pools the blueprint tests share."""

import random
from fractions import Fraction

from exam import standard
from question_bank import blueprint as bpm
from question_bank.blueprint import Blueprint, TypeRule
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
