"""Shared fixtures: real databases (a SQLite file and a throw-away PostgreSQL server), migrated once
into a template that each test copies, with the demo bank and a few accounts already in it.

The suite runs in parallel under pytest-xdist (``make test``: ``-n 2 --dist loadgroup``). Each worker
is a process of its own with its own ``tmp_path_factory`` folder, its own SQLite template and its own
PostgreSQL cluster (``tests.pg.Cluster``: a fresh temporary folder and a free port), so nothing below
is shared between workers. Tests that share a module-scoped fixture (a live server, signed
certificates) are kept on one worker (``pytest_collection_modifyitems``) so it is built once.

Two things every test app would otherwise redo are kept per process (``_share_compiled_code``):
Jinja's compiled templates and werkzeug's compiled URL builders. Neither changes what a page or a URL
is; they only stop ~900 apps from compiling the same 160 rules and 130 templates again.
"""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import text

from exam import db, migrate
from exam.accounts import service as accounts
from exam.db import write_session
from exam.sessions import service as sessions
from exam.timeutil import utcnow
from question_bank import loader
from tests.pg import Cluster, create_database, drop_database
from practical import scenarios
from typing_test import passages

PASSWORD = "test-password-1"
ACCOUNTS = [("admin", "admin"), ("trainer", "trainer"), ("trainer2", "trainer"), ("examiner", "examiner"),
            ("verifier", "verifier"),
            ("cand1", "candidate"), ("cand2", "candidate"), ("cand3", "candidate"),
            ("chief", "chief"), ("outsider", "examiner")]   # an examiner assigned to no session


class _SharedBytecodeCache:
    """Jinja's compiled templates for every app this test process creates (Jinja's own
    ``BytecodeCache`` interface, in memory). Each ``create_app`` builds a new Jinja environment, which
    would otherwise parse and compile each template the test renders again (~15 % of an integration
    test's time). Buckets are keyed by template name and checked against the source's checksum by
    Jinja itself, so an edited template is compiled afresh."""

    def __init__(self):
        from jinja2 import BytecodeCache

        class Cache(BytecodeCache):
            def __init__(self):
                self.code: dict[str, bytes] = {}

            def load_bytecode(self, bucket):
                data = self.code.get(bucket.key)
                if data is not None:
                    bucket.bytecode_from_string(data)

            def dump_bytecode(self, bucket):
                self.code[bucket.key] = bucket.bytecode_to_string()

        self.cache = Cache()


def _memoised_builder(compile_builder: Callable) -> Callable:
    """werkzeug compiles two URL-building functions per rule when a rule is added to an app (Python
    source → ``compile``), ~0.2 s for our 160 rules on every ``create_app``. The function depends only
    on the rule's parsed parts (``_trace``), the names of its defaults and ``append_unknown`` (it reads
    the converters through the rule it is bound to), so equal rules share it. A rule with a default
    for one of its own variables folds the default into the code: that one is compiled as before."""
    built: dict[tuple, Callable] = {}

    def builder(self, append_unknown: bool = True):
        defaults = self.defaults or {}
        if any(is_dynamic and data in defaults for is_dynamic, data in self._trace):
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(self._trace), tuple(defaults), append_unknown)
        func = built.get(key)
        if func is None:
            func = built[key] = compile_builder(self, append_unknown)
        return func
    return builder


def _share_compiled_code() -> None:
    from flask import Flask
    from werkzeug.routing.rules import Rule

    Flask.jinja_options = {**Flask.jinja_options, "bytecode_cache": _SharedBytecodeCache().cache}
    if hasattr(Rule, "_compile_builder"):   # a private method: without it, compile as werkzeug does
        Rule._compile_builder = _memoised_builder(Rule._compile_builder)


def pytest_configure(config):
    _share_compiled_code()


def pytest_collection_modifyitems(config, items):
    """Under ``--dist loadgroup`` each test goes to whichever worker is free, except that the tests
    of a module with a module- or package-scoped fixture (a live server, keys and signed PDFs) stay
    together on one worker, so the fixture is built once, as in a serial run."""
    for item in items:
        info = getattr(item, "_fixtureinfo", None)
        if info is None:
            continue
        if any(d.scope in ("module", "package") for defs in info.name2fixturedefs.values() for d in defs):
            item.add_marker(pytest.mark.xdist_group(item.module.__name__))


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
    if request.param == "postgresql":
        drop_database(url)


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
