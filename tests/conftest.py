"""Shared fixtures: real databases (a SQLite file and a throw-away PostgreSQL server), migrated once
into a template that each test copies, with the demo bank and a few accounts already in it."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid

import pytest
from sqlalchemy import text

from exam import db, migrate
from exam.accounts import service as accounts
from exam.db import write_session
from exam.sessions import service as sessions
from exam.timeutil import utcnow
from question_bank import loader
from tests.pg import Cluster, create_database
from practical import scenarios
from typing_test import passages

PASSWORD = "test-password-1"
ACCOUNTS = [("admin", "admin"), ("trainer", "trainer"), ("trainer2", "trainer"), ("examiner", "examiner"),
            ("verifier", "verifier"),
            ("cand1", "candidate"), ("cand2", "candidate"), ("cand3", "candidate"),
            ("chief", "chief"), ("outsider", "examiner")]   # an examiner assigned to no session


def _seed(url: str) -> None:
    migrate.upgrade(url)
    engine = db.throwaway_engine(url)
    with write_session(engine) as session:
        for username, role in ACCOUNTS:
            accounts.create_user(session, username, PASSWORD, role, username)
        loader.load_demo(session)
        passages.load_stock(session)
        scenarios.load_stock(session)
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    _seed(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = Cluster()
    base = cluster.start()
    yield base
    db.dispose_all()
    cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster):
    _seed(create_database(pg_cluster, "callexam_template"))
    return pg_cluster


def new_database(kind: str, request, tmp_path) -> str:
    if kind == "sqlite":
        path = tmp_path / "callexam.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    return create_database(request.getfixturevalue("pg_template"), f"t_{uuid.uuid4().hex[:12]}",
                           template="callexam_template")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    url = new_database(request.param, request, tmp_path)
    yield url
    db.dispose_all()


@pytest.fixture
def sqlite_url(request, tmp_path):
    url = new_database("sqlite", request, tmp_path)
    yield url
    db.dispose_all()


@pytest.fixture
def engine(db_url):
    return db.engine_for(db_url)


@pytest.fixture
def users(engine):
    with engine.connect() as conn:
        return {row.username: row.id for row in conn.execute(text("SELECT id, username FROM user_account"))}


@pytest.fixture
def make_session(engine, users):
    """Creates an exam session open now; returns its id."""
    def make(level="junior", item_count=20, duration_minutes=60, candidates=("cand1", "cand2"),
             opens_in=dt.timedelta(minutes=-5), closes_in=dt.timedelta(hours=3), blueprint_id=None):
        now = utcnow()
        with write_session(engine) as session:
            created = sessions.create_session(
                session, name=f"测试场次 {level}", level=level, opens_at=now + opens_in, closes_at=now + closes_in,
                duration_minutes=duration_minutes, item_count=item_count,
                candidate_ids=[users[c] for c in candidates], created_by=users["examiner"],
                blueprint_id=blueprint_id)
            return created.id
    return make


@pytest.fixture
def app(db_url, tmp_path):
    from exam.app import create_app
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": db_url,
                      "SECRET_KEY": "test-secret", "TESTING": True})
    return app


@pytest.fixture
def client(app):
    return app.test_client()
