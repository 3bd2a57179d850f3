"""Examiners marking what the machine cannot: a queue of tasks by anonymous ticket, rubric marks with
comments, optional double marking reconciled by a third marking, every mark audited.

A task's agreed examiner points (``PracticalTask.manual_points``) are: the single mark; with double
marking, the mean of two marks no further apart than ``standard.DOUBLE_MARK_TOLERANCE`` of the marked
points, else the third (reconciling) mark. Until then the task waits, and so does the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from sqlmodel import Session, select

from exam.audit.service import record
from exam.db import write_session
from exam.marking import rounds
from exam.sessions.models import ExamSession
from exam.sessions.results import visibility
from practical.kinds import manual_share
from practical.models import OPEN, SUBMITTED, PracticalAttempt, PracticalMark, PracticalTask


class MarkingError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def task_share(task: PracticalTask) -> Fraction:
    """The share of the task's points examiners mark, as frozen with the paper: the shares of the
    criteria it was drawn with (a call drawn under the first release's rules has 1/5 there, one drawn
    now 3/5), or the kind's rule for its spec when it has none (machine-only kinds, a QA task of rules
    version 1). Never the kind's current constant: a paper keeps the split its candidate was under."""
    if task.rubric:
        return sum((Fraction(str(c["points"])) for c in task.rubric), Fraction(0))
    return manual_share(task.kind, task.spec)


def manual_max(task: PracticalTask) -> Fraction:
    return Fraction(task.points) * task_share(task)


def criterion_max(task: PracticalTask, criterion: dict) -> Fraction:
    return Fraction(task.points) * Fraction(str(criterion["points"]))


def needs_marking(task: PracticalTask) -> bool:
    return task_share(task) > 0


@dataclass(frozen=True)
class QueueEntry:
    ticket: str
    attempt_id: int
    task: PracticalTask
    marks: list[PracticalMark]
    state: str  # 待评分 / 待二评 / 待仲裁 / 已评定


def state_of(task: PracticalTask, marks: list[PracticalMark], double: bool) -> str:
    if task.manual_points is not None:
        return rounds.AGREED
    return rounds.state(_by_round(marks), double, manual_max(task))


def _by_round(marks: list[PracticalMark]) -> dict[int, Fraction]:
    return {m.round: Fraction(m.points) for m in marks}


def under_way(db: Session, session_id: int) -> bool:
    """Whether the session's practical marking is still under way: a task waits for a marker, or a
    candidate is still answering. While it is, no page open to markers may say whose 凭证号 is whose
    (issue 17.8): the session's practical page and the appeal answer sheet both ask here."""
    if db.exec(select(PracticalAttempt.id).where(PracticalAttempt.session_id == session_id,
                                                 PracticalAttempt.status == OPEN)).first() is not None:
        return True
    return any(e.state != "已评定" for e in queue(db, session_id))


def queue(db: Session, session_id: int) -> list[QueueEntry]:
    exam_session = db.get(ExamSession, session_id)
    rows = db.exec(select(PracticalAttempt, PracticalTask)
                   .join(PracticalTask, PracticalTask.attempt_id == PracticalAttempt.id)
                   .where(PracticalAttempt.session_id == session_id, PracticalAttempt.status == SUBMITTED)
                   .order_by(PracticalAttempt.ticket, PracticalTask.position)).all()
    marks: dict[tuple[int, int], list[PracticalMark]] = {}
    attempt_ids = [a.id for a, _ in rows]
    if attempt_ids:
        for m in db.exec(select(PracticalMark).where(PracticalMark.attempt_id.in_(attempt_ids))
                         .order_by(PracticalMark.round)):
            marks.setdefault((m.attempt_id, m.position), []).append(m)
    return [QueueEntry(a.ticket, a.id, t, marks.get((a.id, t.position), []),
                       state_of(t, marks.get((a.id, t.position), []), exam_session.double_marking))
            for a, t in rows if needs_marking(t)]


def suggestions(task: PracticalTask) -> dict[str, dict]:
    """The machine's suggestion for each examiner criterion of the task (call and complaint), by key."""
    return {item["code"]: item for item in (task.auto or {}).get("suggestions", [])}


MAX_REASON_CHARS = 500
SHOWN_PRECISION = Fraction(1, 200)  # points are shown rounded to two decimals


def parse_criteria(task: PracticalTask, raw: dict[str, str],
                   reasons: dict[str, str] | None = None) -> tuple[dict[str, Fraction], dict[str, dict] | None]:
    """Each criterion's points from the form, and for a criterion the machine suggested, the examiner's
    decision on it.

    Points run from 0 to the criterion's maximum in halves; the maximum itself and the machine's
    suggested points are always allowed (a derived criterion's share is rarely a multiple of 0.5).
    Giving other points than suggested is an override, and an override needs a reason (audited)."""
    suggested = suggestions(task)
    reasons = reasons if reasons is not None else {}
    out, decisions, problems = {}, {}, []
    for criterion in task.rubric:
        key = criterion["key"]
        text = (raw.get(key) or "").strip()
        top = criterion_max(task, criterion)
        hint = suggested.get(key)
        proposal = Fraction(hint["points"]) if hint else None
        try:
            value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            problems.append(f"{criterion['name']}：请填写 0 至 {float(top):g} 之间的分数")
            continue
        for exact in (proposal, top):  # the page shows both rounded to two decimals
            if exact is not None and abs(value - exact) <= SHOWN_PRECISION:
                value = exact
                break
        if not 0 <= value <= top or ((value * 2).denominator != 1 and value not in (top, proposal)):
            problems.append(f"{criterion['name']}：应在 0 至 {float(top):g} 之间（可用 0.5 分）")
            continue
        out[key] = value
        if hint is None:
            continue
        reason = (reasons.get(key) or "").strip()
        if value == proposal:
            decisions[key] = {"suggested": str(proposal), "points": str(value), "decision": "accept", "reason": reason}
        elif not reason:
            problems.append(f"{criterion['name']}：改判机器建议（{float(proposal):g} 分 → {float(value):g} 分）须填写理由")
        elif len(reason) > MAX_REASON_CHARS:
            problems.append(f"{criterion['name']}：理由不超过 {MAX_REASON_CHARS} 字")
        else:
            decisions[key] = {"suggested": str(proposal), "points": str(value), "decision": "override", "reason": reason}
    if problems:
        raise MarkingError("；".join(problems))
    return out, (decisions or None)


def save_mark(engine, attempt_id: int, position: int, marker_id: int, raw_criteria: dict[str, str],
              comment: str, now: dt.datetime, reasons: dict[str, str] | None = None,
              confirmed: bool = False, change_reason: str = "") -> PracticalMark:
    """Records this examiner's marking in the round that is theirs, and the task's agreed points when
    the marking is complete. Changing one's saved marking needs ``confirmed`` and a ``change_reason``
    (``exam.marking.rounds``). Results published are final."""
    with write_session(engine) as db:
        attempt = db.get(PracticalAttempt, attempt_id)
        task = db.get(PracticalTask, (attempt_id, position))
        if attempt is None or task is None or attempt.status != SUBMITTED or not needs_marking(task):
            raise MarkingError("找不到待评分的实操任务", 404)
        exam_session = db.get(ExamSession, attempt.session_id)
        if visibility.of(exam_session).published:
            raise MarkingError("本场成绩已发布，评分不能再修改（如需更正，请先在场次成绩页撤回发布）", 409)
        criteria, decisions = parse_criteria(task, raw_criteria, reasons)
        marks = list(db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id,
                                                        PracticalMark.position == position)))
        double, top = exam_session.double_marking, manual_max(task)
        try:
            number = rounds.round_for({m.round: m.marker_id for m in marks}, marker_id, double,
                                      _by_round(marks), top)
        except rounds.RoundError as exc:
            raise MarkingError(str(exc), exc.status) from None
        mark = next((m for m in marks if m.round == number), None)
        total = sum(criteria.values(), Fraction(0))
        try:
            reason = rounds.change_reason(Fraction(mark.points) if mark else None, total,
                                          mark.criteria if mark else None, criteria, confirmed, change_reason)
        except rounds.RoundError as exc:
            raise MarkingError(str(exc), exc.status) from None
        before = (mark.points, dict(mark.criteria)) if mark else (None, None)
        if mark is None:
            mark = PracticalMark(attempt_id=attempt_id, position=position, round=number, marker_id=marker_id,
                                 points="0")
        mark.criteria = {k: str(v) for k, v in criteria.items()}
        mark.decisions = decisions
        mark.points, mark.comment, mark.marked_at = str(total), comment[:2000], now
        db.add(mark)
        db.flush()
        others = [m for m in marks if m.round != mark.round] + [mark]
        agreed = rounds.agreed(_by_round(others), double, top)
        task.manual_points = None if agreed is None else str(agreed)
        db.add(task)
        record(db.connection(), "practical.mark", "practical_attempt", attempt_id, actor_id=marker_id,
               position=position, round=mark.round, points=mark.points, criteria=mark.criteria,
               decisions=decisions, agreed=task.manual_points, before=before[0], criteria_before=before[1],
               change_reason=reason)
        return mark


def entry_by_ticket(db: Session, session_id: int, ticket: str, position: int) -> QueueEntry:
    """The task a marker opens from the queue, named by the attempt's anonymous 凭证号 within one
    session: marking URLs carry no attempt id, which other pages (the proctoring board) show beside
    names."""
    attempt_id = db.exec(select(PracticalAttempt.id).where(PracticalAttempt.session_id == session_id,
                                                           PracticalAttempt.ticket == ticket)).first()
    if attempt_id is None:
        raise MarkingError("找不到待评分的实操任务", 404)
    return entry(db, attempt_id, position)


def entry(db: Session, attempt_id: int, position: int) -> QueueEntry:
    attempt = db.get(PracticalAttempt, attempt_id)
    task = db.get(PracticalTask, (attempt_id, position))
    if attempt is None or task is None or attempt.status != SUBMITTED or not needs_marking(task):
        raise MarkingError("找不到待评分的实操任务", 404)
    marks = list(db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id,
                                                    PracticalMark.position == position).order_by(PracticalMark.round)))
    double = db.get(ExamSession, attempt.session_id).double_marking
    return QueueEntry(attempt.ticket, attempt_id, task, marks, state_of(task, marks, double))
