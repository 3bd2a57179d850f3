"""Finding items: the filters of the trainer's list, on the current version of every item.

One query builder for every field a trainer filters by, shared by the list page and its bulk
actions, so "select all that match" acts on exactly what the list shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, select

from question_bank import service
from question_bank.models import RETIRED, Category, Item, ItemTag, ItemVersion

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    q: str = ""
    level: str = ""
    area: str = ""
    kind: str = ""
    status: str = ""
    difficulty: str = ""
    tag: str = ""
    category: str = ""
    knowledge_point: str = ""
    source: str = ""
    ref: str = ""

    @classmethod
    def from_form(cls, form) -> "Filters":
        return cls(**{name: (getattr(form, name).data or "").strip() for name in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Row:
    item: Item
    version: ItemVersion
    levels: list[str]
    tags: list[str]
    category: str
    author: str


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def query(filters: Filters):
    stmt = service.latest_versions_query(ItemVersion, Item)
    if filters.level:
        stmt = service.for_level(stmt, filters.level)
    if filters.status:
        stmt = stmt.where(Item.status == filters.status)
    else:
        stmt = stmt.where(Item.status != RETIRED)
    for column, value in ((ItemVersion.area, filters.area), (ItemVersion.kind, filters.kind)):
        if value:
            stmt = stmt.where(column == value)
    if filters.difficulty.isdigit():
        stmt = stmt.where(ItemVersion.difficulty == int(filters.difficulty))
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.where(or_(ItemVersion.stem.like(pattern, escape="\\"),
                              cast(ItemVersion.options, String).like(pattern, escape="\\"),
                              ItemVersion.explanation.like(pattern, escape="\\"),
                              Item.title.like(pattern, escape="\\")))
    for column, value in ((ItemVersion.knowledge_point, filters.knowledge_point),
                          (ItemVersion.source, filters.source), (Item.ref, filters.ref)):
        if value:
            stmt = stmt.where(column.like(_like(value), escape="\\"))
    if filters.tag:
        stmt = stmt.where(Item.id.in_(select(ItemTag.item_id).where(ItemTag.tag == filters.tag)))
    if filters.category:
        stmt = stmt.where(Item.category_id.in_(
            select(Category.id).where(or_(Category.path == filters.category,
                                          Category.path.like(_like(filters.category + "/")[1:], escape="\\")))))
    return stmt


def matching_ids(session: Session, filters: Filters) -> list[int]:
    return [item.id for _v, item in session.exec(query(filters))]


def search(session: Session, filters: Filters, page: int = 1) -> tuple[list[Row], int]:
    stmt = query(filters)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    page = max(1, page)
    found = list(session.exec(stmt.order_by(Item.id).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    return rows_for(session, found), total


def rows_for(session: Session, found) -> list[Row]:
    levels = service.levels_of(session, [v.id for v, _ in found])
    tags = service.tags_of(session, [i.id for _, i in found])
    categories = dict(session.exec(select(Category.id, Category.path)).all())
    authors = service.user_names(session)
    return [Row(item=i, version=v, levels=levels[v.id], tags=tags[i.id], category=categories.get(i.category_id, ""),
                author=authors.get(v.created_by, "")) for v, i in found]


def tag_counts(session: Session) -> list[tuple[str, int]]:
    return list(session.exec(select(ItemTag.tag, func.count()).group_by(ItemTag.tag).order_by(ItemTag.tag)))


def category_paths(session: Session) -> list[str]:
    return list(session.exec(select(Category.path).order_by(Category.path)))
