"""Exam-day data without waiting for it: thousands of candidates and one open session, written in
bulk straight into a migrated database (setup, not part of any measured phase)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert
from sqlmodel import select

from exam import migrate
from exam.accounts.models import User
from exam.accounts.service import hash_password
from exam.db import throwaway_engine, write_session
from exam.sessions.models import Enrollment, ExamSession
from exam.timeutil import utcnow
from question_bank import blueprint_service, loader
from question_bank.blueprint import default_blueprint
from question_bank.models import Item

PASSWORD = "harness-password"


def prepare(database_url: str, candidates: int, item_count: int = 40, duration_minutes: int = 60,
            level: str = "junior", paper: str = "spine") -> tuple[int, list[str]]:
    """Migrate, load the demo bank, add ``candidates`` accounts enrolled in one open session.

    ``paper``: "spine" draws ``item_count`` items by the level's area weights; "blueprint" follows the
    level's default blueprint (82 questions, a parallel form drawn per candidate, difficulty balanced),
    the paper of a real exam day and of issue 23's measurements."""
    migrate.upgrade(database_url)
    engine = throwaway_engine(database_url)
    one_hash = hash_password(PASSWORD)  # every simulated candidate shares a password, hashed once
    usernames = [f"h{n:05d}" for n in range(candidates)]
    now = utcnow()
    with write_session(engine) as db:
        if db.exec(select(Item.id).limit(1)).first() is None:
            loader.load_demo(db)
        db.execute(insert(User.__table__), [
            {"username": u, "display_name": u, "role": "candidate", "password_hash": one_hash, "active": True,
             "created_at": now} for u in usernames])
        blueprint_id = None
        if paper == "blueprint":
            rule = blueprint_service.save(db, default_blueprint(level), f"压力测试 {level}", None)
            blueprint_id = rule.id
            item_count = sum(cell.count for cell in blueprint_service.plan_of(rule).cells)
        session = ExamSession(name=f"压力测试 {candidates} 人", level=level, opens_at=now - dt.timedelta(minutes=1),
                              closes_at=now + dt.timedelta(hours=6), duration_minutes=duration_minutes,
                              item_count=item_count, blueprint_id=blueprint_id)
        db.add(session)
        db.flush()
        ids = list(db.exec(select(User.id).where(User.username.in_(usernames))))
        db.execute(insert(Enrollment.__table__), [{"session_id": session.id, "candidate_id": i} for i in ids])
        session_id = session.id
    engine.dispose()
    return session_id, usernames
