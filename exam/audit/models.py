from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from exam.timeutil import utcnow


class AuditEvent(SQLModel, table=True):
    """One entry of the append-only trail; ``seq``, ``prev_hash`` and ``hash`` chain it (``chain``)."""

    __tablename__ = "audit_event"
    __table_args__ = (UniqueConstraint("seq", name="uq_audit_event_seq"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)
    actor_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    action: str = Field(max_length=64, index=True)
    subject_type: str = Field(max_length=32)
    subject_id: int
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    seq: Optional[int] = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    prev_hash: Optional[str] = Field(default=None, max_length=64)
    hash: Optional[str] = Field(default=None, max_length=64)
