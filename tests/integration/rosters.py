"""A roster through the examiner's pages, as the roster and admission-ticket tests use it: valid ID
numbers, workbooks, a session with a room, upload then confirm, and what the register then holds."""

from __future__ import annotations

import io
import re

import openpyxl
from sqlalchemy import func, text
from sqlmodel import Session, select

from exam.accounts.models import CandidateProfile, User
from exam.sessions.roster.idcard import check_character
from exam.sessions.models import Enrollment
from tests.webclient import csrf_token

PASSWORD_RE = re.compile(r"<td><code>([^<]+)</code></td>")


def ident(seq: int, birth: str = "19900101", area: str = "110101") -> str:
    body = f"{area}{birth}{seq:03d}"
    return body + check_character(body)


def xlsx(*rows) -> bytes:
    book = openpyxl.Workbook()
    for values in rows:
        book.active.append(list(values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


HEADER = ("姓名", "身份证号", "手机号", "工作单位")
CLASS = [("张伟", ident(11), "13800138001", "华东呼叫中心"),
         ("李娜", ident(12), "13800138002", "华东呼叫中心"),
         ("王芳", ident(13, "19851231"), "13800138003", "银行客服部")]


def page(client, sid) -> str:
    return f"/examiner/sessions/{sid}/roster"


def upload(client, sid, filename, data):
    token = csrf_token(client, page(client, sid))
    return client.post(f"{page(client, sid)}/import", data={"roster-file": (io.BytesIO(data), filename)},
                       headers={"X-CSRFToken": token}, content_type="multipart/form-data")


def confirm(client, sid, preview_html):
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', preview_html).group(1)
    return client.post(f"{page(client, sid)}/import/confirm", data={"token": token, "csrf_token": csrf_token(client, "/no-such-page")})


def import_file(client, sid, filename, data):
    resp = upload(client, sid, filename, data)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return confirm(client, sid, resp.get_data(as_text=True))


def counts(engine) -> tuple[int, int, int]:
    with Session(engine) as db:
        return (db.exec(select(func.count()).select_from(User)).one(),
                db.exec(select(func.count()).select_from(Enrollment)).one(),
                db.exec(select(func.count()).select_from(CandidateProfile)).one())


def enrolments(engine, sid) -> list[tuple[str, str, str | None, int | None, int | None]]:
    """(name, username, ticket, room id, seat) per enrolment, by ticket number."""
    with Session(engine) as db:
        return [tuple(r) for r in db.exec(
            select(User.display_name, User.username, Enrollment.ticket_number, Enrollment.room_id, Enrollment.seat_no)
            .join(User, User.id == Enrollment.candidate_id).where(Enrollment.session_id == sid)
            .order_by(Enrollment.ticket_number)).all()]


def audit_actions(engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT action FROM audit_event ORDER BY seq"))]
