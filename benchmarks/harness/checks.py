"""After-the-fact checks against the database: nothing acknowledged lost, nothing graded twice."""

from __future__ import annotations

from sqlalchemy import text

from exam.db import throwaway_engine


def lost_saves(database_url: str, candidates) -> int:
    """Acknowledged saves whose answer is missing or older in the database (a newer one may win)."""
    engine = throwaway_engine(database_url)
    lost = 0
    with engine.connect() as conn:
        stored = {(a, p): (seq, value) for a, p, seq, value in conn.execute(
            text("SELECT attempt_id, position, seq, value FROM answer"))}
    engine.dispose()
    for c in candidates:
        for position, ack in c.acked.items():
            seq, value = stored.get((c.attempt_id, position), (-1, None))
            if seq < ack.seq or (seq == ack.seq and value != ack.value):
                lost += 1
    return lost


def double_gradings(database_url: str) -> int:
    """Attempts with more than one grading record in the audit trail."""
    engine = throwaway_engine(database_url)
    with engine.connect() as conn:
        n = conn.execute(text(
            "SELECT count(*) FROM (SELECT subject_id FROM audit_event WHERE action = 'attempt.graded' "
            "GROUP BY subject_id HAVING count(*) > 1) AS twice")).scalar()
    engine.dispose()
    return n
