"""Doing one step of a session's timeline (``exam.sessions.timeline.plan``): open or close a window, remind
the candidates, publish the results.

Each step is idempotent through ``SessionEvent``'s unique (session_id, code): one write transaction
inserts the marker (``ON CONFLICT DO NOTHING``) and does the work, so of two runs — a retried job,
two scheduler processes by mistake — only the one whose insert went in does anything; the other
finds the step done. A marker is for the due time it was done for (``detail["due"]``): when an
examiner moves the session afterwards (postpones it after the day-before reminder went out,
extends a closed window), the step is due again at its new time, and the run that takes the marker
over under its row lock does it. Notifications are keyed per session, step, due time and user. A step runs however
late it is first seen (the scheduler was down), except where running late would mislead: a reminder
after the session started, or "请进入考试" after the window closed, is recorded as skipped instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from exam import parts
from exam.accounts.models import User
from exam.audit.service import record
from exam.db import write_session
from exam.notifications.service import Message, send
from exam.sessions.results import publication
from exam.sessions.timeline import plan as tl
from exam.delivery.models import Answer, Attempt, ManualMark, PaperSlot
from exam.sessions.models import Enrollment, ExamSession, SessionEvent, SessionExaminer
from exam.timeutil import as_utc, to_local

CANDIDATE_HOME = "/candidate"
EXAMINER_SESSION = "/examiner/sessions/{id}"
EXAMINER_PAPERS = "/examiner/sessions/{id}/papers"

#: What a run did: DONE (this run did the step), SKIPPED (recorded as done without effect: too late),
#: ALREADY (an earlier or concurrent run did it), REFUSED (publication refused; retried later),
#: NOT_DUE (the session's times moved later), GONE (the session or this step no longer exists).
DONE, SKIPPED, ALREADY, REFUSED, NOT_DUE, GONE = "done", "skipped", "already", "refused", "not_due", "gone"

@dataclass(frozen=True)
class Settings:
    """What the steps need from the configuration (the scheduler passes it to every job)."""

    grace: dt.timedelta = dt.timedelta(seconds=15)
    typing_min_accuracy: float = 0.9
    timezone: str = "Asia/Shanghai"

    def config(self) -> dict:
        """The configuration keys the parts' submit hooks read (``exam.parts``)."""
        return {"GRACE_SECONDS": self.grace.total_seconds(), "TYPING_MIN_ACCURACY": self.typing_min_accuracy}


@dataclass(frozen=True)
class Result:
    outcome: str
    detail: dict = field(default_factory=dict)


def run(engine: Engine, session_id: int, code: str, now: dt.datetime, settings: Settings) -> Result:
    """Do the session's step ``code`` if it is due and not done yet; safe to call any number of times."""
    if code == tl.PUBLISH:
        return _publish(engine, session_id, now)
    closing = _closing_parts(code)
    prepared = {p.code: p.prepare_closing(engine) for p in closing if p.prepare_closing}
    with write_session(engine) as db:
        exam_session = db.get(ExamSession, session_id)
        step = tl.step(exam_session, code) if exam_session is not None else None
        if step is None:
            return Result(GONE)
        if step.at > now:
            return Result(NOT_DUE)
        conn = db.connection()
        marker = claim(conn, session_id, code, due_key(step), now)
        if marker is None:
            return Result(ALREADY)
        if step.action == tl.OPEN:
            result = _open(conn, exam_session, step, now)
        elif step.action == tl.CLOSE:
            result = _close(conn, exam_session, step, now, settings, prepared)
        else:
            result = _remind(conn, exam_session, step, now, settings)
        _finish(conn, marker, session_id, code, step, result)
        return result


def due_key(step: tl.Step) -> str:
    """The due time a marker is for, as stored in its detail (ISO 8601, UTC)."""
    return step.at.isoformat()


def _mark(conn: Connection, session_id: int, code: str, now: dt.datetime, detail: dict | None = None) -> int | None:
    """Insert the step's marker; its id, or None when the step was already done. On PostgreSQL a
    concurrent insert of the same key waits for the other transaction and then finds the conflict."""
    table = SessionEvent.__table__
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    return conn.execute(insert(table).values(session_id=session_id, code=code, done_at=now, detail=detail or {})
                        .on_conflict_do_nothing(index_elements=["session_id", "code"])
                        .returning(table.c.id)).scalar()


def claim(conn: Connection, session_id: int, code: str, due: str, now: dt.datetime,
          whatever_due: bool = False) -> int | None:
    """The step's marker for this run: inserted, or taken over when it was done for another due time
    (``whatever_due``: in any case). None: the step is done for this due time. The row lock (SQLite:
    the one writer) makes one of two concurrent runs the taker; the other then reads the new due."""
    marker = _mark(conn, session_id, code, now, {"due": due})
    if marker is not None:
        return marker
    table = SessionEvent.__table__
    query = select(table.c.id, table.c.detail).where(table.c.session_id == session_id, table.c.code == code)
    row = conn.execute(query.with_for_update() if conn.dialect.name == "postgresql" else query).first()
    if row is None or (not whatever_due and done_for(row.detail, due)):
        return None
    conn.execute(update(table).where(table.c.id == row.id).values(done_at=now, detail={"due": due}))
    return row.id


def done_for(detail: dict | None, due: str) -> bool:
    """A marker counts for the due time it records; one that records none counts for any."""
    return (detail or {}).get("due", due) == due


def _finish(conn: Connection, marker: int, session_id: int, code: str, step: tl.Step, result: Result) -> None:
    detail = {"outcome": result.outcome, "due": due_key(step), **result.detail}
    table = SessionEvent.__table__
    conn.execute(update(table).where(table.c.id == marker).values(detail=detail))
    record(conn, "session.step", "exam_session", session_id, actor_id=None, code=code, **detail)


def _key(exam_session: ExamSession, step: tl.Step, uid: int) -> str:
    return f"s{exam_session.id}:{step.code}:{step.at:%Y%m%d%H%M%S}:u{uid}"


def _enrolled(conn: Connection, session_id: int) -> list[int]:
    return list(conn.execute(select(Enrollment.candidate_id).where(Enrollment.session_id == session_id)
                             .order_by(Enrollment.candidate_id)).scalars())


def _window_closes(exam_session: ExamSession, step: tl.Step) -> dt.datetime:
    closing = tl.THEORY_CLOSE if step.code == tl.THEORY_OPEN else tl.PRACTICAL_CLOSE
    return tl.step(exam_session, closing).at


def _open(conn: Connection, exam_session: ExamSession, step: tl.Step, now: dt.datetime) -> Result:
    if now >= _window_closes(exam_session, step):
        return Result(SKIPPED, {"reason": "考试时段已结束，不再通知开考"})
    names = "、".join(parts.get(code).name for code in step.parts)
    title = (f"《{exam_session.name}》理论考试已开考，请进入考试" if step.parts == ("theory",)
             else f"《{exam_session.name}》实操考试已开考，请进入考试" if "theory" not in step.parts
             else f"《{exam_session.name}》已开考，请进入考试")
    messages = [Message(user_id=uid, key=_key(exam_session, step, uid), kind="session", title=title,
                        body=f"本时段包括：{names}。请在考场机位登录后从“我的考试”进入。", link=CANDIDATE_HOME)
                for uid in _enrolled(conn, exam_session.id)]
    return Result(DONE, {"notified": send(conn, messages)})


def _closing_parts(code: str) -> list:
    """The parts a closing step may submit (which of them it does is ``step.parts``); none for other steps."""
    return parts.all_parts() if code in (tl.THEORY_CLOSE, tl.PRACTICAL_CLOSE) else []


def _close(conn: Connection, exam_session: ExamSession, step: tl.Step, now: dt.datetime, settings: Settings,
           prepared: dict) -> Result:
    """Submit the parts' overdue attempts now, not at the next sweep; paused ones, and ones given
    extra time beyond the close, stay open for the sweep (``exam.claims.claim_closing``). What a part
    reads before the write transaction (``Part.prepare_closing``) arrives in ``prepared``."""
    config = settings.config()
    submitted = {p.code: p.submit_closing(conn, exam_session.id, now, config, prepared.get(p.code))
                 for p in parts.all_parts() if p.code in step.parts}
    detail = {"submitted": submitted}
    if step.at >= as_utc(exam_session.ends_at):      # the last window closed: the examiners' work begins
        detail["examiners_notified"] = _after_exam(conn, exam_session, step)
    return Result(DONE, detail)


def _after_exam(conn: Connection, exam_session: ExamSession, step: tl.Step) -> int:
    """The examiners' reminder once the exam is over: how many short answers wait for marking, and
    that the practical marking, the room reports and the publication are theirs to do."""
    slot, answer, mark = PaperSlot.__table__, Answer.__table__, ManualMark.__table__
    attempt = Attempt.__table__
    waiting = conn.execute(
        select(func.count()).select_from(slot)
        .join(attempt, attempt.c.id == slot.c.attempt_id)
        .join(answer, (answer.c.attempt_id == slot.c.attempt_id) & (answer.c.position == slot.c.position))
        .outerjoin(mark, (mark.c.attempt_id == slot.c.attempt_id) & (mark.c.position == slot.c.position))
        .where(attempt.c.session_id == exam_session.id, slot.c.kind == "short", answer.c.value != "",
               mark.c.attempt_id.is_(None))).scalar()
    title = f"《{exam_session.name}》考试已结束，请完成评分"
    body = (f"简答题待评分 {waiting} 份；请同时完成实操考核评分、打印考场记录，核对后发布成绩。"
            if waiting else "请完成实操考核评分、打印考场记录，核对后发布成绩。")
    return send(conn, [Message(user_id=uid, key=_key(exam_session, step, uid) + ":examiner", kind="reminder",
                               title=title, body=body, link=EXAMINER_SESSION.format(id=exam_session.id))
                       for uid in _examiners(conn, exam_session.id)])


def _remind(conn: Connection, exam_session: ExamSession, step: tl.Step, now: dt.datetime,
            settings: Settings) -> Result:
    if tl.reminder_moot(exam_session, step.code, now):
        return Result(SKIPPED, {"reason": "提醒时间已过（考试已开始或已发出更近的提醒）"})
    starts = to_local(exam_session.starts_at, settings.timezone)
    title = f"《{exam_session.name}》将于 {starts:%m月%d日 %H:%M} 开考"
    messages = [Message(user_id=uid, key=_key(exam_session, step, uid), kind="reminder", title=title,
                        body="请提前到达考场，带好身份证和准考证。", link=CANDIDATE_HOME)
                for uid in _enrolled(conn, exam_session.id)]
    # the examiners too: the papers to print and the room to open before the candidates arrive
    staff = [Message(user_id=uid, key=_key(exam_session, step, uid) + ":examiner", kind="reminder",
                     title=f"您负责的{title}",
                     body="请提前打印签到表、座位表，核对考场、考生名单和准入规则。",
                     link=EXAMINER_PAPERS.format(id=exam_session.id))
             for uid in _examiners(conn, exam_session.id)]
    return Result(DONE, {"notified": send(conn, messages), "examiners_notified": send(conn, staff)})


# ---------------------------------------------------------------- timed publication

def _publish(engine: Engine, session_id: int, now: dt.datetime) -> Result:
    """``publication.publish`` locks the session and does nothing when the results are already out,
    so it is safe to call again; its own transaction publishes, the marker follows (a record of the
    run, not the guard: the session's ``results_published_at`` is, and the timeline has no publication
    step once it is set). A refusal leaves no marker (the scheduler's sync retries) and tells the
    examiners each new reason once."""
    with Session(engine) as db:
        exam_session = db.get(ExamSession, session_id)
        step = tl.step(exam_session, tl.PUBLISH) if exam_session is not None else None
        if step is None:
            return Result(GONE)
        if step.at > now:
            return Result(NOT_DUE)
    outcome = publication.publish(engine, session_id, now, actor_id=None)
    if outcome.published and outcome.already:
        return Result(ALREADY)  # another run, or the examiner's button, published first
    with write_session(engine) as db:
        conn = db.connection()
        if not outcome.published:
            return _refused(conn, db.get(ExamSession, session_id), step, outcome.reasons, now)
        # A marker left by an earlier publication (since withdrawn) is this one's now.
        marker = claim(conn, session_id, tl.PUBLISH, due_key(step), now, whatever_due=True)
        result = Result(DONE)
        _finish(conn, marker, session_id, tl.PUBLISH, step, result)
        return result


def refusal_code(reason: str) -> str:
    """The marker of one refusal reason having been told to the examiners (fits SessionEvent.code)."""
    return "publish_refused:" + hashlib.sha256(reason.encode("utf-8")).hexdigest()[:12]


def _refused(conn: Connection, exam_session: ExamSession, step: tl.Step, reasons: list[str],
             now: dt.datetime) -> Result:
    """Each reason is told once: its own marker row decides (the same insert-if-absent as a step's),
    and the reasons new in this run go to each examiner in one notification."""
    new = [r for r in dict.fromkeys(reasons) if _mark(conn, exam_session.id, refusal_code(r), now) is not None]
    if not new:
        return Result(REFUSED, {"reasons": reasons})
    table = SessionEvent.__table__
    for reason in new:
        conn.execute(update(table).where(table.c.session_id == exam_session.id,
                                         table.c.code == refusal_code(reason)).values(detail={"reason": reason}))
    digest = hashlib.sha256("\n".join(new).encode("utf-8")).hexdigest()[:12]
    title = f"《{exam_session.name}》成绩未能按时发布"
    body = "定时发布未执行，原因如下，处理后系统会自动重试：\n" + "\n".join(f"· {r}" for r in new)
    notified = send(conn, [Message(user_id=uid, key=f"s{exam_session.id}:publish_refused:{digest}:u{uid}",
                                   kind="publish_refused", title=title, body=body,
                                   link=EXAMINER_SESSION.format(id=exam_session.id))
                           for uid in _examiners(conn, exam_session.id)])
    record(conn, "session.step", "exam_session", exam_session.id, actor_id=None, code=tl.PUBLISH,
           due=due_key(step), outcome=REFUSED, reasons=new, notified=notified)
    return Result(REFUSED, {"reasons": reasons, "new_reasons": new, "notified": notified})


def _examiners(conn: Connection, session_id: int) -> list[int]:
    """The session's assigned examiners, or every active examiner when none is assigned."""
    assigned = list(conn.execute(select(SessionExaminer.examiner_id)
                                 .where(SessionExaminer.session_id == session_id)).scalars())
    if assigned:
        return sorted(assigned)
    return list(conn.execute(select(User.id).where(User.role == "examiner", User.active.is_(True))
                             .order_by(User.id)).scalars())


def due_at(step: tl.Step, grace: dt.timedelta) -> dt.datetime:
    """When the scheduler runs a step: closing waits out the grace, so a save in flight when the
    clock ran out is still taken (the same grace the saves and the deadline sweep allow)."""
    return step.at + grace if step.action == tl.CLOSE else step.at

