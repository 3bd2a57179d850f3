"""The audit trail as a hash chain: each entry's hash covers its own fields and the previous entry's
hash, so editing, deleting or inserting a row anywhere breaks every hash after it, and
``callexam audit verify`` finds the first entry where the chain no longer holds.

Appending takes the chain's lock first: on PostgreSQL a transaction-scoped advisory lock (concurrent
writers would otherwise both extend the same last entry); SQLite's single writer already serialises
them. The lock is held only until the writing transaction commits.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from exam.timeutil import as_utc

GENESIS = "0" * 64
#: Any constant identifies the chain's advisory lock; "AUDT" in ASCII.
_LOCK_KEY = 0x41554454


def canonical(seq: int, prev_hash: str, at: dt.datetime, actor_id: int | None, action: str, subject_type: str,
              subject_id: int, detail: dict) -> bytes:
    return json.dumps(
        [seq, prev_hash, as_utc(at).isoformat(timespec="microseconds"), actor_id, action, subject_type,
         subject_id, detail], ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str,
    ).encode("utf-8")


def entry_hash(seq: int, prev_hash: str, at, actor_id, action, subject_type, subject_id, detail) -> str:
    return hashlib.sha256(canonical(seq, prev_hash, at, actor_id, action, subject_type, subject_id,
                                    detail)).hexdigest()


def lock_and_tip(conn: Connection) -> tuple[int, str]:
    """Take the chain's lock; the last entry's position and hash (0 and the genesis hash when empty)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    row = conn.execute(text("SELECT seq, hash FROM audit_event WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1")).first()
    return (row[0], row[1]) if row else (0, GENESIS)


def chained(conn: Connection, events: list[dict]) -> list[dict]:
    """``events`` (as ``service.event`` builds them) with their chain position and hashes."""
    seq, prev = lock_and_tip(conn)
    out = []
    for e in events:
        seq += 1
        detail = json.loads(e["detail"])
        digest = entry_hash(seq, prev, e["at"], e["actor_id"], e["action"], e["subject_type"], e["subject_id"],
                            detail)
        out.append({**e, "seq": seq, "prev_hash": prev, "hash": digest})
        prev = digest
    return out


@dataclass(frozen=True)
class Verdict:
    entries: int
    problem: str | None  # the first break, in Chinese; None when the chain holds

    @property
    def ok(self) -> bool:
        return self.problem is None


def verify(engine: Engine) -> Verdict:
    """Walks the whole chain in order; stops at the first entry that does not hold."""
    prev, expected_seq, count = GENESIS, 1, 0
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT id, seq, prev_hash, hash, at, actor_id, action, subject_type, subject_id, detail "
            "FROM audit_event ORDER BY seq"))
        for row in rows:
            count += 1
            if row.seq is None:
                return Verdict(count, f"审计记录 id={row.id} 不在哈希链上（没有链序号）")
            if row.seq != expected_seq:
                return Verdict(count, f"链序号 {expected_seq} 缺失（下一条是 {row.seq}）：有记录被删除")
            if row.prev_hash != prev:
                return Verdict(count, f"第 {row.seq} 条记录的前序哈希与上一条不符：链在此前被改动")
            detail = row.detail if isinstance(row.detail, dict) else json.loads(row.detail)
            at = row.at if isinstance(row.at, dt.datetime) else dt.datetime.fromisoformat(str(row.at))
            digest = entry_hash(row.seq, row.prev_hash, at, row.actor_id, row.action, row.subject_type,
                                row.subject_id, detail)
            if digest != row.hash:
                return Verdict(count, f"第 {row.seq} 条记录（id={row.id}，{row.action}）的内容与其哈希不符：该记录被改动")
            prev, expected_seq = row.hash, expected_seq + 1
    return Verdict(count, None)
