from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

from exam.timeutil import utcnow


class Incident(SQLModel, table=True):
    """Something that happened in the room and was written down by an examiner (a power cut, a
    candidate taken ill, a suspected crib sheet), for one candidate or the whole session."""

    __tablename__ = "incident"

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    candidate_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    kind: str = Field(max_length=32)
    description: str = Field(sa_column=Column(Text, nullable=False))
    reported_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    at: dt.datetime = Field(default_factory=utcnow)


class IntegritySignal(SQLModel, table=True):
    """An integrity signal a candidate's page reported during the theory exam or the practical
    (focus lost, fullscreen left, paste attempted, idle lock). The typing test keeps its own
    richer events (typing_test.models.TypingEvent); the proctoring page shows both."""

    __tablename__ = "integrity_signal"
    __table_args__ = (Index("ix_integrity_signal_session_candidate", "session_id", "candidate_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id")
    candidate_id: int = Field(foreign_key="user_account.id")
    part: str = Field(max_length=16)  # theory | practical
    kind: str = Field(max_length=32)
    at: dt.datetime = Field(default_factory=utcnow)
    detail: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
