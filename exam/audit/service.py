"""Append-only audit records, written in the same transaction as the change they describe, each
chained to the one before by hash (``chain``)."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.engine import Connection

from exam.audit import chain
from exam.timeutil import utcnow

_INSERT = text(
    "INSERT INTO audit_event (at, actor_id, action, subject_type, subject_id, detail, seq, prev_hash, hash) "
    "VALUES (:at, :actor_id, :action, :subject_type, :subject_id, :detail, :seq, :prev_hash, :hash)"
)


def event(action: str, subject_type: str, subject_id: int, actor_id: int | None = None, **detail) -> dict:
    return {
        "at": utcnow(), "actor_id": actor_id, "action": action, "subject_type": subject_type,
        "subject_id": subject_id, "detail": json.dumps(detail, ensure_ascii=False, default=str),
    }


def record(conn: Connection, action: str, subject_type: str, subject_id: int,
           actor_id: int | None = None, **detail) -> None:
    conn.execute(_INSERT, chain.chained(conn, [event(action, subject_type, subject_id, actor_id, **detail)]))


def record_many(conn: Connection, events: list[dict]) -> None:
    if events:
        conn.execute(_INSERT, chain.chained(conn, events))
