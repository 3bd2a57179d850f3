"""A candidate's practical assessment: start (draw and freeze a paper of scenarios), autosave each task,
submit and run the machine checks.

The rules are the theory attempt's: the server's deadline, saves after it (plus the grace) refused, a
newer save never overwritten by an older one, submission a conditional UPDATE that happens once.
What the machine cannot check waits for examiners (``practical.marking``); the total is composed in
``practical.results``.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from fractions import Fraction

from sqlalchemy import and_, insert, select, update
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
from exam.delivery.answers import MAX_SEQ
from practical import scenarios
from practical.kinds import kind, saved_answer
from practical.kinds.base import AnswerError
from practical.models import OPEN, PracticalAttempt, PracticalTask

_TICKET_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class PracticalError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


class PracticalClosedError(PracticalError):
    def __init__(self):
        super().__init__("实操考核已结束（已交卷或超过截止时间），本次作答未能保存", 409)


class PracticalConflictError(PracticalError):
    """A save whose sequence number is the stored one's but whose content differs: acknowledging it
    would tell the page its content is stored when another is (the page's own saves always raise it)."""

    def __init__(self, position: int):
        super().__init__(f"第 {position + 1} 题：本次保存的序号与已保存的作答相同，但内容不同，未保存。"
                         "请刷新页面，核对已保存的作答后再修改", 409)


def new_ticket() -> str:
    return "S" + "".join(secrets.choice(_TICKET_ALPHABET) for _ in range(7))


def attempt_of(db: Session, session_id: int, candidate_id: int) -> PracticalAttempt | None:
    return db.exec(sm_select(PracticalAttempt).where(PracticalAttempt.session_id == session_id,
                                                     PracticalAttempt.candidate_id == candidate_id)).first()


def tasks_of(db: Session, attempt_id: int) -> list[PracticalTask]:
    return list(db.exec(sm_select(PracticalTask).where(PracticalTask.attempt_id == attempt_id)
                        .order_by(PracticalTask.position)))


# ---------------------------------------------------------------- start

def draw_paper(db: Session, level: str, rng: random.Random, restrict: dict | None = None) -> list[dict]:
    """The level's practical paper (``standard.PRACTICAL_PAPERS``) from approved scenarios, one draw per
    candidate; refuses with the kinds that lack scenarios. ``restrict`` is the session's practical
    blueprint ({part kind: [scenario ids]}): a part named there draws only from those scenarios that
    are still approved."""
    rows, short = [], []
    restrict = restrict or {}
    for part in standard.practical_paper(level).parts:
        pool = scenarios.approved_pool(db, level, part.kind)
        if restrict.get(part.kind):
            allowed = set(restrict[part.kind])
            pool = [s for s in pool if s.id in allowed]
            if len(pool) < part.count:
                short.append(f"{kind(part.kind).NAME}需要 {part.count} 个，本场次限定的场景中仍为已审核的只有 "
                             f"{len(pool)} 个（请考评员修改场次的实操组卷）")
                continue
        if len(pool) < part.count:
            short.append(f"{kind(part.kind).NAME}需要 {part.count} 个，已审核 {len(pool)} 个")
            continue
        for scenario in rng.sample(pool, part.count):
            module = kind(scenario.kind)
            # a call's criteria follow from its script, even for a scenario stored before they did
            rubric = module.default_rubric(scenario.spec) if getattr(module, "RUBRIC_FROM_SPEC", False) \
                else scenario.rubric
            spec = scenario.spec
            if hasattr(module, "RULES_VERSION"):  # the rules this paper is scored by, frozen with it
                spec = {**spec, "rules_version": module.RULES_VERSION}
            rows.append({"scenario_id": scenario.id, "kind": scenario.kind, "title": scenario.title,
                         "points": str(part.points), "seed": rng.getrandbits(48), "spec": spec,
                         "rubric": rubric})
    if short:
        raise PracticalError(f"无法组成{standard.level(level).name}实操试卷：{'；'.join(short)}。请联系考评员。", 500)
    return [{**row, "position": n} for n, row in enumerate(rows)]


def start(engine: Engine, session_id: int, candidate_id: int, now: dt.datetime,
          rng: random.Random | None = None) -> int:
    rng = rng or random.Random(secrets.randbits(64))
    with Session(engine) as db:
        exam_session, enrolled, existing = start_read(db, session_id, "practical", candidate_id)  # one query
        if existing is not None:
            return existing.id
        if exam_session is None or not enrolled:
            raise PracticalError("您未报名本场考试", 403)
        # typing and practical run in the session's practical window (the theory window when none is set)
        opens_at, closes_at = exam_session.practical_window
        if now < opens_at:
            raise PracticalError("本场考试尚未开始，请在开考时间后再进入实操考核")
        if now >= closes_at:
            raise PracticalError("本场考试已关闭，不能再开始实操考核")
        tasks = draw_paper(db, exam_session.level, rng, exam_session.practical_scenarios)
        minutes = standard.practical_paper(exam_session.level).minutes
        deadline = min(now + dt.timedelta(minutes=minutes), closes_at)
    table = PracticalAttempt.__table__
    for _ in range(5):
        try:
            with write_connection(engine) as conn:
                attempt_id = conn.execute(insert(table).values(
                    session_id=session_id, candidate_id=candidate_id, ticket=new_ticket(), started_at=now,
                    deadline=deadline, status=OPEN).returning(table.c.id)).scalar_one()
                conn.execute(insert(PracticalTask.__table__),
                             [{**t, "attempt_id": attempt_id, "answer": {}, "answer_seq": 0} for t in tasks])
                record(conn, "practical.start", "practical_attempt", attempt_id, actor_id=candidate_id,
                       session_id=session_id, scenarios=[t["scenario_id"] for t in tasks])
            return attempt_id
        except IntegrityError:  # a double click, or (rarely) a ticket code already taken
            with Session(engine) as db:
                existing = attempt_of(db, session_id, candidate_id)
                if existing is not None:
                    return existing.id
    raise PracticalError("无法生成准考凭证号，请重试", 500)


# ---------------------------------------------------------------- save

def save(engine: Engine, attempt_id: int, candidate_id: int, position: int, seq: int, raw: object,
         now: dt.datetime, grace: dt.timedelta, page: str | None = None, checks=None) -> tuple[int, dict | None]:
    """Store the answer if newer than the stored one; returns the stored sequence number and what the
    page learns back (the simulated caller's next line), both for what is now stored.

    The acknowledgement names the stored number, so it never claims more than is stored: a newer save
    stores its answer; a retry (same number, same answer) is acknowledged again; an older one is
    answered with the newer number the store holds. The same number with a different answer is
    refused 409 (``PracticalConflictError``): acknowledging it would say the sent answer is stored.
    ``checks`` (the save view's ``exam.access.attempts.SaveChecks``) reads the attempt with its
    session's access rules in the one locking read and runs the candidate loader's checks on it first."""
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq <= MAX_SEQ:
        raise PracticalError(f"保存请求格式错误：seq 应为 1 至 {MAX_SEQ} 的整数")
    tasks = PracticalTask.__table__
    with write_connection(engine) as conn:
        owner = conn.execute(state_statement(parts.get("practical"), attempt_id)).first()
        if checks is not None:
            checks.check(owner)  # void, the session's rules, paused, a stale page
        if owner is None or owner.candidate_id != candidate_id:
            raise PracticalError("找不到该实操考核记录", 404)
        if owner.status != OPEN or (owner.paused_at is None and now > owner.deadline + grace):  # paused: stopped
            raise PracticalClosedError()
        live_page.check(owner.page_token, page)  # a tab or device opened since: this page no longer saves
        task = conn.execute(select(tasks).where(tasks.c.attempt_id == attempt_id, tasks.c.position == position)).first()
        if task is None:
            raise PracticalError(f"第 {position + 1} 题不存在", 404)
        module = kind(task.kind)
        try:  # unknown top-level keys refused, then the kind's own rules; append-only (the call) on what is stored
            answer = saved_answer(task.kind, task.spec, task.answer, raw, task.seed)
        except AnswerError as exc:
            raise PracticalError(f"第 {position + 1} 题：{exc}") from None
        if hasattr(module, "merge_answer"):
            # the merge already ordered it against what is stored (under the attempt's row lock), so a
            # retried reply with an older sequence number is still recorded, never dropped
            if answer != task.answer:
                conn.execute(update(tasks).where(tasks.c.attempt_id == attempt_id, tasks.c.position == position)
                             .values(answer=answer, answer_seq=max(seq, task.answer_seq), saved_at=now))
        else:
            if seq == task.answer_seq and answer != task.answer:
                raise PracticalConflictError(position)
            conn.execute(update(tasks).where(and_(tasks.c.attempt_id == attempt_id, tasks.c.position == position,
                                                  tasks.c.answer_seq < seq))
                         .values(answer=answer, answer_seq=seq, saved_at=now))
        stored = conn.execute(select(tasks.c.answer, tasks.c.answer_seq).where(
            tasks.c.attempt_id == attempt_id, tasks.c.position == position)).first()
    return stored.answer_seq, module.after_save(task.spec, stored.answer, task.seed)


# ---------------------------------------------------------------- submit and machine checks

def submit(engine: Engine, attempt_id: int, reason: str, now: dt.datetime, phrase_lists: dict,
           actor_id: int | None = None, candidate_id: int | None = None) -> bool:
    return claims.submit(engine, PracticalAttempt.__table__, attempt_id, reason, now,
                         lambda conn, aid: _machine_check(conn, aid, reason, actor_id, phrase_lists), candidate_id)


def submit_overdue(engine: Engine, now: dt.datetime, grace: dt.timedelta, phrase_lists: dict) -> int:
    return claims.submit_overdue(engine, PracticalAttempt.__table__, now, grace,
                                 lambda conn, aid: _machine_check(conn, aid, "deadline", None, phrase_lists))


def submit_closing(conn: Connection, session_id: int, now: dt.datetime, grace: dt.timedelta,
                   phrase_lists: dict) -> list[int]:
    """The session's practical window closing, in the scheduler step's transaction (exam.claims)."""
    return claims.submit_closing(conn, PracticalAttempt.__table__, session_id, now, grace,
                                 lambda conn, aid: _machine_check(conn, aid, "deadline", None, phrase_lists))


def grade_task(task_kind: str, spec: dict, answer: dict, seed: int, points: Fraction, phrase_lists: dict):
    module = kind(task_kind)
    if hasattr(module, "grade_with"):
        return module.grade_with(spec, answer or {}, seed, points, phrase_lists)
    return module.auto_grade(spec, answer or {}, seed, points)


def check_claimed(conn: Connection, attempt_id: int, reason: str, actor_id: int | None, phrase_lists: dict) -> None:
    """Machine-check an assessment this transaction has just claimed (an examiner's forced submission,
    exam.proctoring.actions), exactly as a candidate's submission is checked."""
    _machine_check(conn, attempt_id, reason, actor_id, phrase_lists)


def _machine_check(conn: Connection, attempt_id: int, reason: str, actor_id: int | None, phrase_lists: dict) -> None:
    tasks = PracticalTask.__table__
    results = {}
    for task in conn.execute(select(tasks).where(tasks.c.attempt_id == attempt_id)).all():
        result = grade_task(task.kind, task.spec, task.answer, task.seed, Fraction(task.points), phrase_lists)
        conn.execute(update(tasks).where(tasks.c.attempt_id == attempt_id, tasks.c.position == task.position)
                     .values(auto=result.as_json(), auto_points=str(result.points)))
        results[task.position] = str(result.points)
    record(conn, "practical.machine_checked", "practical_attempt", attempt_id, actor_id=actor_id, reason=reason,
           auto_points=results)
