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
  (``live_page``): 409 with ``takenOver``. A stale page's submission is answered with a page that
  says so and offers to take the attempt back (or JSON for a JSON client), never redirected to the
  attempt's page, which would take it over silently. Once the time and its grace are up any page
  may submit (recorded as time up, as the deadline sweep would). Each stale page that asks is
  counted for the proctoring board (``live_page.note_superseded``).

A save's checks run inside the part's save transaction, on the attempt's row as the statement that
locks it reads it (``SaveChecks``): the owner, the status, the pause, the live page and whether the
session has access rules come with the lock, so a save costs no read before its transaction (on
PostgreSQL that read was a transaction of its own: three round trips; issue 23) and a pause or a
take-over that lands just before the save is seen by it. A session with access rules has them checked
through the ORM, as a submission's are, outside any write transaction, and the save then runs again
with every other check repeated under the lock. A refusal that writes (a stale page counted) is
written after the save transaction has rolled back, never inside it (SQLite's one writer).

The autosave clients treat 423 and 403 as "not now": the answers stay in the browser and are sent
again (``autosave.js``), so nothing the candidate typed is lost; nothing refused is acknowledged.
Closing an overdue attempt the moment anyone looks at it (``close_if_overdue``) lives here too, for
the same three parts.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from flask import abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Integer, bindparam
from sqlalchemy import select as core_select
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam import parts, web
from exam.access import gate, live_page, service
from exam.access.manager import AccessManager
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


PAUSED_MESSAGE = "监考老师已暂停您的考试，计时已停止；答案暂存在本机，恢复后自动保存"


def void_refusal(part: Part) -> Refusal:
    return Refusal(f"您的{part.name}作答已被监考老师作废，不能再保存或交卷", 409, "closed")


class Refused(Exception):
    """A save refused by ``SaveChecks.check`` inside the part's save transaction: the transaction rolls
    back as the exception passes through it, and ``SaveChecks.run`` answers with the refusal
    (counting a stale page first, once nothing is locked)."""

    def __init__(self, refusal: Refusal, stale_page: bool = False):
        super().__init__(refusal.message)
        self.refusal, self.stale_page = refusal, stale_page


class RulesToCheck(Exception):
    """The attempt's session has access rules, not yet checked for this save: ``SaveChecks.run`` checks
    them once the transaction has rolled back, then runs the save again."""


#: What a save's locking statement reads first, in this order (``SaveChecks.check`` reads them by
#: position; a part's service may select more columns after them).
STATE = ("candidate_id", "status", "deadline", "paused_at", "page_token", "session_id", "access_rules")

#: Attempts whose session had access rules when a save last looked, per database: their next save
#: checks the rules before its transaction instead of finding them in it and running again. Only an
#: order, never a check skipped: the transaction still reads whether the session has rules.
_rules_seen: weakref.WeakKeyDictionary[Engine, dict[tuple[str, int], bool]] = weakref.WeakKeyDictionary()
_RULES_SEEN_LIMIT = 20000


@functools.cache
def state_sql(dialect: str, table: str) -> str:
    """The locking read of a save on a raw DBAPI cursor (the theory autosave, ``autosave_sql``):
    ``STATE``, the attempt's id its one parameter. FOR SHARE OF the attempt only: every save of a
    session reads the session's row too, and must not lock it."""
    mark = "?" if dialect == "sqlite" else "%s"
    lock = " FOR SHARE OF a" if dialect == "postgresql" else ""  # SQLite: the transaction's BEGIN IMMEDIATE
    return (f"SELECT {', '.join('s.access_rules' if c == 'access_rules' else 'a.' + c for c in STATE)} "
            f"FROM {table} a JOIN exam_session s ON s.id = a.session_id WHERE a.id = {mark}{lock}")


def state_statement(part: Part, attempt_id: int, *extra, lock: bool = True):
    """The same read in Core, locking the attempt's row (FOR UPDATE OF it, not of the session's):
    ``STATE``, then ``extra`` columns of the part's table. Each part's save reads the attempt with it
    (or ``state_sql``), with the save view's ``SaveChecks`` or without them (scripts, tests)."""
    t, s = part.table, ExamSession.__table__
    columns = [s.c.access_rules if c == "access_rules" else t.c[c] for c in STATE]
    query = (core_select(*columns, *extra).select_from(t.join(s, s.c.id == t.c.session_id))
             .where(t.c.id == bindparam("attempt_id", attempt_id, type_=Integer)))
    return query.with_for_update(of=t) if lock else query


def _has_rules(value) -> bool:
    return bool(json.loads(value) if isinstance(value, str) else value)  # SQLite's raw read: the JSON's text


T = TypeVar("T")


@dataclass
class SaveChecks:
    """The checks of one save request, for the part's save transaction to run on the attempt's row as
    it locks it (``check``), and ``run`` around that transaction.

    A part's service takes it as ``checks``: it reads the attempt with ``state_statement`` (Core, FOR
    UPDATE OF the attempt) or ``state_sql`` (a DBAPI cursor, FOR SHARE OF the attempt), passes the row
    to ``checks.check`` before anything else, then applies its own checks (closed, overdue, the live
    page again) and writes."""

    engine: Engine
    part: Part
    attempt_id: int
    candidate_id: int
    page: str | None
    now: dt.datetime
    ip: str | None
    timezone: str
    rules_checked: bool = False   # the session's rules passed for this request (``_check_rules``)
    checked: bool = field(default=False, repr=False)  # ``check`` has run on the attempt's row

    # ---- for the part's save transaction

    def check(self, row) -> None:
        """The loader's checks on the locked row: 404 unless the candidate's; 409 closed when void; for
        an open attempt the session's rules (``RulesToCheck`` the first time), 423 paused and 409
        takenOver for a stale page. A submitted or overdue attempt is the service's to refuse."""
        self.checked = True
        if row is None or row[0] != self.candidate_id:
            abort(404)
        status = row[1]
        if status == VOID:
            raise Refused(void_refusal(self.part))
        if status != OPEN:
            return
        seen = _rules_seen.setdefault(self.engine, {})
        key = (self.part.code, self.attempt_id)
        if _has_rules(row[6]):
            if not self.rules_checked:
                if len(seen) >= _RULES_SEEN_LIMIT:
                    seen.clear()
                seen[key] = True
                raise RulesToCheck()
        elif key in seen:
            del seen[key]
        if row[3] is not None:
            raise Refused(Refusal(PAUSED_MESSAGE, 423, "paused"))
        if live_page.is_stale(row[4], self.page):
            raise Refused(Refusal(live_page.MESSAGE, 409, "takenOver"), stale_page=True)

    # ---- around it

    def run(self, store: Callable[["SaveChecks"], T]) -> T:
        """``store(self)``: the part's save, answered with the refusal if a check refuses it. Whatever
        ``store`` raises before it reached the attempt's row (a request it cannot read) is answered
        after the checks, as when they ran before the request was read."""
        if _rules_seen.get(self.engine, {}).get((self.part.code, self.attempt_id)):
            self._check_rules()
        while True:
            try:
                return store(self)
            except RulesToCheck:
                self._check_rules()  # then the save again, every other check repeated under the lock
            except Refused as refused:
                self._refuse(refused)
            except Exception:
                if not self.checked:
                    self.run(self._check_alone)
                raise

    def _check_alone(self, _checks) -> None:
        """The checks on their own (a request the part cannot read, so nothing will be written)."""
        with self.engine.connect() as conn:
            self.check(conn.execute(state_statement(self.part, self.attempt_id, lock=False)).first())

    def _check_rules(self) -> None:
        """The session's access rules with the attempt and the session as the ORM loads them, as a
        submission's (``write_refusal``), outside any write transaction."""
        db = web.db()
        attempt = db.get(self.part.model, self.attempt_id)
        if attempt is None or attempt.candidate_id != self.candidate_id:
            abort(404)
        exam_session = db.get(ExamSession, attempt.session_id)
        refusal = (write_refusal(db, self.part, attempt, exam_session, self.now, ip=self.ip, timezone=self.timezone)
                   or stale_page_refusal(self.part, attempt, SAVE, self.now))
        if refusal is not None:
            abort(refusal.response())
        self.rules_checked = True

    def _refuse(self, refused: Refused):
        if refused.stale_page:  # the save's transaction has rolled back: nothing is locked now
            live_page.note_superseded(self.engine, self.part, self.attempt_id, self.candidate_id, self.page,
                                      self.now)
        abort(refused.refusal.response())


def candidate_attempt(part_code: str, attempt_id: int, use: str = PAGE):
    """The signed-in candidate's attempt of ``part_code`` (404 when it is not theirs). A save the
    access rules do not allow right now is answered with the refusal as JSON; a submission with the
    reason flashed on the attempt page (or the result page, when the attempt is closed).

    A save gets ``SaveChecks`` back and nothing is read yet: the save view runs its part's save
    through ``SaveChecks.run``, and the checks run in the save's transaction on the row it locks."""
    part = parts.get(part_code)
    if use == SAVE:
        return SaveChecks(web.engine(), part, attempt_id, current_user.id, request.args.get(live_page.PARAM),
                          web.now(), gate.client_ip(), web.tz())
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
        return void_refusal(part)
    if attempt.status != OPEN:
        return None
    manager = AccessManager.for_session(exam_session) if exam_session is not None and exam_session.access_rules else None
    if manager is not None:
        reasons = service.page_refusals(exam_session, part.code, attempt, now, ip=ip, timezone=timezone)
        if reasons:
            return Refusal("；".join(reasons), 403, "refused")
    if attempt.paused_at is not None:
        return Refusal(PAUSED_MESSAGE, 423, "paused")
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
