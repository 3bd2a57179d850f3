"""A candidate's typing test: start (draw and freeze a passage), autosave, submit and score.

The rules are the theory attempt's (``exam.delivery.service``): the deadline is the server's, a save
after it (plus the grace) is refused, an older save never overwrites a newer one, submission is a
conditional UPDATE so it happens once however many processes try. The score is computed here from
the stored text — numbers a browser sends are integrity evidence for the examiner, never a score.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import and_, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select as sm_select

from exam import standard
from exam import claims
from exam.audit.service import record
from exam.db import write_connection
from exam.sessions.models import Enrollment, ExamSession
from typing_test import scoring, signals
from typing_test.models import OPEN, TypingAttempt, TypingEvent, TypingPassage
from typing_test.normalise import char_count
from typing_test.passages import active_for_level


class TypingError(Exception):
    """What the candidate tried cannot be done; the message says why, in Chinese."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class TypingClosedError(TypingError):
    def __init__(self):
        super().__init__("打字测试已结束（已提交或超过截止时间），本次录入未能保存", 409)


#: Typed text longer than this multiple of the passage (plus a margin) is not a typing attempt.
MAX_TYPED_FACTOR = 2


# ---------------------------------------------------------------- start

def attempt_of(db: Session, session_id: int, candidate_id: int) -> TypingAttempt | None:
    return db.exec(sm_select(TypingAttempt).where(TypingAttempt.session_id == session_id,
                                                  TypingAttempt.candidate_id == candidate_id)).first()


def start(engine: Engine, session_id: int, candidate_id: int, now: dt.datetime,
          rng: random.Random | None = None) -> int:
    """Start (or resume) the candidate's typing test; the first start draws and freezes a passage."""
    with Session(engine) as db:
        existing = attempt_of(db, session_id, candidate_id)
        if existing is not None:
            return existing.id
        exam_session = db.get(ExamSession, session_id)
        if exam_session is None or db.exec(sm_select(Enrollment.id).where(
                Enrollment.session_id == session_id, Enrollment.candidate_id == candidate_id)).first() is None:
            raise TypingError("您未报名本场考试", 403)
        # typing and practical run in the session's practical window (the theory window when none is set)
        opens_at, closes_at = exam_session.practical_window
        if now < opens_at:
            raise TypingError("本场考试尚未开始，请在开考时间后再进入打字测试")
        if now >= closes_at:
            raise TypingError("本场考试已关闭，不能再开始打字测试")
        passages = active_for_level(db, exam_session.level)
        if not passages:
            raise TypingError(f"{standard.level(exam_session.level).name}暂无可用的打字文章，请联系考评员", 500)
        passage = (rng or random.Random(secrets.randbits(64))).choice(passages)
        minutes = standard.typing_rule(exam_session.level).minutes
        deadline = min(now + dt.timedelta(minutes=minutes), closes_at)
    table = TypingAttempt.__table__
    try:
        with write_connection(engine) as conn:
            attempt_id = conn.execute(insert(table).values(
                session_id=session_id, candidate_id=candidate_id, passage_id=passage.id, reference=passage.text,
                started_at=now, deadline=deadline, status=OPEN, typed="", typed_seq=0, signals={},
            ).returning(table.c.id)).scalar_one()
            record(conn, "typing.start", "typing_attempt", attempt_id, actor_id=candidate_id,
                   session_id=session_id, passage_id=passage.id, deadline=deadline.isoformat())
    except IntegrityError:  # a double click: the other request started it
        with Session(engine) as db:
            return attempt_of(db, session_id, candidate_id).id
    return attempt_id


# ---------------------------------------------------------------- save

@dataclass(frozen=True)
class Save:
    seq: int
    text: str
    instance: str
    counters: dict[str, int]
    events: list[dict]


def save(engine: Engine, attempt_id: int, candidate_id: int, entry: Save, now: dt.datetime,
         grace: dt.timedelta) -> int:
    """Store the text if it is newer than what is stored, merge the page's counters, add its events.
    Returns the sequence number now stored (the page's ack)."""
    table = TypingAttempt.__table__
    with write_connection(engine) as conn:
        row = conn.execute(select(table.c.candidate_id, table.c.status, table.c.deadline, table.c.paused_at,
                                  table.c.reference, table.c.signals)
                           .where(table.c.id == attempt_id).with_for_update()).first()
        if row is None or row.candidate_id != candidate_id:
            raise TypingError("找不到该打字测试记录", 404)
        if row.status != OPEN or (row.paused_at is None and now > row.deadline + grace):  # paused: clock stopped
            raise TypingClosedError()
        limit = MAX_TYPED_FACTOR * char_count(row.reference) + 200
        if char_count(entry.text) > limit:
            raise TypingError(f"录入内容超过 {limit} 字，未保存")
        conn.execute(update(table).where(and_(table.c.id == attempt_id, table.c.typed_seq < entry.seq))
                     .values(typed=entry.text, typed_seq=entry.seq, saved_at=now))
        merged = signals.merge(row.signals or {}, entry.instance, entry.counters)
        if merged != row.signals:
            conn.execute(update(table).where(table.c.id == attempt_id).values(signals=merged))
        _add_events(conn, attempt_id, entry.events, now)
        return conn.execute(select(table.c.typed_seq).where(table.c.id == attempt_id)).scalar_one()


def _add_events(conn: Connection, attempt_id: int, events: list[dict], now: dt.datetime) -> None:
    if not events:
        return
    events_table = TypingEvent.__table__
    known = set(conn.execute(select(events_table.c.client_id).where(
        events_table.c.attempt_id == attempt_id, events_table.c.client_id.in_([e["id"] for e in events]))).scalars())
    fresh = {e["id"]: e for e in events if e["id"] not in known}
    if fresh:
        conn.execute(insert(events_table), [
            {"attempt_id": attempt_id, "client_id": e["id"], "kind": e["kind"], "detail": e["detail"], "at": now}
            for e in fresh.values()])


# ---------------------------------------------------------------- submit and score

def submit(engine: Engine, attempt_id: int, reason: str, now: dt.datetime, min_accuracy: float,
           actor_id: int | None = None, candidate_id: int | None = None) -> bool:
    """Submit and score once; False when it was already submitted (safe to repeat)."""
    return claims.submit(engine, TypingAttempt.__table__, attempt_id, reason, now,
                         lambda conn, aid: _score(conn, aid, reason, actor_id, min_accuracy), candidate_id)


def submit_overdue(engine: Engine, now: dt.datetime, grace: dt.timedelta, min_accuracy: float) -> int:
    return claims.submit_overdue(engine, TypingAttempt.__table__, now, grace,
                                 lambda conn, aid: _score(conn, aid, "deadline", None, min_accuracy))


def submit_closing(conn: Connection, session_id: int, now: dt.datetime, grace: dt.timedelta,
                   min_accuracy: float) -> list[int]:
    """The session's practical window closing, in the scheduler step's transaction (exam.claims)."""
    return claims.submit_closing(conn, TypingAttempt.__table__, session_id, now, grace,
                                 lambda conn, aid: _score(conn, aid, "deadline", None, min_accuracy))


def typing_seconds(attempt) -> float:
    """Time the candidate had: from the start to submission, never beyond the deadline."""
    end = min(attempt.submitted_at or attempt.deadline, attempt.deadline)
    return max((end - attempt.started_at).total_seconds(), 0.0)


def score_claimed(conn: Connection, attempt_id: int, reason: str, actor_id: int | None, min_accuracy: float) -> None:
    """Score a test this transaction has just claimed (an examiner's forced submission,
    exam.proctoring.actions), exactly as a candidate's submission is scored."""
    _score(conn, attempt_id, reason, actor_id, min_accuracy)


def _score(conn: Connection, attempt_id: int, reason: str, actor_id: int | None, min_accuracy: float) -> None:
    table, sessions = TypingAttempt.__table__, ExamSession.__table__
    row = conn.execute(select(table, sessions.c.level).join(sessions, sessions.c.id == table.c.session_id)
                       .where(table.c.id == attempt_id)).first()
    result = scoring.score(row.reference, row.typed, typing_seconds(row), min_accuracy)
    points = standard.typing_points(row.level, result.net_cpm, result.accuracy, min_accuracy)
    conn.execute(update(table).where(table.c.id == attempt_id).values(
        seconds=result.seconds, correct_chars=result.correct_chars, typed_chars=result.typed_chars,
        net_cpm=result.net_cpm, gross_cpm=result.gross_cpm, accuracy=result.accuracy, passed=result.passed,
        points=str(points)))
    record(conn, "typing.graded", "typing_attempt", attempt_id, actor_id=actor_id, reason=reason,
           net_cpm=round(result.net_cpm, 2), accuracy=round(result.accuracy, 4), passed=result.passed,
           points=str(points), min_accuracy=min_accuracy)


def alignment(attempt: TypingAttempt, min_accuracy: float) -> scoring.TypingScore:
    """The scored alignment for the result page (recomputed from the stored text: it is cheap)."""
    return scoring.score(attempt.reference, attempt.typed, typing_seconds(attempt), min_accuracy)


def points_of(attempt: TypingAttempt) -> Fraction | None:
    return Fraction(attempt.points) if attempt.points is not None else None


def passage_of(db: Session, attempt: TypingAttempt) -> TypingPassage | None:
    return db.get(TypingPassage, attempt.passage_id)


def events_of(db: Session, attempt_id: int) -> list[TypingEvent]:
    return list(db.exec(sm_select(TypingEvent).where(TypingEvent.attempt_id == attempt_id).order_by(TypingEvent.id)))
