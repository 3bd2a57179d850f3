"""The candidate's practical assessment: start, the tasks, autosave, submit, the published result, and
the per-candidate call log a data-analysis task hands out."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exam import parts, standard, web
from exam.access import live_page
from exam.access import gate as access_gate
from exam.access.attempts import SAVE, SUBMIT, candidate_attempt, close_if_overdue, submit_own
from exam.sessions.models import ExamSession
from exam.sessions.results import visibility
from exam.timeutil import epoch_ms
from practical import results, service
from practical import kinds
from practical.kinds import kind

bp = Blueprint("practical", __name__, template_folder="templates")
bp.add_app_template_global(kinds.template, "kind_template")
PART = "practical"


def _grace() -> dt.timedelta:
    return dt.timedelta(seconds=current_app.config["GRACE_SECONDS"])


@bp.route("/candidate/sessions/<int:session_id>/practical/start", methods=["POST"])
@web.roles_required("candidate")
def start(session_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    refused = access_gate.refuse_start(session_id, "practical")  # the session's access rules, each reason shown
    if refused:
        return refused
    try:
        attempt_id = service.start(web.engine(), session_id, current_user.id, web.now())
    except service.PracticalError as exc:
        flash(str(exc), "error")
        return redirect(url_for("delivery.home"))
    return redirect(url_for("practical.sit", attempt_id=attempt_id))


@bp.route("/candidate/practical/<int:attempt_id>")
@web.roles_required("candidate")
def sit(attempt_id: int):
    attempt = candidate_attempt(PART, attempt_id)
    if close_if_overdue(PART, attempt):
        return redirect(url_for("practical.result", attempt_id=attempt_id))
    exam_session = web.db().get(ExamSession, attempt.session_id)
    # this page becomes the attempt's one live page before it reads the answers (exam.access.live_page)
    page, previous = live_page.open_page(web.engine(), parts.get(PART), attempt_id, current_user.id)
    web.fresh_reads()  # the answers (and the page's status) as they are after the take-over
    tasks = service.tasks_of(web.db(), attempt_id)
    views = [kind(t.kind).candidate_view(t.spec, t.answer, t.seed) for t in tasks]
    state = {
        "attemptId": attempt_id, "deadline": epoch_ms(attempt.deadline), "serverNow": epoch_ms(web.now()),
        # the page's own local copy, and the one page whose copy it may replay (autosave.js)
        "page": page, "previousPage": previous,
        # the page appends each task's position to this prefix
        "saveUrl": url_for("practical.save", attempt_id=attempt_id, position=0).rsplit("/", 1)[0] + "/",
        "saveQuery": "?" + urlencode({live_page.PARAM: page or ""}),
        "saved": {str(t.position): {"answer": t.answer, "seq": t.answer_seq} for t in tasks},
        # the conversation so far of each call, as the candidate sees it (never the script)
        "views": {str(t.position): v for t, v in zip(tasks, views) if t.kind in ("call", "complaint")},
    }
    return render_template("practical/sit.html", attempt=attempt, exam_session=exam_session, live_page_token=page,
                           level=standard.level(exam_session.level), tasks=list(zip(tasks, views)),
                           kind=kind, state=state, form=FlaskForm(),
                           typing_points=standard.typing_rule(exam_session.level).practical_points)


@bp.route("/api/practical/<int:attempt_id>/tasks/<int:position>", methods=["POST"])
@web.roles_required("candidate")
def save(attempt_id: int, position: int):
    checks = candidate_attempt(PART, attempt_id, SAVE)  # the page's access rules hold for the API too
    body = request.get_json(silent=True)

    def store(run):
        if not isinstance(body, dict):
            raise service.PracticalError("保存请求格式错误：应为 JSON 对象")
        return service.save(web.engine(), attempt_id, current_user.id, position, body.get("seq"), body.get("answer"),
                            web.now(), _grace(), request.args.get(live_page.PARAM), run)
    try:
        stored, after = checks.run(store)  # the checks run in the save's transaction, on the locked row
    except live_page.TakenOver as exc:
        return jsonify(error=str(exc), takenOver=True), exc.status
    except service.PracticalClosedError as exc:
        return jsonify(error=str(exc), closed=True), exc.status
    except service.PracticalConflictError as exc:
        return jsonify(error=str(exc), conflict=True), exc.status
    except service.PracticalError as exc:
        return jsonify(error=str(exc)), exc.status
    # the one acknowledgement shape of every save API (autosave.js): [[key, stored seq], …]
    return jsonify(acked=[[position, stored]], stored=stored, after=after, serverNow=epoch_ms(web.now()))


@bp.route("/candidate/practical/<int:attempt_id>/submit", methods=["POST"])
@web.roles_required("candidate")
def submit(attempt_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    submit_own(PART, candidate_attempt(PART, attempt_id, SUBMIT))
    return redirect(url_for("practical.result", attempt_id=attempt_id))


@bp.route("/candidate/practical/<int:attempt_id>/result")
@web.roles_required("candidate")
def result(attempt_id: int):
    attempt = candidate_attempt(PART, attempt_id)
    if not close_if_overdue(PART, attempt):
        return redirect(url_for("practical.sit", attempt_id=attempt_id))
    exam_session = web.db().get(ExamSession, attempt.session_id)
    hidden = visibility.of(exam_session).held
    published = visibility.visible(exam_session, PART)
    return render_template("practical/result.html", attempt=attempt, exam_session=exam_session,
                           level=standard.level(exam_session.level), published=published, hidden=hidden,
                           # criterion, met or not, points: no check's message (it states the key)
                           breakdown=results.for_candidate(results.breakdown(web.db(), attempt))
                           if published else None)


@bp.route("/candidate/practical/<int:attempt_id>/tasks/<int:position>/log.<fmt>")
@web.roles_required("candidate")
def call_log(attempt_id: int, position: int, fmt: str):
    """A data-analysis task's call log, generated from the task's seed: every candidate's differs."""
    attempt = candidate_attempt(PART, attempt_id)
    task = results.task_of(web.db(), attempt.id, position)
    if task is None or task.kind != "kpi" or fmt not in ("csv", "xlsx"):
        abort(404)
    from practical import kpi_export
    from practical.kinds import kpi as kpi_kind
    log = kpi_kind.log_for(task.spec, task.seed)
    if fmt == "csv":
        body, mimetype = kpi_export.to_csv(log), "text/csv; charset=utf-8"
    else:
        body, mimetype = kpi_export.to_xlsx(log), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="calllog-{attempt.ticket}-{position + 1}.{fmt}"'})
