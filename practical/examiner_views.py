"""The examiner's side of the practical: a session's results, the anonymous marking queue, marking one
task against its rubric beside the machine's checks, double marking. Publication is the session's
(``exam.sessions.results.publication``, one path for every part): this page links to it."""

from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exam import web
from exam.db import write_session
from exam.marking import rounds
from exam.sessions import managed
from exam.sessions.models import ExamSession
from exam.sessions.results import visibility
from practical import call_script, marking, results
from practical.kinds import kind
from practical.marking import criterion_max

VERDICTS = {"met": "达到", "partly_met": "部分达到", "not_met": "未达到"}

bp = Blueprint("practical_marking", __name__, url_prefix="/examiner", template_folder="templates")


def _session(session_id: int) -> ExamSession:
    return managed.managed_session(session_id)


@bp.route("/sessions/<int:session_id>/practical")
@managed.manages_session
def session_results(session_id: int):
    exam_session = _session(session_id)
    rows = results.session_rows(web.db(), session_id)
    waiting = sum(1 for e in marking.queue(web.db(), session_id) if e.state != "已评定")
    # Anonymous marking: markers know attempts only by their 凭证号. Until every task is marked and
    # nobody is still answering, this page (open to every examiner of the session) must not say
    # whose 凭证号 is whose, so it lists the 凭证号 with the scores and leaves the names out.
    anonymous = marking.under_way(web.db(), session_id)
    if anonymous:
        rows = sorted(rows, key=lambda r: r.attempt.ticket)   # not by name: the order would tell
    return render_template("practical/session_results.html", exam_session=exam_session, rows=rows,
                           waiting=waiting, form=FlaskForm(), anonymous=anonymous,
                           closed=web.now() >= exam_session.practical_window[1])


@bp.route("/sessions/<int:session_id>/practical/double-marking", methods=["POST"])
@managed.manages_session
def double_marking(session_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    with write_session(web.engine()) as db:
        exam_session = db.get(ExamSession, session_id) or abort(404)
        if visibility.of(exam_session).published:
            flash("成绩已发布，不能再更改评分方式", "error")
        else:
            exam_session.double_marking = request.form.get("enabled") == "1"
            db.add(exam_session)
            flash("已开启双评：每个实操任务和简答题由两位考评员独立评分" if exam_session.double_marking else "已改为单评")
    return redirect(url_for("practical_marking.session_results", session_id=session_id))


@bp.route("/sessions/<int:session_id>/practical/marking")
@managed.manages_session
def marking_queue(session_id: int):
    exam_session = _session(session_id)
    return render_template("practical/marking_queue.html", exam_session=exam_session,
                           entries=marking.queue(web.db(), session_id), kind=kind, me=current_user.id,
                           manual_max=marking.manual_max)


@bp.route("/sessions/<int:session_id>/practical/marking/<ticket>/<int:position>", methods=["GET", "POST"])
@managed.manages_session
def mark(session_id: int, ticket: str, position: int):
    """One task of one attempt, named by its anonymous 凭证号 (no attempt id in marking URLs)."""
    try:
        entry = marking.entry_by_ticket(web.db(), session_id, ticket, position)
    except marking.MarkingError:
        abort(404)
    attempt_id = entry.attempt_id
    form = FlaskForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        raw = {c["key"]: request.form.get(f"c_{c['key']}", "") for c in entry.task.rubric}
        reasons = {c["key"]: request.form.get(f"r_{c['key']}", "") for c in entry.task.rubric}
        try:
            saved = marking.save_mark(web.engine(), attempt_id, position, current_user.id, raw,
                                      request.form.get("comment", ""), web.now(), reasons,
                                      confirmed=request.form.get("confirm_change") == "1",
                                      change_reason=request.form.get("change_reason", ""))
            flash(f"已保存评分（第 {saved.round} 评）：{rounds.shown(Fraction(saved.points))} 分")
            return redirect(url_for("practical_marking.marking_queue", session_id=session_id))
        except marking.MarkingError as exc:
            flash(str(exc), "error")
    task = entry.task
    module = kind(task.kind)
    mine = next((m for m in entry.marks if m.marker_id == current_user.id), None)
    # Marking is blind: the other examiners' marks are shown only to the one reconciling them.
    show_others = entry.state == "待仲裁" and mine is None
    turns = None
    if task.kind in ("call", "complaint"):  # the transcript turn by turn, beside the criteria
        turns = call_script.transcript_rows(task.spec, task.answer)
    # the QA officer's comments, shown beside the coaching criterion's marking guide
    comments = module.comment_rows(task.spec, task.answer) if hasattr(module, "comment_rows") else None
    return render_template(
        "practical/mark.html", entry=entry, task=task, module=module, form=form, mine=mine, turns=turns,
        comments=comments,
        suggestions=marking.suggestions(task), verdicts=VERDICTS,
        show_others=show_others, view=module.candidate_view(task.spec, task.answer, task.seed),
        criteria=[(c, criterion_max(task, c)) for c in task.rubric], checks=(task.auto or {}).get("checks", []),
        manual_max=marking.manual_max(task), session_id=session_id)
