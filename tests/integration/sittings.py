"""Candidates sitting the three parts of a session on a real database, the way they do it through the
services (start, save, submit, and the examiner's marking), and reading back the session's results,
audit entries and notifications: shared by the results and certificate tests."""

from __future__ import annotations

import datetime as dt
import json
import random
from fractions import Fraction

from sqlalchemy import text
from sqlmodel import Session, select

from exam import standard
from exam.audit.models import AuditEvent
from exam.delivery import service as delivery
from exam.marking import service as theory_marking
from exam.notifications.models import Notification
from exam.sessions.results import table as results
from exam.sessions.models import ExamSession
from exam.timeutil import utcnow
from practical import marking as practical_marking
from practical import service as practical
from typing_test import service as typing
from typing_test.models import TypingAttempt

GRACE = dt.timedelta(seconds=15)
MIN_ACC = standard.DEFAULT_TYPING_MIN_ACCURACY


class _Reasons(dict):
    """A reason for every criterion: these tests give points other than the machine suggests."""

    def get(self, key, default=None):
        return "考评员复核后改判"


OVERRIDE_REASONS = _Reasons()


def phrase_lists():
    from exam import service_phrases
    return {key: entry[1] for key, entry in service_phrases.PHRASE_LISTS.items()}


# ---------------------------------------------------------------- sitting the three parts (as candidates do)

def sit_theory(engine, sid, cid, t0, correct: bool, mark_short: bool = True) -> int:
    """Answer every machine-marked slot right (or leave it blank), write each short answer, submit;
    with ``mark_short`` an examiner then gives every short answer full points (as only a test may know
    the keys)."""
    aid = delivery.start_attempt(engine, sid, cid, t0)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT ps.position, ps.kind, ps.option_order, ps.points, iv.key FROM paper_slot ps "
            "JOIN item_version iv ON iv.id = ps.item_version_id WHERE ps.attempt_id = :a ORDER BY ps.position"),
            {"a": aid}).all()
    saves = []
    for row in rows:
        key = json.loads(row.key) if isinstance(row.key, str) else row.key
        order = json.loads(row.option_order) if isinstance(row.option_order, str) else row.option_order
        if row.kind == "short":
            value = "先倾听客户诉求，再致歉并说明处理办法。"
        elif not correct:
            continue
        elif row.kind == "truefalse":
            value = "T" if key else "F"
        elif row.kind == "fill":
            value = key[-1]
        else:
            value = ",".join(sorted((str(order.index(k)) for k in key), key=int))
        saves.append({"position": row.position, "seq": 1, "value": value, "flagged": False})
    delivery.save_answers(engine, aid, cid, saves, t0 + dt.timedelta(minutes=1), GRACE)
    assert delivery.submit(engine, aid, "candidate", t0 + dt.timedelta(minutes=2), candidate_id=cid)
    if mark_short:
        mark_theory_shorts(engine, sid, aid)
    return aid


def short_slots(engine, aid):
    with engine.connect() as conn:
        return conn.execute(text("SELECT position, points FROM paper_slot WHERE attempt_id = :a AND kind = 'short'"),
                            {"a": aid}).all()


def mark_theory_shorts(engine, sid, aid):
    """Full marks for every short answer, 要点 by 要点."""
    examiner = _user(engine, "examiner")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT ps.position, ps.points, iv.key FROM paper_slot ps "
                                 "JOIN item_version iv ON iv.id = ps.item_version_id "
                                 "WHERE ps.attempt_id = :a AND ps.kind = 'short'"), {"a": aid}).all()
    for position, points, key in rows:
        key = json.loads(key) if isinstance(key, str) else key
        theory_marking.save_mark(engine, sid, aid, position, None, "好", examiner,
                                 parts=theory_marking.full_parts(Fraction(points), key["points"]))


def sit_typing(engine, sid, cid, t0, chars: int) -> int:
    """Type the passage at ``chars`` Han characters a minute for the whole time limit, as an honest
    candidate does (typing_test.simulate), and submit at the end."""
    from typing_test.simulate import type_steadily
    aid = typing.start(engine, sid, cid, t0, random.Random(3))
    type_steadily(engine, aid, cid, chars, grace=GRACE)
    with Session(engine) as db:
        attempt = db.get(TypingAttempt, aid)
        end = attempt.deadline
    assert typing.submit(engine, aid, "candidate", end, MIN_ACC, candidate_id=cid)
    return aid


def sit_practical(engine, sid, cid, t0, mark: bool = True) -> int:
    aid = practical.start(engine, sid, cid, t0, random.Random(7))
    assert practical.submit(engine, aid, "candidate", t0 + dt.timedelta(minutes=5), phrase_lists(), candidate_id=cid)
    if mark:
        mark_practical(engine, sid, aid, t0 + dt.timedelta(minutes=30))
    return aid


def mark_practical(engine, sid, aid, when):
    examiner = _user(engine, "examiner")
    with Session(engine) as db:
        entries = [e for e in practical_marking.queue(db, sid) if e.attempt_id == aid]
    for e in entries:
        values = {c["key"]: str(practical_marking.criterion_max(e.task, c)) for c in e.task.rubric}
        practical_marking.save_mark(engine, aid, e.task.position, examiner, values, "好", when, reasons=OVERRIDE_REASONS)


def _user(engine, username) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT id FROM user_account WHERE username = :u"), {"u": username}).scalar_one()


def table_of(engine, sid, now=None):
    with Session(engine) as db:
        return results.session_table(db, db.get(ExamSession, sid), now or utcnow())


def row_of(table, username):
    return next(r for r in table.rows if r.username == username)


def audit(engine, action, subject_id=None):
    with Session(engine) as db:
        q = select(AuditEvent).where(AuditEvent.action == action)
        if subject_id is not None:
            q = q.where(AuditEvent.subject_id == subject_id)
        return list(db.exec(q.order_by(AuditEvent.seq)))


def notifications(engine, kind="results"):
    with Session(engine) as db:
        return list(db.exec(select(Notification).where(Notification.kind == kind)))
