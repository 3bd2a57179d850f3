"""Signed-in sessions held on the server (``LoginSession``).

Flask's session cookie is signed, not revocable: before this, a cookie copied before sign-out kept
opening pages for 31 days. Now the cookie carries a random token naming a row here, and every
request's user is loaded through that row, so:

- signing out, changing the password and deactivating the account end every session of the account
  at once (``end_all``);
- a session idle for longer than its role's timeout is ended (staff 30 minutes, candidates 20 by
  default; an open attempt page polls its status every few seconds and so keeps its session alive,
  which is what "idle outside an attempt" means), and none lives longer than ``SESSION_MAX_HOURS``;
- a ticket sign-in with the last six ID characters is scoped to that ticket's exam session.

``last_seen_at`` is written at most once a ``TOUCH_SECONDS`` per session, so the autosave path adds
one indexed read per request and almost never a write.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine

from exam.accounts.models import LoginSession, User
from exam.db import write_connection

TOUCH_SECONDS = 60
_T = LoginSession.__table__


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Loaded:
    """What the user loader needs from one query: the account and its session."""

    session_id: int
    user_id: int
    username: str
    display_name: str
    role: str
    active: bool
    must_change_password: bool
    scope_session_id: Optional[int]
    created_at: dt.datetime
    last_seen_at: dt.datetime
    ended_at: Optional[dt.datetime]


_U = User.__table__
_LOAD = (select(_T.c.id.label("session_id"), _U.c.id.label("user_id"), _U.c.username, _U.c.display_name,
                _U.c.role, _U.c.active, _U.c.must_change_password, _T.c.scope_session_id, _T.c.created_at,
                _T.c.last_seen_at, _T.c.ended_at)
         .join_from(_T, _U, _U.c.id == _T.c.user_id))


#: Rows of sessions unused for this long are deleted at the next sign-in (none lives past
#: SESSION_MAX_HOURS anyway; a week keeps a trace for someone asking "was I signed in yesterday?").
KEEP_DAYS = 7


def start(engine: Engine, user_id: int, now: dt.datetime, *, ip: str = "",
          scope_session_id: Optional[int] = None) -> str:
    """A new session for a sign-in; returns the token the cookie carries."""
    token = secrets.token_urlsafe(32)
    with write_connection(engine) as conn:
        conn.execute(insert(_T).values(token_hash=_hash(token), user_id=user_id, created_at=now,
                                       last_seen_at=now, ip=(ip or "")[:64], scope_session_id=scope_session_id))
        conn.execute(delete(_T).where(_T.c.last_seen_at < now - dt.timedelta(days=KEEP_DAYS)))
    return token


def load(engine: Engine, token: str) -> Optional[Loaded]:
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            # one statement needs no transaction of its own: without one, PostgreSQL's READ COMMITTED
            # reads the same, and psycopg sends no BEGIN and COMMIT around it (two round trips on a
            # request whose worker has not seen this sign-in within the memo's seconds; issue 23)
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        row = conn.execute(_LOAD.where(_T.c.token_hash == _hash(token))).first()
        # a transaction (SQLite's) ends with COMMIT, not the ROLLBACK of closing, as every read-only
        # one does (exam.db.end_reads): on PostgreSQL psycopg forgets its prepared statements at each
        # ROLLBACK
        conn.commit()
    if row is None:
        return None
    values = dict(row._mapping)
    for key in ("created_at", "last_seen_at", "ended_at"):
        values[key] = _aware(values[key])
    values["active"], values["must_change_password"] = bool(values["active"]), bool(values["must_change_password"])
    return Loaded(**values)


def expired(found: Loaded, now: dt.datetime, idle_seconds: float, max_seconds: float) -> bool:
    return (found.ended_at is not None or not found.active
            or (now - found.last_seen_at).total_seconds() > idle_seconds
            or (now - found.created_at).total_seconds() > max_seconds)


def touch(engine: Engine, found: Loaded, now: dt.datetime) -> bool:
    """Record activity, at most once a TOUCH_SECONDS; True when a write happened."""
    if (now - found.last_seen_at).total_seconds() < TOUCH_SECONDS:
        return False
    with write_connection(engine) as conn:
        conn.execute(update(_T).where(_T.c.id == found.session_id, _T.c.ended_at.is_(None))
                     .values(last_seen_at=now))
    return True


def end(engine: Engine, token: str, now: dt.datetime) -> None:
    with write_connection(engine) as conn:
        conn.execute(update(_T).where(_T.c.token_hash == _hash(token), _T.c.ended_at.is_(None)).values(ended_at=now))


def end_all(conn_or_engine, user_id: int, now: dt.datetime) -> int:
    """End every session of an account (sign-out, password change, deactivation); returns how many."""
    statement = update(_T).where(_T.c.user_id == user_id, _T.c.ended_at.is_(None)).values(ended_at=now)
    if isinstance(conn_or_engine, Engine):
        with write_connection(conn_or_engine) as conn:
            ended = conn.execute(statement).rowcount
    else:
        ended = conn_or_engine.execute(statement).rowcount
    _forget_user(user_id)
    return ended


def active_count(engine: Engine, user_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).where(_T.c.user_id == user_id, _T.c.ended_at.is_(None))).scalar_one()


# A per-process memo of loaded sessions (token hash → (Loaded, expiry)), so a burst of autosaves
# does not read the same row many times a second. Ending sessions in this process drops them at
# once; other processes notice within ``MEMO_SECONDS``.
MEMO_SECONDS = 2.0
_memo: dict[str, tuple[Loaded, float]] = {}


def memo_get(token: str, clock: float) -> Optional[Loaded]:
    hit = _memo.get(_hash(token))
    return hit[0] if hit is not None and hit[1] > clock else None


def memo_put(token: str, found: Loaded, clock: float) -> None:
    if len(_memo) > 50000:
        _memo.clear()
    _memo[_hash(token)] = (found, clock + MEMO_SECONDS)


def memo_drop(token: str) -> None:
    _memo.pop(_hash(token), None)


def _forget_user(user_id: int) -> None:
    for key in [k for k, (found, _) in _memo.items() if found.user_id == user_id]:
        _memo.pop(key, None)


def _aware(value):
    if value is None:
        return None
    if isinstance(value, str):  # SQLite through a text() query returns the stored text
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)
