"""The examiner's marking page for a session's short answers."""

from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exam import web
from exam.marking import rounds, service
from exam.sessions import managed

bp = Blueprint("marking", __name__, url_prefix="/examiner")


@bp.route("/sessions/<int:session_id>/marking")
@managed.manages_session
def session_marking(session_id: int):
    exam_session = managed.managed_session(session_id)
    answers = service.short_answers(web.db(), session_id, current_app.secret_key)
    return render_template("marking/session.html", exam_session=exam_session, answers=answers, form=FlaskForm(),
                           pending=sum(a.state != rounds.AGREED for a in answers), me=current_user.id,
                           rounds=rounds)


@bp.route("/sessions/<int:session_id>/marking/<code>/<int:position>", methods=["POST"])
@managed.manages_session
def mark(session_id: int, code: str, position: int):
    """One short answer, named by its attempt's anonymous 答卷码 (no attempt id in marking URLs)."""
    if not FlaskForm().validate_on_submit():
        abort(400)
    attempt_id = service.attempt_of_code(web.db(), session_id, code, current_app.secret_key)
    if attempt_id is None:
        abort(404)
    code = code.strip().upper()
    # one p_N per 评分要点 (the service refuses a bare total for an item that has 要点); a bare
    # ``points`` only for an item without 要点
    parts = {key[2:]: value for key, value in request.form.items() if key.startswith("p_")} or None
    points = None
    if parts is None and "points" in request.form:
        try:
            points = Fraction(request.form["points"].strip())
        except (ValueError, ZeroDivisionError):
            points = None          # the service names the range
    try:
        service.save_mark(web.engine(), session_id, attempt_id, position, points,
                          request.form.get("comment", "")[:2000], current_user.id, parts=parts,
                          confirmed=request.form.get("confirm_change") == "1",
                          change_reason=request.form.get("change_reason", ""))
        flash(f"已保存答卷 {code} 第 {position + 1} 题的得分。")
    except service.PointsMissing as exc:
        # not something the page sends (it posts every 要点): refused outright, nothing saved
        message = f"答卷 {code} 第 {position + 1} 题未保存：{exc}"
        return render_template("error.html", message=message, status=400), 400
    except service.MarkingError as exc:
        flash(f"答卷 {code} 第 {position + 1} 题未保存：{exc}", "error")
    return redirect(_back(session_id, code, position))


def _back(session_id: int, code: str, position: int) -> str:
    """Back to the same place in the list (its order never changes on a save)."""
    return url_for("marking.session_marking", session_id=session_id, _anchor=f"mark-{code}-{position}")
