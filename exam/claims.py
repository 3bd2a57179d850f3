"""Submitting a timed attempt exactly once, whatever its kind (typing test, practical assessment).

Submission is ``UPDATE … SET status = 'submitted' WHERE status = 'open' … RETURNING id``: of two
requests, or two scheduler processes, racing to submit the same attempt, only one gets its id back and
goes on to score it. The table needs ``id``, ``candidate_id``, ``status``, ``deadline``,
``submitted_at``, ``submit_reason`` and ``paused_at`` columns.

A paused attempt (``paused_at`` set by a proctor, exam.proctoring) is not submitted by the deadline
sweep nor by its candidate: its clock is stopped. An examiner's forced submission still claims it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Table, update
from sqlalchemy.engine import Connection, Engine

from exam.db import write_connection
from exam.parts import OPEN, SUBMITTED, VOID  # noqa: F401  (re-exported)


def claim(conn: Connection, table: Table, attempt_id: int, reason: str, now: dt.datetime,
          candidate_id: int | None = None) -> list[int]:
    """[attempt_id] when this call submitted it, [] when it was already submitted (or not the candidate's,
    or paused while the candidate asks)."""
    stmt = update(table).where(table.c.id == attempt_id, table.c.status == OPEN)
    if candidate_id is not None:
        stmt = stmt.where(table.c.candidate_id == candidate_id, table.c.paused_at.is_(None))
    return _returning(conn, stmt, reason, now)


def claim_overdue(conn: Connection, table: Table, now: dt.datetime, grace: dt.timedelta) -> list[int]:
    """Every open, unpaused attempt whose deadline and grace have passed, submitted by this call."""
    stmt = update(table).where(table.c.status == OPEN, table.c.paused_at.is_(None), table.c.deadline < now - grace)
    return _returning(conn, stmt, "deadline", now)


def claim_closing(conn: Connection, table: Table, session_id: int, now: dt.datetime,
                  grace: dt.timedelta) -> list[int]:
    """A session's window closing (the scheduler's step, exam.sessions.timeline.steps): ``claim_overdue`` for
    that session's attempts alone. An attempt given extra time beyond the close is not yet due."""
    stmt = update(table).where(table.c.session_id == session_id, table.c.status == OPEN,
                               table.c.paused_at.is_(None), table.c.deadline < now - grace)
    return _returning(conn, stmt, "deadline", now)


#: What happens to each attempt this call submitted, in the same transaction (score it, check it).
Then = Callable[[Connection, int], None]


def submit(engine: Engine, table: Table, attempt_id: int, reason: str, now: dt.datetime, then: Then,
           candidate_id: int | None = None) -> bool:
    """Submit one attempt and run ``then`` on it; False when it was already submitted (safe to repeat)."""
    with write_connection(engine) as conn:
        claimed = claim(conn, table, attempt_id, reason, now, candidate_id)
        for aid in claimed:
            then(conn, aid)
    return bool(claimed)


def submit_overdue(engine: Engine, table: Table, now: dt.datetime, grace: dt.timedelta, then: Then) -> int:
    """Submit every overdue attempt and run ``then`` on each; how many this call submitted."""
    with write_connection(engine) as conn:
        claimed = claim_overdue(conn, table, now, grace)
        for aid in claimed:
            then(conn, aid)
    return len(claimed)


def submit_closing(conn: Connection, table: Table, session_id: int, now: dt.datetime, grace: dt.timedelta,
                   then: Then) -> list[int]:
    """A session's window closing, inside the scheduler step's own transaction: ``claim_closing`` and
    ``then`` on each attempt it submitted; their ids."""
    claimed = claim_closing(conn, table, session_id, now, grace)
    for aid in claimed:
        then(conn, aid)
    return claimed


def _returning(conn: Connection, stmt, reason: str, now: dt.datetime) -> list[int]:
    stmt = stmt.values(status=SUBMITTED, submitted_at=now, submit_reason=reason).returning(stmt.table.c.id)
    return list(conn.execute(stmt).scalars())
