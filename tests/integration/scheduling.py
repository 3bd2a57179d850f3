"""Scheduling through HTTP as the scheduling and room tests do it: the session form filled in with local
wall-clock times, rooms made through the service, and what the database and the audit trail then hold."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text

from exam.db import write_session
from exam.sessions.rooms import service as room_service
from exam.sessions.rooms.service import RoomData
from exam.timeutil import local_to_utc, to_local, utcnow
from tests.webclient import csrf_token

TZ = "Asia/Shanghai"
NEW = "/examiner/sessions/new"


def form_time(value: dt.datetime) -> str:
    return to_local(value, TZ).strftime("%Y-%m-%dT%H:%M")


def local_day(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local wall-clock time ``days`` from today, as UTC (minutes are what the form keeps)."""
    today = to_local(utcnow(), TZ).date() + dt.timedelta(days=days)
    return local_to_utc(dt.datetime.combine(today, dt.time(hour, minute)), TZ)


def query_rows(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).all()


def new_room(engine, name: str, seats: int, location: str = "") -> int:
    with write_session(engine) as db:
        return room_service.create(db, RoomData(name, seats, location), None).id


def session_form(token, *, name="场次", level="junior", opens, closes, practical=None, candidates=(), rooms=(),
                  examiners=(), item_count="20", **extra) -> dict:
    data = {"csrf_token": token, "name": name, "level": level, "opens_at": form_time(opens),
            "closes_at": form_time(closes), "duration_minutes": "60", "item_count": item_count,
            "candidates": [str(c) for c in candidates], "rooms": [str(r) for r in rooms],
            "examiners": [str(e) for e in examiners], "signin_mode": "password", "results_release": "immediate"}
    if practical:
        data["practical_opens_at"], data["practical_closes_at"] = (form_time(t) for t in practical)
    data.update(extra)
    return data


def create(client, **kwargs):
    token = csrf_token(client, NEW)
    return client.post(NEW, data=session_form(token, **kwargs))


def count_sessions(engine) -> int:
    return query_rows(engine, "SELECT count(*) FROM exam_session")[0][0]


def audit_details(engine, action: str) -> list[dict]:
    rows = query_rows(engine, "SELECT detail FROM audit_event WHERE action = :a ORDER BY seq", a=action)
    return [r.detail if isinstance(r.detail, dict) else json.loads(r.detail) for r in rows]  # PG: JSON, SQLite: text
