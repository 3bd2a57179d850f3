"""The examiner's side of the typing test: a session's results with their flags, one attempt's
evidence, and the session's exam stations (codes, assignment to candidates, reset)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from exam import standard, web
from exam.db import write_session
from exam.sessions import managed
from exam.sessions import service as sessions
from exam.sessions.models import ExamSession
from typing_test import review, scoring, service, station_service
from typing_test.crosscheck import SHORTCUT_NAMES
from typing_test.models import REVIEW_PENDING, REVIEW_STATES
from typing_test.review_forms import ReviewForm
from typing_test.scoring import SEGMENT_NAMES
from typing_test.signals import COUNTERS, EVENT_KINDS
from typing_test.station_forms import AssignForm, CreateStationsForm, ResetForm

bp = Blueprint("typing_review", __name__, url_prefix="/examiner", template_folder="templates")


def _session(session_id: int) -> ExamSession:
    return managed.managed_session(session_id)


@bp.route("/sessions/<int:session_id>/typing")
@managed.manages_session
def session_typing(session_id: int):
    exam_session = _session(session_id)
    return render_template("typing_test/session_typing.html", exam_session=exam_session,
                           rows=review.session_rows(web.db(), session_id),
                           rule=standard.typing_rule(exam_session.level))


@bp.route("/typing/<int:attempt_id>")
@web.roles_required(*managed.MANAGER_ROLES)
def attempt_detail(attempt_id: int, form: ReviewForm | None = None):
    attempt = managed.managed_attempt("typing", attempt_id)
    exam_session = web.db().get(ExamSession, attempt.session_id)
    min_accuracy = current_app.config["TYPING_MIN_ACCURACY"]
    scored = service.alignment(attempt, min_accuracy)
    reviewer = sessions.candidate(web.db(), attempt.reviewed_by) if attempt.reviewed_by else None
    return render_template(
        "typing_test/attempt_detail.html", attempt=attempt, exam_session=exam_session,
        candidate=sessions.candidate(web.db(), attempt.candidate_id), passage=service.passage_of(web.db(), attempt),
        evidence=review.evidence(web.db(), attempt), scored=scored,
        shown=scoring.as_written(attempt.reference, attempt.typed, scored.segments),
        rule=standard.typing_rule(exam_session.level), min_accuracy=min_accuracy, points=service.points_of(attempt),
        segment_names=SEGMENT_NAMES, counter_names=COUNTERS, event_names=EVENT_KINDS, shortcut_names=SHORTCUT_NAMES,
        review_states=REVIEW_STATES, review_form=form or ReviewForm(), reviewer=reviewer,
        pending=attempt.review == REVIEW_PENDING)


@bp.route("/typing/<int:attempt_id>/review", methods=["POST"])
@web.roles_required(*managed.MANAGER_ROLES)
def decide(attempt_id: int):
    """Confirm or void a result held for review (待核查), with a reason; audited in service.decide."""
    managed.managed_attempt("typing", attempt_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        state = service.decide(web.engine(), attempt_id, form.decision.data or "", form.note.data or "",
                               current_user.id, web.now(), current_app.config["TYPING_MIN_ACCURACY"])
    except service.ReviewError as exc:
        flash(str(exc), "error")
        web.db().expire_all()
        return attempt_detail(attempt_id, form=form), exc.status if exc.status != 400 else 422
    flash(f"已记录核查结论：{REVIEW_STATES[state]}")
    return redirect(url_for("typing_review.attempt_detail", attempt_id=attempt_id))


def _assign_form(station, candidates) -> AssignForm:
    form = AssignForm(prefix=f"s{station.id}", candidate_id=station.candidate_id or 0)
    form.candidate_id.choices = [SelectChoice(0, "（未分配）")] + [
        SelectChoice(u.id, f"{u.display_name}（{u.username}）") for u in candidates]
    return form


@bp.route("/sessions/<int:session_id>/stations")
@managed.manages_session
def stations(session_id: int):
    exam_session = _session(session_id)
    candidates = sessions.enrolled_candidates(web.db(), session_id)
    rows = [(s, _assign_form(s, candidates)) for s in station_service.stations_of_session(web.db(), session_id)]
    return render_template("typing_test/stations.html", exam_session=exam_session, rows=rows,
                           create_form=CreateStationsForm(), reset_form=ResetForm(),
                           server_url=current_app.config.get("PUBLIC_URL") or url_for("accounts.home", _external=True))


@bp.route("/sessions/<int:session_id>/stations", methods=["POST"])
@managed.manages_session
def create_stations(session_id: int):
    _session(session_id)
    form = CreateStationsForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("typing_review.stations", session_id=session_id))
    with write_session(web.engine()) as db:
        created = station_service.create_stations(db, session_id, form.count.data, current_user.id)
        flash(f"已添加 {len(created)} 台考试机")
    return redirect(url_for("typing_review.stations", session_id=session_id))


@bp.route("/sessions/<int:session_id>/stations/<int:station_id>/assign", methods=["POST"])
@managed.manages_session
def assign_station(session_id: int, station_id: int):
    _session(session_id)
    form = AssignForm(prefix=f"s{station_id}")
    form.candidate_id.choices = [SelectChoice(0, "")] + [
        SelectChoice(u.id, u.username) for u in sessions.enrolled_candidates(web.db(), session_id)]
    if not form.validate_on_submit():
        flash("请选择本场考试的考生", "error")
        return redirect(url_for("typing_review.stations", session_id=session_id))
    try:
        with write_session(web.engine()) as db:
            station = station_service.assign(db, session_id, station_id, form.candidate_id.data or None,
                                             current_user.id)
            flash(f"考试机 {station.label} 已{'分配' if station.candidate_id else '取消分配'}")
    except station_service.StationError as exc:
        flash(str(exc), "error")
    return redirect(url_for("typing_review.stations", session_id=session_id))


@bp.route("/sessions/<int:session_id>/stations/<int:station_id>/reset", methods=["POST"])
@managed.manages_session
def reset_station(session_id: int, station_id: int):
    _session(session_id)
    if not ResetForm().validate_on_submit():
        abort(400)
    try:
        with write_session(web.engine()) as db:
            station = station_service.reset(db, session_id, station_id, current_user.id)
            flash(f"考试机 {station.label} 已重置，可用原编码重新登记")
    except station_service.StationError as exc:
        flash(str(exc), "error")
    return redirect(url_for("typing_review.stations", session_id=session_id))
