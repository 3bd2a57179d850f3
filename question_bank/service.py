"""Operations on items within a database session: create and revise versions, tags, categories, pools.

No Flask here: the authoring views, the importers, the seed loader and the paper assembly all call
these with a session they own, so the rules (a change of content is a new version; an edit sends an
approved item back to review) hold whichever door a change comes through.
"""

from __future__ import annotations

import functools

from sqlalchemy import delete, exists, func, insert
from sqlmodel import Session, select

from exam import standard

from question_bank.models import (
    APPROVED, DRAFT, IN_REVIEW, Category, Item, ItemComment, ItemTag, ItemVersion, ItemVersionLevel,
)
from question_bank import media_store
from question_bank.validation import ItemData


def category_id(session: Session, path: str) -> int | None:
    """The category called ``path`` ("a/b"), created on first use; "" means none."""
    path = "/".join(part.strip() for part in path.split("/") if part.strip())
    if not path:
        return None
    found = session.exec(select(Category.id).where(Category.path == path)).first()
    if found is not None:
        return found
    category = Category(path=path)
    session.add(category)
    session.flush()
    return category.id


def add_item(session: Session, data: ItemData, author_id: int | None = None, status: str = DRAFT) -> ItemVersion:
    item = Item(ref=data.ref, title=data.title, created_by=author_id, status=status,
                category_id=category_id(session, data.category))
    session.add(item)
    session.flush()
    set_tags(session, item.id, data.tags)
    return _add_version(session, item, data, 1, author_id)


def latest_version(session: Session, item_id: int) -> ItemVersion:
    return session.exec(select(ItemVersion).where(ItemVersion.item_id == item_id)
                        .order_by(ItemVersion.version.desc())).first()


def revise_item(session: Session, item: Item, data: ItemData, author_id: int | None = None) -> ItemVersion | None:
    """Save an edit. Content changes append a version (papers keep theirs) and, for an item that was
    approved or under review, send it back to draft: a changed item is reviewed again. Tags, category
    and title are the bank's bookkeeping, not content, and never make a version. Returns the new
    version, or None when the content did not change."""
    set_tags(session, item.id, data.tags)
    item.category_id = category_id(session, data.category)
    item.title = data.title
    session.add(item)
    latest = latest_version(session, item.id)
    if latest is not None and version_data(session, latest).content() == data.content():
        session.flush()
        return None
    if item.status in (APPROVED, IN_REVIEW):
        item.status = DRAFT
    return _add_version(session, item, data, (latest.version if latest else 0) + 1, author_id)


def _add_version(session: Session, item: Item, data: ItemData, number: int, author_id: int | None) -> ItemVersion:
    version = ItemVersion(
        item_id=item.id, version=number, area=data.area, kind=data.kind, scoring=data.scoring,
        stem=data.stem, options=list(data.options), key=data.key, explanation=data.explanation,
        knowledge_point=data.knowledge_point, difficulty=data.difficulty, source=data.source,
        created_by=author_id,
    )
    session.add(version)
    session.flush()
    session.execute(insert(ItemVersionLevel), [{"version_id": version.id, "level": lv} for lv in data.levels])
    media_store.store(session, data.pictures)       # pictures that came with an import
    media_store.link(session, version.id, data.stem)
    return version


def set_tags(session: Session, item_id: int, tags) -> None:
    session.execute(delete(ItemTag).where(ItemTag.item_id == item_id))
    if tags:
        session.execute(insert(ItemTag), [{"item_id": item_id, "tag": t} for t in dict.fromkeys(tags)])


def tags_of(session: Session, item_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {i: [] for i in item_ids}
    if item_ids:
        for item_id, tag in session.exec(select(ItemTag.item_id, ItemTag.tag)
                                         .where(ItemTag.item_id.in_(item_ids)).order_by(ItemTag.tag)):
            out[item_id].append(tag)
    return out


def levels_of(session: Session, version_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {v: [] for v in version_ids}
    if version_ids:
        for vid, level in session.exec(select(ItemVersionLevel.version_id, ItemVersionLevel.level)
                                       .where(ItemVersionLevel.version_id.in_(version_ids))):
            out[vid].append(level)
    order = list(standard.LEVELS)
    return {vid: sorted(lv, key=order.index) for vid, lv in out.items()}


def category_path(session: Session, category_id_: int | None) -> str:
    if category_id_ is None:
        return ""
    return session.get(Category, category_id_).path


def version_data(session: Session, version: ItemVersion) -> ItemData:
    """A stored version as the ItemData it was made from (tags and category from its item)."""
    item = session.get(Item, version.item_id)
    return ItemData(
        levels=tuple(levels_of(session, [version.id])[version.id]), area=version.area, kind=version.kind,
        stem=version.stem, options=tuple(version.options), key=version.key, scoring=version.scoring,
        explanation=version.explanation, knowledge_point=version.knowledge_point,
        difficulty=version.difficulty, tags=tuple(tags_of(session, [item.id])[item.id]), source=version.source,
        ref=item.ref, category=category_path(session, item.category_id), title=item.title,
    )


def latest_versions_query(*columns):
    """The current version of every item: whole versions, or just ``columns`` of them."""
    newest = (
        select(ItemVersion.item_id, func.max(ItemVersion.version).label("v"))
        .group_by(ItemVersion.item_id).subquery()
    )
    return (
        select(*(columns or (ItemVersion,)))
        .select_from(ItemVersion)
        .join(newest, (ItemVersion.item_id == newest.c.item_id) & (ItemVersion.version == newest.c.v))
        .join(Item, Item.id == ItemVersion.item_id)
    )


def for_level(query, level: str):
    """Versions marked for ``level``, as a correlated EXISTS on the (version_id, level) key: SQLite
    planned the equivalent ``id IN (SELECT …)`` as a probe of every listed id for every version
    (27 ms for the 910-version demo bank, against 1 ms; the start of every attempt runs it)."""
    return query.where(exists().where(ItemVersionLevel.version_id == ItemVersion.id,
                                      ItemVersionLevel.level == level))


@functools.lru_cache(maxsize=16)
def _approved_pool_query(level: str):
    """Built once per level: every start of a per-candidate paper runs it."""
    return for_level(latest_versions_query(
        ItemVersion.id, ItemVersion.area, ItemVersion.kind, ItemVersion.difficulty), level).where(
        Item.status == APPROVED).order_by(ItemVersion.id)


def approved_pool(session: Session, level: str) -> list[tuple[int, str, str, int]]:
    """(version id, area, kind, difficulty) of the current version of every approved item of a level,
    by version id: the only items a paper may draw. Plain columns, so the rows are read on the
    session's connection without the ORM's row loading (a start reads the ~900 rows of a level's
    pool: 1.5 ms through the ORM, issue 23)."""
    return [tuple(row) for row in session.connection().execute(_approved_pool_query(level))]


def by_area(rows) -> dict[str, list[int]]:
    """Version ids of ``approved_pool`` rows by function area (the spine's per-area assembly)."""
    pool: dict[str, list[int]] = {}
    for version_id, area, _kind, _difficulty in rows:
        pool.setdefault(area, []).append(version_id)
    return pool


def pool_for_level(session: Session, level: str) -> dict[str, list[int]]:
    """Approved version ids of a level by function area, read afresh (a start reads them through
    ``pool_cache``)."""
    return by_area(approved_pool(session, level))


def existing_refs(session: Session, refs: list[str]) -> set[str]:
    if not refs:
        return set()
    return set(session.exec(select(Item.ref).where(Item.ref.in_(refs))))


def used_versions(session: Session, version_ids: list[int]) -> set[int]:
    """Versions some candidate's paper froze: they may never change."""
    from exam.delivery.models import PaperSlot
    if not version_ids:
        return set()
    return set(session.exec(select(PaperSlot.item_version_id)
                            .where(PaperSlot.item_version_id.in_(version_ids)).distinct()))


def versions_of(session: Session, item_id: int) -> list[ItemVersion]:
    """Every version of an item, newest first."""
    return list(session.exec(select(ItemVersion).where(ItemVersion.item_id == item_id)
                             .order_by(ItemVersion.version.desc())))


def version_number(session: Session, item_id: int, number: int | None) -> ItemVersion | None:
    """Version ``number`` of an item, or its newest when ``number`` is None."""
    query = select(ItemVersion).where(ItemVersion.item_id == item_id)
    if number:
        query = query.where(ItemVersion.version == number)
    return session.exec(query.order_by(ItemVersion.version.desc())).first()


def comments_of(session: Session, item_id: int) -> list[ItemComment]:
    return list(session.exec(select(ItemComment).where(ItemComment.item_id == item_id)
                             .order_by(ItemComment.created_at.desc(), ItemComment.id.desc())))


def user_names(session: Session) -> dict[int, str]:
    from exam.accounts.models import User
    return dict(session.exec(select(User.id, User.display_name)).all())


def items_by_ids(session: Session, item_ids: list[int]) -> list[Item]:
    if not item_ids:
        return []
    return list(session.exec(select(Item).where(Item.id.in_(item_ids)).order_by(Item.id)))


def add_tag(session: Session, items: list[Item], tag: str) -> None:
    have = {(i, t) for i, t in session.exec(select(ItemTag.item_id, ItemTag.tag)
                                            .where(ItemTag.item_id.in_([i.id for i in items]), ItemTag.tag == tag))}
    rows = [{"item_id": i.id, "tag": tag} for i in items if (i.id, tag) not in have]
    if rows:
        session.execute(insert(ItemTag), rows)


def remove_tag(session: Session, items: list[Item], tag: str) -> None:
    session.execute(delete(ItemTag).where(ItemTag.item_id.in_([i.id for i in items]), ItemTag.tag == tag))


def move_to_category(session: Session, items: list[Item], path: str) -> None:
    target = category_id(session, path)
    for item in items:
        item.category_id = target
        session.add(item)
    session.flush()
