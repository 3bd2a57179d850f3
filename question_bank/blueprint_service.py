"""Blueprints in the database: store the engine's rule, check it against the approved bank, draw papers.

The engine (``blueprint``, ``blueprint_draw``) is pure; this module turns its frozen dataclasses into
JSON and back (fractions as "a/b" strings, so points stay exact), supplies the pool of approved
items, and decides *when* a paper is drawn: a fixed blueprint's paper once, by the trainer; a
"drawn" blueprint's once per session, when the session is created; a per-candidate blueprint's
when each candidate starts.
"""

from __future__ import annotations

import functools
import json
import random
import secrets
from fractions import Fraction

from sqlmodel import Session, select

from exam.timeutil import utcnow
from question_bank import enemies, pool_cache, service
from question_bank.blueprint import Blueprint, BlueprintError, Plan, TypeRule, plan
from question_bank.blueprint_draw import PoolItem, PreparedPool, Slot, draw, has_enemies, prepare, shortages
from question_bank.models import PaperBlueprint

__all__ = ["BlueprintError", "to_spec", "from_spec", "pool", "check", "save", "generate_fixed",
           "session_paper", "candidate_paper", "slots_from_json"]


def to_spec(bp: Blueprint) -> dict:
    return {
        "types": [[t.kind, t.count, str(t.points)] for t in bp.types],
        "difficulty_mix": [[d, str(share)] for d, share in bp.difficulty_mix],
        "difficulty_tolerance": str(bp.difficulty_tolerance),
        "cells": [list(c) for c in bp.cells],
    }


def from_spec(level: str, mode: str, spec: dict) -> Blueprint:
    return Blueprint(
        level=level, mode=mode,
        types=tuple(TypeRule(kind, int(count), Fraction(points)) for kind, count, points in spec["types"]),
        difficulty_mix=tuple((int(d), Fraction(share)) for d, share in spec.get("difficulty_mix", [])),
        difficulty_tolerance=Fraction(spec.get("difficulty_tolerance", "3/20")),
        cells=tuple((area, kind, int(count)) for area, kind, count in spec.get("cells", [])),
    )


def of_row(row: PaperBlueprint) -> Blueprint:
    return from_spec(row.level, row.mode, row.spec)


@functools.lru_cache(maxsize=64)
def _cached_plan(level: str, mode: str, spec_json: str) -> Plan:
    """Planning is pure and a per-candidate blueprint is planned at every start: plan each rule once."""
    return plan(from_spec(level, mode, json.loads(spec_json)))


def _plan_key(row: PaperBlueprint) -> tuple[str, str, str]:
    return row.level, row.mode, json.dumps(row.spec, sort_keys=True)


def plan_of(row: PaperBlueprint) -> Plan:
    return _cached_plan(*_plan_key(row))


@functools.lru_cache(maxsize=16)
def _prepared(plan_key: tuple[str, str, str], level_pool: pool_cache.LevelPool) -> PreparedPool:
    """The pool checked against the plan, kept per process and keyed by the rule and the pool's key
    (database, epoch, bank generation, level — ``pool_cache``): a start reads only the generation,
    and an approval, a retirement, a new version or a confirmed enemy pair anywhere is a new
    generation, so a different key: nothing to invalidate, and nothing stale can be drawn. What is
    saved is the shortage check and the per-cell sorting, the same for every candidate of a session."""
    return prepare(_cached_plan(*plan_key), [PoolItem(*row) for row in level_pool.rows])


def pool(session: Session, level: str) -> list[PoolItem]:
    """The approved items of a level, as the engine sees them."""
    return [PoolItem(vid, area, kind, difficulty) for vid, area, kind, difficulty in service.approved_pool(session, level)]


def check(session: Session, row: PaperBlueprint) -> list[str]:
    """What the approved bank lacks for this blueprint, one Chinese line per blueprint cell."""
    return [s.message(row.level) for s in shortages(plan_of(row), pool(session, row.level))]


def save(session: Session, bp: Blueprint, name: str, author_id: int | None,
         row: PaperBlueprint | None = None) -> PaperBlueprint:
    """Validate and plan (raising BlueprintError), then store; a changed rule drops a fixed paper."""
    bp.validate()
    plan(bp)
    spec = to_spec(bp)
    if row is None:
        row = PaperBlueprint(name=name.strip(), level=bp.level, mode=bp.mode, spec=spec, created_by=author_id)
    else:
        if (row.level, row.mode, row.spec) != (bp.level, bp.mode, spec):
            row.fixed_paper = None
        row.name, row.level, row.mode, row.spec, row.updated_at = name.strip(), bp.level, bp.mode, spec, utcnow()
    session.add(row)
    session.flush()
    return row


def slots_to_json(slots: list[Slot]) -> list[list]:
    return [[s.version_id, s.area, s.kind, str(s.points), s.difficulty] for s in slots]


def slots_from_json(rows: list[list]) -> list[Slot]:
    return [Slot(int(v), area, kind, Fraction(points), int(d)) for v, area, kind, points, d in rows]


def _draw(session: Session, row: PaperBlueprint, rng: random.Random) -> list[Slot]:
    key = _plan_key(row)
    level_pool = pool_cache.level_pool(session, row.level)
    return draw(_cached_plan(*key), _prepared(key, level_pool), rng, level_pool.enemy_pairs)


def generate_fixed(session: Session, row: PaperBlueprint) -> list[Slot]:
    """Draw and keep the one paper of a fixed blueprint (the trainer may regenerate it)."""
    if row.mode != "fixed":
        raise BlueprintError("只有“固定试卷”模式的组卷规则需要生成试卷")
    slots = _draw(session, row, random.Random(secrets.randbits(64)))
    row.fixed_paper = slots_to_json(slots)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return slots


def session_paper(session: Session, row: PaperBlueprint) -> list[list] | None:
    """The paper a new session freezes: the fixed paper, a fresh draw for "drawn", None per candidate."""
    if row.mode == "fixed":
        if not row.fixed_paper:
            raise BlueprintError(f"组卷规则“{row.name}”还没有生成固定试卷，请培训师先生成")
        ids = [int(slot[0]) for slot in row.fixed_paper]
        if has_enemies(ids, enemies.enemy_versions(session, ids)):
            raise BlueprintError(f"组卷规则“{row.name}”的固定试卷中有两题已被确认为互斥题，请培训师重新生成试卷")
        return list(row.fixed_paper)
    if row.mode == "drawn":
        return slots_to_json(_draw(session, row, random.Random(secrets.randbits(64))))
    check_lines = check(session, row)
    if check_lines:
        raise BlueprintError("题库中已审核的题目不足：" + "；".join(check_lines))
    return None


def candidate_paper(session: Session, row: PaperBlueprint, frozen: list[list] | None,
                    rng: random.Random) -> list[Slot]:
    """One candidate's items: the session's frozen paper in a fresh order within each type, or a
    parallel form drawn for this candidate."""
    if frozen is None:
        return _draw(session, row, rng)
    slots = slots_from_json(frozen)
    order = [t.kind for t in of_row(row).types]
    groups = {kind: [s for s in slots if s.kind == kind] for kind in order}
    out: list[Slot] = []
    for kind in order:
        group = groups[kind]
        rng.shuffle(group)
        out.extend(group)
    return out


def blueprints(session: Session, level: str | None = None) -> list[PaperBlueprint]:
    query = select(PaperBlueprint).order_by(PaperBlueprint.level, PaperBlueprint.name)
    if level:
        query = query.where(PaperBlueprint.level == level)
    return list(session.exec(query))
