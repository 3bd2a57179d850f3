"""What an examiner does to a running attempt: extra time, pause and resume (one candidate or the whole
session), forced submission, voiding, and writing an incident down; and, for a candidate who cannot
sign in because someone guessed at their ticket, lifting the sign-in wait.

Every action needs a reason and is audited (``exam.audit.service.record``) in the transaction that
makes the change, so the trail never shows an action that did not happen or misses one that did. Each
works on any part (theory, typing, practical: ``parts``), as a conditional UPDATE of the attempt row
read under lock, so two examiners clicking at once cannot, say, resume twice.

Pausing stops the clock: ``paused_at`` is set; the deadline sweep (``exam.claims``,
``exam.delivery.service``), the candidate pages' overdue checks and the candidate's own submission
pass a paused attempt by, while its saves are still taken. Resuming moves the deadline on by the
length of the pause. A typing test's start moves on with it: its speed is characters over the time
the candidate had (``typing_test.service.typing_seconds``), and a pause is not such time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.engine import Connection, Engine

from exam import throttle
from exam.accounts.models import User
from exam.audit.service import event, record, record_many
from exam.claims import claim
from exam.db import write_connection
from exam.proctoring.models import Incident
from exam.proctoring.parts import FORCE_REASON, OPEN, VOID, VOID_REASON, Part, ProctorError, all_parts, part, status_label
from exam.sessions.models import Enrollment, ExamSession

REASON_MAX_CHARS = 500
MAX_EXTRA_MINUTES = 120
INCIDENT_KINDS = ("设备故障", "断电断网", "身体不适", "违纪", "其他")
DESCRIPTION_MAX_CHARS = 2000


@dataclass(frozen=True)
class Done:
    """What the action did, in a sentence for the examiner, and how many attempts it changed."""

    message: str
    count: int = 1


# ---------------------------------------------------------------- checks

def checked_reason(raw: object, action: str) -> str:
    reason = raw.strip() if isinstance(raw, str) else ""
    if not reason:
        raise ProctorError(f"{action}：请填写原因（原因将记入审计日志）")
    if len(reason) > REASON_MAX_CHARS:
        raise ProctorError(f"{action}：原因不能超过 {REASON_MAX_CHARS} 字（现有 {len(reason)} 字）")
    return reason


def checked_minutes(raw: object) -> int:
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= MAX_EXTRA_MINUTES:
        raise ProctorError(f"延长时间：分钟数应为 1 至 {MAX_EXTRA_MINUTES} 的整数")
    return raw


def _locked(conn: Connection, p: Part, attempt_id: int, session_id: int | None = None):
    """The attempt row under lock; with ``session_id``, only an attempt of that session (the board's
    URLs name the session, and an examiner acting on one room must not reach another's attempt)."""
    t = p.table
    row = conn.execute(select(t.c.id, t.c.session_id, t.c.candidate_id, t.c.status, t.c.deadline, t.c.paused_at,
                              t.c.started_at, t.c.submitted_at)
                       .where(t.c.id == attempt_id).with_for_update()).first()
    if row is None or (session_id is not None and row.session_id != session_id):
        raise ProctorError(f"找不到本场的该{p.short}作答记录（编号 {attempt_id}）", 404)
    return row


def _require_open(row, p: Part, verb: str) -> None:
    if row.status != OPEN:
        raise ProctorError(f"该{p.short}作答{status_label(row.status, False)}，不能{verb}", 409)


def _audit(conn: Connection, action: str, p: Part, row, actor_id: int | None, **detail) -> None:
    record(conn, action, p.subject_type, row.id, actor_id=actor_id, part=p.code, session_id=row.session_id,
           candidate_id=row.candidate_id, **detail)


def _resumed(p: Part, row, now: dt.datetime) -> dict:
    """The values that end a pause: the deadline (and a typing test's start) moved on by its length."""
    paused_for = max(now - row.paused_at, dt.timedelta(0))
    values = {"deadline": row.deadline + paused_for, "paused_at": None}
    if p.code == "typing":
        values["started_at"] = row.started_at + paused_for
    return values


# ---------------------------------------------------------------- one attempt

def extra_time(engine: Engine, part_code: str, attempt_id: int, minutes: object, reason: object,
               actor_id: int, now: dt.datetime, session_id: int | None = None) -> Done:
    p, reason, minutes = part(part_code), checked_reason(reason, "延长时间"), checked_minutes(minutes)
    t = p.table
    with write_connection(engine) as conn:
        row = _locked(conn, p, attempt_id, session_id)
        _require_open(row, p, "延长时间")
        deadline = row.deadline + dt.timedelta(minutes=minutes)
        conn.execute(update(t).where(t.c.id == attempt_id, t.c.status == OPEN)
                     .values(deadline=deadline, extra_seconds=t.c.extra_seconds + minutes * 60))
        _audit(conn, "proctor.extra_time", p, row, actor_id, reason=reason, minutes=minutes,
               deadline=deadline.isoformat())
    return Done(f"已为该考生的{p.short}作答延长 {minutes} 分钟")


def pause(engine: Engine, part_code: str, attempt_id: int, reason: object, actor_id: int,
          now: dt.datetime, session_id: int | None = None) -> Done:
    p, reason = part(part_code), checked_reason(reason, "暂停")
    t = p.table
    with write_connection(engine) as conn:
        row = _locked(conn, p, attempt_id, session_id)
        _require_open(row, p, "暂停")
        if row.paused_at is not None:
            raise ProctorError(f"该{p.short}作答已处于暂停状态", 409)
        conn.execute(update(t).where(t.c.id == attempt_id, t.c.status == OPEN, t.c.paused_at.is_(None))
                     .values(paused_at=now))
        _audit(conn, "proctor.pause", p, row, actor_id, reason=reason)
    return Done(f"已暂停该考生的{p.short}作答，计时已停止")


def resume(engine: Engine, part_code: str, attempt_id: int, reason: object, actor_id: int,
           now: dt.datetime, session_id: int | None = None) -> Done:
    p, reason = part(part_code), checked_reason(reason, "恢复")
    t = p.table
    with write_connection(engine) as conn:
        row = _locked(conn, p, attempt_id, session_id)
        _require_open(row, p, "恢复")
        if row.paused_at is None:
            raise ProctorError(f"该{p.short}作答没有暂停，无需恢复", 409)
        values = _resumed(p, row, now)
        conn.execute(update(t).where(t.c.id == attempt_id, t.c.status == OPEN).values(**values))
        _audit(conn, "proctor.resume", p, row, actor_id, reason=reason,
               paused_seconds=round((values["deadline"] - row.deadline).total_seconds(), 3),
               deadline=values["deadline"].isoformat())
    return Done(f"已恢复该考生的{p.short}作答，截止时间顺延 {_minutes_text(values['deadline'] - row.deadline)}")


def force_submit(engine: Engine, part_code: str, attempt_id: int, reason: object, actor_id: int,
                 now: dt.datetime, typing_min_accuracy: float, session_id: int | None = None) -> Done:
    """Submit and grade in one transaction with the audit entry, through the part's own grading, so
    the result is exactly a candidate's submission's (``attempt.graded``/``typing.graded``/
    ``practical.machine_checked`` follow in the trail, with the examiner as actor)."""
    p, reason = part(part_code), checked_reason(reason, "强制交卷")
    t = p.table
    prepared = p.prepare_closing(engine) if p.prepare_closing else None
    with write_connection(engine) as conn:
        row = _locked(conn, p, attempt_id, session_id)
        _require_open(row, p, "强制交卷")
        if row.paused_at is not None:  # the clock runs again up to this moment, then stops for good
            values = _resumed(p, row, now)
            conn.execute(update(t).where(t.c.id == attempt_id, t.c.status == OPEN).values(**values))
            _audit(conn, "proctor.resume", p, row, actor_id, reason=reason, before="force_submit",
                   paused_seconds=round((values["deadline"] - row.deadline).total_seconds(), 3))
        if not claim(conn, t, attempt_id, FORCE_REASON, now):
            raise ProctorError(f"该{p.short}作答刚刚已被交卷或作废", 409)
        _audit(conn, "proctor.force_submit", p, row, actor_id, reason=reason)
        p.grade_claimed(conn, attempt_id, FORCE_REASON, actor_id, {"TYPING_MIN_ACCURACY": typing_min_accuracy},
                        prepared)
    return Done(f"已强制交卷该考生的{p.short}作答，并已按正常交卷评分")


def void(engine: Engine, part_code: str, attempt_id: int, reason: object, actor_id: int,
         now: dt.datetime, session_id: int | None = None) -> Done:
    """Annul an attempt, open or already submitted: status ``void``, no score. The candidate is told
    why (``status.void_reason`` reads the reason back from this audit entry)."""
    p, reason = part(part_code), checked_reason(reason, "作废")
    t = p.table
    with write_connection(engine) as conn:
        row = _locked(conn, p, attempt_id, session_id)
        if row.status == VOID:
            raise ProctorError(f"该{p.short}作答已作废", 409)
        conn.execute(update(t).where(t.c.id == attempt_id, t.c.status == row.status).values(
            status=VOID, submit_reason=VOID_REASON, submitted_at=row.submitted_at or now, paused_at=None,
            **{column: None for column in p.score_columns}))
        _audit(conn, "proctor.void", p, row, actor_id, reason=reason, previous_status=row.status)
    return Done(f"已作废该考生的{p.short}作答")


# ---------------------------------------------------------------- the whole session (a fire alarm)

def pause_all(engine: Engine, session_id: int, reason: object, actor_id: int, now: dt.datetime) -> Done:
    reason = checked_reason(reason, "全部暂停")
    with write_connection(engine) as conn:
        _session_exists(conn, session_id)
        events = []
        for p in all_parts():
            t = p.table
            for aid, candidate_id in conn.execute(
                    update(t).where(t.c.session_id == session_id, t.c.status == OPEN, t.c.paused_at.is_(None))
                    .values(paused_at=now).returning(t.c.id, t.c.candidate_id)):
                events.append(event("proctor.pause", p.subject_type, aid, actor_id=actor_id, part=p.code,
                                    session_id=session_id, candidate_id=candidate_id, reason=reason, scope="session"))
        if events:
            record_many(conn, events + [event("proctor.pause_all", "exam_session", session_id, actor_id=actor_id,
                                              reason=reason, attempts=len(events))])
    if not events:
        return Done("本场没有正在作答（未暂停）的考生，未作任何更改", 0)
    return Done(f"已暂停本场 {len(events)} 份正在进行的作答，计时已停止", len(events))


def resume_all(engine: Engine, session_id: int, reason: object, actor_id: int, now: dt.datetime) -> Done:
    reason = checked_reason(reason, "全部恢复")
    events = []
    with write_connection(engine) as conn:
        _session_exists(conn, session_id)
        for p in all_parts():
            t = p.table
            rows = conn.execute(select(t.c.id, t.c.session_id, t.c.candidate_id, t.c.deadline, t.c.paused_at,
                                       t.c.started_at)
                                .where(t.c.session_id == session_id, t.c.status == OPEN, t.c.paused_at.is_not(None))
                                .with_for_update()).all()
            if not rows:
                continue
            params = []
            for row in rows:
                values = _resumed(p, row, now)
                params.append({"aid": row.id, "new_deadline": values["deadline"],
                               "new_start": values.get("started_at", row.started_at)})
                events.append(event("proctor.resume", p.subject_type, row.id, actor_id=actor_id, part=p.code,
                                    session_id=session_id, candidate_id=row.candidate_id, reason=reason,
                                    scope="session", deadline=values["deadline"].isoformat(),
                                    paused_seconds=round((values["deadline"] - row.deadline).total_seconds(), 3)))
            conn.execute(update(t).where(t.c.id == bindparam("aid"), t.c.status == OPEN)
                         .values(deadline=bindparam("new_deadline"), started_at=bindparam("new_start"), paused_at=None),
                         params)
        if events:
            record_many(conn, events + [event("proctor.resume_all", "exam_session", session_id, actor_id=actor_id,
                                              reason=reason, attempts=len(events))])
    if not events:
        return Done("本场没有已暂停的作答，未作任何更改", 0)
    return Done(f"已恢复本场 {len(events)} 份暂停的作答，截止时间各自顺延暂停的时长", len(events))


def _session_exists(conn: Connection, session_id: int) -> None:
    if conn.execute(select(ExamSession.__table__.c.id).where(ExamSession.__table__.c.id == session_id)).first() is None:
        raise ProctorError("找不到该考试场次", 404)


def _minutes_text(delta: dt.timedelta) -> str:
    minutes, seconds = divmod(int(delta.total_seconds()), 60)
    return f"{minutes} 分 {seconds} 秒" if minutes else f"{seconds} 秒"


# ---------------------------------------------------------------- incidents

def record_incident(engine: Engine, session_id: int, kind: object, description: object, candidate_id: object,
                    actor_id: int, now: dt.datetime) -> Done:
    """Write down what happened in the room, for one candidate (``candidate_id``) or the whole session."""
    if kind not in INCIDENT_KINDS:
        raise ProctorError("记录情况：请选择类别（" + "、".join(INCIDENT_KINDS) + "）")
    description = description.strip() if isinstance(description, str) else ""
    if not description:
        raise ProctorError("记录情况：请填写情况说明（将记入审计日志）")
    if len(description) > DESCRIPTION_MAX_CHARS:
        raise ProctorError(f"记录情况：情况说明不能超过 {DESCRIPTION_MAX_CHARS} 字（现有 {len(description)} 字）")
    if candidate_id in (None, "", 0):
        candidate_id = None
    elif not isinstance(candidate_id, int) or isinstance(candidate_id, bool):
        raise ProctorError("记录情况：考生编号应为整数，或留空表示全场")
    enrolments = Enrollment.__table__
    with write_connection(engine) as conn:
        _session_exists(conn, session_id)
        if candidate_id is not None and conn.execute(select(enrolments.c.id).where(
                enrolments.c.session_id == session_id, enrolments.c.candidate_id == candidate_id)).first() is None:
            raise ProctorError("记录情况：该考生未报名本场考试")
        table = Incident.__table__
        incident_id = conn.execute(insert(table).values(
            session_id=session_id, candidate_id=candidate_id, kind=kind, description=description,
            reported_by=actor_id, at=now).returning(table.c.id)).scalar_one()
        record(conn, "proctor.incident", "incident", incident_id, actor_id=actor_id, session_id=session_id,
               candidate_id=candidate_id, kind=kind, description=description)
    return Done(f"已记录情况：{kind}")


# ---------------------------------------------------------------- sign-in waits

def lift_signin_wait(engine: Engine, session_id: int, candidate_id: object, reason: object, actor_id: int,
                     now: dt.datetime, policy: throttle.Policy) -> Done:
    """Forget the failed sign-ins on an enrolled candidate's account, from every source.

    Why an examiner may: tickets are printed and sequential, and an exam room shares one address, so a
    neighbour guessing at a ticket makes the (account, room address) pair wait — and so does the real
    candidate at a fresh exam PC (``exam.throttle``, ``accounts.devices``). The examiner in the room
    checks the candidate's identity document, lifts the wait with a reason, and the audit trail keeps
    who did it and how many failures were forgotten. The guesser gains at most the free tries again."""
    reason = checked_reason(reason, "解除登录限制")
    if not isinstance(candidate_id, int) or isinstance(candidate_id, bool):
        raise ProctorError("解除登录限制：考生编号应为整数")
    enrolments, users = Enrollment.__table__, User.__table__
    with write_connection(engine) as conn:
        _session_exists(conn, session_id)
        username = conn.execute(select(users.c.username).select_from(
            enrolments.join(users, users.c.id == enrolments.c.candidate_id)).where(
            enrolments.c.session_id == session_id, enrolments.c.candidate_id == candidate_id)).scalar()
        if username is None:
            raise ProctorError("解除登录限制：该考生未报名本场考试", 404)
        forgotten = throttle.forget(conn, policy, username)
        if not forgotten:
            return Done("该考生的登录没有受限，未作任何更改", 0)
        record(conn, "signin.wait_lifted", "user", candidate_id, actor_id=actor_id, session_id=session_id,
               reason=reason, failures=forgotten)
    return Done(f"已解除该考生的登录限制（清除 {forgotten} 次失败记录），请核验身份后让其登录", forgotten)
