"""Enemy items: pairs a trainer confirmed must never share a paper, or cleared as harmless.

The checker (``lint.suggest_enemies``) suggests a pair when one item's answer shows in the other; a
person decides. ``enemy`` pairs are honoured by every paper draw (a fixed paper when it is generated
and again when a session uses it, a session's drawn paper, each candidate's parallel form);
``not_enemy`` pairs are no longer suggested. Each decision is stored once per pair (smaller item id
first) and written to the audit trail.
"""

from __future__ import annotations

from sqlalchemy import or_
from sqlmodel import Session, select

from exam.audit.service import record
from exam.timeutil import utcnow
from question_bank.models import ENEMY, ENEMY_DECISIONS, NOT_ENEMY, Item, ItemEnemy, ItemVersion
from question_bank.validation import ItemData


class EnemyError(ValueError):
    """A decision that cannot be stored; the message says why, in Chinese."""


def decisions(session: Session) -> dict[frozenset, str]:
    """Every stored decision, keyed by the pair of item ids (what ``lint.check_bank`` takes)."""
    return {frozenset((a, b)): d for a, b, d in session.exec(
        select(ItemEnemy.item_a_id, ItemEnemy.item_b_id, ItemEnemy.decision))}


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
    conn = session.connection()  # plain columns: no ORM row loading (every start asks)
    pairs = conn.execute(select(ItemEnemy.item_a_id, ItemEnemy.item_b_id).where(ItemEnemy.decision == ENEMY)).all()
    if not pairs:
        return frozenset()
    versions: dict[int, list[int]] = {}
    for vid, item_id in conn.execute(select(ItemVersion.id, ItemVersion.item_id)
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


__all__ = ["EnemyError", "ENEMY", "NOT_ENEMY", "decisions", "decide", "withdraw", "enemies_of",
           "enemy_versions", "store_declared"]
