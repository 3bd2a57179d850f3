"""How often one address may look certificates up, and how often one number may be guessed at.

The public look-up answers only a number *and* the holder's name, so the secret an enumerator must
guess is the name; two limits stop that. Per address: every look-up counts (found or not, so the
limit itself says nothing about what was found), which stops one machine walking the number space.
Per number: look-ups whose name did not match count, which stops many machines guessing the name of
one known number. Both live in the database, like the sign-in throttle (``exam.accounts.service``),
so they hold across server workers and machines. The per-number limit can be used to block the
public look-up of a number for one window; the QR page, the PDF upload and bulk verification do
not depend on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel

from exam.db import write_connection
from exam.timeutil import utcnow

PUBLIC, PDF = "lookup", "pdf"


class VerifyAttempt(SQLModel, table=True):
    """One public verification request (page, API or PDF upload), kept for one window."""

    __tablename__ = "certificate_verify_attempt"

    id: Optional[int] = Field(default=None, primary_key=True)
    ip: str = Field(max_length=64, index=True)
    kind: str = Field(max_length=8)
    number: Optional[str] = Field(default=None, max_length=40, index=True)
    matched: bool = Field(default=False)
    at: dt.datetime = Field(default_factory=utcnow, index=True)


@dataclass(frozen=True)
class Limits:
    per_ip: int = 30               # look-ups an address may make in a window (page and API together)
    failures_per_number: int = 10  # non-matching names one number may be asked with in a window
    pdf_per_ip: int = 30           # PDF uploads an address may check in a window (each costs a validation)
    window_seconds: int = 600

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(int(config.get("VERIFY_MAX_PER_IP", cls.per_ip)),
                   int(config.get("VERIFY_MAX_FAILURES_PER_NUMBER", cls.failures_per_number)),
                   int(config.get("VERIFY_MAX_PDF_PER_IP", cls.pdf_per_ip)),
                   int(config.get("VERIFY_WINDOW_SECONDS", cls.window_seconds)))

    @property
    def minutes(self) -> int:
        return max(1, self.window_seconds // 60)


_T = VerifyAttempt.__table__   # Core statements: no ORM session per request, same column types


def _count(conn, *where) -> int:
    return conn.execute(select(func.count()).select_from(_T).where(*where)).scalar_one()


def blocked(engine: Engine, kind: str, ip: str, number: str | None, now: dt.datetime, limits: Limits) -> bool:
    """Whether this request must be refused; a read only, so a refused flood writes nothing."""
    since = now - dt.timedelta(seconds=limits.window_seconds)
    with engine.connect() as conn:
        by_ip = _count(conn, _T.c.ip == ip[:64], _T.c.kind == kind, _T.c.at >= since)
        if by_ip >= (limits.per_ip if kind == PUBLIC else limits.pdf_per_ip):
            return True
        if kind == PUBLIC and number:
            by_number = _count(conn, _T.c.number == number[:40], _T.c.kind == kind,
                               _T.c.matched.is_(False), _T.c.at >= since)
            return by_number >= limits.failures_per_number
    return False


def note(engine: Engine, kind: str, ip: str, number: str | None, matched: bool, now: dt.datetime,
         limits: Limits) -> None:
    """Count a request that was answered, and forget those older than a window (an indexed delete)."""
    with write_connection(engine) as conn:
        conn.execute(insert(_T).values(ip=ip[:64], kind=kind, number=(number or None) and number[:40],
                                       matched=matched, at=now))
        conn.execute(delete(_T).where(_T.c.at < now - dt.timedelta(seconds=limits.window_seconds)))
