"""Fixtures shared by the integration tests of one domain (the database ones are in tests/conftest.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from exam.db import write_session
from exam.sessions import service as sessions
from exam.sessions.models import Room
from exam.timeutil import utcnow
from tests.webclient import login


@pytest.fixture
def roster_session(engine, users):
    """A session open now, with one room of ``seats`` seats when asked; returns its id."""
    counter = iter(range(1, 100))

    def make(signin_mode="id_last6", seats=None, candidates=(), opens_in=dt.timedelta(minutes=-5),
             closes_in=dt.timedelta(hours=3)):
        n = next(counter)
        now = utcnow()
        with write_session(engine) as db:
            room_ids = []
            if seats is not None:
                room = Room(name=f"第{n}考场", location="三楼东侧", seats=seats)
                db.add(room)
                db.flush()
                room_ids = [room.id]
            created = sessions.create_session(
                db, name=f"名单测试场次{n}", level="junior", opens_at=now + opens_in, closes_at=now + closes_in,
                duration_minutes=60, item_count=20, candidate_ids=[users[c] for c in candidates],
                created_by=users["examiner"], room_ids=room_ids, signin_mode=signin_mode)
            return created.id
    return make


@pytest.fixture
def examiner(client):
    """The test client signed in as the examiner."""
    login(client, "examiner")
    return client


@pytest.fixture
def chief(app):
    """A test client signed in as the chief examiner (考务主管), who assigns examiners."""
    client = app.test_client()
    login(client, "chief")
    return client
