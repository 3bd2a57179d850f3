"""The practical assessment's tables: scenarios trainers write, a candidate's practical attempt with its
frozen tasks, examiners' rubric marks, and the editable phrase lists of the service-phrase checks.

A task copies its scenario's ``spec`` when the attempt starts (as a paper freezes item versions), so
editing a scenario never changes what a candidate was asked or how it is checked.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from exam.parts import OPEN, SUBMITTED, VOID, AttemptMixin  # noqa: F401  (the statuses, re-exported)
from exam.timeutil import utcnow

DRAFT, APPROVED, RETIRED = "draft", "approved", "retired"
SCENARIO_STATUSES = {DRAFT: "草稿", APPROVED: "已审核", RETIRED: "已停用"}


class Scenario(SQLModel, table=True):
    """A hands-on task of one kind (``practical.kinds``) for one level; ``spec`` is the kind's content
    (caller script, ticket truth, transcript and reference marking, KPI parameters …) and ``rubric`` the
    criteria an examiner marks, if any."""

    __tablename__ = "practical_scenario"

    id: Optional[int] = Field(default=None, primary_key=True)
    ref: Optional[str] = Field(default=None, max_length=64, unique=True)
    kind: str = Field(max_length=16, index=True)
    level: str = Field(max_length=16, index=True)
    title: str = Field(max_length=200)
    minutes: int = Field(default=15)
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rubric: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=DRAFT, max_length=16)
    #: Content version: 1 when created; each edit, and each stock refresh to a newer shipped version,
    #: makes the next one. Papers keep the copy of the content they froze (``PracticalTask.spec``).
    version: int = Field(default=1, sa_column=Column(Integer, nullable=False, server_default="1"))
    created_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)




class PracticalAttempt(AttemptMixin, table=True):
    """One candidate's practical assessment in one session. ``ticket`` is the anonymous code examiners
    see instead of a name. ``score`` (out of 100, typing included) is set once every task is marked."""

    __tablename__ = "practical_attempt"
    __table_args__ = (
        UniqueConstraint("session_id", "candidate_id", name="uq_practical_attempt_candidate"),
        Index("ix_practical_attempt_status_deadline", "status", "deadline"),
    )

    ticket: str = Field(max_length=16, unique=True)
    score: Optional[str] = Field(default=None, max_length=32)  # an exact fraction, e.g. "145/2"
    passed: Optional[bool] = None


class PracticalTask(SQLModel, table=True):
    """One scenario of a candidate's practical paper, frozen; ``answer`` is the newest acknowledged
    answer (``answer_seq`` orders saves); ``auto`` the machine checks' result at submission."""

    __tablename__ = "practical_task"

    attempt_id: int = Field(foreign_key="practical_attempt.id", primary_key=True)
    position: int = Field(primary_key=True)
    scenario_id: int = Field(foreign_key="practical_scenario.id", index=True)
    kind: str = Field(max_length=16)
    title: str = Field(max_length=200)
    points: str = Field(max_length=32)
    seed: int = Field(sa_column=Column(BigInteger, nullable=False))
    spec: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    rubric: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    answer: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    answer_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    saved_at: Optional[dt.datetime] = None
    auto: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    auto_points: Optional[str] = Field(default=None, max_length=32)
    manual_points: Optional[str] = Field(default=None, max_length=32)  # agreed examiner points, if marked


class PracticalMark(SQLModel, table=True):
    """One examiner's rubric marks for one task. ``round`` 1 and 2 are independent markings; a
    ``round`` 3 mark reconciles two that differ by more than the threshold."""

    __tablename__ = "practical_mark"
    __table_args__ = (UniqueConstraint("attempt_id", "position", "round", name="uq_practical_mark_round"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="practical_attempt.id", index=True)
    position: int
    round: int
    marker_id: int = Field(foreign_key="user_account.id")
    criteria: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Per criterion with a machine suggestion (the call and the complaint, practical.call_grading):
    # {key: {"suggested", "points", "decision": "accept" | "override", "reason"}}; an override needs a reason.
    decisions: Optional[dict[str, Any]] = Field(default=None, sa_column=Column(JSON, nullable=True))
    points: str = Field(max_length=32)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    marked_at: dt.datetime = Field(default_factory=utcnow)


class PhraseList(SQLModel, table=True):
    """A trainer's edit of one of the standard's phrase lists (``exam.service_phrases``); without a row
    the standard's own list applies."""

    __tablename__ = "phrase_list"

    key: str = Field(primary_key=True, max_length=32)
    entries: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    updated_at: dt.datetime = Field(default_factory=utcnow)
