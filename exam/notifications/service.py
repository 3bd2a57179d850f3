"""Sending and reading in-app notifications. Sending is insert-if-absent on the message's key, so
every sender (a scheduler job, a publication) can simply send again when unsure."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from exam.notifications.models import Notification
from exam.timeutil import utcnow


@dataclass(frozen=True)
class Message:
    user_id: int
    key: str
    kind: str
    title: str
    body: str = ""
    link: str = ""


def send(conn: Connection, messages: list[Message]) -> int:
    """Insert the messages whose keys are new; returns how many were new. Runs in the caller's
    transaction, so a message is sent exactly when the change it announces commits."""
    if not messages:
        return 0
    if any(m.link and not m.link.startswith("/") for m in messages):
        raise ValueError("notification links must be paths within this site")
    table = Notification.__table__
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [{"user_id": m.user_id, "key": m.key, "kind": m.kind, "title": m.title, "body": m.body,
             "link": m.link, "created_at": now} for m in messages]
    # RETURNING counts what was new on both databases (rowcount of a multi-row insert is not reliable).
    statement = insert(table).values(rows).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
    return len(conn.execute(statement).all())


def recent(db: Session, user_id: int, limit: int = 50) -> list[Notification]:
    return list(db.exec(select(Notification).where(Notification.user_id == user_id)
                        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


def unread_count(db: Session, user_id: int) -> int:
    return int(db.exec(select(func.count()).select_from(Notification)
                       .where(Notification.user_id == user_id, Notification.read_at.is_(None))).one())


def mark_all_read(conn: Connection, user_id: int) -> int:
    table = Notification.__table__
    return conn.execute(update(table).where(table.c.user_id == user_id, table.c.read_at.is_(None))
                        .values(read_at=utcnow())).rowcount
