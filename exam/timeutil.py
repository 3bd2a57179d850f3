"""One notion of time: timezone-aware UTC everywhere in the code, local time only on the page.

SQLModel's datetime columns store aware values as UTC on both SQLite and PostgreSQL and hand them
back aware, and all comparisons happen in Python with values computed here, so no SQL dialect's date
functions are involved.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

UTC = dt.timezone.utc


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """Naive values are taken to be UTC (how SQLite hands back timestamps through plain SQL)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def to_local(value: dt.datetime | None, tz: str) -> dt.datetime | None:
    return None if value is None else as_utc(value).astimezone(ZoneInfo(tz))


def local_to_utc(value: dt.datetime, tz: str) -> dt.datetime:
    """A wall-clock time typed into a form, in the exam centre's zone, as UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(tz))
    return value.astimezone(UTC)


def local_today(now: dt.datetime, tz: str) -> dt.date:
    """The date in ``tz`` at the instant ``now``: what "today" means to an exam centre."""
    return to_local(now, tz).date()


def epoch_ms(value: dt.datetime) -> int:
    return int(as_utc(value).timestamp() * 1000)
