"""The practical score: the typing part's points plus every task's machine and examiner points, out of
100, passed at the standard's 60; and the practical's share of a session's publication (``finalise``),
which stores the final scores (the session's one publication makes them visible)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from fractions import Fraction

from sqlmodel import Session, select

from exam import parts, standard
from exam.accounts.models import User
from exam.audit.service import record
from exam.sessions.models import ExamSession
from practical.kinds import kind
from practical.marking import manual_max, needs_marking
from practical.models import OPEN, PracticalAttempt, PracticalTask
from practical.service import tasks_of
from typing_test.models import OPEN as TYPING_OPEN
from typing_test.models import REVIEW_PENDING as TYPING_REVIEW_PENDING
from typing_test.models import TypingAttempt

#: How a proctor's voiding shows on an attempt of any part (exam.proctoring): submitted for this reason.
VOID_REASON = "void"


@dataclass(frozen=True)
class TaskLine:
    position: int
    title: str
    kind_name: str
    points: Fraction  # the task's full points
    auto: Fraction | None
    manual: Fraction | None
    manual_max: Fraction
    checks: list[dict]
    waiting: bool  # the examiner's part is not marked yet

    @property
    def earned(self) -> Fraction:
        return (self.auto or 0) + (self.manual or 0)


@dataclass(frozen=True)
class Breakdown:
    attempt: PracticalAttempt
    typing: TypingAttempt | None
    typing_points: Fraction
    typing_max: int
    tasks: list[TaskLine]
    problems: list[str]  # why the total is not final yet, in Chinese

    @property
    def total(self) -> Fraction:
        return self.typing_points + sum((t.earned for t in self.tasks), Fraction(0))

    @property
    def complete(self) -> bool:
        return not self.problems

    @property
    def passed(self) -> bool | None:
        return standard.practical_passed(self.total) if self.complete else None


def breakdown(db: Session, attempt: PracticalAttempt) -> Breakdown:
    level = db.get(ExamSession, attempt.session_id).level
    typing = db.exec(select(TypingAttempt).where(TypingAttempt.session_id == attempt.session_id,
                                                 TypingAttempt.candidate_id == attempt.candidate_id)).first()
    return breakdown_of(level, attempt, typing, tasks_of(db, attempt.id))


def session_breakdowns(db: Session, session_id: int) -> dict[int, Breakdown]:
    """Every practical attempt's breakdown in a session, by candidate id, in three queries whatever the
    number of candidates (a per-attempt ``breakdown`` would cost three queries a candidate)."""
    level = db.get(ExamSession, session_id).level
    attempts = db.exec(select(PracticalAttempt).where(PracticalAttempt.session_id == session_id)).all()
    typing = {t.candidate_id: t for t in db.exec(select(TypingAttempt).where(TypingAttempt.session_id == session_id))}
    tasks: dict[int, list[PracticalTask]] = {a.id: [] for a in attempts}
    for task in db.exec(select(PracticalTask).join(PracticalAttempt, PracticalAttempt.id == PracticalTask.attempt_id)
                        .where(PracticalAttempt.session_id == session_id).order_by(PracticalTask.position)):
        tasks[task.attempt_id].append(task)
    return {a.candidate_id: breakdown_of(level, a, typing.get(a.candidate_id), tasks[a.id]) for a in attempts}


def breakdown_of(level: str, attempt: PracticalAttempt, typing: TypingAttempt | None,
                 tasks: list[PracticalTask]) -> Breakdown:
    problems = []
    if attempt.status == OPEN:
        problems.append("实操考核尚未交卷")
    if typing is not None and typing.status == TYPING_OPEN:
        problems.append("打字测试尚未提交")
    elif typing is not None and typing.review == TYPING_REVIEW_PENDING:
        problems.append("打字测试待核查，考评员确认前不计分")
    lines = []
    for task in tasks:
        waiting = needs_marking(task) and task.manual_points is None
        lines.append(TaskLine(
            position=task.position, title=task.title, kind_name=kind(task.kind).NAME, points=Fraction(task.points),
            auto=Fraction(task.auto_points) if task.auto_points is not None else None,
            manual=Fraction(task.manual_points) if task.manual_points is not None else None,
            manual_max=manual_max(task), checks=(task.auto or {}).get("checks", []), waiting=waiting))
        if waiting and attempt.status != OPEN:
            problems.append(f"第 {task.position + 1} 题（{task.title}）待考评员评分")
    typing_points = Fraction(typing.points) if typing is not None and typing.points is not None else Fraction(0)
    return Breakdown(attempt, typing, typing_points, standard.typing_rule(level).practical_points, lines, problems)


#: What the candidate's published breakdown keeps of a machine check: its name, the field or turn it
#: concerns, whether it was met and its points. The message stays with examiners (the marking page, the
#: appeal answer sheet, the trainer's 试做): it states the expected answer (``应为“陈晓燕”``, ``正确值为
#: 82.56%``, the QA reference marks, the staffing figures), and stock scenarios are reused across sessions
#: and re-sits, so a published message would be a key for the next candidate.
CANDIDATE_CHECK_KEYS = ("code", "name", "where", "passed", "points", "max_points")


def for_candidate(b: Breakdown) -> Breakdown:
    """The breakdown as the candidate may see it: every check without its message."""
    return replace(b, tasks=[replace(t, checks=[{k: c.get(k) for k in CANDIDATE_CHECK_KEYS} for c in t.checks])
                             for t in b.tasks])


@dataclass(frozen=True)
class SessionRow:
    candidate: User
    attempt: PracticalAttempt
    breakdown: Breakdown


def session_rows(db: Session, session_id: int) -> list[SessionRow]:
    rows = db.exec(select(User, PracticalAttempt).join(PracticalAttempt, PracticalAttempt.candidate_id == User.id)
                   .where(PracticalAttempt.session_id == session_id).order_by(User.username)).all()
    breakdowns = session_breakdowns(db, session_id)
    return [SessionRow(user, attempt, breakdowns[attempt.candidate_id]) for user, attempt in rows]


class PublishError(parts.Refused):
    pass


def finalise(db: Session, exam_session: ExamSession, actor_id: int | None, now: dt.datetime) -> int:
    """Store every practical attempt's final score: the practical's part of the session's one
    publication (``exam.sessions.results.publication``, through ``Part.finalise``), in its write
    transaction. Refuses, naming each ticket and why, while anything is unmarked or still open
    (before writing anything). A voided attempt needs no marking."""
    session_id = exam_session.id
    rows = [r for r in session_rows(db, session_id) if r.attempt.submit_reason != VOID_REASON]
    problems = [f"{r.attempt.ticket}：{'；'.join(r.breakdown.problems)}" for r in rows if r.breakdown.problems]
    if problems:
        raise PublishError("以下考生的成绩尚未确定，暂不能发布：" + " / ".join(problems))
    for r in rows:
        r.attempt.score, r.attempt.passed = str(r.breakdown.total), r.breakdown.passed
        db.add(r.attempt)
    db.flush()
    record(db.connection(), "practical.publish", "exam_session", session_id, actor_id=actor_id,
           scores={r.attempt.ticket: r.attempt.score for r in rows})
    return len(rows)


def task_of(db: Session, attempt_id: int, position: int) -> PracticalTask | None:
    return db.get(PracticalTask, (attempt_id, position))


def session_of(db: Session, attempt_id: int) -> int:
    attempt = db.get(PracticalAttempt, attempt_id)
    return attempt.session_id if attempt else 0
