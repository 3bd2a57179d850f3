"""The approved pool of a level and the confirmed enemy pairs among it, as the draw of a paper sees
them, kept per process and read afresh only when the bank has changed (issue 23).

Every start draws from its level's approved pool (~910 rows) and the enemy pairs among it: read at
every start, they were a third of the start POST's CPU. Database triggers (migration 0022) write a new
random ``value`` into the one ``bank_generation`` row on every write to the tables these reads depend
on (``item``, ``item_version``, ``item_version_level``, ``item_enemy``), whatever wrote it — the ORM,
Core, a bank import, raw SQL, another process. A start reads that row (one tiny query) and uses the
pool it keeps for (database, epoch, value, level); otherwise it reads pool and pairs as before and
keeps them, the newest only per level (a handful of levels per database: bounded).

Why this stays exact — nothing stale can be drawn, nothing to invalidate:

- the triggers write the new value inside the transaction that changes the bank, so the change and
  the value commit together: a start that can see the change also sees the new value (a key no pool
  is kept under yet), and one that still sees the old value read it before the commit and draws from
  the pool as it was a moment earlier — what it would have drawn without the cache;
- the value is read *before* the pool. On SQLite the start's read transaction is one snapshot (WAL,
  ``BEGIN DEFERRED``), so the value and the pool are of the same state. On PostgreSQL (READ
  COMMITTED) each statement sees what is committed when it runs, so a change committed between the two
  reads puts a pool *newer* than its value under that value — never an older pool under a newer value;
- the value is random, not a counter, so a rolled-back change or a restored backup never brings a
  value back (a counter would: a transaction that changes the bank and draws before rolling back
  would leave a pool kept under the number the next committed change gets);
- the key holds the database as the Engine object (``_kept`` is weakly keyed; each engine gets a
  serial never reused) and the row's random ``epoch``: databases copied from one template, with equal
  epochs and values, never share a pool, and a database rebuilt under the same URL starts a new epoch.

``question_bank.service.approved_pool`` and ``enemies.enemy_versions`` remain the reads themselves,
for the callers that want them fresh (search, import, the bank checks, a session's creation).
"""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from question_bank import enemies, service
from question_bank.models import BankGeneration

_GENERATION = select(BankGeneration.epoch, BankGeneration.value).where(BankGeneration.id == 1)


@dataclass(frozen=True, eq=False)
class LevelPool:
    """One level's approved pool at one state of the bank. Equal (and hashed) by ``key`` alone, so
    a cache of things derived from the pool (``blueprint_service._prepared``) keys on the small key,
    not on the 900 rows."""

    key: tuple[int, str, int, str]   # (engine serial, epoch, generation value, level)
    rows: tuple[tuple[int, str, str, int], ...] = field(repr=False)   # (version id, area, kind, difficulty)
    enemy_pairs: frozenset[frozenset[int]] = field(repr=False)      # confirmed pairs, as version ids

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LevelPool) and other.key == self.key

    @cached_property
    def by_area(self) -> dict[str, tuple[int, ...]]:
        """Version ids by function area (the spine's per-area assembly); tuples, as the pool is shared."""
        return {area: tuple(ids) for area, ids in service.by_area(self.rows).items()}


class _Kept:
    """What one engine's database keeps: its serial and the newest pool of each level."""

    _serials = itertools.count(1)

    def __init__(self) -> None:
        self.serial = next(self._serials)   # never reused, unlike id(engine)
        self.levels: dict[str, LevelPool] = {}


_kept: weakref.WeakKeyDictionary[Engine, _Kept] = weakref.WeakKeyDictionary()


def _kept_for(engine: Engine) -> _Kept:
    kept = _kept.get(engine)
    if kept is None:
        kept = _kept.setdefault(engine, _Kept())
    return kept


def level_pool(session: Session, level: str) -> LevelPool:
    """The approved pool of ``level`` and the enemy pairs among it, as the bank stands for this
    session's reads (see the module's docstring for why a kept pool is never stale)."""
    conn = session.connection()
    epoch, value = conn.execute(_GENERATION).one()   # first: the pool read after it is never older
    kept = _kept_for(conn.engine)
    key = (kept.serial, epoch, value, level)
    pool = kept.levels.get(level)
    if pool is None or pool.key != key:
        rows = tuple(service.approved_pool(session, level))
        pool = LevelPool(key, rows, enemies.enemy_versions(session, [row[0] for row in rows]))
        kept.levels[level] = pool
    return pool
