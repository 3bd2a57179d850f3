"""The examiner's room papers of a session: a page listing the rooms, and per room the sign-in sheet,
the seat plan and the room report as PDFs. Every session-bound view loads its session through one
loader (``_session``)."""

from __future__ import annotations

import io

from flask import Blueprint, abort, render_template, send_file
from flask_login import current_user
from sqlmodel import select

from exam import web
from exam.accounts.models import User
from exam.audit.service import record
from exam.db import write_connection
from exam.sessions import managed
from exam.sessions.models import Enrollment, ExamSession
from exam.sessions.papers import answer_sheet, pdf, records
from exam.timeutil import to_local

bp = Blueprint("papers", __name__, url_prefix="/examiner/sessions/<int:session_id>/papers")


def _session(session_id: int) -> ExamSession:
    return managed.managed_session(session_id)   # 404 none, 403 a session this examiner does not manage


@bp.route("")
@managed.manages_session
def index(session_id: int):
    exam_session = _session(session_id)
    return render_template("papers/index.html", exam_session=exam_session,
                           rooms=records.rooms_of(web.db(), session_id),
                           candidates=records.candidates_of(web.db(), session_id))


def _send(data: bytes, name: str):
    response = send_file(io.BytesIO(data), mimetype="application/pdf", as_attachment=False, download_name=name)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _printed() -> str:
    return to_local(web.now(), web.tz()).strftime("%Y-%m-%d %H:%M")


@bp.route("/rooms/<int:room_id>/signin.pdf")
@managed.manages_session
def signin_sheet(session_id: int, room_id: int):
    exam_session = _session(session_id)
    sheet = records.sheet(web.db(), session_id, room_id, web.tz()) or abort(404)
    return _send(pdf.signin_sheet(sheet, _printed()), f"签到表_{exam_session.name}_{sheet.room_name}.pdf")


@bp.route("/rooms/<int:room_id>/seats.pdf")
@managed.manages_session
def seat_plan(session_id: int, room_id: int):
    exam_session = _session(session_id)
    sheet = records.sheet(web.db(), session_id, room_id, web.tz()) or abort(404)
    return _send(pdf.seat_plan(sheet, _printed()), f"座位表_{exam_session.name}_{sheet.room_name}.pdf")


@bp.route("/rooms/<int:room_id>/report.pdf")
@managed.manages_session
def room_report(session_id: int, room_id: int):
    exam_session = _session(session_id)
    report = records.report(web.db(), session_id, room_id, web.tz(), web.now()) or abort(404)
    return _send(pdf.room_report(report, _printed()), f"考场记录_{exam_session.name}_{report.sheet.room_name}.pdf")


# ---------------------------------------------------------------- one candidate's answer sheet (appeals)

@bp.route("/candidates/<int:candidate_id>/answer-sheet")
@managed.manages_session
def answer_sheet_page(session_id: int, candidate_id: int):
    """Everything one candidate answered in the session, with keys, marks and markers' rounds: for an
    appeal. Names stand beside answers here, so each opening is audited."""
    exam_session = _session(session_id)
    db = web.db()
    enrolment = db.exec(select(Enrollment).where(Enrollment.session_id == session_id,
                                                 Enrollment.candidate_id == candidate_id)).first()
    if enrolment is None:
        abort(404)
    candidate = db.get(User, candidate_id)
    sheet = answer_sheet.theory(db, session_id, candidate_id)
    parts_html = answer_sheet.sections(db, session_id, candidate_id)
    with write_connection(web.engine()) as conn:
        record(conn, "appeal.answer_sheet_viewed", "exam_session", session_id, actor_id=current_user.id,
               candidate_id=candidate_id, ticket=enrolment.ticket_number)
    return render_template("papers/answer_sheet.html", exam_session=exam_session, candidate=candidate,
                           enrolment=enrolment, attempt=sheet.attempt, lines=sheet.lines,
                           withheld=sheet.withheld, pending=sheet.pending, parts_html=parts_html,
                           reasons=records.SUBMIT_REASONS)
