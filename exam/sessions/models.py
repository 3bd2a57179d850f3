from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Column, UniqueConstraint
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
    # When the examiner published the practical results; candidates see their breakdown from then on.
    practical_published_at: Optional[dt.datetime] = None
    # Two examiners mark each practical task independently; far-apart marks go to a third marking.
    double_marking: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})

    def is_open(self, now: dt.datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class Enrollment(SQLModel, table=True):
    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("session_id", "candidate_id", name="uq_enrollment"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
