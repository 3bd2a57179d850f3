"""Running the item checker (``lint``) on the bank or on bank files, and the trainers' enemy decisions.

The engine is pure; this module gathers what it looks at — the current version of every item that
is not retired, or the items of JSON bank files (every one counted as approved, as the demo bank is
loaded approved) — and stores what a trainer decides about a suggested enemy pair, with an audit
record. Paper draws read the confirmed pairs through ``enemy_versions``.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import or_
from sqlmodel import Session, select

from exam.audit.service import record
from exam.timeutil import utcnow
from question_bank import lint, loader, service
from question_bank.models import (
    APPROVED, ENEMY, ENEMY_DECISIONS, NOT_ENEMY, RETIRED, Item, ItemEnemy, ItemVersion,
)
from question_bank.validation import ItemData


class EnemyError(ValueError):
    """A decision that cannot be stored; the message says why, in Chinese."""


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


def decisions(session: Session) -> dict[frozenset, str]:
    return {frozenset((a, b)): d for a, b, d in session.exec(
        select(ItemEnemy.item_a_id, ItemEnemy.item_b_id, ItemEnemy.decision))}


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


# ---------------------------------------------------------------- enemy decisions

def _ordered(a: int, b: int) -> tuple[int, int]:
    if a == b:
        raise EnemyError("不能把题目与自身配成互斥题")
    return (a, b) if a < b else (b, a)


def decide(session: Session, item_id: int, other_id: int, decision: str, actor_id: int | None,
           reason: str = "") -> ItemEnemy:
    """Store (or change) a trainer's decision on a pair, with an audit record."""
    if decision not in ENEMY_DECISIONS:
        raise EnemyError(f"未知决定 {decision!r}，应为 {'、'.join(ENEMY_DECISIONS)} 之一")
    a, b = _ordered(item_id, other_id)
    for found in (a, b):
        if session.get(Item, found) is None:
            raise EnemyError(f"题目 #{found} 不存在")
    row = session.get(ItemEnemy, (a, b))
    before = row.decision if row else None
    if row is None:
        row = ItemEnemy(item_a_id=a, item_b_id=b)
    row.decision, row.reason, row.decided_by, row.decided_at = decision, reason[:200], actor_id, utcnow()
    session.add(row)
    session.flush()
    record(session.connection(), "item.enemy", "item", a, actor_id, other=b, decision=decision,
           before=before, reason=reason[:200])
    return row


def withdraw(session: Session, item_id: int, other_id: int, actor_id: int | None) -> None:
    """Forget a decision, so the checker suggests the pair again."""
    a, b = _ordered(item_id, other_id)
    row = session.get(ItemEnemy, (a, b))
    if row is None:
        raise EnemyError("这两题之间没有已记录的决定")
    record(session.connection(), "item.enemy_withdrawn", "item", a, actor_id, other=b, before=row.decision)
    session.delete(row)
    session.flush()


def enemies_of(session: Session, item_id: int) -> list[tuple[Item, ItemEnemy]]:
    rows = session.exec(select(ItemEnemy).where(or_(ItemEnemy.item_a_id == item_id,
                                                    ItemEnemy.item_b_id == item_id))).all()
    return [(session.get(Item, r.item_b_id if r.item_a_id == item_id else r.item_a_id), r) for r in rows]


def enemy_versions(session: Session, version_ids) -> frozenset[frozenset[int]]:
    """Confirmed enemy pairs among ``version_ids`` (a draw's pool), as pairs of version ids."""
    version_ids = list(version_ids)
    if not version_ids:
        return frozenset()
    pairs = session.exec(select(ItemEnemy.item_a_id, ItemEnemy.item_b_id).where(ItemEnemy.decision == ENEMY)).all()
    if not pairs:
        return frozenset()
    versions: dict[int, list[int]] = {}
    for vid, item_id in session.exec(select(ItemVersion.id, ItemVersion.item_id)
                                     .where(ItemVersion.id.in_(version_ids))):
        versions.setdefault(item_id, []).append(vid)
    return frozenset(frozenset((va, vb)) for a, b in pairs
                     for va in versions.get(a, ()) for vb in versions.get(b, ()))


def store_declared(session: Session, items: list[ItemData], actor_id: int | None = None) -> int:
    """Enemy pairs declared in bank files (``enemies``), stored as confirmed; returns how many are new."""
    refs = {r: i for r, i in session.exec(select(Item.ref, Item.id).where(Item.ref.is_not(None)))}
    added = 0
    for data in items:
        for other in data.enemies:
            if data.ref in refs and other in refs:
                a, b = _ordered(refs[data.ref], refs[other])
                if session.get(ItemEnemy, (a, b)) is None:
                    decide(session, a, b, ENEMY, actor_id, "随题库文件提供")
                    added += 1
    return added


__all__ = ["EnemyError", "ENEMY", "NOT_ENEMY", "check_db", "check_files", "check_one", "decide", "withdraw",
           "enemies_of", "enemy_versions", "entries_from_db", "entries_from_files", "store_declared"]
