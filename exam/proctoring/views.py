"""Live proctoring on the web: the examiner's board page and its polled JSON, the audited actions, the
candidate page's status poll and its integrity-signal reports.

Every action is a JSON POST from the board's script with the CSRF token in ``X-CSRFToken``; the
service (``actions``) checks the reason and writes the audit entry, so this module only maps requests
to calls and ``ProctorError`` to a JSON error with its status.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, render_template, request, url_for
from flask_login import current_user

from exam import throttle, web
from exam.access import live_page
from exam.proctoring import actions, board, signals, status
from exam.proctoring.parts import OPEN, ProctorError, is_part, part as part_of
from exam.sessions import managed
from exam.sessions.models import ExamSession
from exam.timeutil import epoch_ms

bp = Blueprint("proctoring", __name__)

#: The one-attempt actions, by the last segment of their URL.
ATTEMPT_ACTIONS = ("extra_time", "pause", "resume", "force_submit", "void")


def _error(exc: ProctorError):
    return jsonify(error=str(exc)), exc.status


def _signin_policy() -> throttle.Policy:
    return throttle.policy(current_app.config, "signin")


def _body() -> dict:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


# ---------------------------------------------------------------- the examiner's board

@bp.route("/examiner/sessions/<int:session_id>/proctoring")
@managed.manages_session
def board_page(session_id: int):
    exam_session = managed.managed_session(session_id)
    with web.engine().connect() as conn:
        snapshot = board.snapshot(conn, session_id, web.now(), web.tz(), _signin_policy())
    config = {
        "boardUrl": url_for("proctoring.board_json", session_id=session_id),
        "actionUrl": url_for("proctoring.attempt_action", session_id=session_id, part="PART", attempt_id=0,
                             action="ACTION"),
        "pauseAllUrl": url_for("proctoring.pause_all", session_id=session_id),
        "resumeAllUrl": url_for("proctoring.resume_all", session_id=session_id),
        "incidentUrl": url_for("proctoring.incident", session_id=session_id),
        "liftSigninUrl": url_for("proctoring.lift_signin", session_id=session_id, candidate_id=0),
        "pollSeconds": current_app.config["BOARD_POLL_SECONDS"],
        "maxExtraMinutes": actions.MAX_EXTRA_MINUTES,
        "snapshot": snapshot,
    }
    return render_template("proctoring/board.html", exam_session=exam_session, config=config,
                           incident_kinds=actions.INCIDENT_KINDS, reason_max=actions.REASON_MAX_CHARS,
                           description_max=actions.DESCRIPTION_MAX_CHARS, max_extra=actions.MAX_EXTRA_MINUTES,
                           status_names=board.STATUS_NAMES, signal_names=signals.KINDS)


# Polled reads live outside /api/: every GET view, signed out, sends the visitor to sign in (the JSON
# API answers 401 instead); the scripts treat a page that is not JSON as a failed poll and retry.
@bp.route("/examiner/sessions/<int:session_id>/proctoring/board")
@managed.manages_session
def board_json(session_id: int):
    with web.engine().connect() as conn:
        snapshot = board.snapshot(conn, session_id, web.now(), web.tz(), _signin_policy())
    if snapshot is None:
        return jsonify(error="找不到该考试场次"), 404
    return jsonify(snapshot)


# ---------------------------------------------------------------- actions

@bp.route("/api/sessions/<int:session_id>/proctor/<part>/<int:attempt_id>/<action>", methods=["POST"])
@managed.manages_session
def attempt_action(session_id: int, part: str, attempt_id: int, action: str):
    if action not in ATTEMPT_ACTIONS:
        return jsonify(error=f"未知的监考操作“{action[:20]}”：应为 " + "、".join(ATTEMPT_ACTIONS)), 404
    body, engine, now, actor = _body(), web.engine(), web.now(), current_user.id
    reason = body.get("reason")
    try:
        if action == "extra_time":
            done = actions.extra_time(engine, part, attempt_id, body.get("minutes"), reason, actor, now, session_id)
        elif action == "force_submit":
            done = actions.force_submit(engine, part, attempt_id, reason, actor, now,
                                        current_app.config["TYPING_MIN_ACCURACY"], session_id)
        else:
            done = getattr(actions, action)(engine, part, attempt_id, reason, actor, now, session_id)
    except ProctorError as exc:
        return _error(exc)
    return jsonify(message=done.message, count=done.count)


@bp.route("/api/sessions/<int:session_id>/proctor/pause-all", methods=["POST"])
@managed.manages_session
def pause_all(session_id: int):
    try:
        done = actions.pause_all(web.engine(), session_id, _body().get("reason"), current_user.id, web.now())
    except ProctorError as exc:
        return _error(exc)
    return jsonify(message=done.message, count=done.count)


@bp.route("/api/sessions/<int:session_id>/proctor/resume-all", methods=["POST"])
@managed.manages_session
def resume_all(session_id: int):
    try:
        done = actions.resume_all(web.engine(), session_id, _body().get("reason"), current_user.id, web.now())
    except ProctorError as exc:
        return _error(exc)
    return jsonify(message=done.message, count=done.count)


@bp.route("/api/sessions/<int:session_id>/incidents", methods=["POST"])
@managed.manages_session
def incident(session_id: int):
    body = _body()
    try:
        done = actions.record_incident(web.engine(), session_id, body.get("kind"), body.get("description"),
                                       body.get("candidateId"), current_user.id, web.now())
    except ProctorError as exc:
        return _error(exc)
    return jsonify(message=done.message, count=done.count)


@bp.route("/api/sessions/<int:session_id>/signin-waits/<int:candidate_id>/lift", methods=["POST"])
@managed.manages_session
def lift_signin(session_id: int, candidate_id: int):
    """An enrolled candidate's sign-in wait lifted by the examiner who checked their identity."""
    try:
        done = actions.lift_signin_wait(web.engine(), session_id, candidate_id, _body().get("reason"),
                                        current_user.id, web.now(), _signin_policy())
    except ProctorError as exc:
        return _error(exc)
    return jsonify(message=done.message, count=done.count)


# ---------------------------------------------------------------- the candidate's page

@bp.route("/candidate/proctoring/<part>/<int:attempt_id>/status")
@web.roles_required("candidate")
def attempt_status(part: str, attempt_id: int):
    try:
        with web.engine().connect() as conn:
            found = status.attempt_status(conn, part, attempt_id, current_user.id, web.now(),
                                          page=request.args.get("page"))
    except ProctorError as exc:
        return _error(exc)
    if found is not None and found["takenOver"]:
        # a superseded page still open: the board shows the take-over (counted once per page)
        live_page.note_superseded(web.engine(), part_of(part), attempt_id, current_user.id,
                                  request.args.get("page"), web.now())
    if found is None:
        return jsonify(error="找不到该作答记录"), 404
    return jsonify(found)


@bp.route("/api/sessions/<int:session_id>/signals", methods=["POST"])
@web.roles_required("candidate")
def report_signal(session_id: int):
    try:
        part, kind, detail = signals.parse(request.get_json(silent=True))
        stored = signals.record(web.engine(), session_id, current_user.id, part, kind, detail, web.now())
    except ProctorError as exc:
        return _error(exc)
    return jsonify(stored=stored)


@bp.app_template_global("submit_account")
def submit_account(part: str, attempt) -> dict | None:
    """How the candidate's closed attempt ended (sessions/_submit_reason.html)."""
    if attempt is None or not is_part(part):
        return None
    with web.engine().connect() as conn:
        return status.submit_account(conn, part, attempt)


@bp.app_template_global("proctor_watch")
def proctor_watch(part: str, attempt, page: str | None = None, current: bool = False) -> dict | None:
    """The candidate page watch's settings and the attempt's state as the page opens (so a page loaded
    while paused shows the overlay before its countdown could reach zero). ``current``: ``attempt``
    holds the attempt as it is now — the start's answer, whose attempt was written by that very
    request — so its state is taken from it instead of read again."""
    if attempt is None or not is_part(part) or attempt.status != OPEN:
        return None
    now = web.now()
    if current:
        initial = status.status_of(attempt, now, page)
    else:
        # on the request's connection: the attempt pages read it after their take-over (``web.fresh_reads``)
        initial = status.attempt_status(web.db().connection(), part, attempt.id, attempt.candidate_id, now, page=page)
    if initial is None:
        return None
    return {
        "part": part,
        # the page's own token (exam.access.live_page): the poll says when another page took over
        "statusUrl": url_for("proctoring.attempt_status", part=part, attempt_id=attempt.id, page=page),
        "signalsUrl": url_for("proctoring.report_signal", session_id=attempt.session_id),
        "resultUrl": url_for(part_of(part).endpoint("result"), attempt_id=attempt.id),
        "pollSeconds": current_app.config["STATUS_POLL_SECONDS"],
        # the typing test logs its own focus losses and pastes (typing_test.signals)
        "reportSignals": part != "typing",
        "initial": initial,
        "serverNow": epoch_ms(now),
    }
