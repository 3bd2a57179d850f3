"""The one throttle: sign-in, ticket sign-in, access codes, the idle-lock secret, public certificate
look-ups, PDF checks and bulk verification all count their attempts here.

Why progressive delays on a *pair* and not lock-outs on one key: an exam room shares one NAT address,
and a candidate's ticket number is printed and sequential. Counting failures per account locked the
real candidate out after five guesses by a neighbour; counting per address locked out the whole room.
Here every failure is recorded against ``subject`` (what is being guessed: an account, a session's
access code for one candidate, a certificate number) and ``source`` (who guesses: the address, or a
browser that already signed in to that account — see ``accounts.devices``). After ``free`` failures of
one pair, that pair waits ``base_seconds`` × 2ⁿ (capped) before its next try is even checked. Another
account behind the same address, or the right person from another address or their own browser, is a
different pair and is not slowed at all.

Two further limits exist for doors where a rate, not a pair, is what must be bounded:
``per_source`` caps every request one source makes in a window (the public certificate look-up, which
every enumerator must use, and each row of a bulk verification file against the verifier's account),
and ``per_subject`` caps failures on one subject from all sources (bulk verification: wrong names for
one certificate number per verifier account).

Events live in the database, not in process memory, so the limits hold across server workers and
machines; each write also prunes events older than the scope's window (an indexed delete).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy import Index, Select, and_, delete, func, insert, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from exam.db import write_connection
from exam.timeutil import utcnow


class ThrottleEvent(SQLModel, table=True):
    """One counted attempt: a failure (``failed``), or, for rate-limited doors, any request."""

    __tablename__ = "throttle_event"
    __table_args__ = (
        Index("ix_throttle_event_pair", "scope", "subject", "source", "at"),
        Index("ix_throttle_event_source", "scope", "source", "at"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    scope: str = Field(max_length=16)
    subject: str = Field(max_length=80)
    source: str = Field(max_length=80)
    failed: bool = Field(default=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)


_T = ThrottleEvent.__table__


@dataclass(frozen=True)
class Policy:
    """How one door is throttled. ``free`` failures of one (subject, source) pair cost nothing; the
    n-th failure beyond them makes the pair wait ``base_seconds`` × 2ⁿ, at most ``max_delay_seconds``.
    Failures older than ``window_seconds`` are forgotten."""

    scope: str
    free: int = 5
    base_seconds: float = 30.0
    max_delay_seconds: float = 15 * 60
    window_seconds: int = 3600
    per_source: Optional[int] = None    # every request of one source in a window (None: no cap)
    per_subject: Optional[int] = None   # failures on one subject from every source in a window

    def delay(self, failures: int) -> float:
        """Seconds the pair must wait after its latest failure, given how many it has made."""
        if failures < self.free:
            return 0.0
        return min(self.max_delay_seconds, self.base_seconds * 2 ** min(failures - self.free, 30))

    def scaled(self, **changes) -> "Policy":
        from dataclasses import replace
        return replace(self, **changes)


@dataclass(frozen=True)
class Verdict:
    """Whether a try may go ahead now, and if not how long to wait (whole seconds, at least 1)."""

    allowed: bool
    retry_after: int = 0
    failures: int = 0       # this pair's failures within the window (for "还可再试 N 次")

    @property
    def wait_text(self) -> str:
        """The wait in Chinese: "30 秒" or "4 分钟"."""
        minutes, seconds = divmod(max(1, self.retry_after), 60)
        if not minutes:
            return f"{seconds} 秒"
        return f"{minutes + (1 if seconds else 0)} 分钟"


ALLOWED = Verdict(True)


def _clip(text: str) -> str:
    return (text or "-")[:80]


def check(conn_or_engine, policy: Policy, subject: str, source: str, now: dt.datetime) -> Verdict:
    """May (subject, source) try now? A read only: a refused flood writes nothing."""
    subject, source = _clip(subject), _clip(source)
    since = now - dt.timedelta(seconds=policy.window_seconds)
    with _reading(conn_or_engine) as conn:
        count, last = conn.execute(
            select(func.count(), func.max(_T.c.at)).where(
                _T.c.scope == policy.scope, _T.c.subject == subject, _T.c.source == source,
                _T.c.failed.is_(True), _T.c.at >= since)).one()
        if count and last is not None:
            wait = _seconds_until(_aware(last) + dt.timedelta(seconds=policy.delay(count)), now)
            if wait > 0:
                return Verdict(False, wait, count)
        if policy.per_source is not None:
            n, first = conn.execute(select(func.count(), func.min(_T.c.at)).where(
                _T.c.scope == policy.scope, _T.c.source == source, _T.c.at >= since)).one()
            if n >= policy.per_source:
                return Verdict(False, max(1, _seconds_until(_aware(first) + dt.timedelta(
                    seconds=policy.window_seconds), now)), count)
        if policy.per_subject is not None:
            n, first = conn.execute(select(func.count(), func.min(_T.c.at)).where(
                _T.c.scope == policy.scope, _T.c.subject == subject, _T.c.failed.is_(True),
                _T.c.at >= since)).one()
            if n >= policy.per_subject:
                return Verdict(False, max(1, _seconds_until(_aware(first) + dt.timedelta(
                    seconds=policy.window_seconds), now)), count)
    return Verdict(True, 0, count)


def failed(engine: Engine, policy: Policy, subject: str, source: str, now: dt.datetime) -> None:
    """Count one failure of the pair."""
    record(engine, policy, [(subject, source, True)], now)


def succeeded(engine: Engine, policy: Policy, subject: str, source: str, now: dt.datetime, *,
              forget_failures: bool = True, count: bool = False) -> None:
    """A try that succeeded: the pair's failures are forgotten (a correct password proves the
    earlier ones were typos), and on rate-limited doors the request itself is counted."""
    if not forget_failures and not count:
        return
    with write_connection(engine) as conn:
        if forget_failures:
            conn.execute(delete(_T).where(_T.c.scope == policy.scope, _T.c.subject == _clip(subject),
                                          _T.c.source == _clip(source), _T.c.failed.is_(True)))
        if count:
            conn.execute(insert(_T).values(scope=policy.scope, subject=_clip(subject), source=_clip(source),
                                           failed=False, at=now))


def record(engine_or_conn, policy: Policy, events: Iterable[tuple[str, str, bool]], now: dt.datetime) -> None:
    """Count several attempts at once ((subject, source, failed) each; bulk verification writes one per
    row) and forget this scope's events older than its window."""
    rows = [{"scope": policy.scope, "subject": _clip(s), "source": _clip(src), "failed": bool(f), "at": now}
            for s, src, f in events]
    if isinstance(engine_or_conn, Connection):
        _write(engine_or_conn, policy, rows, now)
        return
    with write_connection(engine_or_conn) as conn:
        _write(conn, policy, rows, now)


def _write(conn: Connection, policy: Policy, rows: list[dict], now: dt.datetime) -> None:
    if rows:
        conn.execute(insert(_T), rows)
    conn.execute(delete(_T).where(and_(_T.c.scope == policy.scope,
                                       _T.c.at < now - dt.timedelta(seconds=policy.window_seconds))))


def failures_by_subject(conn_or_engine, policy: Policy, subjects: Iterable[str], source: str,
                        now: dt.datetime) -> dict[str, int]:
    """Failures of each subject from one source within the window, in one query (bulk verification)."""
    wanted = sorted({_clip(s) for s in subjects})
    if not wanted:
        return {}
    since = now - dt.timedelta(seconds=policy.window_seconds)
    out: dict[str, int] = {}
    with _reading(conn_or_engine) as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start:start + 500]
            out.update(conn.execute(select(_T.c.subject, func.count()).where(
                _T.c.scope == policy.scope, _T.c.source == _clip(source), _T.c.failed.is_(True),
                _T.c.at >= since, _T.c.subject.in_(chunk)).group_by(_T.c.subject)).all())
    return out


def waits_by_subject(conn_or_engine, policy: Policy, subjects, now: dt.datetime) -> dict[str, int]:
    """For each subject that some source must currently wait on, the longest such wait in seconds:
    what the proctoring board shows as "登录受限". ``subjects`` is a SELECT of subjects (one query
    however many there are) or a list of them."""
    if not isinstance(subjects, Select):
        subjects = sorted({_clip(s) for s in subjects})
        if not subjects:
            return {}
    since = now - dt.timedelta(seconds=policy.window_seconds)
    out: dict[str, int] = {}
    with _reading(conn_or_engine) as conn:
        rows = conn.execute(select(_T.c.subject, func.count(), func.max(_T.c.at)).where(
            _T.c.scope == policy.scope, _T.c.failed.is_(True), _T.c.at >= since,
            _T.c.subject.in_(subjects)).group_by(_T.c.subject, _T.c.source)).all()
    for subject, count, last in rows:
        wait = _seconds_until(_aware(last) + dt.timedelta(seconds=policy.delay(count)), now)
        if wait > 0:
            out[subject] = max(out.get(subject, 0), wait)
    return out


def forget(conn: Connection, policy: Policy, subject: str) -> int:
    """Forget every failure on ``subject`` from every source (an examiner who has checked the
    candidate's identity in the room lifts the wait); returns how many were forgotten."""
    result = conn.execute(delete(_T).where(_T.c.scope == policy.scope, _T.c.subject == _clip(subject),
                                           _T.c.failed.is_(True)))
    return result.rowcount or 0


def requests_from(conn_or_engine, policy: Policy, source: str, now: dt.datetime) -> int:
    """Every counted attempt of one source within the window (the per-source rate)."""
    since = now - dt.timedelta(seconds=policy.window_seconds)
    with _reading(conn_or_engine) as conn:
        return conn.execute(select(func.count()).where(
            _T.c.scope == policy.scope, _T.c.source == _clip(source), _T.c.at >= since)).scalar_one()


class _reading:
    """A read connection from an engine, or the caller's connection as it is."""

    def __init__(self, conn_or_engine):
        self.given = conn_or_engine
        self.opened = None

    def __enter__(self) -> Connection:
        if isinstance(self.given, Connection):
            return self.given
        self.opened = self.given.connect()
        return self.opened

    def __exit__(self, *exc):
        if self.opened is not None:
            self.opened.close()


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.timezone.utc)


def _seconds_until(when: dt.datetime, now: dt.datetime) -> int:
    return math.ceil((when - _aware(now)).total_seconds())


# ---------------------------------------------------------------- the doors, configured in one place

#: Each door's policy; ``policy(config, name)`` applies the instance's overrides
#: (``THROTTLE_<NAME>_<FIELD>``, e.g. ``THROTTLE_SIGNIN_FREE = 3``).
POLICIES = {
    # Passwords and tickets: 5 free per account and address (or known browser), then 30 s, 1, 2, 4 … 15 min.
    "signin": Policy("signin", free=5, base_seconds=30, max_delay_seconds=15 * 60, window_seconds=3600),
    # The room's access code and the idle-lock secret, per candidate and session and address.
    "access_code": Policy("access_code", free=5, base_seconds=60, max_delay_seconds=10 * 60, window_seconds=3600),
    "unlock": Policy("unlock", free=5, base_seconds=60, max_delay_seconds=10 * 60, window_seconds=3600),
    # Public look-up: wrong names per number and address; every look-up of an address in 10 minutes.
    "cert_lookup": Policy("cert_lookup", free=5, base_seconds=60, max_delay_seconds=30 * 60,
                          window_seconds=600, per_source=30),
    "cert_pdf": Policy("cert_pdf", free=30, window_seconds=600, per_source=30),
    # Bulk verification, per verifier account: every row counts (rows an hour), and wrong names per
    # number (a number answered with 3 wrong names is no longer checked for that account this hour).
    "bulk_row": Policy("bulk_row", free=3, base_seconds=3600, max_delay_seconds=3600, window_seconds=3600,
                       per_source=10000),
}


def policy(config, name: str) -> Policy:
    base = POLICIES[name]
    changes = {}
    for field_name in ("free", "base_seconds", "max_delay_seconds", "window_seconds", "per_source", "per_subject"):
        key = f"THROTTLE_{name.upper()}_{field_name.upper()}"
        if key in config:
            changes[field_name] = config[key]
    return base.scaled(**changes) if changes else base
