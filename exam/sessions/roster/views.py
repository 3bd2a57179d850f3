"""The examiner's roster page of a session (import, seats, photos, admission tickets) and the
candidate's own admission ticket.

An import is two requests, like the question-bank import: the upload is parsed and previewed
(nothing written), the bytes are kept on the server under a token held in the examiner's signed
session, and the confirmation parses those bytes again and imports all of them or none. The
browser never sends roster content back. Initial passwords, when the session signs in by
password, are shown on a page of their own that only the importing examiner can open, once.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint, abort, current_app, flash, redirect, render_template, send_file, session, url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from exam import held_uploads, web
from exam.db import write_session
from exam.sessions import managed
from exam.sessions.roster import admission
from exam.sessions.roster import admission_pdf
from exam.sessions.roster import credentials
from exam.sessions.roster import enrolment
from exam.sessions.roster import profiles
from exam.sessions.roster import sheet as roster
from exam.sessions.roster import listing as roster_listing
from exam.sessions.rooms import seats
from exam.sessions.models import ExamSession
from exam.sessions.roster.forms import AssignForm, ConfirmForm, MoveForm, PhotoForm, UploadForm
from exam.timeutil import to_local

bp = Blueprint("rosters", __name__)

#: Flask-session entries: the upload awaiting confirmation, the passwords awaiting printing.
PENDING, ISSUED = "roster_import", "roster_credentials"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _instance() -> str:
    return current_app.instance_path


def _exam_session(session_id: int) -> ExamSession:
    return managed.managed_session(session_id)


def _forms(session_id: int, entries: list[roster_listing.Entry], rooms) -> dict:
    move, photo = MoveForm(prefix="move"), PhotoForm(prefix="photo")
    move.enrollment_id.choices = [SelectChoice(e.enrollment_id, f"{e.ticket_number or '—'} {e.name}（{e.seat}）")
                                  for e in entries]
    move.room_id.choices = [SelectChoice(r.id, f"{r.name}（{r.seats} 座）") for r in rooms]
    photo.candidate_id.choices = [SelectChoice(e.candidate_id, f"{e.ticket_number or '—'} {e.name}") for e in entries]
    return {"upload_form": UploadForm(prefix="roster"), "assign_form": AssignForm(prefix="assign"),
            "move_form": move, "photo_form": photo}


def _page(exam_session, failure: list[str] | None = None, status: int = 200, **forms):
    db = web.db()
    entries = roster_listing.entries(db, exam_session.id)
    rooms = seats.rooms_of(db, exam_session.id)
    context = _forms(exam_session.id, entries, rooms)
    context.update(forms)
    issued = session.get(ISSUED) or {}
    return render_template(
        "rosters/index.html", exam_session=exam_session, entries=entries, rooms=rooms,
        free=seats.free_seats(db, exam_session.id), failure=failure, orders=seats.ORDERS,
        has_credentials=issued.get("session") == exam_session.id and issued.get("user") == current_user.id,
        max_mb=roster.MAX_BYTES // (1024 * 1024), max_rows=roster.MAX_ROWS, **context), status


@bp.route("/examiner/sessions/<int:session_id>/roster")
@managed.manages_session
def index(session_id: int):
    return _page(_exam_session(session_id))


@bp.route("/examiner/roster-template.xlsx")
@web.roles_required(*managed.MANAGER_ROLES)
def template():
    return send_file(io.BytesIO(roster.template_xlsx()), mimetype=XLSX, as_attachment=True,
                     download_name="考生名单模板.xlsx")


# ---------------------------------------------------------------- import

@bp.route("/examiner/sessions/<int:session_id>/roster/import", methods=["POST"])
@managed.manages_session
def import_upload(session_id: int):
    exam_session = _exam_session(session_id)
    form = UploadForm(prefix="roster")
    if not form.validate_on_submit():
        return _page(exam_session, status=422, upload_form=form)
    filename = held_uploads.client_filename(form.file.data.filename)
    data = form.file.data.read()
    plan = enrolment.preview(web.db(), exam_session, filename, data, web.today(), web.tz())
    if not plan.ok:
        return _page(exam_session, failure=plan.errors + plan.conflicts, status=422)
    token = held_uploads.hold(PENDING, data, session=session_id, filename=filename)
    return render_template("rosters/preview.html", exam_session=exam_session, preview=plan,
                           form=ConfirmForm(token=token), statuses=enrolment.STATUSES)


@bp.route("/examiner/sessions/<int:session_id>/roster/import/confirm", methods=["POST"])
@managed.manages_session
def import_confirm(session_id: int):
    exam_session = _exam_session(session_id)
    pending, data = held_uploads.held(PENDING, ConfirmForm(), session=session_id)
    if data is None:
        flash("这次导入已失效（已确认、已取消或超过一天），请重新上传名单文件", "error")
        return redirect(url_for(".index", session_id=session_id))
    try:
        report = enrolment.confirm(web.engine(), session_id, pending["filename"], data, web.today(), web.tz(),
                                   current_user.id)
    except enrolment.RosterImportError as exc:    # another import or a schedule change came in between
        held_uploads.drop(PENDING)
        return _page(exam_session, failure=exc.errors, status=422)
    held_uploads.drop(PENDING)
    flash(f"已导入 {pending['filename']}：新建考生账号 {report.created} 个，报名 {report.created + report.enrolled} 人，"
          f"已在本场次 {report.already} 人，更新资料 {report.updated} 人。")
    if report.credentials:
        old = session.pop(ISSUED, None)
        if old:
            credentials.discard(_instance(), old.get("token"))
        token = credentials.save(_instance(), report.credentials)
        session[ISSUED] = {"token": token, "user": current_user.id, "session": session_id}
        return redirect(url_for(".issued", session_id=session_id))
    return redirect(url_for(".index", session_id=session_id))


@bp.route("/examiner/sessions/<int:session_id>/roster/import/cancel", methods=["POST"])
@managed.manages_session
def import_cancel(session_id: int):
    if ConfirmForm().validate_on_submit():
        held_uploads.drop(PENDING)
        flash("已取消导入，名单未改动")
    return redirect(url_for(".index", session_id=session_id))


# ---------------------------------------------------------------- initial passwords

def _issued(session_id: int):
    issued = session.get(ISSUED) or {}
    if issued.get("session") != session_id or issued.get("user") != current_user.id:
        return None
    return credentials.load(_instance(), issued.get("token"))


@bp.route("/examiner/sessions/<int:session_id>/roster/passwords")
@managed.manages_session
def issued(session_id: int):
    exam_session = _exam_session(session_id)
    found = _issued(session_id)
    if found is None:
        flash("初始密码只在导入后提供一次，已经不可查看；遗失密码的考生请重新设置密码", "error")
        return redirect(url_for(".index", session_id=session_id))
    return render_template("rosters/passwords.html", exam_session=exam_session, credentials=found, form=FlaskForm())


@bp.route("/examiner/sessions/<int:session_id>/roster/passwords.xlsx")
@managed.manages_session
def issued_xlsx(session_id: int):
    exam_session = _exam_session(session_id)
    found = _issued(session_id)
    if found is None:
        abort(404)
    return send_file(io.BytesIO(credentials.xlsx(exam_session.name, found)), mimetype=XLSX, as_attachment=True,
                     download_name=f"初始密码_{exam_session.name}.xlsx")


@bp.route("/examiner/sessions/<int:session_id>/roster/passwords/discard", methods=["POST"])
@managed.manages_session
def issued_discard(session_id: int):
    if FlaskForm().validate_on_submit():
        issued_ = session.pop(ISSUED, None)
        if issued_:
            credentials.discard(_instance(), issued_.get("token"))
        flash("已删除服务器上的初始密码")
    return redirect(url_for(".index", session_id=session_id))


# ---------------------------------------------------------------- seats and photos

@bp.route("/examiner/sessions/<int:session_id>/roster/seats", methods=["POST"])
@managed.manages_session
def assign_seats(session_id: int):
    exam_session = _exam_session(session_id)
    form = AssignForm(prefix="assign")
    if not form.validate_on_submit():
        return _page(exam_session, status=422, assign_form=form)
    try:
        with write_session(web.engine()) as db:
            count = seats.assign(db, session_id, current_user.id, form.order.data, bool(form.reseat_all.data))
    except seats.SeatError as exc:
        return _page(exam_session, failure=[str(exc)], status=422)
    flash(f"已为 {count} 名考生分配座位" if count else "所有考生都已有座位")
    return redirect(url_for(".index", session_id=session_id))


@bp.route("/examiner/sessions/<int:session_id>/roster/seats/move", methods=["POST"])
@managed.manages_session
def move_seat(session_id: int):
    exam_session = _exam_session(session_id)
    form = MoveForm(prefix="move")
    if not form.validate_on_submit():
        return _page(exam_session, status=422, move_form=form)
    try:
        with write_session(web.engine()) as db:
            seat = seats.move(db, session_id, form.enrollment_id.data, form.room_id.data, form.seat_no.data,
                              current_user.id)
            label = seat.label
    except seats.SeatError as exc:
        return _page(exam_session, failure=[str(exc)], status=422)
    flash(f"已调整座位：{label}")
    return redirect(url_for(".index", session_id=session_id))


@bp.route("/examiner/sessions/<int:session_id>/roster/photo", methods=["POST"])
@managed.manages_session
def upload_photo(session_id: int):
    exam_session = _exam_session(session_id)
    form = PhotoForm(prefix="photo")
    if not form.validate_on_submit():
        return _page(exam_session, status=422, photo_form=form)
    try:
        with write_session(web.engine()) as db:
            profiles.set_photo(db, session_id, form.candidate_id.data, form.photo.data.read(), current_user.id)
    except profiles.PhotoError as exc:
        return _page(exam_session, failure=[f"照片：{exc}"], status=422)
    flash("已保存考生照片，将印在准考证上")
    return redirect(url_for(".index", session_id=session_id))


@bp.route("/examiner/sessions/<int:session_id>/roster/photo/<int:candidate_id>")
@managed.manages_session
def photo(session_id: int, candidate_id: int):
    if roster_listing.enrolment_of(web.db(), session_id, candidate_id) is None:
        abort(404)
    found = profiles.photo(web.db(), candidate_id)
    if found is None:
        abort(404)
    return send_file(io.BytesIO(found[0]), mimetype=found[1])


# ---------------------------------------------------------------- admission tickets

def _pdf(tickets: list[admission.AdmissionTicket], download_name: str):
    printed = to_local(web.now(), web.tz()).strftime("%Y-%m-%d %H:%M")
    data = admission_pdf.render(tickets, printed)
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False,
                         download_name=download_name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/examiner/sessions/<int:session_id>/roster/tickets.pdf")
@managed.manages_session
def tickets_pdf(session_id: int):
    exam_session = _exam_session(session_id)
    found = admission.tickets_of_session(web.db(), session_id, web.tz())
    if not found:
        flash("本场次还没有考生，无法打印准考证", "error")
        return redirect(url_for(".index", session_id=session_id))
    return _pdf(found, f"准考证_{exam_session.name}.pdf")


@bp.route("/examiner/sessions/<int:session_id>/roster/tickets/<int:enrollment_id>.pdf")
@managed.manages_session
def ticket_pdf(session_id: int, enrollment_id: int):
    found = admission.tickets_of_session(web.db(), session_id, web.tz(), enrollment_id=enrollment_id)
    if not found:
        abort(404)
    return _pdf(found, admission.ticket_file_name(found[0]))


@bp.route("/candidate/sessions/<int:session_id>/ticket.pdf")
@web.roles_required("candidate")
def my_ticket(session_id: int):
    found = admission.tickets_of_session(web.db(), session_id, web.tz(), candidate_id=current_user.id)
    if not found:
        abort(404)
    return _pdf(found, admission.ticket_file_name(found[0]))


@bp.app_template_global()
def admission_tickets() -> dict:
    """The signed-in candidate's ticket number and seat per session id, for their home page."""
    if not current_user.is_authenticated or current_user.role != "candidate":
        return {}
    return admission.candidate_tickets(web.db(), current_user.id)
