"""Demo data for a first look: one account per role, twenty candidates, the demo bank and an open
session per level. Safe to load twice: whatever exists already is left alone."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import select

from certificates import demo_data as certificate_data
from exam import standard
from exam.accounts import service as accounts
from exam.accounts.models import User
from exam.db import write_session
from exam.sessions import service as sessions
from exam.sessions.models import ExamSession
from exam.timeutil import utcnow
from question_bank import blueprint_service, loader
from question_bank.blueprint import default_blueprint
from practical import scenarios
from typing_test import passages

#: Demo credentials, printed by ``make run``. They exist only in demo data loaded on request.
DEMO_PASSWORD = "callexam-demo"
STAFF = [("admin", "admin", "系统管理员"), ("trainer", "trainer", "王老师"),
         ("examiner", "examiner", "李考评"), ("chief", "chief", "赵主管"), ("verifier", "verifier", "人事部张"),]
CANDIDATES = [(f"cand{n:02d}", f"考生{n:02d}") for n in range(1, 21)]
#: Candidates and rooms no demo session uses: a newcomer can schedule a session with them today (the
#: demo's own sessions run for 30 days in their own 演示 rooms with cand01–cand20).
FREE_CANDIDATES = [(f"cand{n:02d}", f"考生{n:02d}") for n in range(21, 41)]
FREE_ROOMS = (("练习考场一", 30), ("练习考场二", 30))
DEMO_DURATION_MINUTES = 90


def load(engine: Engine) -> list[tuple[str, str, str]]:
    accounts_out = []
    with write_session(engine) as db:
        existing = set(db.exec(select(User.username)))
        for username, role, name in STAFF + [(u, "candidate", n) for u, n in CANDIDATES + FREE_CANDIDATES]:
            if username not in existing:
                accounts.create_user(db, username, DEMO_PASSWORD, role, name)
            accounts_out.append((username, DEMO_PASSWORD, role))
        trainer_id = db.exec(select(User.id).where(User.username == "trainer")).one()
        loader.load_demo(db, author_id=trainer_id)
        passages.refresh_stock(db)  # adds today's stock, retires passages too short for the time limit
        scenarios.load_stock(db, author_id=trainer_id)
        examiner_id = db.exec(select(User.id).where(User.username == "examiner")).one()
        cand_ids = {u.username: u.id for u in db.exec(select(User).where(User.role == "candidate"))}
        have = set(db.exec(select(ExamSession.level).where(ExamSession.name.startswith("演示场次"))))
        now = utcnow().replace(second=0, microsecond=0)
        enrolment = {
            "junior": [cand_ids[u] for u, _ in CANDIDATES],
            "intermediate": [cand_ids[u] for u, _ in CANDIDATES[:10]],
            "senior": [cand_ids[u] for u, _ in CANDIDATES[:5]],
        }
        rules = {r.level: r for r in blueprint_service.blueprints(db)}
        for code, lvl in standard.LEVELS.items():
            if code not in rules:
                rules[code] = blueprint_service.save(db, default_blueprint(code), f"{lvl.name}理论标准卷（每人随机）",
                                                     trainer_id)
            if code in have:
                continue
            sessions.create_session(
                db, name=f"演示场次（{lvl.name}）", level=code, opens_at=now - dt.timedelta(hours=1),
                closes_at=now + dt.timedelta(days=30), duration_minutes=DEMO_DURATION_MINUTES,
                item_count=0, candidate_ids=enrolment[code], created_by=examiner_id, blueprint_id=rules[code].id)
        _roster(db, [cand_ids[u] for u, _ in CANDIDATES + FREE_CANDIDATES], examiner_id)
        _free_rooms(db)
        certificate_demo = (examiner_id, cand_ids[certificate_data.HOLDER], rules["junior"].id)
    certificate_data.load(engine, *certificate_demo, now)  # a published session with an issued certificate
    return accounts_out


#: Roster part: one room per demo session, and the senior one signs in with ticket number + the last
#: six characters of the (made-up, checksum-valid) ID number, so both sign-in modes can be tried.
DEMO_ROOMS = {"junior": ("演示第一考场", 30), "intermediate": ("演示第二考场", 15), "senior": ("演示第三考场", 10)}
DEMO_EMPLOYERS = ("华东呼叫中心", "城市银行客服部", "通信运营商客服中心", "")


def _free_rooms(db) -> None:
    from exam.sessions.models import Room

    for name, size in FREE_ROOMS:
        if db.exec(select(Room).where(Room.name == name)).first() is None:
            db.add(Room(name=name, location="培训楼二层（演示数据，未安排场次）", seats=size))
    db.flush()


def _roster(db, candidate_ids: list[int], examiner_id: int) -> None:
    from exam.accounts.models import CandidateProfile
    from exam.sessions.rooms import seats
    from exam.sessions.roster.idcard import check_character
    from exam.sessions.models import Room, SessionRoom

    for n, uid in enumerate(candidate_ids, start=1):
        if db.get(CandidateProfile, uid) is None:
            body = f"110101{1990 + n % 8}{n % 12 + 1:02d}{n % 28 + 1:02d}{n:03d}"   # 北京市东城区
            db.add(CandidateProfile(user_id=uid, id_number=body + check_character(body), phone=f"138001380{n:02d}",
                                    employer=DEMO_EMPLOYERS[n % len(DEMO_EMPLOYERS)]))
    db.flush()
    for s in db.exec(select(ExamSession).where(ExamSession.name.startswith("演示场次"))):
        name, size = DEMO_ROOMS[s.level]
        if db.exec(select(SessionRoom).where(SessionRoom.session_id == s.id)).first() is not None:
            continue
        room = db.exec(select(Room).where(Room.name == name)).first()
        if room is None:
            room = Room(name=name, location="培训楼三层", seats=size)
            db.add(room)
            db.flush()
        db.add(SessionRoom(session_id=s.id, room_id=room.id))
        if s.level == "senior":
            s.signin_mode = "id_last6"
            db.add(s)
        db.flush()
        seats.assign(db, s.id, examiner_id, seats.ORDER_SPREAD, seed=s.id)
