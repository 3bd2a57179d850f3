"""The examiner's view of the timetable: each session's status, rooms, examiners and seats, a list grouped
by day, and a month calendar. Days are the exam centre's local days (``app.config["TIMEZONE"]``)."""

from __future__ import annotations

import calendar as stdlib_calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, or_
from sqlmodel import Session, select

from exam.accounts.models import User
from exam.sessions.models import Enrollment, ExamSession, Room, SessionExaminer, SessionRoom
from exam.sessions.results import visibility
from exam.timeutil import local_to_utc, to_local

STATUS_LABELS = {
    "scheduled": "未开始",
    "theory": "理论考试中",
    "between": "等待下一部分开考",
    "practical": "实操考试中",
    "ended": "已结束",
    "published": "成绩已公布",
}


def status(session: ExamSession, now: dt.datetime) -> str:
    """One of STATUS_LABELS' codes. Published results win; the theory window is named first when both
    windows are open (without a practical window of its own the practical shares the theory's)."""
    if visibility.of(session).published:
        return "published"
    p_opens, p_closes = session.practical_window
    if now < session.starts_at:
        return "scheduled"
    if session.opens_at <= now < session.closes_at:
        return "theory"
    if p_opens <= now < p_closes:
        return "practical"
    return "between" if now < session.ends_at else "ended"


@dataclass
class Card:
    """A session as the timetable shows it."""

    session: ExamSession
    status: str
    rooms: list[Room] = field(default_factory=list)
    examiners: list[User] = field(default_factory=list)
    enrolled: int = 0

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def seats(self) -> int:
        return sum(r.seats for r in self.rooms)


def cards(db: Session, sessions: list[ExamSession], now: dt.datetime) -> list[Card]:
    ids = [s.id for s in sessions]
    if not ids:
        return []
    rooms, examiners = defaultdict(list), defaultdict(list)
    for sid, room in db.exec(select(SessionRoom.session_id, Room).join(Room, Room.id == SessionRoom.room_id)
                             .where(SessionRoom.session_id.in_(ids)).order_by(Room.name)):
        rooms[sid].append(room)
    for sid, user in db.exec(select(SessionExaminer.session_id, User).join(User, User.id == SessionExaminer.examiner_id)
                             .where(SessionExaminer.session_id.in_(ids)).order_by(User.username)):
        examiners[sid].append(user)
    counts = dict(db.exec(select(Enrollment.session_id, func.count()).where(Enrollment.session_id.in_(ids))
                          .group_by(Enrollment.session_id)).all())
    return [Card(s, status(s, now), rooms[s.id], examiners[s.id], int(counts.get(s.id, 0))) for s in sessions]


def card(db: Session, session: ExamSession, now: dt.datetime) -> Card:
    return cards(db, [session], now)[0]


def sessions_between(db: Session, starts: dt.datetime | None = None, ends: dt.datetime | None = None,
                     level: str | None = None, room_id: int | None = None,
                     only: set[int] | None = None) -> list[ExamSession]:
    """Sessions whose span (either window) meets [starts, ends), earliest first; ``only`` narrows
    them to the sessions a user manages (``exam.sessions.managed.managed_ids``; None: all)."""
    query = select(ExamSession)
    if only is not None:
        query = query.where(ExamSession.id.in_(sorted(only) or [-1]))
    if ends is not None:
        query = query.where(or_(ExamSession.opens_at < ends, ExamSession.practical_opens_at < ends))
    if starts is not None:
        query = query.where(or_(ExamSession.closes_at > starts, ExamSession.practical_closes_at > starts))
    if level:
        query = query.where(ExamSession.level == level)
    if room_id:
        query = query.where(ExamSession.id.in_(select(SessionRoom.session_id).where(SessionRoom.room_id == room_id)))
    rows = db.exec(query.order_by(ExamSession.opens_at, ExamSession.id)).all()
    return sorted((s for s in rows if (ends is None or s.starts_at < ends) and (starts is None or s.ends_at > starts)),
                  key=lambda s: (s.starts_at, s.id))


def listing(db: Session, now: dt.datetime, tz: str, level: str | None = None, when: str = "",
            room_id: int | None = None, only: set[int] | None = None) -> list[tuple[dt.date, list[Card]]]:
    """Sessions grouped by their first local day: "upcoming" (not yet over) soonest day first, "past"
    and everything latest day first; within a day always in the order they start."""
    if when == "upcoming":
        found = sessions_between(db, starts=now, level=level, room_id=room_id, only=only)
    elif when == "past":
        found = [s for s in sessions_between(db, ends=now, level=level, room_id=room_id, only=only)
                 if s.ends_at <= now]
    else:
        found = sessions_between(db, level=level, room_id=room_id, only=only)
    if when != "upcoming":
        found.reverse()
    days: dict[dt.date, list[Card]] = {}
    for c in cards(db, found, now):
        days.setdefault(to_local(c.session.starts_at, tz).date(), []).append(c)
    return [(day, sorted(day_cards, key=lambda c: (c.session.starts_at, c.session.id)))
            for day, day_cards in days.items()]


@dataclass(frozen=True)
class Entry:
    """A session on one calendar day, with its hours on that day."""

    card: Card
    starts: dt.datetime
    ends: dt.datetime
    continues_before: bool
    continues_after: bool


@dataclass(frozen=True)
class Day:
    date: dt.date
    in_month: bool
    is_today: bool
    entries: list[Entry]


def month(db: Session, year: int, month_no: int, now: dt.datetime, tz: str, level: str | None = None,
          room_id: int | None = None, only: set[int] | None = None) -> list[list[Day]]:
    """The month's weeks (Monday first), each day listing the sessions that run on it."""
    weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month_no)
    first, last = weeks[0][0], weeks[-1][-1] + dt.timedelta(days=1)
    midnight = lambda d: local_to_utc(dt.datetime.combine(d, dt.time()), tz)  # noqa: E731
    found = cards(db, sessions_between(db, midnight(first), midnight(last), level, room_id, only), now)
    today = to_local(now, tz).date()
    out = []
    for week in weeks:
        row = []
        for d in week:
            day_starts, day_ends = midnight(d), midnight(d + dt.timedelta(days=1))
            entries = [Entry(c, max(c.session.starts_at, day_starts), min(c.session.ends_at, day_ends),
                             c.session.starts_at < day_starts, c.session.ends_at > day_ends)
                       for c in found if c.session.starts_at < day_ends and c.session.ends_at > day_starts]
            row.append(Day(d, d.month == month_no, d == today, entries))
        out.append(row)
    return out


def shift_month(year: int, month_no: int, delta: int) -> tuple[int, int]:
    n = year * 12 + (month_no - 1) + delta
    return n // 12, n % 12 + 1
