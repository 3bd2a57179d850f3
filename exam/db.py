"""Engines and transactions for SQLite (embedded default) and PostgreSQL (scale-out).

SQLite gets WAL, foreign keys and a busy timeout on every connection. Write transactions on SQLite
start with ``BEGIN IMMEDIATE``: a deferred transaction that reads and then writes can fail with
"database is locked" at once, whatever the busy timeout, when another writer got in between.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import weakref
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
    # or a kernel crash can roll back the last commits (and the exam page still holds those answers
    # and sends them again). FULL closes that window at one fsync per commit, which on these
    # machines caps autosave at ~500 a second: CALLEXAM_SQLITE_SYNCHRONOUS=FULL chooses it.
    "PRAGMA synchronous=" + os.environ.get("CALLEXAM_SQLITE_SYNCHRONOUS", "NORMAL"),
    # Checkpoints copy the WAL into the database and fsync it; run inside a request's commit they
    # hold the write lock for tens of ms. The scheduler checkpoints in the background instead
    # (``checkpoint``); this much larger automatic threshold only bounds the WAL if it is not running.
    "PRAGMA wal_autocheckpoint=20000",
)


def is_sqlite(engine_or_url) -> bool:
    url = getattr(engine_or_url, "url", engine_or_url)
    return str(url).startswith("sqlite")


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        private_files(engine.url.database)
        _install_sqlite_hooks(engine)
    else:
        from exam.pg_cursor import LeanCursor  # psycopg's description, at the cost SQLAlchemy needs
        kwargs["connect_args"] = {"cursor_factory": LeanCursor, **kwargs.get("connect_args", {})}
        engine = create_engine(url, **kwargs)
        if "pool_pre_ping" not in kwargs:  # a caller asking for SQLAlchemy's own ping gets it
            _ping_idle_connections(engine)
        _note_writes(engine)
    return engine


_WROTE = "callexam_wrote"


def _note_writes(engine: Engine) -> None:
    """Mark a connection's transaction as having written at the first statement that is not a
    SQLAlchemy ``select()`` (an insert, update or delete, a flush, any text or driver SQL — whatever
    it says — since a string can hide a write), for ``end_reads``. Cleared when the transaction ends.
    Statements sent on a raw DBAPI cursor are not seen; the app sends those only inside
    ``write_connection``, which commits."""
    from sqlalchemy.sql.selectable import Select

    @event.listens_for(engine, "before_cursor_execute")
    def _note(conn, _cursor, _statement, _parameters, context, _executemany):
        if not isinstance(getattr(getattr(context, "compiled", None), "statement", None), Select):
            conn.info[_WROTE] = True

    @event.listens_for(engine, "commit")
    @event.listens_for(engine, "rollback")
    def _clear(conn):
        conn.info.pop(_WROTE, None)


def end_reads(session: Session) -> None:
    """End a request's read-only transaction on PostgreSQL with COMMIT rather than the ROLLBACK of
    closing the session.

    psycopg forgets every statement it has prepared, and its counts of statements on the way to being
    prepared, at each ROLLBACK (``Connection.rollback``; a DROP or an ALTER rolled back could leave a
    prepared plan pointing at nothing). Every request ends with one when its session closes, so no
    statement ever reached psycopg's threshold (five uses on a connection) and PostgreSQL parsed and
    planned every statement of every request afresh. A transaction that sent nothing but SELECTs
    (``_note_writes``, which sees every statement SQLAlchemy sends) and has nothing pending commits
    instead: the same outcome for the data, and its connection keeps its prepared statements. Anything
    that wrote is left to the ROLLBACK of ``close``, as before. SQLite has nothing of the kind."""
    transaction = session.get_transaction()
    if transaction is None or not transaction.is_active or session.get_bind().dialect.name != "postgresql":
        return  # nothing begun, or a failed flush the session must roll back
    if session.new or session.dirty or session.deleted or session.connection().info.get(_WROTE):
        return
    session.commit()


#: A pooled PostgreSQL connection unused for longer than this is pinged before it is handed out.
PING_IDLE_SECONDS = 5.0


def _ping_idle_connections(engine: Engine) -> None:
    """SQLAlchemy's ``pool_pre_ping`` pings at every checkout, and a page checks out two to four
    connections: each ping is a round trip plus two autocommit switches in the psycopg dialect —
    about a fifth of the extra CPU a start cost the app on PostgreSQL (issue 23). A connection
    checked in moments ago has just worked, so only one that has sat unused for
    ``PING_IDLE_SECONDS`` is pinged (a server restart, a firewall's idle timeout); a dead one is
    replaced before use, as with ``pool_pre_ping``. A server restart in the seconds after a
    connection's last use is met by its next statement instead: SQLAlchemy then invalidates the
    whole pool, so that request fails (a save is sent again by the page) and the next ones connect
    afresh."""
    from sqlalchemy import exc

    @event.listens_for(engine, "connect")
    def _fresh(_dbapi_conn, record):
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):
        if record is not None:
            record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_conn, record, _proxy):
        if time.monotonic() - record.info.get("checked_in_at", 0.0) <= PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as error:  # the pool replaces the connection and tries again
            raise exc.DisconnectionError(str(error)) from error


def private_files(database: str | None) -> None:
    """The database and its WAL and shared-memory files readable by this account only (0600). SQLite
    gives -wal and -shm the main file's mode, so creating the main file 0600 before SQLite does is
    enough for a new database; an existing one is tightened."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_RDWR | os.O_CREAT, 0o600))
    except OSError:
        return      # a folder that does not exist yet: SQLite reports it on connect
    for path in (database, database + "-wal", database + "-shm", database + "-journal"):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except OSError:
            pass


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


class _SQLiteWriteLock:
    """One writer at a time on a SQLite database, across this machine's threads and processes.

    SQLite admits one writer per database; a writer that finds it taken sleeps in SQLite's busy
    handler (1, 2, 5 … 100 ms) and retries, so under load the lock sits free while the waiters sleep.
    Queuing writers on a thread lock and an ``flock`` on a file beside the database instead hands
    the database on the moment it is free. (flock is per open file, so threads need the thread lock
    too; the file is opened per process, after any fork.)
    """

    def __init__(self, path: str):
        self.path = path + "-writelock"
        self.thread_lock = threading.Lock()
        self.fd: int | None = None
        self.pid: int | None = None

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        with self.thread_lock:
            if self.pid != os.getpid():
                self.fd, self.pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self.fd, fcntl.LOCK_UN)


_write_locks: "weakref.WeakKeyDictionary[Engine, _SQLiteWriteLock | None]" = weakref.WeakKeyDictionary()


def _write_lock_for(engine: Engine) -> "_SQLiteWriteLock | None":
    try:
        return _write_locks[engine]
    except KeyError:
        database = engine.url.database if engine.dialect.name == "sqlite" else None
        lock = _SQLiteWriteLock(database) if database and database != ":memory:" else None
        return _write_locks.setdefault(engine, lock)


@contextlib.contextmanager
def db_write_lock(engine: Engine) -> Iterator[None]:
    """Serialise writers on SQLite (see ``_SQLiteWriteLock``); PostgreSQL needs nothing of the kind."""
    lock = _write_lock_for(engine)
    if lock is None:
        yield
        return
    with lock.hold():
        yield


@contextlib.contextmanager
def write_connection(engine: Engine) -> Iterator[Connection]:
    """A Core connection in a write transaction (BEGIN IMMEDIATE on SQLite), committed on exit."""
    with db_write_lock(engine):
        with engine.connect().execution_options(write=True) as conn:
            with conn.begin():
                yield conn


@contextlib.contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """An ORM session in one write transaction, committed on success and rolled back on error."""
    with db_write_lock(engine):
        with engine.connect().execution_options(write=True) as conn:
            with Session(bind=conn) as session:
                with conn.begin():
                    yield session
                    session.flush()


def checkpoint(engine: Engine) -> None:
    """Copy SQLite's WAL into the database without blocking readers or writers (PASSIVE)."""
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


def throwaway_engine(url: str) -> Engine:
    """An engine without a pool, for one-off scripts and migrations."""
    return make_engine(url, poolclass=NullPool)
