"""The examiner's marking page for a session's short answers."""

from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exam import web
from exam.marking import service
from exam.sessions.models import ExamSession

bp = Blueprint("marking", __name__, url_prefix="/examiner")


@bp.route("/sessions/<int:session_id>/marking")
@web.roles_required("examiner")
def session_marking(session_id: int):
    exam_session = web.db().get(ExamSession, session_id) or abort(404)
    answers = service.short_answers(web.db(), session_id)
    return render_template("marking/session.html", exam_session=exam_session, answers=answers, form=FlaskForm(),
                           pending=sum(a.mark is None for a in answers))


@bp.route("/sessions/<int:session_id>/marking/<int:attempt_id>/<int:position>", methods=["POST"])
@web.roles_required("examiner")
def mark(session_id: int, attempt_id: int, position: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        points = Fraction(request.form.get("points", "").strip())
    except (ValueError, ZeroDivisionError):
        flash("得分应为数字，例如 3 或 2.5", "error")
    else:
        try:
            service.save_mark(web.engine(), session_id, attempt_id, position, points,
                              request.form.get("comment", "")[:2000], current_user.id)
            flash(f"已保存答卷 {attempt_id} 第 {position + 1} 题的得分。")
        except service.MarkingError as exc:
            flash(str(exc), "error")
    return redirect(url_for("marking.session_marking", session_id=session_id))
