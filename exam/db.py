"""Engines and transactions for SQLite (embedded default) and PostgreSQL (scale-out).

SQLite gets WAL, foreign keys and a busy timeout on every connection. Write transactions on SQLite
start with ``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes can fail with
"database is locked" at once, whatever the busy timeout, when another writer got in between.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool
from sqlmodel import Session, create_engine

_engines: dict[str, Engine] = {}

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=10000",
    # In WAL mode NORMAL loses no committed transaction when a process is killed; only a power cut
    # can drop the last commits. FULL closes that too, at one fsync per commit.
    "PRAGMA synchronous=FULL",
)


def is_sqlite(engine_or_url) -> bool:
    url = getattr(engine_or_url, "url", engine_or_url)
    return str(url).startswith("sqlite")


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        _install_sqlite_hooks(engine)
    else:
        kwargs.setdefault("pool_pre_ping", True)
        engine = create_engine(url, **kwargs)
    return engine


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cur.execute(pragma)
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection):
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def engine_for(url: str) -> Engine:
    """One engine per URL per process (each server worker builds its own after the fork)."""
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = make_engine(url)
    return engine


def dispose_all() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextlib.contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A Core connection in a write transaction (BEGIN IMMEDIATE on SQLite), committed on exit."""
    with engine.connect().execution_options(write=True) as conn:
        with conn.begin():
            yield conn


@contextlib.contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@contextlib.contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """An ORM session in one write transaction, committed on success and rolled back on error."""
    with engine.connect().execution_options(write=True) as conn:
        with Session(bind=conn) as session:
            with conn.begin():
                yield session
                session.flush()


def throwaway_engine(url: str) -> Engine:
    """An engine without a pool, for one-off scripts and migrations."""
    return make_engine(url, poolclass=NullPool)
