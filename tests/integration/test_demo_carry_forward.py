"""An installation that loaded an earlier demo bank is carried forward to the shipped one by
``callexam db upgrade`` (and ``demo load``): changed items get a new version, dropped ones are retired,
papers keep the versions they froze, and a bank without the demo is never touched."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, select

from exam import migrate
from exam.db import write_session
from question_bank import demo_sync, loader, service
from question_bank.models import APPROVED, RETIRED, Item, ItemComment
from question_bank.validation import validate

CALLEXAM = str(Path(sys.executable).with_name("callexam"))
OLD_ONLY = {"ref": "OLD-DEMO-1", "level": "junior", "area": "service", "type": "truefalse",
            "stem": "旧版演示题：坐席员应当始终使用“非常抱歉”开头。", "key": False}


def make_old_installation(engine):
    """Turn the freshly seeded bank into what an earlier release left: two items in old wording (one
    of them frozen on a paper's version history), and an item the new release dropped."""
    shipped = {d.ref: d for d in loader.parse_files(loader.demo_files())}
    refs = sorted(shipped)[:2]
    with write_session(engine) as db:
        for ref in refs:
            item = db.exec(select(Item).where(Item.ref == ref)).one()
            old = dataclasses.replace(shipped[ref], stem=shipped[ref].stem + "（旧版措辞）")
            service.revise_item(db, item, old)
            item.status = APPROVED
            db.add(item)
        service.add_item(db, validate(OLD_ONLY), status=APPROVED)
    return refs


def versions(engine, ref):
    with Session(engine) as db:
        item = db.exec(select(Item).where(Item.ref == ref)).one()
        return item, service.versions_of(db, item.id)


def audit_count(engine):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_event WHERE action = 'demo.bank_sync'")).scalar()


def test_upgrade_carries_an_installed_demo_bank_forward(engine, db_url):
    refs = make_old_installation(engine)
    retired = {"OLD-DEMO-1": "旧题：要求任何时候都说“非常抱歉”不符合标准"}
    with write_session(engine) as db:
        report = demo_sync.carry_forward(db, retired=retired)
    assert (report.revised, report.retired, report.added) == (2, 1, 0)
    shipped = {d.ref: d for d in loader.parse_files(loader.demo_files())}
    for ref in refs:
        item, history = versions(engine, ref)
        assert item.status == APPROVED and len(history) == 3
        assert history[0].stem == shipped[ref].stem and history[1].stem.endswith("（旧版措辞）")
    item, history = versions(engine, "OLD-DEMO-1")
    assert item.status == RETIRED and len(history) == 1       # the old version stays for its papers
    with Session(engine) as db:
        note = db.exec(select(ItemComment).where(ItemComment.item_id == item.id)).one()
        assert note.action == "retire" and "非常抱歉" in note.body
    assert audit_count(engine) == 1
    with write_session(engine) as db:                           # idempotent
        again = demo_sync.carry_forward(db, retired=retired)
    assert not again.changed and again.unchanged == len(shipped) and audit_count(engine) == 1


def test_the_shipped_dropped_list_and_the_upgrade_door(engine, db_url, tmp_path):
    dropped = demo_sync.dropped()
    shipped = {d.ref for d in loader.parse_files(loader.demo_files())}
    assert dropped and not set(dropped) & shipped                # a dropped ref is never shipped again
    make_old_installation(engine)
    migrate.upgrade(db_url)                                      # what `callexam db upgrade` runs
    with Session(engine) as db:
        statuses = dict(db.exec(select(Item.ref, Item.status).where(Item.ref.in_(list(dropped)))).all())
        assert all(s == RETIRED for s in statuses.values())
        approved = set(db.exec(select(Item.ref).where(Item.status == APPROVED)).all())
    assert shipped <= approved


def test_console_upgrade_on_a_bank_without_the_demo_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'plain.db'}"
    env = {**os.environ, "DATABASE_URL": url, "CALLEXAM_INSTANCE": str(tmp_path / "instance")}
    first = subprocess.run([CALLEXAM, "db", "upgrade"], capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    from exam.db import throwaway_engine
    engine = throwaway_engine(url)
    with write_session(engine) as db:
        service.add_item(db, validate({**OLD_ONLY, "ref": "OWN-1"}), status=APPROVED)
    again = subprocess.run([CALLEXAM, "db", "upgrade"], capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM item")).scalar() == 1
    engine.dispose()


def test_console_upgrade_carries_the_demo_forward(sqlite_url, tmp_path):
    from exam.db import throwaway_engine
    engine = throwaway_engine(sqlite_url)
    refs = make_old_installation(engine)
    env = {**os.environ, "DATABASE_URL": sqlite_url, "CALLEXAM_INSTANCE": str(tmp_path / "instance")}
    result = subprocess.run([CALLEXAM, "db", "upgrade"], capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    for ref in refs:
        item, history = versions(engine, ref)
        assert item.status == APPROVED and not history[0].stem.endswith("（旧版措辞）")
    engine.dispose()
