"""Demo data for certificates: a junior session that ended yesterday, sat for real by one demo
candidate who passed every part, and published — so its certificate was issued the way every
certificate is (``exam.sessions.results.publication.publish``), not written into the register by hand.

The candidate answers the theory paper from the answer keys, types the passage at 80 字/分, fills in
the work orders from their frozen truth and gets full rubric marks from the demo examiner: demo
credentials only, loaded on request (``callexam demo load``). Safe to load twice.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from fractions import Fraction

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam import standard
from exam.sessions.models import ExamSession

SESSION_NAME = "证书演示场次（初级，成绩已发布）"
HOLDER = "cand01"
ROOM = "演示第四考场"
GRACE = dt.timedelta(seconds=15)
SHORT_ANSWER = "先耐心倾听客户诉求，致歉并复述确认，再说明处理办法和时限。"


def load(engine: Engine, examiner_id: int, candidate_id: int, blueprint_id: int, now: dt.datetime) -> str | None:
    """Create, sit and publish the demo session once; returns the certificate number issued (None
    when the session was there already)."""
    from exam.db import write_session
    from exam.sessions.results import publication
    from exam.sessions import service as sessions

    with Session(engine) as db:
        if db.exec(select(ExamSession.id).where(ExamSession.name == SESSION_NAME)).first() is not None:
            return None
    opens = now - dt.timedelta(days=1, hours=3)
    with write_session(engine) as db:
        sid = sessions.create_session(
            db, name=SESSION_NAME, level="junior", opens_at=opens, closes_at=opens + dt.timedelta(hours=2),
            duration_minutes=90, item_count=0, candidate_ids=[candidate_id], created_by=examiner_id,
            blueprint_id=blueprint_id).id
        _seat(db, sid, examiner_id)
    t0 = opens + dt.timedelta(minutes=5)
    _theory(engine, sid, candidate_id, examiner_id, t0)
    _typing(engine, sid, candidate_id, t0 + dt.timedelta(minutes=50))
    _practical(engine, sid, candidate_id, examiner_id, t0 + dt.timedelta(minutes=60))
    outcome = publication.publish(engine, sid, now, actor_id=examiner_id)
    if not outcome.published:
        raise RuntimeError("演示场次未能发布成绩：" + "；".join(outcome.reasons))
    with engine.connect() as conn:
        return conn.execute(text("SELECT number FROM certificate WHERE session_id = :s"), {"s": sid}).scalar()


def _seat(db, sid, examiner_id):
    """A room and a seat, as every demo enrolment has (admission tickets and the roster show them)."""
    from exam.sessions.rooms import seats
    from exam.sessions.models import Room, SessionRoom

    room = db.exec(select(Room).where(Room.name == ROOM)).first()
    if room is None:
        room = Room(name=ROOM, location="培训楼三层", seats=10)
        db.add(room)
        db.flush()
    db.add(SessionRoom(session_id=sid, room_id=room.id))
    db.flush()
    seats.assign(db, sid, examiner_id, seats.ORDER_SPREAD, seed=sid)


def _theory(engine, sid, cid, examiner_id, t0):
    from exam.delivery import service as delivery
    from exam.marking import service as marking

    aid = delivery.start_attempt(engine, sid, cid, t0)
    with engine.connect() as conn:
        slots = conn.execute(text(
            "SELECT ps.position, ps.kind, ps.option_order, ps.points, iv.key FROM paper_slot ps "
            "JOIN item_version iv ON iv.id = ps.item_version_id WHERE ps.attempt_id = :a ORDER BY ps.position"),
            {"a": aid}).all()
    saves = []
    for slot in slots:
        key = json.loads(slot.key) if isinstance(slot.key, str) else slot.key
        order = json.loads(slot.option_order) if isinstance(slot.option_order, str) else slot.option_order
        if slot.kind == "short":
            value = SHORT_ANSWER
        elif slot.kind == "truefalse":
            value = "T" if key else "F"
        elif slot.kind == "fill":
            value = key[-1]
        else:
            value = ",".join(sorted((str(order.index(k)) for k in key), key=int))
        saves.append({"position": slot.position, "seq": 1, "value": value, "flagged": False})
    delivery.save_answers(engine, aid, cid, saves, t0 + dt.timedelta(minutes=20), GRACE)
    delivery.submit(engine, aid, "candidate", t0 + dt.timedelta(minutes=30), candidate_id=cid)
    for slot in slots:
        if slot.kind == "short":   # full marks, 要点 by 要点 (an item with 评分要点 takes no bare total)
            key = json.loads(slot.key) if isinstance(slot.key, str) else slot.key
            marking.save_mark(engine, sid, aid, slot.position, None, "要点齐全", examiner_id,
                              parts=marking.full_parts(Fraction(slot.points), key["points"]))


def _typing(engine, sid, cid, t0):
    from typing_test import service as typing
    from typing_test.simulate import type_steadily

    aid = typing.start(engine, sid, cid, t0, random.Random(sid))
    type_steadily(engine, aid, cid, 70, grace=GRACE)  # 70 汉字/分 for the whole ten minutes
    typing.submit(engine, aid, "candidate", t0 + dt.timedelta(minutes=standard.typing_rule("junior").minutes),
                  standard.DEFAULT_TYPING_MIN_ACCURACY, candidate_id=cid)


def _practical(engine, sid, cid, examiner_id, t0):
    from exam import service_phrases
    from practical import marking
    from practical import service as practical
    from practical import work_order as wo
    from practical.models import PracticalTask

    aid = practical.start(engine, sid, cid, t0, random.Random(sid))
    with Session(engine) as db:
        tasks = list(db.exec(select(PracticalTask).where(PracticalTask.attempt_id == aid)))
    for task in tasks:
        if task.kind == "work_order":
            f = task.spec["fields"]
            answer = {"fields": {
                "caller": wo.accepted_names(f["caller"]["truth"])[0], "phone": f["phone"]["truth"],
                "category": f["category"]["truth"], "follow_up": f["follow_up"]["truth"],
                "problem": "；".join(g["any"][0] for g in f["problem"]["keywords"])}}
            practical.save(engine, aid, cid, task.position, 1, answer, t0 + dt.timedelta(minutes=10), GRACE)
        elif task.kind in ("call", "complaint"):
            # the demo candidate answers the call with the stock scenario's own example replies, one
            # reply a save, as the page sends them, so the machine's suggestions have something to judge
            for n, reply in enumerate(_example_replies(task.spec)):
                practical.save(engine, aid, cid, task.position, n + 1, {"turn": n, "reply": reply},
                               t0 + dt.timedelta(minutes=11 + n), GRACE)
    lists = {key: entry[1] for key, entry in service_phrases.PHRASE_LISTS.items()}
    practical.submit(engine, aid, "candidate", t0 + dt.timedelta(minutes=40), lists, candidate_id=cid)
    with Session(engine) as db:
        entries = [e for e in marking.queue(db, sid) if e.attempt_id == aid]
    for e in entries:
        # the demo examiner accepts each machine suggestion and gives full points where there is none
        hints = marking.suggestions(e.task)
        values = {c["key"]: str(hints[c["key"]]["points"] if c["key"] in hints
                                else marking.criterion_max(e.task, c)) for c in e.task.rubric}
        marking.save_mark(engine, aid, e.task.position, examiner_id, values, "服务规范", t0 + dt.timedelta(hours=2))


def _example_replies(spec: dict) -> list[str]:
    """The example replies of the stock scenario whose script this task carries (none for a trainer's own)."""
    from practical import scenarios

    for _, raw in scenarios.stock_entries():
        if raw.get("spec") == spec:
            return list(raw.get("example_replies") or [])
    return []
