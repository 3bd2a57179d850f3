"""An installation that loaded an earlier stock gets this release's stock scenarios
(``practical.stock_sync``): a shipped old version becomes the new one as a new version, a paper that
froze the old content keeps it, a scenario a trainer edited (content matching no shipped version) is
skipped and reported; scenario edits are audited; through the web form, the service, ``callexam db
upgrade`` and ``callexam practical scenarios refresh`` in a subprocess on a fresh database."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, select

from exam import db
from exam.db import write_session
from practical import scenarios, service, stock_sync
from practical.models import APPROVED, DRAFT, Scenario
from tests.webclient import csrf_token, login

#: call-junior-01 as the first release shipped it (its caller's next line echoed the key-point words;
#: today's checks refuse it) and qa-intermediate-01 before the coaching comments were marked.
OLD = json.loads((Path(__file__).with_name("old_stock_scenarios.json")).read_text(encoding="utf-8"))
CALLEXAM = str(Path(sys.executable).parent / "callexam")


def _install_old(session: Session) -> dict[str, dict]:
    """The rows an installation that loaded the old stock holds (as the old ``load_stock`` wrote them)."""
    for raw in OLD:
        row = session.exec(select(Scenario).where(Scenario.ref == raw["ref"])).one()
        row.title, row.minutes, row.spec, row.rubric, row.version = raw["title"], raw["minutes"], raw["spec"], [], 1
        session.add(row)
    session.commit()
    return {raw["ref"]: raw for raw in OLD}


def _row(session, ref) -> Scenario:
    return session.exec(select(Scenario).where(Scenario.ref == ref)).one()


def _current(ref) -> scenarios.ScenarioData:
    return scenarios.check(next(raw for _, raw in scenarios.stock_entries() if raw["ref"] == ref))


def _trainer_edits(session, ref, actor_id):
    data = _current(ref)
    edited = scenarios.ScenarioData(**{**data.__dict__, "title": data.title + "（本中心改编）"})
    scenarios.update(session, _row(session, ref), edited, actor_id)


def _audit(engine, action):
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT subject_id, detail FROM audit_event WHERE action = :a ORDER BY id"),
                            {"a": action}).all()
    return [(r.subject_id, json.loads(r.detail) if isinstance(r.detail, str) else r.detail) for r in rows]


def test_refresh_updates_old_stock_keeps_frozen_papers_and_skips_a_trainers_edit(engine, users, make_session):
    with Session(engine) as s:
        old = _install_old(s)
        ids = {ref: _row(s, ref).id for ref in ("call-junior-01", "call-junior-03")}
    with write_session(engine) as s:
        _trainer_edits(s, "call-junior-02", users["trainer"])
    session_id = make_session(level="junior")
    with write_session(engine) as s:  # a paper that draws the old call-junior-01 before the refresh
        from exam.sessions.models import ExamSession
        s.get(ExamSession, session_id).practical_scenarios = {"call": list(ids.values())}
    attempt_id = service.start(engine, session_id, users["cand1"], dt.datetime.now(dt.timezone.utc),
                               random.Random(1))
    with write_session(engine) as s:
        report = stock_sync.refresh(s)
    assert sorted(ref for ref, _, _ in report.updated) == ["call-junior-01", "qa-intermediate-01"]
    assert all((before, now) == (1, 2) for _, before, now in report.updated)
    [(ref, version, who)] = report.edited
    assert (ref, version) == ("call-junior-02", 2) and "最近一次修改：trainer" in who
    assert report.added == [] and report.unchanged == len(scenarios.stock_entries()) - 3
    lines = "\n".join(report.lines())
    assert "更新 call-junior-01：第 1 版 → 第 2 版" in lines and "跳过 call-junior-02（第 2 版）：培训师修改过" in lines
    with Session(engine) as s:
        for ref in ("call-junior-01", "qa-intermediate-01"):
            row = _row(s, ref)
            assert scenarios.content_hash(row) == scenarios.content_hash(_current(ref))
            assert row.version == 2 and row.status == APPROVED  # shipped content was reviewed
        edited = _row(s, "call-junior-02")
        assert edited.title.endswith("（本中心改编）") and edited.status == DRAFT
        frozen = [t for t in service.tasks_of(s, attempt_id) if t.scenario_id == ids["call-junior-01"]]
        assert frozen and frozen[0].spec == old["call-junior-01"]["spec"]  # the paper keeps what it froze
    refreshed = dict(_audit(engine, "practical.scenario_refresh"))
    assert refreshed[ids["call-junior-01"]]["version_before"] == 1 and refreshed[ids["call-junior-01"]]["version"] == 2
    [(_, summary)] = _audit(engine, "practical.stock_refresh")
    assert summary["skipped_edited"] == ["call-junior-02"]
    with write_session(engine) as s:
        again = stock_sync.refresh(s)
    assert again.updated == [] and [r for r, _, _ in again.edited] == ["call-junior-02"]
    assert len(_audit(engine, "practical.stock_refresh")) == 1  # nothing changed, nothing recorded


def test_a_trainers_edit_through_the_form_is_audited_with_its_versions_and_hashes(client, engine):
    with Session(engine) as s:
        row = _row(s, "work-order-junior-01")
        sid, before = row.id, scenarios.content_hash(row)
        raw = {"kind": row.kind, "level": row.level, "title": row.title, "minutes": row.minutes, "spec": row.spec}
    login(client, "trainer")
    token = csrf_token(client, f"/trainer/scenarios/{sid}/edit")
    form = {"csrf_token": token, "kind": raw["kind"], "level": raw["level"], "title": raw["title"] + "（改）",
            "minutes": raw["minutes"], "spec": json.dumps(raw["spec"], ensure_ascii=False), "rubric": ""}
    assert client.post(f"/trainer/scenarios/{sid}/edit", data=form).status_code == 302
    assert client.post(f"/trainer/scenarios/{sid}/edit", data=form).status_code == 302  # same content: no version
    [(subject, detail)] = _audit(engine, "practical.scenario_edit")
    with Session(engine) as s:
        row = s.get(Scenario, sid)
        assert subject == sid and row.version == 2 and detail["version"] == 2 and detail["version_before"] == 1
        assert detail["hash_before"] == before and detail["hash"] == scenarios.content_hash(row) != before
    token = csrf_token(client, f"/trainer/scenarios/{sid}")
    client.post(f"/trainer/scenarios/{sid}/status/retired", data={"csrf_token": token})
    [(_, status)] = _audit(engine, "practical.scenario_status")
    assert (status["status_before"], status["status"]) == ("draft", "retired")


def test_refresh_through_db_upgrade_and_the_console_script_on_a_fresh_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = {**os.environ, "DATABASE_URL": url, "CALLEXAM_INSTANCE": str(tmp_path / "instance")}

    def callexam(*args):
        done = subprocess.run([CALLEXAM, *args], env=env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = callexam("db", "upgrade")
    assert "库存实操场景：本系统未载入库存场景，无需更新" in first  # a production bank is never filled
    engine = db.engine_for(url)
    from exam.accounts import service as accounts
    with write_session(engine) as s:
        trainer = accounts.create_user(s, "trainer", "test-password-1", "trainer", "王老师").id
        scenarios.load_stock(s)
    with Session(engine) as s:
        _install_old(s)
    with write_session(engine) as s:
        _trainer_edits(s, "qa-intermediate-02", trainer)
    db.dispose_all()
    upgraded = callexam("db", "upgrade")
    assert "更新 call-junior-01：第 1 版 → 第 2 版（已抽取的试卷保留原内容）" in upgraded
    assert "更新 qa-intermediate-01：第 1 版 → 第 2 版" in upgraded
    assert re.search(r"跳过 qa-intermediate-02（第 2 版）：培训师修改过.*最近一次修改：王老师", upgraded)
    assert "库存实操场景：更新 2 个，新增 0 个，跳过培训师修改过的 1 个" in upgraded
    again = callexam("practical", "scenarios", "refresh")
    assert "库存实操场景：更新 0 个，新增 0 个，跳过培训师修改过的 1 个" in again and "更新 call" not in again
    engine = db.engine_for(url)
    with Session(engine) as s:
        assert scenarios.content_hash(_row(s, "call-junior-01")) == scenarios.content_hash(_current("call-junior-01"))
        assert _row(s, "qa-intermediate-02").title.endswith("（本中心改编）")
    db.dispose_all()


def test_demo_load_carries_an_old_stock_forward_too(engine):
    """``callexam demo load`` (``scenarios.load_stock``) on an installation holding the old stock brings it
    forward as ``db upgrade`` does, as the demo bank's load does."""
    with Session(engine) as s:
        _install_old(s)
    with write_session(engine) as s:
        assert scenarios.load_stock(s) == 0
    with Session(engine) as s:
        row = _row(s, "call-junior-01")
        assert row.version == 2 and scenarios.content_hash(row) == scenarios.content_hash(_current("call-junior-01"))
