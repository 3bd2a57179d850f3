from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel

from exam.timeutil import utcnow


class Notification(SQLModel, table=True):
    """One message to one user. ``key`` is unique: a job that runs twice, or a publication that is
    retried, tries to insert the same key and so never sends the same message twice."""

    __tablename__ = "notification"

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=32)
    title: str = Field(max_length=200)
    body: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    link: str = Field(default="", max_length=300)
    created_at: dt.datetime = Field(default_factory=utcnow)
    read_at: Optional[dt.datetime] = None
