"""How a request's session ends on PostgreSQL (``exam.db.end_reads``, called by ``web.close_db``): a
transaction that only read commits, so psycopg keeps the statements it has prepared on that
connection; one that wrote anything — through the ORM, Core or text — is rolled back as before, and
nothing it wrote is kept. On a real PostgreSQL server."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask, g
from sqlalchemy import select, text, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool
from sqlmodel import Session

from exam import db, web
from tests.pg import create_database, drop_database

pytestmark = pytest.mark.postgres


class _Base(DeclarativeBase):
    """A metadata of its own: nothing here touches the app's tables."""


class _Row(_Base):
    __tablename__ = "counter"
    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int]


@pytest.fixture
def engine(pg_cluster):
    url = create_database(pg_cluster, f"reads_{uuid.uuid4().hex[:12]}")
    # one connection for the whole test: what it has prepared can be read back from it
    engine = db.make_engine(url, poolclass=StaticPool)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    yield engine
    engine.dispose()
    db.dispose_all()
    drop_database(url)


def _prepared(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()


def _n(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT n FROM counter WHERE id = 1")).scalar_one()


def _request(engine, work) -> None:
    """One request's session: ``work`` runs on it, then it ends as every request's does."""
    app = Flask(__name__)
    app.teardown_appcontext(web.close_db)
    with app.app_context():
        g.db = Session(engine)
        work(g.db)


def test_read_only_requests_commit_and_keep_their_prepared_statements(engine):
    for _ in range(8):  # psycopg prepares a statement at its sixth use on a connection
        _request(engine, lambda s: s.execute(select(_Row.n).where(_Row.id == 1)).one())
    assert _prepared(engine) >= 1


def test_without_it_every_request_rollback_forgets_them(engine):
    for _ in range(8):
        with Session(engine) as session:
            session.execute(select(_Row.n).where(_Row.id == 1)).one()
    assert _prepared(engine) == 0  # the reason for end_reads: nothing is ever prepared


@pytest.mark.parametrize("write", [
    lambda s: s.execute(text("UPDATE counter SET n = n + 1 WHERE id = 1")),
    lambda s: s.execute(text("WITH x AS (UPDATE counter SET n = n + 1 RETURNING n) SELECT n FROM x")),
    lambda s: s.connection().exec_driver_sql("UPDATE counter SET n = n + 1 WHERE id = 1"),
    lambda s: (s.execute(select(_Row.n)).all(), s.execute(text("update counter set n = n + 1"))),
    lambda s: (s.execute(select(_Row.n)).all(), s.execute(update(_Row).values(n=_Row.n + 1))),
], ids=["orm-session-text", "writing-cte", "core-driver-sql", "read-then-write", "read-then-core-update"])
def test_a_request_that_wrote_without_committing_keeps_nothing(engine, write):
    _request(engine, write)
    assert _n(engine) == 0


def test_text_that_reads_counts_as_a_write(engine):
    """A string is not parsed: ``SELECT set_config(…, false)`` changes the connection for good if
    committed, so any text statement leaves the transaction to the ROLLBACK of closing."""
    def shown(conn) -> str:
        return conn.execute(text("SHOW application_name")).scalar_one()
    with engine.connect() as conn:
        before = shown(conn)
        conn.rollback()
    _request(engine, lambda s: s.execute(text("SELECT set_config('application_name', 'changed', false)")).one())
    with engine.connect() as conn:
        assert shown(conn) == before


def test_pending_and_changed_orm_objects_are_not_committed(engine):
    def change_unflushed(s):
        s.get(_Row, 1).n = 5              # dirty, not flushed
        s.add(_Row(id=2, n=7))            # new, not flushed
    _request(engine, change_unflushed)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT id, n FROM counter ORDER BY id")).all() == [(1, 0)]


def test_flushed_orm_changes_are_not_committed(engine):
    def change_flushed(s):
        s.get(_Row, 1).n = 5
        s.flush()                         # written on the connection, not committed
    _request(engine, change_flushed)
    assert _n(engine) == 0


def test_a_request_that_failed_is_rolled_back(engine):
    app = Flask(__name__)
    app.teardown_appcontext(web.close_db)
    with pytest.raises(RuntimeError):
        with app.app_context():
            g.db = Session(engine)
            g.db.execute(select(_Row.n)).all()
            raise RuntimeError("the view failed")
    # ended by ROLLBACK (an exception at teardown): psycopg's counts are gone, nothing is prepared
    assert _prepared(engine) == 0


def test_a_session_that_cannot_commit_is_still_closed(engine):
    """A failed flush the view caught leaves a transaction only a rollback can end: the teardown
    logs nothing fatal and the connection goes back to the pool (StaticPool: the next use works)."""
    def failed_flush(s):
        s.add(_Row(id=1, n=9))            # the primary key exists
        with pytest.raises(Exception):
            s.flush()
    _request(engine, failed_flush)
    assert _n(engine) == 0
