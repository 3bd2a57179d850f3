"""The attempt a signed-in candidate may use, for every timed part (``exam.parts``): one loader for
the three parts' pages, saves and submissions.

``candidate_attempt(part, attempt_id)`` answers 404 unless the attempt is the candidate's own (the
shape of flaskr's ``get_post(id, check_author)``). With ``use="save"`` or ``use="submit"`` it also
applies, before anything is stored, the same rules the attempt page applies and the ones the page
enforces by covering itself, so a script posting to the JSON API gets no further than the page:

- the session's ``prevent_access`` rules (the room's network): 403;
- a void attempt: 409 with ``closed`` (the page shows the result and the reason);
- a paused attempt: 423 with ``paused`` (the page is covered while paused, and a candidate cannot
  submit while the clock is stopped);
- the idle lock (``idle_timeout``) while the page is locked: 423 with ``locked``;
- the fullscreen rule while the page has reported leaving fullscreen and not yet returning: 423
  with ``fullscreen``;
- a save or a submission from a page that another tab or device has since taken over
  (``live_page``): 409 with ``takenOver`` (a save's is checked again inside each part's save
  transaction). A stale page's submission is answered with a page that says so and offers to take
  the attempt back (or JSON for a JSON client), never redirected to the attempt's page, which would
  take it over silently. Once the time and its grace are up any page may submit (recorded as time
  up, as the deadline sweep would). Each stale page that asks is counted for the proctoring board
  (``live_page.note_superseded``).

The autosave clients treat 423 and 403 as "not now": the answers stay in the browser and are sent
again (``autosave.js``), so nothing the candidate typed is lost; nothing refused is acknowledged.
Closing an overdue attempt the moment anyone looks at it (``close_if_overdue``) lives here too, for
the same three parts.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from typing import Optional

from flask import abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam import parts, web
from exam.access import gate, live_page, service
from exam.access.manager import AccessManager
from exam.delivery.autosave_sql import as_datetime
from exam.parts import OPEN, VOID, Part
from exam.proctoring.models import IntegritySignal
from exam.sessions.models import ExamSession

PAGE, SAVE, SUBMIT = "page", "save", "submit"

#: Integrity signals the fullscreen guard reports (exam.proctoring.signals): leaving and returning.
FULLSCREEN_EXIT, FULLSCREEN_RETURN = "fullscreen_exit", "fullscreen_return"


@dataclass(frozen=True)
class Refusal:
    """Why a save or submission is not taken now: the message (Chinese), the HTTP status and the
    flag the page's autosave client reads (``closed``, ``paused``, ``locked``, ``fullscreen``, ``refused``,
    ``takenOver``)."""

    message: str
    status: int
    flag: str

    def response(self):
        response = jsonify(error=self.message, **{self.flag: True})
        response.status_code = self.status
        return response


@dataclass(frozen=True)
class AttemptState:
    """What a save is checked against (``save_state``): the attempt's owner, status, clock and live
    page, and whether its session has access rules."""

    id: int
    candidate_id: int
    session_id: int
    status: str
    deadline: dt.datetime
    paused_at: Optional[dt.datetime]
    page_token: Optional[str]
    has_rules: bool


@functools.cache
def _save_state_sql(dialect: str, table: str) -> str:
    mark = "?" if dialect == "sqlite" else "%s"
    return (f"SELECT a.id, a.candidate_id, a.session_id, a.status, a.deadline, a.paused_at, a.page_token, "
            f"s.access_rules FROM {table} a JOIN exam_session s ON s.id = a.session_id WHERE a.id = {mark}")


def save_state(engine: Engine, part: Part, attempt_id: int) -> AttemptState | None:
    """The attempt's state for a save, in one statement on a pooled DBAPI connection, the way the
    theory autosave itself runs (``exam.delivery.autosave_sql``). A save is exam day's most frequent
    request and uses neither the attempt nor the session as objects: loading both through the ORM
    took 70 % of a save's CPU, and one Core read through the request's ORM session still about half
    (its session transaction, BEGIN and pool round trip; py-spy, issue 23)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        try:
            cursor.execute(_save_state_sql(engine.dialect.name, part.model.__tablename__), (attempt_id,))
            row = cursor.fetchone()
        finally:
            cursor.close()
        raw.rollback()  # PostgreSQL opened a transaction for the read; SQLite (autocommit) did not
    finally:
        raw.close()
    if row is None:
        return None
    rules = json.loads(row[7]) if isinstance(row[7], str) else row[7]  # SQLite: the JSON's text
    return AttemptState(row[0], row[1], row[2], row[3], as_datetime(row[4]),
                        as_datetime(row[5]) if row[5] is not None else None, row[6], bool(rules))


def candidate_attempt(part_code: str, attempt_id: int, use: str = PAGE):
    """The signed-in candidate's attempt of ``part_code`` (404 when it is not theirs). A save the
    access rules do not allow right now is answered with the refusal as JSON; a submission with the
    reason flashed on the attempt page (or the result page, when the attempt is closed).

    A save gets the attempt's ``AttemptState`` back, not the ORM object (the save views use neither):
    the checks run on that one read, and the session and the attempt are loaded through the ORM only
    when the session has access rules, whose checks take them as they are."""
    part = parts.get(part_code)
    if use == SAVE:
        return _checked_for_save(part, attempt_id)
    attempt = web.db().get(part.model, attempt_id)
    if attempt is None or attempt.candidate_id != current_user.id:
        abort(404)
    if use == SUBMIT:
        now = web.now()
        exam_session = web.db().get(ExamSession, attempt.session_id)
        refusal = write_refusal(web.db(), part, attempt, exam_session, now, ip=gate.client_ip(), timezone=web.tz())
        if refusal is None:
            refusal = stale_page_refusal(part, attempt, use, now)
        if refusal is not None and refusal.flag == "takenOver" and wants_json():
            abort(refusal.response())
        if refusal is not None and refusal.flag == "takenOver":
            # not a redirect to the attempt's page: opening it would take the attempt over silently
            abort(make_response(render_template("access/taken_over.html", part=part, attempt=attempt,
                                                message=refusal.message), 409))
        if refusal is not None:
            flash(refusal.message, "error")
            view = "result" if refusal.flag == "closed" else "sit"
            abort(redirect(url_for(part.endpoint(view), attempt_id=attempt_id)))
    return attempt


def _checked_for_save(part: Part, attempt_id: int) -> AttemptState:
    """The save API's check: the same rules as a submission's, answered as JSON."""
    db = web.db()
    state = save_state(web.engine(), part, attempt_id)
    if state is None or state.candidate_id != current_user.id:
        abort(404)
    attempt, exam_session = state, None
    if state.has_rules and state.status == OPEN:
        attempt, exam_session = db.get(part.model, attempt_id), db.get(ExamSession, state.session_id)
    now = web.now()
    refusal = (write_refusal(db, part, attempt, exam_session, now, ip=gate.client_ip(), timezone=web.tz())
               or stale_page_refusal(part, attempt, SAVE, now))
    if refusal is not None:
        abort(refusal.response())
    return state


def stale_page_refusal(part: Part, attempt, use: str, now: dt.datetime) -> Refusal | None:
    """409 ``takenOver`` for a save or submission naming a page another tab or device has taken the
    open attempt over from (``?page=``); each such page is counted once for the proctoring board.
    A submission once the time and its grace are up is let through: the attempt is overdue and closes
    as time up whichever page asks (``close_if_overdue``). Within the grace it is refused, so a stale
    tab's countdown cannot close the attempt before the live page's last saves have landed."""
    given = request.args.get(live_page.PARAM)
    if attempt.status != OPEN or not live_page.is_stale(attempt.page_token, given):
        return None
    grace = dt.timedelta(seconds=current_app.config["GRACE_SECONDS"])
    if use == SUBMIT and attempt.paused_at is None and now > attempt.deadline + grace:
        return None
    live_page.note_superseded(web.engine(), part, attempt.id, attempt.candidate_id, given, now)
    return Refusal(live_page.MESSAGE if use == SAVE else live_page.SUBMIT_MESSAGE, 409, "takenOver")


def wants_json() -> bool:
    """A JSON client of a form endpoint (a script, the harness) gets the refusal as JSON."""
    return request.is_json or request.accept_mimetypes.best == "application/json"


def write_refusal(db: Session, part: Part, attempt, exam_session: ExamSession | None, now: dt.datetime, *,
                  ip: str | None, timezone: str) -> Refusal | None:
    """None when the candidate may save to (or submit) this attempt now; else why not.
    A closed (submitted or overdue) attempt is left to the part's service, which answers 409.
    ``exam_session`` is the attempt's session, or None when the caller knows it has no access rules."""
    if attempt.status == VOID:
        return Refusal(f"您的{part.name}作答已被监考老师作废，不能再保存或交卷", 409, "closed")
    if attempt.status != OPEN:
        return None
    manager = AccessManager.for_session(exam_session) if exam_session is not None and exam_session.access_rules else None
    if manager is not None:
        reasons = service.page_refusals(exam_session, part.code, attempt, now, ip=ip, timezone=timezone)
        if reasons:
            return Refusal("；".join(reasons), 403, "refused")
    if attempt.paused_at is not None:
        return Refusal("监考老师已暂停您的考试，计时已停止；答案暂存在本机，恢复后自动保存", 423, "paused")
    if manager is None:
        return None
    if manager.rule("idle_timeout") is not None and service.is_locked(db, attempt.session_id,
                                                                      attempt.candidate_id, part.code):
        return Refusal("页面已因长时间无操作锁屏：解锁后答案会自动保存", 423, "locked")
    if manager.rule("fullscreen") is not None and out_of_fullscreen(db, attempt.session_id, attempt.candidate_id,
                                                                    part.code):
        return Refusal("本场考试要求全屏作答：请返回全屏，答案会自动保存", 423, "fullscreen")
    return None


def out_of_fullscreen(db: Session, session_id: int, candidate_id: int, part_code: str) -> bool:
    """The page's latest fullscreen report for this part is leaving it (the page covers the paper
    then, so no honest page saves until it reports returning)."""
    last = db.exec(select(IntegritySignal.kind).where(
        IntegritySignal.session_id == session_id, IntegritySignal.candidate_id == candidate_id,
        IntegritySignal.part == part_code, IntegritySignal.kind.in_((FULLSCREEN_EXIT, FULLSCREEN_RETURN)))
        .order_by(IntegritySignal.at.desc(), IntegritySignal.id.desc()).limit(1)).first()
    return last == FULLSCREEN_EXIT


def close_if_overdue(part_code: str, attempt) -> bool:
    """Submit an attempt whose time is up the moment anyone looks at it, not only when the sweep
    runs (never a paused one: a proctor stopped its clock). True when the attempt is closed."""
    now = web.now()
    grace = dt.timedelta(seconds=current_app.config["GRACE_SECONDS"])
    if attempt.status == OPEN and attempt.paused_at is None and now > attempt.deadline + grace:
        parts.get(part_code).submit(web.engine(), attempt.id, "deadline", now, current_app.config)
        web.fresh_reads()  # on SQLite the refresh would otherwise read the snapshot from before the submission
        web.db().refresh(attempt)
    return attempt.status != OPEN


def submit_own(part_code: str, attempt) -> None:
    """The candidate's own 交卷 (the submit form of each part's page). The countdown's automatic
    submission at zero arrives through the same form, so the reason is the server's clock's, never
    the page's: once the deadline has passed it is recorded as time up (``deadline``), before it as
    the candidate's own (``candidate``). A paused attempt is refused earlier (``write_refusal``)."""
    if close_if_overdue(part_code, attempt):
        return
    now = web.now()
    reason = "deadline" if now >= attempt.deadline else "candidate"
    parts.get(part_code).submit(web.engine(), attempt.id, reason, now, current_app.config,
                                actor_id=current_user.id, candidate_id=current_user.id)
