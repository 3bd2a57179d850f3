from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Column, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from exam.timeutil import utcnow


class ExamSession(SQLModel, table=True):
    __tablename__ = "exam_session"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    level: str = Field(max_length=16)
    opens_at: dt.datetime
    closes_at: dt.datetime
    duration_minutes: int
    item_count: int
    # A session follows a blueprint (组卷规则) or, without one, the spine's per-area draw of item_count.
    blueprint_id: Optional[int] = Field(default=None, foreign_key="paper_blueprint.id")
    # The one paper of a "fixed" or "drawn" blueprint, frozen when the session is created.
    paper: Optional[list] = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    # Two examiners mark each practical task independently; far-apart marks go to a third marking.
    double_marking: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # The practical window (typing test and hands-on scenarios); without one the theory window serves.
    practical_opens_at: Optional[dt.datetime] = None
    practical_closes_at: Optional[dt.datetime] = None
    # The practical blueprint: per part code, the scenario ids the draw may use (none: all approved).
    practical_scenarios: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Access rules switched on for this session, by rule code, with their settings (exam.access).
    access_rules: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}"))
    # How candidates sign in with their ticket number: "password" (their own) or "id_last6".
    signin_mode: str = Field(default="password", max_length=16, sa_column_kwargs={"server_default": "password"})
    # "immediate": each score is shown once graded; "published": only after results are published.
    results_release: str = Field(default="immediate", max_length=16,
                                 sa_column_kwargs={"server_default": "immediate"})
    results_publish_at: Optional[dt.datetime] = None
    results_published_at: Optional[dt.datetime] = None
    notes: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))

    def is_open(self, now: dt.datetime) -> bool:
        return self.opens_at <= now < self.closes_at

    @property
    def practical_window(self) -> tuple[dt.datetime, dt.datetime]:
        return (self.practical_opens_at or self.opens_at, self.practical_closes_at or self.closes_at)

    @property
    def starts_at(self) -> dt.datetime:
        return min(self.opens_at, self.practical_window[0])

    @property
    def ends_at(self) -> dt.datetime:
        return max(self.closes_at, self.practical_window[1])


class Enrollment(SQLModel, table=True):
    """A candidate's place in a session: the admission ticket number and, once assigned, the seat."""

    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("session_id", "candidate_id", name="uq_enrollment"),
        UniqueConstraint("session_id", "room_id", "seat_no", name="uq_enrollment_seat"),
        UniqueConstraint("ticket_number", name="uq_enrollment_ticket"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    ticket_number: Optional[str] = Field(default=None, max_length=20)
    room_id: Optional[int] = Field(default=None, foreign_key="room.id")
    seat_no: Optional[int] = None
    # The first sign-in with the ticket number (the proctoring page's "已签到").
    signed_in_at: Optional[dt.datetime] = None


class Room(SQLModel, table=True):
    """An exam room (考场) with a fixed number of seats."""

    __tablename__ = "room"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    location: str = Field(default="", max_length=200)
    seats: int
    active: bool = Field(default=True)


class SessionRoom(SQLModel, table=True):
    __tablename__ = "session_room"

    session_id: int = Field(foreign_key="exam_session.id", primary_key=True)
    room_id: int = Field(foreign_key="room.id", primary_key=True, index=True)


class SessionExaminer(SQLModel, table=True):
    __tablename__ = "session_examiner"

    session_id: int = Field(foreign_key="exam_session.id", primary_key=True)
    examiner_id: int = Field(foreign_key="user_account.id", primary_key=True, index=True)


class SessionEvent(SQLModel, table=True):
    """A scheduled step of a session that has been done (window opened, reminder sent, results
    published). The unique key is what makes each scheduler job idempotent: the run that inserts
    the row does the work, any other run finds it done."""

    __tablename__ = "session_event"
    __table_args__ = (UniqueConstraint("session_id", "code", name="uq_session_event"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    code: str = Field(max_length=32)
    done_at: dt.datetime = Field(default_factory=utcnow)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
