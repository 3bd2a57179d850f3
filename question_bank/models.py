"""The bank's tables: an item's identity and life cycle, its immutable versions, and what hangs off it.

What an item *says* (stem, options, key, levels, area, difficulty …) lives in ``ItemVersion`` and is
never edited in place: papers point at versions. What the bank *does with* an item (its review
status, category and tags) lives on ``Item`` and changes without making a new version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (JSON, BigInteger, CheckConstraint, Column, ForeignKey, Index, LargeBinary, String, Text,
                        UniqueConstraint)
from sqlmodel import Field, SQLModel

from exam.timeutil import utcnow

ITEM_KINDS = {
    "single": "单选题",
    "multiple": "多选题",
    "truefalse": "判断题",
    "fill": "填空题",
    "short": "简答题",
}
CHOICE_KINDS = ("single", "multiple")
# Kinds a machine marks; a short answer waits for an examiner.
AUTO_MARKED_KINDS = ("single", "multiple", "truefalse", "fill")

SCORING = {
    "all": "全对才得分",
    "partial": "少选按比例得分，错选不得分",
}

DIFFICULTIES = {1: "易", 2: "中", 3: "难"}

DRAFT, IN_REVIEW, APPROVED, RETIRED = "draft", "review", "approved", "retired"
STATUSES = {
    DRAFT: "草稿",
    IN_REVIEW: "待审核",
    APPROVED: "已审核",
    RETIRED: "已停用",
}


class Category(SQLModel, table=True):
    """A folder of the bank, as in Moodle (GIFT's ``$CATEGORY: a/b``); ``path`` is the full name."""

    __tablename__ = "item_category"

    id: Optional[int] = Field(default=None, primary_key=True)
    path: str = Field(max_length=255, unique=True)


class Item(SQLModel, table=True):
    """An item's identity and life cycle; only items with status ``approved`` reach papers."""

    __tablename__ = "item"

    id: Optional[int] = Field(default=None, primary_key=True)
    ref: Optional[str] = Field(default=None, max_length=64, unique=True)
    #: A name for trainers (Moodle's question name, GIFT's ``::Q2::``, QTI's ``title``), kept apart from
    #: the 编号; bookkeeping like tags, so a rename makes no version, and never shown to a candidate
    #: (a title such as "Q2 投诉处理" may hint at the answer).
    title: str = Field(default="", sa_column=Column(String(200), nullable=False, server_default=""))
    status: str = Field(default=DRAFT, max_length=16, index=True)
    category_id: Optional[int] = Field(default=None, foreign_key="item_category.id", index=True)
    created_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class ItemTag(SQLModel, table=True):
    __tablename__ = "item_tag"

    item_id: int = Field(foreign_key="item.id", primary_key=True)
    tag: str = Field(max_length=32, primary_key=True, index=True)


class ItemVersion(SQLModel, table=True):
    """One immutable wording of an item. Papers point at versions, so editing never changes a paper.

    ``key`` depends on the kind: option indices (choice), a bool (true/false), the accepted answers
    (fill), or ``{"reference": …, "points": […]}`` for a short answer an examiner marks.
    """

    __tablename__ = "item_version"
    __table_args__ = (
        UniqueConstraint("item_id", "version", name="uq_item_version"),
        Index("ix_item_version_area_kind", "area", "kind"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    version: int
    area: str = Field(max_length=16)
    kind: str = Field(max_length=16)
    scoring: str = Field(default="all", max_length=16)
    stem: str = Field(sa_column=Column(Text, nullable=False))
    options: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    key: Any = Field(sa_column=Column(JSON, nullable=False))
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    knowledge_point: str = Field(default="", max_length=100)
    difficulty: int = Field(default=2)
    source: str = Field(default="", max_length=200)
    created_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow)


class ItemVersionLevel(SQLModel, table=True):
    """The levels a version is written for: an item may serve several (the higher includes the lower)."""

    __tablename__ = "item_version_level"

    version_id: int = Field(foreign_key="item_version.id", primary_key=True)
    level: str = Field(max_length=16, primary_key=True, index=True)


class ItemComment(SQLModel, table=True):
    """A reviewer's or author's remark on an item, kept with the version it was made on."""

    __tablename__ = "item_comment"

    id: Optional[int] = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="item.id", index=True)
    version: int
    author_id: Optional[int] = Field(default=None, foreign_key="user_account.id")
    action: str = Field(default="comment", max_length=16)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)


class PaperBlueprint(SQLModel, table=True):
    """A trainer's 组卷规则 for one level, stored as the engine's spec (see ``blueprint_service``).

    ``fixed_paper`` holds the one paper of a "fixed" blueprint once the trainer has generated it:
    every session using the blueprint then gives every candidate those items.
    """

    __tablename__ = "paper_blueprint"

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    level: str = Field(max_length=16, index=True)
    mode: str = Field(max_length=16)
    spec: dict = Field(sa_column=Column(JSON, nullable=False))
    fixed_paper: Optional[list] = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    created_at: dt.datetime = Field(default_factory=utcnow)
    updated_at: dt.datetime = Field(default_factory=utcnow)


ENEMY, NOT_ENEMY = "enemy", "not_enemy"
ENEMY_DECISIONS = {ENEMY: "互斥（不同卷出现）", NOT_ENEMY: "不互斥"}


class ItemEnemy(SQLModel, table=True):
    """A trainer's decision on a pair of items the checker suggested as enemies (one's answer shows in
    the other): ``enemy`` keeps them off the same paper in every draw; ``not_enemy`` records that the
    cue is harmless, so the suggestion stops. A pair is stored once, the smaller item id first."""

    __tablename__ = "item_enemy"

    item_a_id: int = Field(foreign_key="item.id", primary_key=True)
    item_b_id: int = Field(foreign_key="item.id", primary_key=True, index=True)
    decision: str = Field(default=ENEMY, max_length=16)
    reason: str = Field(default="", max_length=200)
    decided_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    decided_at: dt.datetime = Field(default_factory=utcnow)


class ItemMedia(SQLModel, table=True):
    """A picture some item's stem shows, stored once under the SHA-256 of its bytes (``formats.media``).

    Content-addressed and never changed: the stem refers to it as ``/media/<sha256>.<ext>``. Nothing
    deletes a row: a frozen paper's version keeps showing its pictures (``ItemVersionMedia`` rows point
    here, and their foreign key refuses a delete while any version does)."""

    __tablename__ = "item_media"

    sha256: str = Field(sa_column=Column(String(64), primary_key=True))
    mime: str = Field(max_length=32)
    width: int
    height: int
    size: int
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: dt.datetime = Field(default_factory=utcnow)


class ItemVersionMedia(SQLModel, table=True):
    """Which pictures a version's stem shows: who may see a picture (``media_access``) follows from
    who may see a version that shows it."""

    __tablename__ = "item_version_media"

    version_id: int = Field(foreign_key="item_version.id", primary_key=True)
    sha256: str = Field(sa_column=Column(String(64), ForeignKey("item_media.sha256"), primary_key=True, index=True))


class BankGeneration(SQLModel, table=True):
    """One row (id 1) marking the state of what a paper may draw from: database triggers (migration
    0022) write a new random ``value`` (the bank's generation) on every write to ``item``,
    ``item_version``, ``item_version_level`` and ``item_enemy``, in the writing transaction.
    ``epoch`` is a random token written with the row, so a database rebuilt under the same URL starts
    afresh. Nothing in the app writes this table; ``question_bank.pool_cache`` reads it at every start."""

    __tablename__ = "bank_generation"
    __table_args__ = (CheckConstraint("id = 1", name="ck_bank_generation_one_row"),)

    id: int = Field(primary_key=True)
    epoch: str = Field(max_length=32)
    value: int = Field(sa_column=Column(BigInteger, nullable=False))
