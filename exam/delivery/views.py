"""The candidate's side of an exam: home, start, the paper, autosave, review, submit, result."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exam import parts, standard, web
from exam.access import live_page
from exam.access import service as access_service
from exam.access import gate as access_gate
from exam.access.attempts import SAVE, SUBMIT, candidate_attempt, close_if_overdue, submit_own
from exam.delivery import paper_page, service
from exam.delivery.models import OPEN, Attempt
from exam.sessions.results import visibility
from exam.sessions import service as sessions
from exam.sessions.models import ExamSession
from exam.timeutil import epoch_ms
from question_bank.models import ITEM_KINDS

bp = Blueprint("delivery", __name__)


PART = "theory"


@bp.route("/candidate")
@web.roles_required("candidate")
def home():
    rows = sessions.sessions_of_candidate(web.db(), current_user.id)
    if current_user.scope_session_id:   # a ticket sign-in sees its session only (exam.sessions.scope)
        rows = [r for r in rows if r.session.id == current_user.scope_session_id]
    now = web.now()
    # the next moment a window opens or closes: the page refreshes its table then (home-refresh.js)
    moments = [t for row in rows for part in parts.all_parts() for t in part.window_of(row.session) if t > now]
    return render_template("delivery/home.html", rows=rows, now=now, form=FlaskForm(), levels=standard.LEVELS,
                           next_change=epoch_ms(min(moments)) if moments else None, server_now=epoch_ms(now))


@bp.route("/candidate/sessions/<int:session_id>/<part>/begin")
@web.roles_required("candidate")
def begin(session_id: int, part: str):
    """The start page of one part: its rules, the time the candidate really has if they start now
    (a late start is cut to the window's close) and the confirmation that starts the clock. The
    three start views refuse a start without that confirmation (``access.gate.refuse_start``)."""
    try:
        part = parts.get(part)
    except parts.UnknownPart:
        abort(404)
    # the session, the enrolment and the attempt in one query (the start does the same)
    exam_session, enrolled, attempt = access_service.start_read(web.db(), session_id, part.code, current_user.id)
    if exam_session is None or not enrolled:
        abort(404)
    if attempt is not None:
        view = "sit" if attempt.status == "open" else "result"
        return redirect(url_for(part.endpoint(view), attempt_id=attempt.id))
    now = web.now()
    opens_at, closes_at = part.window_of(exam_session)
    return render_template("delivery/begin.html", part=part, exam_session=exam_session, now=now,
                           level=standard.level(exam_session.level), opens_at=opens_at, closes_at=closes_at,
                           available=part.time_available(exam_session, now),
                           rules=part.rules(exam_session) if part.rules else [],
                           action=url_for(part.endpoint("start"), session_id=session_id))


@bp.route("/candidate/sessions/<int:session_id>/start", methods=["POST"])
@web.roles_required("candidate")
def start(session_id: int):
    """Start the attempt and answer with its paper page at once (not a redirect to it): the page the
    candidate sees is made live in the start's own transaction and built from the slots just drawn,
    so a start is one request fewer and no read-back (issue 23). The page names its own address
    (``canonical_url``) and the browser shows that address instead of this one (canonical-address.js), so a
    reload opens the paper page and never posts the start again. A start that finds the attempt
    already there (a double click, a second tab) redirects to the paper page as before."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    # the session, enrolment, attempt and blueprint in one read, for the access rules and the draw
    facts = service.start_facts(web.db(), session_id, current_user.id)
    refused = access_gate.refuse_start(session_id, "theory", read=facts.for_access)  # each reason shown
    if refused:
        return refused
    token, now = live_page.new_token(), web.now()
    try:
        begun = service.begin_attempt(web.engine(), session_id, current_user.id, now, db=web.db(), page_token=token,
                                      facts=facts)
    except service.DeliveryError as exc:
        flash(str(exc), "error")
        return redirect(url_for("delivery.home"))
    if not begun.created:
        return redirect(url_for("delivery.sit", attempt_id=begun.attempt_id))
    exam_session = facts.session
    web.fresh_reads()  # the page header's sign-out warning reads the attempt just committed on the write connection
    attempt = Attempt(id=begun.attempt_id, session_id=session_id, candidate_id=current_user.id,
                      started_at=now, deadline=begun.deadline, status=OPEN, page_token=token,
                      paused_at=None, extra_seconds=0)
    paper = paper_page.paper_of(web.db(), [(s["position"], s["item_version_id"], s["option_order"], s["points"])
                                           for s in begun.slots])
    return _paper_page(attempt, exam_session, paper, live_page.Opened(token, None), saved={}, current=True)


@bp.route("/candidate/attempts/<int:attempt_id>")
@web.roles_required("candidate")
def sit(attempt_id: int):
    attempt = candidate_attempt(PART, attempt_id)
    if close_if_overdue(PART, attempt):
        return redirect(url_for("delivery.result", attempt_id=attempt_id))
    exam_session = web.db().get(ExamSession, attempt.session_id)
    paper = paper_page.paper(web.db(), attempt_id)
    # this page becomes the attempt's one live page before it reads the answers (exam.access.live_page)
    opened = live_page.open_page(web.engine(), parts.get(PART), attempt_id, current_user.id)
    web.fresh_reads()  # the answers (and the page's status) as they are after the take-over
    return _paper_page(attempt, exam_session, paper, opened, saved=service.saved_answers(web.db(), attempt_id))


def _paper_page(attempt, exam_session: ExamSession, paper: paper_page.Paper, opened: live_page.Opened,
                saved: dict[int, dict], current: bool = False):
    """The paper page of an open attempt, shown by the start (a new attempt, ``current``: its values
    are the ones just written) and by ``sit``."""
    attempt_id, page = attempt.id, opened.token
    state = {
        "attemptId": attempt_id,
        # the page's own local copy, and the one page whose copy it may replay (autosave.js)
        "page": page, "previousPage": opened.previous,
        "deadline": epoch_ms(attempt.deadline),
        "serverNow": epoch_ms(web.now()),
        "saveUrl": url_for("delivery.save", attempt_id=attempt_id, page=page),
        # the review page's 确认交卷 names this page too (a stale page's submission is refused)
        "reviewUrl": url_for("delivery.review", attempt_id=attempt_id, page=page),
        "resultUrl": url_for("delivery.result", attempt_id=attempt_id),
        "saved": {str(k): v for k, v in saved.items()},
    }
    return render_template("delivery/sit.html", attempt=attempt, exam_session=exam_session, live_page_token=page,
                           level=standard.level(exam_session.level), paper=paper, state=state,
                           canonical_url=url_for("delivery.sit", attempt_id=attempt_id), attempt_current=current)


@bp.route("/api/attempts/<int:attempt_id>/answers", methods=["POST"])
@web.roles_required("candidate")
def save(attempt_id: int):
    checks = candidate_attempt(PART, attempt_id, SAVE)  # the page's access rules hold for the API too
    body = request.get_json(silent=True)
    grace = dt.timedelta(seconds=current_app.config["GRACE_SECONDS"])
    try:
        # the checks run in the save's transaction, on the attempt's row as it is locked
        acked = checks.run(lambda run: service.save_answers(
            web.engine(), attempt_id, current_user.id,
            service.parse_saves(body.get("saves") if isinstance(body, dict) else None), web.now(), grace,
            request.args.get(live_page.PARAM), run))
    except live_page.TakenOver as exc:
        return jsonify(error=str(exc), takenOver=True), exc.status
    except service.ClosedError as exc:
        return jsonify(error=str(exc), closed=True), exc.status
    except service.DeliveryError as exc:
        return jsonify(error=str(exc)), exc.status
    return jsonify(acked=acked, serverNow=epoch_ms(web.now()))


@bp.route("/candidate/attempts/<int:attempt_id>/review")
@web.roles_required("candidate")
def review(attempt_id: int):
    attempt = candidate_attempt(PART, attempt_id)
    if close_if_overdue(PART, attempt):
        return redirect(url_for("delivery.result", attempt_id=attempt_id))
    questions = service.paper_for_candidate(web.db(), attempt_id)
    saved = service.saved_answers(web.db(), attempt_id)
    # the 答题卡: one row per question, in the candidate's order, with what the server holds
    card = [{"number": n, "position": q.position, "kind": ITEM_KINDS.get(q.kind, q.kind),
             "answered": bool(saved.get(q.position, {}).get("value")),
             "flagged": bool(saved.get(q.position, {}).get("flagged"))} for n, q in enumerate(questions, 1)]
    page = request.args.get(live_page.PARAM)
    return render_template("delivery/review.html", attempt=attempt, total=len(questions), card=card,
                           live_page_token=page, stale=live_page.is_stale(attempt.page_token, page),
                           unanswered=[r for r in card if not r["answered"]],
                           flagged=[r for r in card if r["flagged"]], form=FlaskForm(),
                           deadline=epoch_ms(attempt.deadline), server_now=epoch_ms(web.now()))


@bp.route("/candidate/attempts/<int:attempt_id>/submit", methods=["POST"])
@web.roles_required("candidate")
def submit(attempt_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    submit_own(PART, candidate_attempt(PART, attempt_id, SUBMIT))
    return redirect(url_for("delivery.result", attempt_id=attempt_id))


@bp.route("/candidate/attempts/<int:attempt_id>/result")
@web.roles_required("candidate")
def result(attempt_id: int):
    attempt = candidate_attempt(PART, attempt_id)
    if not close_if_overdue(PART, attempt):
        return redirect(url_for("delivery.sit", attempt_id=attempt_id))
    exam_session = web.db().get(ExamSession, attempt.session_id)
    return render_template("delivery/result.html", attempt=attempt, exam_session=exam_session,
                           level=standard.level(exam_session.level), pass_mark=standard.THEORY_PASS_MARK,
                           full_marks=standard.FULL_MARKS, hidden=not visibility.visible(exam_session, PART))
