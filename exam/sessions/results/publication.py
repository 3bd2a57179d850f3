"""Publishing a session's results: the one step that makes every part's outcome final and visible.

``publish`` is called by the examiner's "发布成绩" button and by the scheduler's timed publication
(``results_publish_at``), so it must be safe to run twice and at the same time: it locks the session
row, does nothing when the results are already out, and otherwise in one write transaction finalises
every part's scores (each part's ``finalise`` hook in ``exam.parts``: the practical stores its totals),
stamps ``results_published_at``, writes the audit record and notifies every enrolled candidate. It
refuses, naming each candidate and what is missing, while anything is still open or unmarked, so no
candidate is ever shown a score that can still change.

This module is the one writer of the publication columns (``exam.sessions.results.visibility`` the
one reader) and ``publish`` / ``unpublish`` the one path: there is no per-part publication, so a
withdrawal hides, and reopens for marking, every part alike.

``publish`` runs in three steps that later rules extend without touching the others: ``_problems``
(why not now, other packages' objections through ``signals.results_publishing``), ``_finalise`` (the
parts' scores and the stamp) and ``_announce`` (audit, notices, and ``signals.results_published``, on
which certificates are issued — this module imports nothing of ``certificates``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import select

from exam import parts, signals
from exam.audit.service import record
from exam.db import write_session
from exam.notifications.service import Message, send
from exam.sessions.results import table as results
from exam.sessions.results import visibility
from exam.sessions.timeline import plan as timeline
from exam.sessions.models import ExamSession, SessionEvent
from exam.sessions.results.visibility import RELEASE_NAMES
from exam.timeutil import to_local

#: Candidate pages a notification links to (notifications run outside requests, e.g. in the
#: scheduler, so ``url_for`` is not available; tests check these against the routes).
THEORY_RESULT = "/candidate/attempts/{id}/result"
PRACTICAL_RESULT = "/candidate/practical/{id}/result"
TYPING_RESULT = "/candidate/typing/{id}/result"
CANDIDATE_HOME = "/candidate"


@dataclass(frozen=True)
class PublishOutcome:
    """``published``: the results are out once the call returns (also when they already were);
    ``already``: they were out before this call, which changed nothing; ``reasons``: why it was
    refused, one Chinese sentence per candidate or problem."""

    published: bool
    reasons: list[str] = field(default_factory=list)
    already: bool = False


def publish(engine: Engine, session_id: int, now: dt.datetime, actor_id: int | None = None) -> PublishOutcome:
    """Publish now, or say why not. ``actor_id`` None is the scheduler."""
    try:
        return _publish(engine, session_id, now, actor_id)
    except parts.Refused as exc:  # a part refused to finalise: the whole transaction rolled back
        return PublishOutcome(False, [str(exc)])


def _publish(engine: Engine, session_id: int, now: dt.datetime, actor_id: int | None) -> PublishOutcome:
    with write_session(engine) as db:
        exam_session = _locked(db, session_id)
        if exam_session is None:
            return PublishOutcome(False, [f"场次 {session_id} 不存在"])
        if visibility.of(exam_session).published:
            return PublishOutcome(True, [], already=True)
        table = results.session_table(db, exam_session, now)
        reasons = _problems(db, exam_session, table)
        if reasons:
            return PublishOutcome(False, reasons)
        _finalise(db, exam_session, actor_id, now)  # parts.Refused: the table's checks should have said so
        _announce(db, exam_session, table, actor_id, now)
        return PublishOutcome(True)


def _locked(db, session_id: int) -> ExamSession | None:
    """The session row, locked for this transaction (publications and schedules serialise on it)."""
    return db.exec(select(ExamSession).where(ExamSession.id == session_id).with_for_update()).first()


def _problems(db, exam_session: ExamSession, table: results.Table) -> list[str]:
    """Why the results cannot be published now, one Chinese sentence each (empty: they can): the
    table's (open or unmarked parts, the exam not over), then other packages' objections
    (``signals.results_publishing``: certificates whose names cannot be printed)."""
    if table.publish_problems:
        return table.publish_problems
    objections = signals.send(signals.results_publishing, __name__, db=db, exam_session=exam_session, table=table)
    return [reason for reasons in objections for reason in reasons]


def _finalise(db, exam_session: ExamSession, actor_id: int | None, now: dt.datetime) -> None:
    """Every part's final scores and the publication stamp, in the caller's transaction."""
    for part in parts.all_parts():
        if part.finalise is not None:
            part.finalise(db, exam_session, actor_id, now)
    exam_session.results_published_at = now
    db.add(exam_session)
    db.flush()


def _announce(db, exam_session: ExamSession, table: results.Table, actor_id: int | None,
              now: dt.datetime) -> None:
    """Audit, candidates' notices and other packages' reactions (``signals.results_published``:
    certificates issued), in the same transaction (each idempotent)."""
    conn = db.connection()
    notified = send(conn, [_message(exam_session, row) for row in table.rows])
    record(conn, "results.publish", "exam_session", exam_session.id, actor_id=actor_id,
           scheduled=actor_id is None, candidates=len(table.rows), notified=notified,
           passed=sum(1 for r in table.rows if r.overall is True))
    signals.send(signals.results_published, __name__, db=db, exam_session=exam_session, table=table, now=now,
                 actor_id=actor_id)


def _message(exam_session: ExamSession, row: results.ResultRow) -> Message:
    uid = row.candidate_id
    return Message(user_id=uid, key=f"s{exam_session.id}:results:u{uid}", kind="results",
                   title=f"《{exam_session.name}》成绩已公布",
                   body="请查看您的理论知识考试、打字测试和实操考核成绩。", link=result_link(row))


def result_link(row: results.ResultRow) -> str:
    """The candidate's own result page: the theory result if they sat it, else the practical, else
    the typing test, else their exam list."""
    if row.theory.attempt_id is not None:
        return THEORY_RESULT.format(id=row.theory.attempt_id)
    if row.practical.attempt_id is not None:
        return PRACTICAL_RESULT.format(id=row.practical.attempt_id)
    if row.typing.attempt_id is not None:
        return TYPING_RESULT.format(id=row.typing.attempt_id)
    return CANDIDATE_HOME


def schedule(engine: Engine, session_id: int, release: str, publish_at: dt.datetime | None, now: dt.datetime,
             actor_id: int, tz: str) -> list[str]:
    """Set how results reach candidates and when they are published (UTC); audited as
    "results.schedule". Returns why it was refused (Chinese, naming the field), empty when saved.
    Checked under the session's lock, so a publication racing with it cannot be overwritten."""
    with write_session(engine) as db:
        exam_session = _locked(db, session_id)
        if exam_session is None:
            return [f"场次 {session_id} 不存在"]
        problems = _schedule_problems(exam_session, release, publish_at, now, tz)
        if problems:
            return problems
        current = visibility.of(exam_session)
        before = {"release": current.release, "publish_at": current.publish_at}
        exam_session.results_release, exam_session.results_publish_at = release, publish_at
        db.add(exam_session)
        db.flush()
        record(db.connection(), "results.schedule", "exam_session", session_id, actor_id=actor_id,
               before=before, after={"release": release, "publish_at": publish_at})
        return []


def _schedule_problems(exam_session: ExamSession, release: str, publish_at: dt.datetime | None,
                       now: dt.datetime, tz: str) -> list[str]:
    if visibility.of(exam_session).published:
        return ["成绩已发布，如需更改请先撤回发布"]
    if release not in RELEASE_NAMES:
        return [f"成绩显示方式“{release}”无效，应为：{'、'.join(RELEASE_NAMES.values())}"]
    if publish_at is not None and publish_at <= now:
        return ["定时发布时间：应晚于现在"]
    if publish_at is not None and publish_at < exam_session.ends_at:
        end = to_local(exam_session.ends_at, tz).strftime("%Y-%m-%d %H:%M")
        return [f"定时发布时间：应不早于考试结束时间（{end}）"]
    return []


def unpublish(engine: Engine, session_id: int, reason: str, actor_id: int) -> bool:
    """Withdraw a publication: the session returns to where it stood before publishing, for every
    part alike — results under the "published" release and the practical's under either are hidden
    again and marking reopens; the scores stay stored until the next publication finalises them anew.
    Returns False when there was nothing to withdraw. Notifications already sent are not sent again
    when the results are published anew (their keys are taken); certificates already issued stay
    (revoking one is the certificate office's decision, with its own reason).

    The scheduler's "published" step marker goes too: it says the timed publication is done, and
    left in place it would silently swallow the next publication time the examiner sets."""
    with write_session(engine) as db:
        exam_session = _locked(db, session_id)
        if exam_session is None or not visibility.of(exam_session).published:
            return False
        before = visibility.of(exam_session).published_at
        exam_session.results_published_at = None
        exam_session.results_publish_at = None
        db.add(exam_session)
        db.execute(delete(SessionEvent).where(SessionEvent.session_id == session_id,
                                              SessionEvent.code == timeline.PUBLISH))
        db.flush()
        record(db.connection(), "results.unpublish", "exam_session", session_id, actor_id=actor_id,
               reason=reason, published_at=before)
        return True
