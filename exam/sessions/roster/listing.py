"""The session's roster as the examiner's page lists it: one line per enrolment with ticket, seat,
profile and whether a photo is on file. Photos themselves are not loaded here (a class of two
hundred would pull megabytes of images for one page); ID numbers and phones arrive masked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from exam.accounts.models import CandidateProfile, User
from exam.sessions.roster.contact import mask_mobile
from exam.sessions.roster.idcard import mask
from exam.sessions.models import Enrollment, Room


@dataclass(frozen=True)
class Entry:
    enrollment_id: int
    candidate_id: int
    username: str
    name: str
    ticket_number: str | None
    masked_id: str
    phone: str
    employer: str
    room_name: str | None
    seat_no: int | None
    signed_in_at: dt.datetime | None
    has_photo: bool

    @property
    def seat(self) -> str:
        return f"{self.room_name} {self.seat_no} 号" if self.room_name and self.seat_no else "未分配"


def entries(db: Session, session_id: int) -> list[Entry]:
    rows = db.exec(
        select(Enrollment, User.username, User.display_name, CandidateProfile.id_number, CandidateProfile.phone,
               CandidateProfile.employer, CandidateProfile.photo_type, Room.name)
        .join(User, User.id == Enrollment.candidate_id)
        .join(CandidateProfile, CandidateProfile.user_id == User.id, isouter=True)
        .join(Room, Room.id == Enrollment.room_id, isouter=True)
        .where(Enrollment.session_id == session_id)
        .order_by(Enrollment.ticket_number, User.username)).all()
    return [Entry(e.id, e.candidate_id, username, name, e.ticket_number, mask(id_number) if id_number else "—",
                  mask_mobile(phone) if phone else "—", employer or "", room, e.seat_no, e.signed_in_at,
                  photo_type is not None)
            for e, username, name, id_number, phone, employer, photo_type, room in rows]


def enrolment_of(db: Session, session_id: int, candidate_id: int) -> Enrollment | None:
    return db.exec(select(Enrollment).where(Enrollment.session_id == session_id,
                                            Enrollment.candidate_id == candidate_id)).first()


def enrolment(db: Session, session_id: int, enrollment_id: int) -> Enrollment | None:
    found = db.get(Enrollment, enrollment_id)
    return found if found is not None and found.session_id == session_id else None
