"""Operations on items within a database session: create versions, list the pool for a paper."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from question_bank.models import Item, ItemVersion
from question_bank.validation import ItemData


def add_item(session: Session, data: ItemData, author_id: int | None = None) -> ItemVersion:
    item = Item(ref=data.ref, created_by=author_id)
    session.add(item)
    session.flush()
    return _add_version(session, item, data, 1, author_id)


def revise_item(session: Session, item: Item, data: ItemData, author_id: int | None = None) -> ItemVersion:
    """Editing never rewrites a version: it appends the next one."""
    latest = session.exec(select(func.max(ItemVersion.version)).where(ItemVersion.item_id == item.id)).one()
    return _add_version(session, item, data, (latest or 0) + 1, author_id)


def _add_version(session: Session, item: Item, data: ItemData, number: int, author_id: int | None) -> ItemVersion:
    version = ItemVersion(
        item_id=item.id, version=number, level=data.level, area=data.area, kind=data.kind,
        stem=data.stem, options=data.options, key=data.key, explanation=data.explanation,
        knowledge_point=data.knowledge_point, difficulty=data.difficulty, created_by=author_id,
    )
    session.add(version)
    session.flush()
    return version


def latest_versions_query(*columns):
    """The current version of every live item: whole versions, or just ``columns`` of them."""
    newest = (
        select(ItemVersion.item_id, func.max(ItemVersion.version).label("v"))
        .group_by(ItemVersion.item_id).subquery()
    )
    return (
        select(*(columns or (ItemVersion,)))
        .select_from(ItemVersion)
        .join(newest, (ItemVersion.item_id == newest.c.item_id) & (ItemVersion.version == newest.c.v))
        .join(Item, Item.id == ItemVersion.item_id)
        .where(Item.retired == False)  # noqa: E712  (SQL comparison)
    )


def pool_for_level(session: Session, level: str) -> dict[str, list[int]]:
    """Current version ids of live items of a level, by function area."""
    pool: dict[str, list[int]] = {}
    for version_id, area in session.exec(
            latest_versions_query(ItemVersion.id, ItemVersion.area).where(ItemVersion.level == level)):
        pool.setdefault(area, []).append(version_id)
    return pool


def existing_refs(session: Session, refs: list[str]) -> set[str]:
    if not refs:
        return set()
    return set(session.exec(select(Item.ref).where(Item.ref.in_(refs))))
