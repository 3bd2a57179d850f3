"""The typing test's tables: passages, a candidate's typing attempt with its integrity log, and the
exam-station agents that report keystroke summaries.

A typing attempt copies its passage's text (``reference``) when it starts, so editing or retiring a
passage never changes what a candidate typed against — the same rule as a paper freezing item
versions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from exam.parts import OPEN, SUBMITTED, VOID, AttemptMixin  # noqa: F401  (the statuses, re-exported)
from exam.timeutil import utcnow

ACTIVE, RETIRED = "active", "retired"
PASSAGE_STATUSES = {ACTIVE: "使用中", RETIRED: "已停用"}

#: Passage length limits (characters after normalisation, punctuation included). The Han characters a
#: passage needs for its level's time limit are a separate rule (``passages.long_enough``).
MIN_PASSAGE_CHARS = 300
MAX_PASSAGE_CHARS = 3000


class TypingPassage(SQLModel, table=True):
    """A text candidates copy; ``rare_share`` is the share of its Chinese characters outside the
    2,500 常用字 list, the difficulty figure trainers see."""

    __tablename__ = "typing_passage"

    id: Optional[int] = Field(default=None, primary_key=True)
    ref: Optional[str] = Field(default=None, max_length=64, unique=True)
    title: str = Field(max_length=200)
    level: str = Field(max_length=16, index=True)
    source: str = Field(default="", max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    char_count: int
    rare_share: float
    status: str = Field(default=ACTIVE, max_length=16)
    created_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)




class TypingAttempt(AttemptMixin, table=True):
    """One candidate's typing test in one session.

    ``typed`` is the newest acknowledged text (``typed_seq`` orders saves, as answers' ``seq`` does).
    The score columns are the server's own computation at submission; ``signals`` holds the
    browser's integrity counters, which inform the examiner and never enter the score.
    """

    __tablename__ = "typing_attempt"
    __table_args__ = (
        UniqueConstraint("session_id", "candidate_id", name="uq_typing_attempt_candidate"),
        Index("ix_typing_attempt_status_deadline", "status", "deadline"),
    )

    passage_id: int = Field(foreign_key="typing_passage.id")
    reference: str = Field(sa_column=Column(Text, nullable=False))
    typed: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    typed_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    saved_at: Optional[dt.datetime] = None
    signals: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    seconds: Optional[float] = None
    correct_chars: Optional[int] = None
    typed_chars: Optional[int] = None
    net_cpm: Optional[float] = None
    gross_cpm: Optional[float] = None
    accuracy: Optional[float] = None
    passed: Optional[bool] = None
    points: Optional[str] = Field(default=None, max_length=32)
    # What the server saw itself while the text came in (typing_test.evidence), by kind: the first
    # occurrence with its figures, and how often it happened. Any of them holds the result for review.
    server_flags: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False,
                                                                                server_default="{}"))
    correct_han: Optional[int] = None
    # 待核查: PENDING holds a scored result (no 达标, no points) until an examiner CONFIRMS it (the
    # computed result stands) or VOIDS it (not 达标, no points), with a reason; both are audited.
    review: Optional[str] = Field(default=None, max_length=16)
    review_note: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    reviewed_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    reviewed_at: Optional[dt.datetime] = None


REVIEW_PENDING, REVIEW_CONFIRMED, REVIEW_VOIDED = "pending", "confirmed", "voided"
REVIEW_STATES = {REVIEW_PENDING: "待核查", REVIEW_CONFIRMED: "核查后确认", REVIEW_VOIDED: "核查后作废"}


class TypingGrowth(SQLModel, table=True):
    """The text's length at each save the server stored, on the server's clock: the growth curve an
    examiner reads, and what the burst check (``typing_test.evidence``) compares against."""

    __tablename__ = "typing_growth"
    __table_args__ = (Index("ix_typing_growth_attempt", "attempt_id", "at"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="typing_attempt.id")
    at: dt.datetime
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    chars: int  # normalised characters of the stored text
    han: int
    keydowns: int  # the browser's key presses so far (all page loads), as reported with this save
    committed: int  # characters the browser says the input method or keyboard committed so far


class TypingEvent(SQLModel, table=True):
    """An integrity event the browser reported (a blocked paste or drop, focus loss, a burst of
    text with no keystrokes). ``client_id`` makes re-sent events idempotent."""

    __tablename__ = "typing_event"
    __table_args__ = (UniqueConstraint("attempt_id", "client_id", name="uq_typing_event_client"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="typing_attempt.id", index=True)
    client_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=32)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: dt.datetime = Field(default_factory=utcnow)


class Station(SQLModel, table=True):
    """An exam PC running ``callexam station``; the examiner assigns it to a candidate of the session.

    ``code`` is what the examiner types when starting the agent; on first contact the server hands the
    agent ``key``, with which every later request is signed (HMAC-SHA256); ``last_seq`` refuses replays.
    """

    __tablename__ = "station"

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    code: str = Field(max_length=32, unique=True)
    label: str = Field(max_length=64)
    candidate_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    key: Optional[str] = Field(default=None, max_length=128)
    hostname: str = Field(default="", max_length=200)
    registered_at: Optional[dt.datetime] = None
    last_seq: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    last_seen_at: Optional[dt.datetime] = None


class StationSummary(SQLModel, table=True):
    """One window of keystroke statistics an agent uploaded: counts and timing only, never which keys."""

    __tablename__ = "station_summary"
    __table_args__ = (Index("ix_station_summary_attempt", "activity", "attempt_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    station_id: int = Field(foreign_key="station.id", index=True)
    candidate_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    activity: str = Field(max_length=16)  # "typing" or "theory"
    attempt_id: int
    window_start: dt.datetime
    window_end: dt.datetime
    keystrokes: int
    char_keys: int
    injected: int
    intervals: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    shortcuts: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    received_at: dt.datetime = Field(default_factory=utcnow)
