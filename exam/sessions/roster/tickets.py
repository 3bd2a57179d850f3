"""Admission ticket numbers (准考证号): one per enrolment, unique across all sessions.

A ticket number is read aloud at the door, typed at sign-in and printed under a barcode, so it is
twelve plain digits that say where they come from: the year the session starts (local time), the
session id in four digits, and the candidate's sequence in that session in four digits —
``2024 0012 0007`` is the seventh candidate of session 12 in 2024. Numbers are never reused: a
candidate removed from a session leaves a gap, not a number someone else could inherit. Ids past
9999 widen the middle part (the database's unique constraint, not the layout, is what guarantees
uniqueness); the sequence stays four digits so two layouts can never spell the same number.

No Flask here: callers pass the exam centre's time zone.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam.accounts.models import User
from exam.db import write_connection
from exam.sessions.models import Enrollment, ExamSession
from exam.timeutil import to_local

#: The exam centre's zone when the caller has no app config at hand (the app's own default).
DEFAULT_TIMEZONE = "Asia/Shanghai"
SEQUENCE_DIGITS = 4
MAX_SEQUENCE = 10 ** SEQUENCE_DIGITS - 1
TICKET_RE = re.compile(r"^\d{12,16}$")


class TicketError(ValueError):
    """No number can be issued; the message says why, in Chinese."""


def prefix(session: ExamSession, tz: str = DEFAULT_TIMEZONE) -> str:
    return f"{to_local(session.starts_at, tz).year:04d}{session.id:04d}"


#: What a ticket number may be written with: the spaces and dashes of its printed groups
#: ("2026 0003 0005"), an IME's ideographic space, full-width forms (NFKC makes them ASCII).
_TICKET_SEPARATORS = re.compile(r"[\s\-‐‑–—_.·]+")


def sign_in_text(text: str) -> str:
    """The sign-in name as it is looked up. A ticket number is accepted as the candidate reads it off
    the 准考证 — in its printed groups, with full-width digits from a Chinese IME — and becomes its
    twelve-to-sixteen plain digits; any other text (a username) is only stripped, never rewritten,
    so no two different usernames can be made to meet."""
    stripped = (text or "").strip()
    compact = _TICKET_SEPARATORS.sub("", unicodedata.normalize("NFKC", stripped))
    return compact if looks_like_ticket(compact) else stripped


def looks_like_ticket(text: str) -> bool:
    """Whether sign-in text could be a ticket number (cheap test before any query)."""
    return bool(TICKET_RE.match(text or ""))


def issue(db: Session, session_id: int, tz: str = DEFAULT_TIMEZONE) -> int:
    """Give every enrolment of the session that has no ticket number one, in enrolment order.
    Returns how many were issued. The session row is locked first on PostgreSQL so two concurrent
    enrolments into one session cannot pick the same next number (SQLite has one writer anyway)."""
    missing = list(db.exec(select(Enrollment).where(Enrollment.session_id == session_id,
                                                    Enrollment.ticket_number.is_(None))
                           .order_by(Enrollment.id)))
    if not missing:
        return 0
    session = db.exec(select(ExamSession).where(ExamSession.id == session_id).with_for_update()).one()
    head = prefix(session, tz)
    used = [t for t in db.exec(select(Enrollment.ticket_number).where(Enrollment.session_id == session_id,
                                                                     Enrollment.ticket_number.is_not(None)))]
    last = max((int(t[len(head):]) for t in used if t.startswith(head) and len(t) == len(head) + SEQUENCE_DIGITS),
               default=0)
    if last + len(missing) > MAX_SEQUENCE:
        raise TicketError(f"场次《{session.name}》的准考证号已用完：一个场次最多 {MAX_SEQUENCE} 名考生")
    candidates = [f"{head}{n:0{SEQUENCE_DIGITS}d}" for n in range(last + 1, last + 1 + len(missing) + 20)]
    # A hand-made account may already be called like a ticket: skip such numbers, so that signing in
    # with a ticket number can never reach somebody else's account.
    taken = set(db.exec(select(User.username).where(User.username.in_(candidates))))
    free = iter(n for n in candidates if n not in taken)
    for enrolment in missing:
        number = next(free, None)
        if number is None:
            raise TicketError(f"场次《{session.name}》无法生成准考证号：与已有用户名冲突过多，请联系管理员")
        enrolment.ticket_number = number
        db.add(enrolment)
    db.flush()
    return len(missing)


def find(db: Session, ticket_number: str) -> Enrollment | None:
    return db.exec(select(Enrollment).where(Enrollment.ticket_number == ticket_number)).first()


def mark_signed_in(engine: Engine, candidate_id: int, now: dt.datetime, tz: str = DEFAULT_TIMEZONE) -> int:
    """Record the first sign-in (签到) on the candidate's enrolments in sessions running today: from
    the local day the session starts to the end of its span, so arriving early counts and a sign-in
    days before does not. Reads first and writes only when there is something to record: this runs
    on every candidate sign-in, thousands of them at an exam start."""
    today = to_local(now, tz).date()
    with Session(engine) as db:
        rows = db.exec(select(Enrollment.id, ExamSession)
                       .join(ExamSession, ExamSession.id == Enrollment.session_id)
                       .where(Enrollment.candidate_id == candidate_id, Enrollment.signed_in_at.is_(None))).all()
        due = [eid for eid, s in rows if to_local(s.starts_at, tz).date() <= today and now < s.ends_at]
    if not due:
        return 0
    with write_connection(engine) as conn:
        result = conn.execute(update(Enrollment).where(Enrollment.id.in_(due), Enrollment.signed_in_at.is_(None))
                              .values(signed_in_at=now))
    return result.rowcount
