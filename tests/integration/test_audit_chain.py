"""The audit trail's hash chain: it holds through real activity, concurrent writers keep it linear,
and an edited, deleted or forged row is found by ``callexam audit verify``."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

from sqlalchemy import text

from exam.audit import chain
from exam.audit.service import event, record, record_many
from exam.db import write_connection


def _write(engine, n, actor=None):
    with write_connection(engine) as conn:
        record_many(conn, [event("test.event", "thing", i, actor_id=actor, n=i, 名称="值") for i in range(n)])


def test_the_chain_holds_through_real_activity_and_concurrent_writers(engine, make_session):
    make_session()  # a session is created: no audit yet, but the seed's history is chained by the migration
    _write(engine, 5)

    def writer():
        for _ in range(10):
            with write_connection(engine) as conn:
                record(conn, "test.concurrent", "thing", 1)
    threads = [threading.Thread(target=writer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verdict = chain.verify(engine)
    assert verdict.ok, verdict.problem
    with engine.connect() as conn:
        total = conn.execute(text("SELECT COUNT(*), MAX(seq) FROM audit_event")).one()
    assert verdict.entries == total[0] == total[1] and total[0] >= 45


def test_an_edited_row_breaks_the_chain_at_that_row(engine):
    _write(engine, 6)
    with engine.begin() as conn:
        seq = conn.execute(text("SELECT seq FROM audit_event ORDER BY seq DESC LIMIT 1 OFFSET 2")).scalar()
        conn.execute(text("UPDATE audit_event SET subject_id = subject_id + 1000 WHERE seq = :s"), {"s": seq})
    verdict = chain.verify(engine)
    assert not verdict.ok and f"第 {seq} 条" in verdict.problem and "被改动" in verdict.problem


def test_a_deleted_row_and_a_forged_hash_are_found(engine):
    _write(engine, 4)
    with engine.begin() as conn:
        seq = conn.execute(text("SELECT MAX(seq) FROM audit_event")).scalar() - 1
        conn.execute(text("DELETE FROM audit_event WHERE seq = :s"), {"s": seq})
    assert "缺失" in chain.verify(engine).problem
    with engine.begin() as conn:  # re-forge the last entry's hash after changing it: its successor notices
        conn.execute(text("DELETE FROM audit_event"))
    _write(engine, 3)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET action = 'forged', hash = :h WHERE seq = 2"), {"h": "f" * 64})
    assert not chain.verify(engine).ok


def test_the_command_exits_1_with_the_reason_when_the_chain_is_broken(engine, db_url, tmp_path):
    _write(engine, 3)
    env = {**os.environ, "DATABASE_URL": db_url, "CALLEXAM_INSTANCE": str(tmp_path)}
    ok = subprocess.run([sys.executable, "-m", "exam.cli", "audit", "verify"], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "哈希链完整" in ok.stdout
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_event SET detail = '{}' WHERE seq = 1"))
    bad = subprocess.run([sys.executable, "-m", "exam.cli", "audit", "verify"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and "第 1 条" in bad.stderr
