"""The candidate's typing test: start, the typing page, autosave, submit, the result with its alignment."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exam import parts, standard, web
from exam.access import live_page
from exam.access import gate as access_gate
from exam.access import service as access_service
from exam.access.attempts import SAVE, SUBMIT, candidate_attempt, close_if_overdue, submit_own
from exam.delivery.answers import MAX_SEQ
from exam.sessions.models import ExamSession
from exam.sessions.results import visibility
from exam.timeutil import epoch_ms
from typing_test import evidence, scoring, service, signals
from typing_test.normalise import char_count
from typing_test.scoring import SEGMENT_NAMES

bp = Blueprint("typing", __name__, template_folder="templates")
PART = "typing"


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config["GRACE_SECONDS"])


def _min_accuracy() -> float:
    return current_app.config["TYPING_MIN_ACCURACY"]


@bp.route("/candidate/sessions/<int:session_id>/typing/start", methods=["POST"])
@web.roles_required("candidate")
def start(session_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    # the session, the enrolment and any attempt, read once for the access rules and the start
    read = access_service.start_read(web.db(), session_id, PART, current_user.id)
    refused = access_gate.refuse_start(session_id, PART, read=read)  # the session's access rules, each reason shown
    if refused:
        return refused
    token = live_page.new_token()
    try:
        begun = service.begin(web.engine(), session_id, current_user.id, web.now(), page_token=token, known=read)
    except service.TypingError as exc:
        flash(str(exc), "error")
        return redirect(url_for("delivery.home"))
    if begun.attempt is None:  # already there (a double click, a second tab): its page takes it over
        return redirect(url_for("typing.sit", attempt_id=begun.attempt_id))
    # a new attempt: answer with its page, made live in the start's own transaction (as the theory
    # start does, issue 23); the page names its own address, so a reload opens it and never starts again
    web.fresh_reads()  # the page header's sign-out warning reads the attempt just committed
    return _typing_page(begun.attempt, read[0], live_page.Opened(token, None), current=True)


@bp.route("/candidate/typing/<int:attempt_id>")
@web.roles_required("candidate")
def sit(attempt_id: int):
    attempt = candidate_attempt(PART, attempt_id)
    if close_if_overdue(PART, attempt):
        return redirect(url_for("typing.result", attempt_id=attempt_id))
    exam_session = web.db().get(ExamSession, attempt.session_id)
    # this page becomes the attempt's one live page (exam.access.live_page); the attempt row holds the
    # typed text, so it is read again after the take-over
    opened = live_page.open_page(web.engine(), parts.get(PART), attempt_id, current_user.id)
    web.fresh_reads()  # on SQLite the refresh would otherwise read the snapshot from before the take-over
    web.db().refresh(attempt)
    return _typing_page(attempt, exam_session, opened)


def _typing_page(attempt, exam_session: ExamSession, opened: live_page.Opened, current: bool = False):
    """The typing page of an open attempt, shown by the start (a new attempt, ``current``: its values
    are the ones just written) and by ``sit``."""
    attempt_id, page, previous = attempt.id, opened.token, opened.previous
    state = {
        "attemptId": attempt_id,
        # the page's own local copy, and the one page whose copy it may replay (autosave.js)
        "page": page, "previousPage": previous,
        "deadline": epoch_ms(attempt.deadline),
        "serverNow": epoch_ms(web.now()),
        "saveUrl": url_for("typing.save", attempt_id=attempt_id, page=page),
        "resultUrl": url_for("typing.result", attempt_id=attempt_id),
        "typed": attempt.typed,
        "seq": attempt.typed_seq,
        "maxChars": service.MAX_TYPED_FACTOR * char_count(attempt.reference) + 200,
        "saveEveryMs": evidence.PAGE_SAVE_EVERY_MS,
    }
    return render_template("typing_test/sit.html", attempt=attempt, exam_session=exam_session, live_page_token=page,
                           level=standard.level(exam_session.level), state=state,
                           rule=standard.typing_rule(exam_session.level),
                           passage_chars=char_count(attempt.reference), min_accuracy=_min_accuracy(), form=FlaskForm(),
                           canonical_url=url_for("typing.sit", attempt_id=attempt_id), attempt_current=current)


@bp.route("/api/typing/<int:attempt_id>/save", methods=["POST"])
@web.roles_required("candidate")
def save(attempt_id: int):
    checks = candidate_attempt(PART, attempt_id, SAVE)  # the page's access rules hold for the API too
    body = request.get_json(silent=True)
    try:
        # the checks run in the save's transaction, on the attempt's row as it is locked
        stored = checks.run(lambda run: service.save(web.engine(), attempt_id, current_user.id, _parse_save(body),
                                                     web.now(), _grace(), request.args.get(live_page.PARAM), run))
    except live_page.TakenOver as exc:
        return jsonify(error=str(exc), takenOver=True), exc.status
    except service.TypingClosedError as exc:
        return jsonify(error=str(exc), closed=True), exc.status
    except service.TypingError as exc:
        return jsonify(error=str(exc)), exc.status
    except signals.SignalError as exc:
        return jsonify(error=f"保存请求格式错误：{exc}"), 400
    # the one acknowledgement shape of every save API (autosave.js): [[key, stored seq], …]
    return jsonify(acked=[["text", stored]], stored=stored, serverNow=epoch_ms(web.now()))


def _parse_save(body: object) -> service.Save:
    if not isinstance(body, dict):
        raise signals.SignalError("请求体应为 JSON 对象")
    seq, text = body.get("seq"), body.get("text", "")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq <= MAX_SEQ:
        raise signals.SignalError(f"seq 应为 1 至 {MAX_SEQ} 的整数")
    if not isinstance(text, str):
        raise signals.SignalError("text 应为文本")
    return service.Save(seq=seq, text=text, instance=signals.parse_instance(body.get("instance")),
                        counters=signals.parse_counters(body.get("counters")),
                        events=signals.parse_events(body.get("events")))


@bp.route("/candidate/typing/<int:attempt_id>/submit", methods=["POST"])
@web.roles_required("candidate")
def submit(attempt_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    submit_own(PART, candidate_attempt(PART, attempt_id, SUBMIT))
    return redirect(url_for("typing.result", attempt_id=attempt_id))


@bp.route("/candidate/typing/<int:attempt_id>/result")
@web.roles_required("candidate")
def result(attempt_id: int):
    attempt = candidate_attempt(PART, attempt_id)
    if not close_if_overdue(PART, attempt):
        return redirect(url_for("typing.sit", attempt_id=attempt_id))
    exam_session = web.db().get(ExamSession, attempt.session_id)
    scored = service.alignment(attempt, _min_accuracy())
    return render_template("typing_test/result.html", attempt=attempt, exam_session=exam_session,
                           level=standard.level(exam_session.level), rule=standard.typing_rule(exam_session.level),
                           scored=scored, shown=scoring.as_written(attempt.reference, attempt.typed, scored.segments),
                           segment_names=SEGMENT_NAMES,
                           min_accuracy=_min_accuracy(), points=service.points_of(attempt),
                           hidden=not visibility.visible(exam_session, PART))
