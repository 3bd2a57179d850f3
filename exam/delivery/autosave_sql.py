"""The autosave statements in each driver's own dialect, run on the pooled DBAPI connection.

Autosave is exam day's hot path: thousands of candidates each saving every few seconds. Going through
the DBAPI directly (two prepared statements, one transaction) instead of the ORM or even Core keeps
its cost close to bare Flask, which is what ``benchmarks/autosave_vs_flask.py`` measures.
Everything else uses SQLModel.
"""

from __future__ import annotations

import datetime as dt

from exam.timeutil import UTC, as_utc

_SQL = {
    "sqlite": {
        "begin": "BEGIN IMMEDIATE",
        "slots": "SELECT position, kind, option_count FROM paper_slot WHERE attempt_id = ?",
        "upsert": (
            "INSERT INTO answer (attempt_id, position, value, flagged, seq, saved_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (attempt_id, position) DO UPDATE SET value = excluded.value, flagged = excluded.flagged, "
            "seq = excluded.seq, saved_at = excluded.saved_at WHERE answer.seq < excluded.seq"),
    },
    "postgresql": {
        "begin": None,  # psycopg opens a transaction with the first statement
        "slots": "SELECT position, kind, option_count FROM paper_slot WHERE attempt_id = %s",
        "upsert": (
            "INSERT INTO answer (attempt_id, position, value, flagged, seq, saved_at) VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (attempt_id, position) DO UPDATE SET value = excluded.value, flagged = excluded.flagged, "
            "seq = excluded.seq, saved_at = excluded.saved_at WHERE answer.seq < excluded.seq"),
    },
}


def statements(dialect_name: str) -> dict:
    return _SQL[dialect_name]


def as_datetime(value) -> dt.datetime:
    """SQLite hands timestamps back as naive UTC text; PostgreSQL as aware datetimes."""
    return as_utc(dt.datetime.fromisoformat(value) if isinstance(value, str) else value)


def bind_datetime(dialect_name: str, value: dt.datetime):
    """Store timestamps exactly as SQLModel's UTCDateTime does on each database."""
    if dialect_name == "sqlite":
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value
