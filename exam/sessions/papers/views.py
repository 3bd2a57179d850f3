"""The examiner's room papers of a session: a page listing the rooms, and per room the sign-in sheet,
the seat plan and the room report as PDFs. Every session-bound view loads its session through one
loader (``_session``)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, send_file

from exam import web
from exam.sessions.models import ExamSession
from exam.sessions.papers import pdf, records
from exam.timeutil import to_local

bp = Blueprint("papers", __name__, url_prefix="/examiner/sessions/<int:session_id>/papers")


def _session(session_id: int) -> ExamSession:
    return web.db().get(ExamSession, session_id) or abort(404)


@bp.route("")
@web.roles_required("examiner")
def index(session_id: int):
    exam_session = _session(session_id)
    return render_template("papers/index.html", exam_session=exam_session,
                           rooms=records.rooms_of(web.db(), session_id))


def _send(data: bytes, name: str):
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _printed() -> str:
    return to_local(web.now(), web.tz()).strftime("%Y-%m-%d %H:%M")


@bp.route("/rooms/<int:room_id>/signin.pdf")
@web.roles_required("examiner")
def signin_sheet(session_id: int, room_id: int):
    exam_session = _session(session_id)
    sheet = records.sheet(web.db(), session_id, room_id, web.tz()) or abort(404)
    return _send(pdf.signin_sheet(sheet, _printed()), f"签到表_{exam_session.name}_{sheet.room_name}.pdf")


@bp.route("/rooms/<int:room_id>/seats.pdf")
@web.roles_required("examiner")
def seat_plan(session_id: int, room_id: int):
    exam_session = _session(session_id)
    sheet = records.sheet(web.db(), session_id, room_id, web.tz()) or abort(404)
    return _send(pdf.seat_plan(sheet, _printed()), f"座位表_{exam_session.name}_{sheet.room_name}.pdf")


@bp.route("/rooms/<int:room_id>/report.pdf")
@web.roles_required("examiner")
def room_report(session_id: int, room_id: int):
    exam_session = _session(session_id)
    report = records.report(web.db(), session_id, room_id, web.tz(), web.now()) or abort(404)
    return _send(pdf.room_report(report, _printed()), f"考场记录_{exam_session.name}_{report.sheet.room_name}.pdf")
