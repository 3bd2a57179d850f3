from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from exam.timeutil import utcnow

ITEM_KINDS = {
    "single": "单选题",
    "multiple": "多选题",
    "truefalse": "判断题",
}


class Item(SQLModel, table=True):
    """An item's identity; what it says lives in its versions."""

    __tablename__ = "item"

    id: Optional[int] = Field(default=None, primary_key=True)
    ref: Optional[str] = Field(default=None, max_length=64, unique=True)
    created_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    retired: bool = Field(default=False)


class ItemVersion(SQLModel, table=True):
    """One immutable wording of an item. Papers point at versions, so editing never changes a paper."""

    __tablename__ = "item_version"
    __table_args__ = (
        UniqueConstraint("item_id", "version", name="uq_item_version"),
        Index("ix_item_version_level_area", "level", "area"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    version: int
    level: str = Field(max_length=16)
    area: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    stem: str
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    key: Any = Field(sa_column=Column(JSON, nullable=False))
    explanation: str = Field(default="")
    knowledge_point: str = Field(default="", max_length=100)
    difficulty: int = Field(default=2)
    created_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
