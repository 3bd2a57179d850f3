"""What makes a session plan impossible: a candidate or an examiner needed in two places at once, a
room booked twice, more candidates than seats. Scheduling, enrolment and roster import all ask
here, so each refusal reads the same wherever it comes from.

A session occupies its whole span, from the earlier of its two windows' openings to the later of
their closings (``ExamSession.starts_at`` / ``ends_at``); two spans overlap when each starts before
the other ends, so back-to-back sessions do not conflict.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, select

from exam.accounts.models import User
from exam.sessions.models import Enrollment, ExamSession, Room, SessionExaminer, SessionRoom
from exam.timeutil import to_local


class ConflictError(ValueError):
    """The plan was refused; ``reasons`` lists every conflict found, each a full Chinese sentence."""

    def __init__(self, reasons: list[str]):
        super().__init__("；".join(reasons))
        self.reasons = reasons


@dataclass(frozen=True)
class Span:
    starts: dt.datetime
    ends: dt.datetime

    @classmethod
    def of(cls, session: ExamSession) -> "Span":
        return cls(session.starts_at, session.ends_at)


def _when(session: ExamSession, tz: str) -> str:
    return f"《{session.name}》（{to_local(session.starts_at, tz):%m-%d %H:%M}–{to_local(session.ends_at, tz):%H:%M}）"


def _overlapping(db: Session, span: Span, exclude_session_id: int | None) -> dict[int, ExamSession]:
    """Sessions whose span overlaps ``span``. A span starts at the earlier of the two openings and
    ends at the later of the two closings, so "starts before ``span`` ends" is "either window opens
    before it ends" (a missing practical window compares as false); the same holds for the ends.
    The check is repeated in Python on the properties, which are the definition."""
    rows = db.exec(select(ExamSession).where(
        or_(ExamSession.opens_at < span.ends, ExamSession.practical_opens_at < span.ends),
        or_(ExamSession.closes_at > span.starts, ExamSession.practical_closes_at > span.starts))).all()
    return {s.id: s for s in rows
            if s.id != exclude_session_id and s.starts_at < span.ends and span.starts < s.ends_at}


def candidate_conflicts(db: Session, candidate_ids: list[int], span: Span, tz: str,
                        exclude_session_id: int | None = None) -> list[str]:
    others = _overlapping(db, span, exclude_session_id)
    if not others or not candidate_ids:
        return []
    rows = db.exec(select(Enrollment.candidate_id, Enrollment.session_id, User.display_name, User.username)
                   .join(User, User.id == Enrollment.candidate_id)
                   .where(Enrollment.session_id.in_(list(others)), Enrollment.candidate_id.in_(candidate_ids))
                   .order_by(User.username)).all()
    return [f"考生 {name}（{username}）已报名时间重叠的场次 {_when(others[sid], tz)}"
            for _cid, sid, name, username in rows]


def examiner_conflicts(db: Session, examiner_ids: list[int], span: Span, tz: str,
                       exclude_session_id: int | None = None) -> list[str]:
    others = _overlapping(db, span, exclude_session_id)
    if not others or not examiner_ids:
        return []
    rows = db.exec(select(SessionExaminer.session_id, User.display_name, User.username)
                   .join(User, User.id == SessionExaminer.examiner_id)
                   .where(SessionExaminer.session_id.in_(list(others)),
                          SessionExaminer.examiner_id.in_(examiner_ids))).all()
    return [f"考评员 {name}（{username}）同一时间已安排在场次 {_when(others[sid], tz)}"
            for sid, name, username in rows]


def room_conflicts(db: Session, room_ids: list[int], span: Span, tz: str,
                   exclude_session_id: int | None = None) -> list[str]:
    others = _overlapping(db, span, exclude_session_id)
    if not others or not room_ids:
        return []
    rows = db.exec(select(SessionRoom.session_id, Room.name)
                   .join(Room, Room.id == SessionRoom.room_id)
                   .where(SessionRoom.session_id.in_(list(others)), SessionRoom.room_id.in_(room_ids))).all()
    return [f"考场 {room} 同一时间已被场次 {_when(others[sid], tz)} 使用" for sid, room in rows]


def seats_of(db: Session, room_ids: list[int]) -> int:
    if not room_ids:
        return 0
    return int(db.exec(select(func.coalesce(func.sum(Room.seats), 0)).where(Room.id.in_(room_ids))).one())


def session_room_ids(db: Session, session_id: int) -> list[int]:
    return list(db.exec(select(SessionRoom.room_id).where(SessionRoom.session_id == session_id)))


def capacity_conflicts(db: Session, room_ids: list[int], candidate_count: int) -> list[str]:
    """A session without rooms has no seat limit yet (rooms can be added before exam day)."""
    if not room_ids:
        return []
    seats = seats_of(db, room_ids)
    if candidate_count > seats:
        return [f"考场座位不足：共 {seats} 个座位，报名考生 {candidate_count} 人，超出 {candidate_count - seats} 人"]
    return []


def enrolment_conflicts(db: Session, session: ExamSession, new_candidate_ids: list[int], tz: str) -> list[str]:
    """Adding ``new_candidate_ids`` to an existing session: overlaps and seats."""
    enrolled = set(db.exec(select(Enrollment.candidate_id).where(Enrollment.session_id == session.id)))
    new = [cid for cid in dict.fromkeys(new_candidate_ids) if cid not in enrolled]
    return (candidate_conflicts(db, new, Span.of(session), tz, exclude_session_id=session.id)
            + capacity_conflicts(db, session_room_ids(db, session.id), len(enrolled) + len(new)))


def check(reasons: list[str]) -> None:
    if reasons:
        raise ConflictError(reasons)
