"""The attempt lifecycle: start (freeze a paper), save answers, submit and grade.

Saving is the hot path of exam day, so it is two prepared DBAPI statements in one write transaction
(``autosave_sql``) — no ORM unit of work. The attempt row is the lock both saves and submission take
(FOR SHARE / UPDATE on PostgreSQL; the single writer of BEGIN IMMEDIATE on SQLite), so a save can
never slip in after the grading read the answers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import random
import secrets
import weakref
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import Integer, bindparam, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from sqlmodel import select as sm_select

from exam import claims, grading
from exam.audit.service import event as audit_event
from exam.audit.service import record, record_many
from exam.access import live_page
from exam.access.attempts import state_sql
from exam.db import db_write_lock, write_connection
from exam.delivery import autosave_sql
from exam.delivery.answers import MAX_SEQ, AnswerFormatError, normalise
from exam.delivery.models import OPEN, SUBMITTED, Answer, Attempt, ManualMark, PaperSlot
from exam.sessions.models import Enrollment, ExamSession
from question_bank import assembly, pool_cache
from question_bank import blueprint_service as blueprints
from question_bank.blueprint import BlueprintError
from question_bank.models import ItemVersion, PaperBlueprint


class DeliveryError(Exception):
    """Something the candidate did cannot be done; the message says why, in Chinese."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class ClosedError(DeliveryError):
    def __init__(self, message: str = "本场考试已结束（已交卷或超过截止时间），答案未能保存"):
        super().__init__(message, 409)


# ---------------------------------------------------------------- start

class _StartRaced(Exception):
    """Another request of the same candidate created the attempt first."""


@dataclass(frozen=True)
class StartFacts:
    """What a theory start reads before it draws, in one query (``start_facts``): the session, the
    candidate's enrolment id, their attempt (if any) and the session's blueprint (if any). The start
    view hands the first three to the access rules and all four to ``begin_attempt``, so the rules
    and the draw share one read (issue 23: each round trip costs the app CPU, more on PostgreSQL)."""

    session: ExamSession | None
    enrollment_id: int | None
    attempt: Attempt | None
    blueprint: PaperBlueprint | None

    @property
    def for_access(self) -> tuple[ExamSession | None, bool, Attempt | None]:
        """As ``exam.access.service.start_read`` returns them."""
        return self.session, self.enrollment_id is not None, self.attempt


@dataclass(frozen=True)
class Begun:
    """What a start did: the attempt, whether this start created it, and for a created one what the
    paper page needs without reading it back (the start view answers with the paper at once)."""

    attempt_id: int
    created: bool
    deadline: dt.datetime | None = None
    slots: tuple[dict, ...] = ()      # the frozen slots in the candidate's order (created only)


def start_attempt(engine: Engine, session_id: int, candidate_id: int, now: dt.datetime, *,
                  db: Session | None = None) -> int:
    """Start (or resume) the candidate's attempt; the first start freezes their paper. The attempt's id."""
    return begin_attempt(engine, session_id, candidate_id, now, db=db).attempt_id


def begin_attempt(engine: Engine, session_id: int, candidate_id: int, now: dt.datetime, *,
                  db: Session | None = None, page_token: str | None = None, facts: StartFacts | None = None) -> Begun:
    """Start (or resume) the candidate's attempt; the first start freezes their paper.

    ``page_token`` is stored with a created attempt as its live page (``exam.access.live_page``): the
    start view shows the paper in its answer, so that answer is the attempt's first page, made live
    in the start's own write transaction rather than by a take-over of its own. A resumed attempt
    keeps its live page (``created`` is False, and the view redirects to the paper page, which takes
    it over as any newly opened page does).

    The reads go through ``db`` when given (the start view passes the request's session, which the
    access check has just read through: one connection from the pool for both), else a session of
    their own. A double click on PostgreSQL can run two starts at once: the unique constraint lets
    one win, and the other resumes what the winner froze — read through a fresh session, since the
    given one may still hold a snapshot from before the winner's commit (SQLite's WAL). ``facts``:
    what ``start_facts`` read through ``db`` for the access rules, so it is not read again.
    """
    try:
        return _start(engine, session_id, candidate_id, now, db, page_token, facts)
    except _StartRaced:
        return _start(engine, session_id, candidate_id, now, None, page_token, None)


def _start(engine: Engine, session_id: int, candidate_id: int, now: dt.datetime, db: Session | None,
           page_token: str | None, facts: StartFacts | None) -> Begun:
    # Everything the paper needs is read and drawn first, with no lock held; the write transaction
    # (SQLite's one writer) then only inserts the attempt and its slots.
    with contextlib.nullcontext(db) if db is not None else Session(engine) as reader:
        if facts is None:
            facts = start_facts(reader, session_id, candidate_id)
        exam_session, rule = facts.session, facts.blueprint
        if facts.attempt is not None:
            return Begun(facts.attempt.id, False)
        if exam_session is None or facts.enrollment_id is None:
            raise DeliveryError("您未报名本场考试", 403)
        if now < exam_session.opens_at:
            raise DeliveryError("本场考试尚未开始，请在开考时间后再进入")
        if now >= exam_session.closes_at:
            raise DeliveryError("本场考试已关闭，不能再开始作答")
        deadline = min(now + dt.timedelta(minutes=exam_session.duration_minutes), exam_session.closes_at)
        slots = _draw_paper(reader, exam_session, rule)
    attempts = Attempt.__table__
    with write_connection(engine) as conn:
        try:
            attempt_id = conn.execute(insert(attempts).values(
                session_id=session_id, candidate_id=candidate_id, started_at=now, deadline=deadline, status=OPEN,
                page_token=page_token,
            ).returning(attempts.c.id)).scalar_one()
        except IntegrityError:
            raise _StartRaced() from None
        _insert_slots(conn, attempt_id, slots)
        record(conn, "attempt.start", "attempt", attempt_id, actor_id=candidate_id,
               session_id=session_id, deadline=deadline.isoformat())
    return Begun(attempt_id, True, deadline, tuple(slots))


_SLOT_COLUMNS = ("attempt_id", "position", "item_version_id", "area", "kind", "option_count", "option_order", "points")
_SLOT_COPY = f"COPY paper_slot ({', '.join(_SLOT_COLUMNS)}) FROM STDIN"
_SLOT_INSERT = f"INSERT INTO paper_slot ({', '.join(_SLOT_COLUMNS)}) VALUES ({', '.join('?' * len(_SLOT_COLUMNS))})"


def _insert_slots(conn: Connection, attempt_id: int, slots: list[dict]) -> None:
    """The paper's slots (82 for the default blueprint) handed to the driver in one go: PostgreSQL's
    COPY, SQLite's executemany. Through a Core insert, psycopg pipelined them as 82 statements and
    SQLAlchemy processed every row's parameters (app CPU per start: 2.2 ms on PostgreSQL, 0.7 on
    SQLite, against 0.5 and 0.4 now; issue 23). The values are the Core insert's: the option order
    written as SQLAlchemy's JSON type writes it (``json.dumps``)."""
    rows = [(attempt_id, s["position"], s["item_version_id"], s["area"], s["kind"], s["option_count"],
             json.dumps(s["option_order"]), s["points"]) for s in slots]
    if conn.dialect.name == "postgresql":
        with conn.connection.cursor() as cursor, cursor.copy(_SLOT_COPY) as copy:
            for row in rows:
                copy.write_row(row)
    else:
        conn.exec_driver_sql(_SLOT_INSERT, rows)


@functools.cache
def _start_facts_query():
    """Built once (session and candidate are bound parameters): every start runs it."""
    session_id, candidate_id = bindparam("session", type_=Integer), bindparam("candidate", type_=Integer)
    return (sm_select(ExamSession, Enrollment.id, Attempt, PaperBlueprint)
            .outerjoin(Enrollment, (Enrollment.session_id == ExamSession.id) & (Enrollment.candidate_id == candidate_id))
            .outerjoin(Attempt, (Attempt.session_id == ExamSession.id) & (Attempt.candidate_id == candidate_id))
            .outerjoin(PaperBlueprint, PaperBlueprint.id == ExamSession.blueprint_id)
            .where(ExamSession.id == session_id))


def start_facts(db: Session, session_id: int, candidate_id: int) -> StartFacts:
    """The session, the candidate's enrolment id, their attempt (if any) and the session's blueprint
    (if any) in one query: the access rules and the draw of every start of a storm ask for them."""
    row = db.exec(_start_facts_query(), params={"session": session_id, "candidate": candidate_id}).first()
    return StartFacts(row[0], row[1], row[2], row[3]) if row is not None else StartFacts(None, None, None, None)


def _draw_paper(db: Session, exam_session: ExamSession, rule: PaperBlueprint | None) -> list[dict]:
    """This candidate's paper: by the session's blueprint (a frozen paper in a fresh order, or a
    parallel form of its own), or without one by the level's weights; option order shuffled."""
    rng = random.Random(secrets.randbits(64))
    try:
        if exam_session.blueprint_id is not None:
            slots = blueprints.candidate_paper(db, rule, exam_session.paper, rng)
        else:
            pool = pool_cache.level_pool(db, exam_session.level)
            slots = assembly.assemble(exam_session.level, exam_session.item_count, pool.by_area, rng,
                                      pool.enemy_pairs)
    except (assembly.AssemblyError, BlueprintError) as exc:
        raise DeliveryError(f"无法组卷：{exc}。请联系考评员。", 500) from None
    shapes = version_shapes(db, [s.version_id for s in slots])
    rows = []
    for position, slot in enumerate(slots):
        kind, count = shapes[slot.version_id]
        rows.append({
            "position": position, "item_version_id": slot.version_id, "area": slot.area, "kind": kind,
            "option_count": count, "option_order": assembly.shuffled_option_order(count, rng) if count else [],
            "points": str(slot.points),
        })
    return rows


#: (kind, option count) of item versions, per process and database. A version never changes (an
#: edit appends a new one, ``question_bank.service.revise_item``), so an entry never goes stale.
_shape_cache: weakref.WeakKeyDictionary[Engine, dict[int, tuple[str, int]]] = weakref.WeakKeyDictionary()


def version_shapes(db: Session, version_ids: list[int]) -> dict[int, tuple[str, int]]:
    cache = _shape_cache.setdefault(db.get_bind(), {})
    found = {vid: shape for vid in version_ids if (shape := cache.get(vid)) is not None}
    missing = [vid for vid in version_ids if vid not in found]
    if missing:
        if len(cache) > _SLOT_CACHE_LIMIT:
            cache.clear()
        for vid, kind, options in db.connection().execute(
                select(ItemVersion.id, ItemVersion.kind, ItemVersion.options).where(ItemVersion.id.in_(missing))):
            found[vid] = cache[vid] = (kind, len(options))
    return {vid: found[vid] for vid in version_ids}


# ---------------------------------------------------------------- what the candidate sees

@dataclass(frozen=True)
class Question:
    position: int
    kind: str
    area: str
    stem: str
    options: list[str]  # in the candidate's display order
    points: Fraction
    scoring: str = "all"


def paper_for_candidate(db: Session, attempt_id: int) -> list[Question]:
    """The questions as the candidate sees them. Keys are not selected, so they cannot leak."""
    rows = db.execute(
        select(PaperSlot.position, PaperSlot.kind, PaperSlot.area, PaperSlot.option_order, PaperSlot.points,
               ItemVersion.stem, ItemVersion.options, ItemVersion.scoring)
        .join(ItemVersion, ItemVersion.id == PaperSlot.item_version_id)
        .where(PaperSlot.attempt_id == attempt_id).order_by(PaperSlot.position)
    ).all()
    return [
        Question(position=r.position, kind=r.kind, area=r.area, stem=r.stem,
                 options=[r.options[i] for i in r.option_order], points=Fraction(r.points), scoring=r.scoring)
        for r in rows
    ]


def saved_answers(db: Session, attempt_id: int) -> dict[int, dict]:
    rows = db.connection().execute(select(Answer.position, Answer.value, Answer.flagged, Answer.seq)
                      .where(Answer.attempt_id == attempt_id)).all()
    return {r.position: {"value": r.value, "flagged": bool(r.flagged), "seq": int(r.seq)} for r in rows}


# ---------------------------------------------------------------- save (hot path)

#: Frozen papers never change, so the shape of each slot is cached per process (and per database).
_slot_shapes: weakref.WeakKeyDictionary[Engine, dict[int, dict[int, tuple[str, int]]]] = weakref.WeakKeyDictionary()
_SLOT_CACHE_LIMIT = 20000


def _shapes(engine: Engine, cursor, sql: dict, attempt_id: int) -> dict[int, tuple[str, int]]:
    cache = _slot_shapes.setdefault(engine, {})
    shapes = cache.get(attempt_id)
    if shapes is None:
        cursor.execute(sql["slots"], (attempt_id,))
        shapes = {position: (kind, count) for position, kind, count in cursor.fetchall()}
        # end the read before queuing for the write lock (a COMMIT: psycopg forgets its prepared
        # statements at every ROLLBACK, and the read changed nothing)
        cursor.connection.commit()
        if len(cache) >= _SLOT_CACHE_LIMIT:
            cache.clear()
        if shapes:
            cache[attempt_id] = shapes
    return shapes


def parse_saves(raw: object) -> list[dict]:
    if not isinstance(raw, list) or not raw or len(raw) > 500:
        raise DeliveryError("保存请求格式错误：saves 应为 1 至 500 项的列表")
    saves = []
    for entry in raw:
        if not isinstance(entry, dict):
            raise DeliveryError("保存请求格式错误：每项应为对象")
        position, seq = entry.get("position"), entry.get("seq")
        if (not isinstance(position, int) or isinstance(position, bool) or not isinstance(seq, int)
                or isinstance(seq, bool) or not 0 <= seq <= MAX_SEQ):
            raise DeliveryError(f"保存请求格式错误：position 与 seq 应为整数，seq 在 0 至 {MAX_SEQ} 之间")
        saves.append({"position": position, "seq": seq, "value": entry.get("value", ""),
                      "flagged": bool(entry.get("flagged", False))})
    return saves


def save_answers(engine: Engine, attempt_id: int, candidate_id: int, saves: list[dict],
                 now: dt.datetime, grace: dt.timedelta, page: str | None = None, checks=None) -> list[list[int]]:
    """Apply saves newer than what is stored; acknowledge every save the store now covers.

    Runs on the raw DBAPI connection (see ``autosave_sql``). Answers are checked against the frozen
    paper before the write lock is taken, so the locked part is one read of the attempt, the upserts
    and the commit. Nothing is acknowledged before the commit returns. ``checks`` (the save view's
    ``exam.access.attempts.SaveChecks``) reads the attempt with the session's access rules in that one
    locking read and runs the candidate loader's checks on it first.
    """
    dialect = engine.dialect.name
    sql = autosave_sql.statements(dialect)
    saved_at = autosave_sql.bind_datetime(dialect, now)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            shapes = _shapes(engine, cursor, sql, attempt_id)  # cached: no statement once the paper is known
            invalid = None
            try:
                params = [(attempt_id, save["position"], _checked_value(shapes, save), save["flagged"], save["seq"],
                           saved_at) for save in saves]
            except DeliveryError as exc:  # reported after ownership and closure, which come first
                invalid = exc
            with db_write_lock(engine):
                if sql["begin"]:
                    cursor.execute(sql["begin"])
                try:
                    _check_open(cursor, dialect, attempt_id, candidate_id, now, grace, page, checks)
                    if invalid is not None:
                        raise invalid
                    if len(params) == 1:  # the usual save: one answer (executemany is a pipeline on psycopg)
                        cursor.execute(sql["upsert"], params[0])
                    else:
                        cursor.executemany(sql["upsert"], params)
                    raw.commit()
                except BaseException:
                    raw.rollback()
                    raise
        finally:
            cursor.close()
    finally:
        raw.close()  # back to the pool
    return [[s["position"], s["seq"]] for s in saves]


def _checked_value(shapes: dict[int, tuple[str, int]], save: dict) -> str:
    shape = shapes.get(save["position"])
    if shape is None:
        raise DeliveryError(f"第 {save['position'] + 1} 题不存在")
    try:
        return normalise(shape[0], shape[1], save["value"])
    except AnswerFormatError as exc:
        raise DeliveryError(f"第 {save['position'] + 1} 题：{exc}") from None


def _check_open(cursor, dialect, attempt_id, candidate_id, now, grace, page, checks=None) -> None:
    cursor.execute(state_sql(dialect, "attempt"), (attempt_id,))
    row = cursor.fetchone()
    if checks is not None:
        checks.check(row)  # the loader's checks first (void, the session's rules, paused, a stale page)
    if row is None or row[0] != candidate_id:
        raise DeliveryError("找不到该考试记录", 404)
    # row[3] is paused_at: a paused attempt's clock is stopped, so its saves are still taken
    if row[1] != OPEN or (row[3] is None and now > autosave_sql.as_datetime(row[2]) + grace):
        raise ClosedError()
    live_page.check(row[4], page)  # a tab or device opened since: this page no longer saves


# ---------------------------------------------------------------- submit and grade

def submit(engine: Engine, attempt_id: int, reason: str, now: dt.datetime,
           actor_id: int | None = None, candidate_id: int | None = None) -> bool:
    """Submit and grade once. Returns False when the attempt was already submitted (safe to repeat)."""
    stmt = update(Attempt).where(Attempt.id == attempt_id, Attempt.status == OPEN)
    if candidate_id is not None:  # a candidate cannot submit while a proctor has paused the attempt
        stmt = stmt.where(Attempt.candidate_id == candidate_id, Attempt.paused_at.is_(None))
    with write_connection(engine) as conn:
        claimed = _claim(conn, stmt, reason, now)
        _grade_and_record(conn, claimed, reason, actor_id)
    return bool(claimed)


#: Attempts claimed and graded per transaction when the deadline passes for many at once.
DEADLINE_BATCH = 250


def submit_overdue(engine: Engine, now: dt.datetime, grace: dt.timedelta) -> int:
    """Submit and grade every attempt whose deadline and grace have passed, in batches.

    Claiming is ``UPDATE … WHERE status = 'open' RETURNING id``: two scheduler processes racing over
    the same attempts each get only the ones they changed, so nothing is submitted or graded twice.
    A paused attempt (exam.proctoring) waits: its clock is stopped.
    """
    due = (select(Attempt.id).where(Attempt.status == OPEN, Attempt.paused_at.is_(None), Attempt.deadline < now - grace)
           .order_by(Attempt.deadline).limit(DEADLINE_BATCH))
    done = 0
    while True:
        with write_connection(engine) as conn:
            ids = list(conn.execute(due).scalars())
            if not ids:
                return done
            claimed = _claim(conn, update(Attempt).where(Attempt.id.in_(ids), Attempt.status == OPEN,
                                                         Attempt.paused_at.is_(None)), "deadline", now)
            _grade_and_record(conn, claimed, "deadline", None)
        done += len(claimed)
        if len(ids) < DEADLINE_BATCH:
            return done


def submit_closing(conn: Connection, session_id: int, now: dt.datetime, grace: dt.timedelta) -> list[int]:
    """The session's theory window closing, in the scheduler step's transaction: its overdue, unpaused
    attempts submitted and graded (``claims.claim_closing``)."""
    claimed = claims.claim_closing(conn, Attempt.__table__, session_id, now, grace)
    _grade_and_record(conn, claimed, "deadline", None)
    return claimed


def _claim(conn: Connection, stmt, reason: str, now: dt.datetime) -> list[int]:
    stmt = stmt.values(status=SUBMITTED, submitted_at=now, submit_reason=reason).returning(Attempt.id)
    return list(conn.execute(stmt).scalars())


def grade_claimed(conn: Connection, attempt_ids: list[int], reason: str, actor_id: int | None) -> None:
    """Grade attempts this transaction has just claimed (an examiner's forced submission,
    exam.proctoring.actions), exactly as a candidate's submission is graded."""
    _grade_and_record(conn, attempt_ids, reason, actor_id)


def _grade_and_record(conn: Connection, attempt_ids: list[int], reason: str, actor_id: int | None) -> None:
    if not attempt_ids:
        return
    grades = grade_attempts(conn, attempt_ids)
    conn.execute(update(Attempt).where(Attempt.id == bindparam("aid"))
                 .values(score=bindparam("score"), passed=bindparam("passed")),
                 [{"aid": aid, "score": g.score_display, "passed": g.passed} for aid, g in grades.items()])
    record_many(conn, [audit_event("attempt.graded", "attempt", aid, actor_id=actor_id, reason=reason,
                                   score=str(g.score), passed=g.passed) for aid, g in grades.items()])


def grade_attempts(conn: Connection, attempt_ids: list[int]) -> dict[int, grading.Grade]:
    """Grade several attempts with two queries: their frozen slots with keys, and their answers."""
    slots: dict[int, list[grading.GradableSlot]] = {aid: [] for aid in attempt_ids}
    for r in conn.execute(
        select(PaperSlot.attempt_id, PaperSlot.position, PaperSlot.area, PaperSlot.kind, PaperSlot.option_order,
               PaperSlot.points, ItemVersion.key, ItemVersion.scoring)
        .join(ItemVersion, ItemVersion.id == PaperSlot.item_version_id)
        .where(PaperSlot.attempt_id.in_(attempt_ids))
    ):
        slots[r.attempt_id].append(grading.GradableSlot(
            r.position, r.area, r.kind, r.key, r.option_order, Fraction(r.points), r.scoring))
    answers: dict[int, dict[int, str]] = {aid: {} for aid in attempt_ids}
    for aid, position, value in conn.execute(
            select(Answer.attempt_id, Answer.position, Answer.value).where(Answer.attempt_id.in_(attempt_ids))):
        answers[aid][position] = value
    manual: dict[int, dict[int, Fraction]] = {aid: {} for aid in attempt_ids}
    for aid, position, points in conn.execute(
            select(ManualMark.attempt_id, ManualMark.position, ManualMark.points)
            .where(ManualMark.attempt_id.in_(attempt_ids))):
        manual[aid][position] = Fraction(points)
    return {aid: grading.grade(slots[aid], answers[aid], manual[aid]) for aid in attempt_ids}
