from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import BigInteger, Column, Index, JSON, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from exam.parts import OPEN, SUBMITTED, VOID, AttemptMixin  # noqa: F401  (the statuses, re-exported)
from exam.timeutil import utcnow



class Attempt(AttemptMixin, table=True):
    __tablename__ = "attempt"
    __table_args__ = (
        UniqueConstraint("session_id", "candidate_id", name="uq_attempt_candidate"),
        Index("ix_attempt_status_deadline", "status", "deadline"),
    )

    score: Optional[float] = None
    passed: Optional[bool] = None


class PaperSlot(SQLModel, table=True):
    """One question of a candidate's frozen paper, in the order that candidate sees it.

    ``kind`` and ``option_count`` are copied from the version so the autosave path can validate an
    answer without touching the item tables; ``points`` is an exact fraction such as "20/3".
    """

    __tablename__ = "paper_slot"

    attempt_id: int = Field(foreign_key="attempt.id", primary_key=True)
    position: int = Field(primary_key=True)
    item_version_id: int = Field(foreign_key="item_version.id", index=True)
    area: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    option_count: int
    option_order: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    points: str = Field(max_length=32)


class Answer(SQLModel, table=True):
    """The newest acknowledged answer to one slot; ``seq`` orders saves so an older one never wins."""

    __tablename__ = "answer"

    attempt_id: int = Field(foreign_key="attempt.id", primary_key=True)
    position: int = Field(primary_key=True)
    value: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    flagged: bool = Field(default=False)
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    saved_at: dt.datetime = Field(default_factory=utcnow)


class ManualMark(SQLModel, table=True):
    """An examiner's mark for a short answer; ``points`` is an exact fraction of the slot's points."""

    __tablename__ = "manual_mark"

    attempt_id: int = Field(foreign_key="attempt.id", primary_key=True)
    position: int = Field(primary_key=True)
    points: str = Field(max_length=32)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    marker_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    marked_at: dt.datetime = Field(default_factory=utcnow)


class ShortMark(SQLModel, table=True):
    """One examiner's marking of one short answer in one round (``exam.marking.rounds``): the points per
    评分要点 (``criteria``: the 要点's index as a string → exact points) and their sum. The agreed
    mark the grade uses is ``ManualMark``; these rows say who marked what, in which round."""

    __tablename__ = "short_mark"
    __table_args__ = (UniqueConstraint("attempt_id", "position", "round", name="uq_short_mark_round"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="attempt.id", index=True)
    position: int
    round: int
    marker_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    criteria: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    points: str = Field(max_length=32)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    marked_at: dt.datetime = Field(default_factory=utcnow)
