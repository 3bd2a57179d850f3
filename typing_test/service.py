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

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select as sm_select

from exam import claims, parts, standard
from exam.access import live_page
from exam.access.attempts import state_statement
from exam.access.service import start_read
from exam.audit.service import record
from exam.db import write_connection
from exam.sessions.models import ExamSession
from typing_test import evidence, scoring, signals
from typing_test.models import (OPEN, REVIEW_CONFIRMED, REVIEW_PENDING, REVIEW_VOIDED, Station, StationSummary,
                                TypingAttempt, TypingEvent, TypingGrowth, TypingPassage)
from typing_test.normalise import char_count, normalise
from typing_test.passages import drawable_for_level


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


@dataclass(frozen=True)
class Begun:
    """What a typing start did: the attempt, and for one this start created it as written (not
    attached to any session), so the start view can answer with the typing page at once."""

    attempt_id: int
    attempt: TypingAttempt | None = None   # None: the attempt was already there (resumed)


def start(engine: Engine, session_id: int, candidate_id: int, now: dt.datetime,
          rng: random.Random | None = None) -> int:
    """Start (or resume) the candidate's typing test; the first start draws and freezes a passage."""
    return begin(engine, session_id, candidate_id, now, rng).attempt_id


def begin(engine: Engine, session_id: int, candidate_id: int, now: dt.datetime,
          rng: random.Random | None = None, *, page_token: str | None = None,
          known: tuple[ExamSession | None, bool, TypingAttempt | None] | None = None) -> Begun:
    """Start (or resume) the candidate's typing test; the first start draws and freezes a passage.

    ``page_token`` is stored with a created attempt as its live page (``exam.access.live_page``), in
    the start's own write transaction: the start view answers with the typing page, which is then the
    attempt's first page without a take-over of its own. ``known``: the session, the enrolment and
    the attempt as the start view has read them for the access rules
    (``exam.access.service.start_read``), so they are not read again."""
    with Session(engine) as db:
        exam_session, enrolled, existing = known if known is not None else start_read(db, session_id, "typing",
                                                                                       candidate_id)
        if existing is not None:
            return Begun(existing.id)
        if exam_session is None or not enrolled:
            raise TypingError("您未报名本场考试", 403)
        # typing and practical run in the session's practical window (the theory window when none is set)
        opens_at, closes_at = exam_session.practical_window
        if now < opens_at:
            raise TypingError("本场考试尚未开始，请在开考时间后再进入打字测试")
        if now >= closes_at:
            raise TypingError("本场考试已关闭，不能再开始打字测试")
        passages = drawable_for_level(db, exam_session.level)  # long enough for the time limit
        if not passages:
            raise TypingError(f"{standard.level(exam_session.level).name}暂无可用的打字文章，请联系考评员", 500)
        passage = (rng or random.Random(secrets.randbits(64))).choice(passages)
        minutes = standard.typing_rule(exam_session.level).minutes
        deadline = min(now + dt.timedelta(minutes=minutes), closes_at)
    table = TypingAttempt.__table__
    values = dict(session_id=session_id, candidate_id=candidate_id, passage_id=passage.id, reference=passage.text,
                  started_at=now, deadline=deadline, status=OPEN, typed="", typed_seq=0, signals={},
                  page_token=page_token)
    try:
        with write_connection(engine) as conn:
            attempt_id = conn.execute(insert(table).values(**values).returning(table.c.id)).scalar_one()
            record(conn, "typing.start", "typing_attempt", attempt_id, actor_id=candidate_id,
                   session_id=session_id, passage_id=passage.id, deadline=deadline.isoformat())
    except IntegrityError:  # a double click: the other request started it
        with Session(engine) as db:
            return Begun(attempt_of(db, session_id, candidate_id).id)
    return Begun(attempt_id, TypingAttempt(id=attempt_id, paused_at=None, extra_seconds=0, **values))


# ---------------------------------------------------------------- save

@dataclass(frozen=True)
class Save:
    seq: int
    text: str
    instance: str
    counters: dict[str, int]
    events: list[dict]


def save(engine: Engine, attempt_id: int, candidate_id: int, entry: Save, now: dt.datetime,
         grace: dt.timedelta, page: str | None = None, checks=None) -> int:
    """Store the text if it is newer than what is stored, merge the page's counters, add its events,
    log the text's length on the server's clock and run the server's own checks on it
    (``typing_test.evidence``): a save they doubt is stored all the same — nothing typed is lost — but
    the result will wait for an examiner. Returns the sequence number now stored (the page's ack).
    ``checks`` (the save view's ``exam.access.attempts.SaveChecks``) reads the attempt with its
    session's access rules in the one locking read and runs the candidate loader's checks on it first."""
    table = TypingAttempt.__table__
    extra = (table.c.reference, table.c.signals, table.c.started_at, table.c.server_flags)
    with write_connection(engine) as conn:
        row = conn.execute(state_statement(parts.get("typing"), attempt_id, *extra)).first()
        if checks is not None:
            checks.check(row)  # void, the session's rules, paused, a stale page
        if row is None or row.candidate_id != candidate_id:
            raise TypingError("找不到该打字测试记录", 404)
        if row.status != OPEN or (row.paused_at is None and now > row.deadline + grace):  # paused: clock stopped
            raise TypingClosedError()
        live_page.check(row.page_token, page)  # a tab or device opened since: this page no longer saves
        limit = MAX_TYPED_FACTOR * char_count(row.reference) + 200
        if char_count(entry.text) > limit:
            raise TypingError(f"录入内容超过 {limit} 字，未保存")
        stored = conn.execute(update(table).where(and_(table.c.id == attempt_id, table.c.typed_seq < entry.seq))
                              .values(typed=entry.text, typed_seq=entry.seq, saved_at=now)).rowcount
        merged = signals.merge(row.signals or {}, entry.instance, entry.counters)
        values = {"signals": merged} if merged != row.signals else {}
        if stored:
            flags = _log_growth(conn, attempt_id, row.started_at, entry, signals.totals(merged), now)
            if flags:
                values["server_flags"] = evidence.merge(row.server_flags, flags, now)
        if values:
            conn.execute(update(table).where(table.c.id == attempt_id).values(**values))
        _add_events(conn, attempt_id, entry.events, now)
        return conn.execute(select(table.c.typed_seq).where(table.c.id == attempt_id)).scalar_one()


def _log_growth(conn: Connection, attempt_id: int, started_at: dt.datetime, entry: Save, totals: dict[str, int],
                now: dt.datetime) -> list[dict]:
    """One growth row for a stored save; the checks against the earlier saves (or the start)."""
    growth = TypingGrowth.__table__
    text = normalise(entry.text)
    chars = len(text)
    last = conn.execute(select(growth.c.chars, growth.c.at).where(growth.c.attempt_id == attempt_id)
                        .order_by(growth.c.at.desc(), growth.c.id.desc()).limit(1)).first()
    recent = conn.execute(select(growth.c.chars, growth.c.at).where(
        growth.c.attempt_id == attempt_id, growth.c.at >= now - evidence.GROWTH_WINDOW)
        .order_by(growth.c.at, growth.c.id)).all()
    points = [(0, started_at)] + [(r.chars, r.at) for r in recent]
    if last is not None and (last.chars, last.at) not in points:
        points.append((last.chars, last.at))
    conn.execute(insert(growth).values(attempt_id=attempt_id, at=now, seq=entry.seq, chars=chars,
                                       han=standard.han_count(text), keydowns=totals["keydowns"],
                                       committed=totals["committed_chars"]))
    return evidence.save_flags(evidence.history_for(sorted(points, key=lambda p: p[1]), now), chars, now, totals)


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
    """Time the candidate used: from the start to submission, never beyond the deadline."""
    end = min(attempt.submitted_at or attempt.deadline, attempt.deadline)
    return max((end - attempt.started_at).total_seconds(), 0.0)


def limit_seconds(attempt) -> float:
    """The time the test allowed: its deadline less its start (a pause moves both on; extra time and a
    session window closing early are in the deadline)."""
    return max((attempt.deadline - attempt.started_at).total_seconds(), 0.0)


def scored(attempt, min_accuracy: float) -> scoring.TypingScore:
    """The stored text scored by the rule (``typing_test.scoring``; cheap, so pages recompute it)."""
    return scoring.score(attempt.reference, attempt.typed, typing_seconds(attempt), limit_seconds(attempt),
                         min_accuracy)


def score_claimed(conn: Connection, attempt_id: int, reason: str, actor_id: int | None, min_accuracy: float) -> None:
    """Score a test this transaction has just claimed (an examiner's forced submission,
    exam.proctoring.actions), exactly as a candidate's submission is scored."""
    _score(conn, attempt_id, reason, actor_id, min_accuracy)


def _score(conn: Connection, attempt_id: int, reason: str, actor_id: int | None, min_accuracy: float) -> None:
    """Score the stored text. When the server's checks doubt how it came in (the saves' flags, and the
    exam station's keystrokes where one ran) the result is held: 待核查, no 达标, no points, until an
    examiner decides (``decide``). The figures are stored either way, for the examiner to weigh."""
    table, sessions = TypingAttempt.__table__, ExamSession.__table__
    row = conn.execute(select(table, sessions.c.level).join(sessions, sessions.c.id == table.c.session_id)
                       .where(table.c.id == attempt_id)).first()
    result = scored(row, min_accuracy)
    flags = dict(row.server_flags or {})
    station = _station_flag(conn, row, len(normalise(row.typed)))
    if station:
        flags = evidence.merge(flags, [station], row.submitted_at or row.deadline)
    held = bool(flags)
    points = standard.typing_points(row.level, result.net_cpm, result.accuracy, min_accuracy)
    conn.execute(update(table).where(table.c.id == attempt_id).values(
        seconds=result.seconds, correct_chars=result.correct_chars, typed_chars=result.typed_chars,
        correct_han=result.correct_han, net_cpm=result.net_cpm, gross_cpm=result.gross_cpm,
        accuracy=result.accuracy, passed=None if held else result.passed, points=None if held else str(points),
        server_flags=flags, review=REVIEW_PENDING if held else None))
    record(conn, "typing.graded", "typing_attempt", attempt_id, actor_id=actor_id, reason=reason,
           net_cpm=round(result.net_cpm, 2), accuracy=round(result.accuracy, 4),
           passed=None if held else result.passed, points=None if held else str(points), min_accuracy=min_accuracy,
           timed_seconds=round(result.seconds, 1), held_for_review=sorted(flags) if held else [])


def _station_flag(conn: Connection, row, chars: int) -> dict | None:
    st, ss = Station.__table__, StationSummary.__table__
    station = conn.execute(select(st.c.label).where(st.c.session_id == row.session_id,
                                                    st.c.candidate_id == row.candidate_id)).first()
    if station is None:
        return None
    windows, keys = conn.execute(select(func.count(), func.coalesce(func.sum(ss.c.keystrokes), 0))
                                 .where(ss.c.activity == "typing", ss.c.attempt_id == row.id)).one()
    return evidence.station_flag(chars, station.label, windows, keys)


class ReviewError(TypingError):
    pass


MAX_REVIEW_NOTE = 500
DECISIONS = {"confirm": REVIEW_CONFIRMED, "void": REVIEW_VOIDED}


def decide(engine: Engine, attempt_id: int, decision: str, note: str, examiner_id: int, now: dt.datetime,
           min_accuracy: float) -> str:
    """An examiner's decision on a held (待核查) result, with a reason, audited in the same transaction.
    ``confirm``: the typing was the candidate's own; the computed result stands (达标 or not, points).
    ``void``: it was not; not 达标, no points. A decision is made once; returns the new review state."""
    state = DECISIONS.get(decision)
    if state is None:
        raise ReviewError("请选择“确认成绩有效”或“判定无效”")
    note = " ".join((note or "").split())
    if not note:
        raise ReviewError("请填写核查理由（例如查看了哪些证据、与考生或监考员核实的情况）")
    if len(note) > MAX_REVIEW_NOTE:
        raise ReviewError(f"核查理由不能超过 {MAX_REVIEW_NOTE} 字（现为 {len(note)} 字）")
    table, sessions = TypingAttempt.__table__, ExamSession.__table__
    with write_connection(engine) as conn:
        row = conn.execute(select(table, sessions.c.level).join(sessions, sessions.c.id == table.c.session_id)
                           .where(table.c.id == attempt_id).with_for_update()).first()
        if row is None:
            raise ReviewError("找不到该打字测试记录", 404)
        if row.review != REVIEW_PENDING:
            raise ReviewError("该打字测试不在待核查状态（可能已由其他考评员处理）", 409)
        if state == REVIEW_CONFIRMED:
            result = scored(row, min_accuracy)
            passed = result.passed
            points = standard.typing_points(row.level, result.net_cpm, result.accuracy, min_accuracy)
        else:
            passed, points = False, 0
        done = conn.execute(update(table).where(table.c.id == attempt_id, table.c.review == REVIEW_PENDING).values(
            review=state, review_note=note, reviewed_by=examiner_id, reviewed_at=now, passed=passed,
            points=str(points))).rowcount
        if not done:
            raise ReviewError("该打字测试不在待核查状态（可能已由其他考评员处理）", 409)
        record(conn, f"typing.review_{decision}", "typing_attempt", attempt_id, actor_id=examiner_id,
               session_id=row.session_id, candidate_id=row.candidate_id, note=note, passed=passed,
               points=str(points), flags=sorted(row.server_flags or {}))
    return state


def alignment(attempt: TypingAttempt, min_accuracy: float) -> scoring.TypingScore:
    """The scored alignment for the result page (recomputed from the stored text: it is cheap)."""
    return scored(attempt, min_accuracy)


def points_of(attempt: TypingAttempt) -> Fraction | None:
    return Fraction(attempt.points) if attempt.points is not None else None


def passage_of(db: Session, attempt: TypingAttempt) -> TypingPassage | None:
    return db.get(TypingPassage, attempt.passage_id)


def growth_of(db: Session, attempt_id: int) -> list[TypingGrowth]:
    return list(db.exec(sm_select(TypingGrowth).where(TypingGrowth.attempt_id == attempt_id)
                        .order_by(TypingGrowth.at, TypingGrowth.id)))


def events_of(db: Session, attempt_id: int) -> list[TypingEvent]:
    return list(db.exec(sm_select(TypingEvent).where(TypingEvent.attempt_id == attempt_id).order_by(TypingEvent.id)))
