from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from exam import standard, web
from exam.db import write_session
from exam.sessions import service
from exam.sessions.forms import SessionForm
from exam.sessions.models import ExamSession
from exam.timeutil import local_to_utc
from question_bank.assembly import AssemblyError
from question_bank.blueprint import BlueprintError

bp = Blueprint("sessions", __name__, url_prefix="/examiner")


@bp.route("/sessions")
@web.roles_required("examiner")
def index():
    return render_template("sessions/index.html", sessions=service.list_sessions(web.db()))


@bp.route("/sessions/new", methods=["GET", "POST"])
@web.roles_required("examiner")
def create():
    form = SessionForm()
    form.candidates.choices = [SelectChoice(u.id, f"{u.display_name}（{u.username}）") for u in service.candidates(web.db())]
    form.blueprint_id.choices = [SelectChoice(0, "不用规则：按职业功能比重随机抽题（填写题量）")] + [
        SelectChoice(r.id, f"{standard.LEVELS[r.level].name} · {r.name}") for r in service.blueprint_choices(web.db())]
    if form.validate_on_submit():
        tz = current_app.config["TIMEZONE"]
        try:
            with write_session(web.engine()) as db:
                created = service.create_session(
                    db, name=form.name.data, level=form.level.data,
                    opens_at=local_to_utc(form.opens_at.data, tz), closes_at=local_to_utc(form.closes_at.data, tz),
                    duration_minutes=form.duration_minutes.data, item_count=form.item_count.data,
                    candidate_ids=form.candidates.data or [], created_by=current_user.id,
                    blueprint_id=form.blueprint_id.data or None)
                session_id = created.id
            flash("已创建场次")
            return redirect(url_for("sessions.detail", session_id=session_id))
        except AssemblyError as exc:
            form.item_count.errors.append(str(exc))
        except BlueprintError as exc:
            form.blueprint_id.errors.append(str(exc))
    return render_template("sessions/new.html", form=form)


@bp.route("/sessions/<int:session_id>")
@web.roles_required("examiner")
def detail(session_id: int):
    exam_session = web.db().get(ExamSession, session_id)
    if exam_session is None:
        abort(404)
    rows = service.results(web.db(), session_id)
    return render_template("sessions/detail.html", exam_session=exam_session, rows=rows,
                           level=standard.level(exam_session.level), pass_mark=standard.THEORY_PASS_MARK)
