"""Running the item checker (``lint``) on the bank or on bank files.

The engine is pure; this module gathers what it looks at: the current version of every item that
is not retired with the trainers' enemy decisions (``enemies``), or the items of JSON bank files
(every one counted as approved, as the demo bank is loaded approved) with the pairs they declare.
"""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session

from question_bank import lint, loader, service
from question_bank.enemies import decisions
from question_bank.models import APPROVED, ENEMY, RETIRED, Item, ItemVersion
from question_bank.validation import ItemData


def label(item_id: int, ref: str | None) -> str:
    return ref or f"#{item_id}"


def entries_from_db(session: Session) -> list[lint.Entry]:
    """Every item that is not retired, at its current version."""
    rows = session.exec(service.latest_versions_query(ItemVersion, Item.ref, Item.status)
                        .where(Item.status != RETIRED).order_by(ItemVersion.item_id)).all()
    levels = service.levels_of(session, [v.id for v, _r, _s in rows])
    return [lint.Entry(v.item_id, label(v.item_id, ref), _data(v, levels[v.id], ref), status == APPROVED)
            for v, ref, status in rows]


def _data(v: ItemVersion, levels: list[str], ref: str | None) -> ItemData:
    return ItemData(levels=tuple(levels), area=v.area, kind=v.kind, stem=v.stem, options=tuple(v.options),
                    key=v.key, scoring=v.scoring, explanation=v.explanation, knowledge_point=v.knowledge_point,
                    difficulty=v.difficulty, source=v.source, ref=ref)


def check_db(session: Session, levels: list[str] | None = None) -> lint.Report:
    return lint.check_bank(entries_from_db(session), decisions(session), levels)


def entries_from_files(paths: list[Path]) -> tuple[list[lint.Entry], dict[frozenset, str]]:
    """Items of bank files (raising loader.LoadError for an invalid file) and the enemy pairs they
    declare (``"enemies": ["ref", …]``)."""
    items = loader.parse_files(paths)
    entries = [lint.Entry(d.ref or f"第{n}题", d.ref or f"第{n}题", d, True) for n, d in enumerate(items, 1)]
    declared = {frozenset((d.ref, other)): ENEMY for d in items if d.ref for other in d.enemies}
    return entries, declared


def check_files(paths: list[Path], levels: list[str] | None = None) -> lint.Report:
    entries, declared = entries_from_files(paths)
    return lint.check_bank(entries, declared, levels)


def check_one(session: Session, item_id: int | None, data: ItemData, approved: bool = False) -> list[lint.Finding]:
    """The findings for one item being written or reviewed, against the rest of the bank."""
    entry = lint.Entry(item_id if item_id is not None else "new", label(item_id, data.ref) if item_id else "本题",
                       data, approved)
    others = [e for e in entries_from_db(session) if e.ident != item_id]
    return lint.check_against_bank(entry, others, decisions(session))


__all__ = ["check_db", "check_files", "check_one", "entries_from_db", "entries_from_files", "label"]
