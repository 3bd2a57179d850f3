"""Admission tickets and signing in with them, on SQLite and PostgreSQL: the ticket PDF read back by an
independent reader (poppler's pdftotext), the candidate's own ticket link, photos, ticket-number
sign-in in both of a session's modes, and the demo roster."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from exam.accounts.models import CandidateProfile, User
from exam.db import write_session
from exam.sessions.models import Enrollment
from tests.integration.rosters import (CLASS, HEADER, PASSWORD_RE, audit_actions, enrolments, ident, import_file, page,
                                       xlsx)
from tests.webclient import csrf_token, login


# ---------------------------------------------------------------- admission tickets

def pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", "-", "-"], input=data, capture_output=True,
                         check=True, timeout=30)
    return re.sub(r"[ \t]+", " ", out.stdout.decode("utf-8"))


def test_admission_ticket_pdf_carries_the_facts_in_an_embedded_chinese_font(client, engine, roster_session):
    sid = roster_session(seats=5)
    login(client, "examiner")
    import_file(client, sid, "名单.xlsx", xlsx(HEADER, *CLASS))
    token = csrf_token(client, page(client, sid))
    client.post(f"{page(client, sid)}/seats", data={"assign-order": "ticket"}, headers={"X-CSRFToken": token})
    rows = enrolments(engine, sid)
    resp = client.get(f"{page(client, sid)}/tickets.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert b"/FontFile2" in resp.data or b"FontFile2" in resp.data, "the TrueType font is embedded"
    body = pdf_text(resp.data)
    assert body.count("准 考 证") == 3
    for name, _u, ticket, _room, seat in rows:
        assert name in body and f"{ticket[:4]} {ticket[4:8]} {ticket[8:]}" in body
    assert "名单测试场次" in body and "第" in body and "考场 · 1 号座位" in body and "三楼东侧" in body
    assert "考场规则" in body and "身份证号码的后六位" in body
    assert "110101********0113"[:6] in body and ident(11) not in body


def test_candidate_home_links_its_own_ticket_only(client, engine, roster_session):
    sid = roster_session(seats=5, candidates=("cand1",))
    other = roster_session(candidates=("cand2",), opens_in=dt.timedelta(days=3), closes_in=dt.timedelta(days=3, hours=2))
    ticket = enrolments(engine, sid)[0][2]
    login(client, "cand1")
    home = client.get("/candidate").get_data(as_text=True)
    assert f"准考证号 {ticket}" in home and f"/candidate/sessions/{sid}/ticket.pdf" in home
    resp = client.get(f"/candidate/sessions/{sid}/ticket.pdf")
    assert resp.status_code == 200 and "cand1" in pdf_text(resp.data)
    assert client.get(f"/candidate/sessions/{other}/ticket.pdf").status_code == 404


def test_a_photo_is_checked_kept_and_printed(client, engine, roster_session, users):
    from PIL import Image

    sid = roster_session(candidates=("cand1",))
    login(client, "examiner")
    token = csrf_token(client, page(client, sid))

    def send(data, name):
        return client.post(f"{page(client, sid)}/photo", headers={"X-CSRFToken": token},
                           data={"photo-candidate_id": users["cand1"], "photo-photo": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")

    resp = send(b"GIF89a not a photo", "a.png")
    assert resp.status_code == 422 and "照片：无法识别为图片" in resp.get_data(as_text=True)
    picture = io.BytesIO()
    Image.new("RGB", (240, 320), (90, 140, 200)).save(picture, "PNG")
    assert send(picture.getvalue(), "照片.png").status_code == 302
    resp = client.get(f"{page(client, sid)}/photo/{users['cand1']}")
    assert resp.status_code == 200 and resp.mimetype == "image/png" and resp.data == picture.getvalue()
    assert client.get(f"{page(client, sid)}/photo/{users['cand2']}").status_code == 404
    pdf = client.get(f"{page(client, sid)}/tickets.pdf")
    assert pdf.status_code == 200 and b"/Subtype /Image" in pdf.data
    assert "candidate.photo" in audit_actions(engine)


# ---------------------------------------------------------------- sign-in with a ticket number

def test_ticket_sign_in_with_the_last_six_id_characters(client, engine, roster_session, app):
    sid = roster_session(signin_mode="id_last6")
    login(client, "examiner")
    wang = ("王小丫", "11010519491231002X", "13800138009", "")
    import_file(client, sid, "名单.xlsx", xlsx(HEADER, *CLASS[:1], wang))
    rows = {r[0]: r for r in enrolments(engine, sid)}
    ticket = rows["王小丫"][2]
    assert login(client, ticket, "31002x").status_code == 302         # lower-case x is accepted
    assert client.get("/").location.endswith("/candidate")
    with Session(engine) as db:
        assert db.exec(select(Enrollment.signed_in_at).where(Enrollment.ticket_number == ticket)).one() is not None
    assert login(client, ticket, "３１００２Ｘ").status_code == 302       # full-width from a Chinese IME
    assert login(client, rows["张伟"][2], "000000").status_code == 401
    # Throttled per account: the ticket and its username count together.
    zhang = rows["张伟"][2]
    for _ in range(app.config.get("THROTTLE_SIGNIN_FREE", 5) - 1):
        assert login(client, zhang, "999999").status_code == 401
    resp = login(client, zhang, ident(11)[-6:])
    assert resp.status_code == 429 and "登录失败次数过多" in resp.get_data(as_text=True)


def test_ticket_sign_in_with_an_issued_password(client, engine, roster_session):
    sid = roster_session(signin_mode="password")
    login(client, "examiner")
    resp = import_file(client, sid, "名单.xlsx", xlsx(HEADER, *CLASS[:2]))
    assert resp.status_code == 302 and resp.location.endswith("/roster/passwords")
    html = client.get(resp.location).get_data(as_text=True)
    passwords = PASSWORD_RE.findall(html)
    assert len(passwords) == 2 and all(len(p) == 12 for p in passwords)
    sheet = client.get(f"{page(client, sid)}/passwords.xlsx")
    assert sheet.status_code == 200 and sheet.data.startswith(b"PK")
    rows = enrolments(engine, sid)
    assert rows[0][2] in html
    with Session(engine) as db:
        hashes = db.exec(select(User.password_hash).where(User.username.in_([r[1] for r in rows]))).all()
    assert all(h.startswith("$argon2") and passwords[0] not in h for h in hashes)

    token = csrf_token(client, page(client, sid))
    client.post(f"{page(client, sid)}/passwords/discard", data={"csrf_token": token})
    assert client.get(f"{page(client, sid)}/passwords").status_code == 302     # shown once only
    assert client.get(f"{page(client, sid)}/passwords.xlsx").status_code == 404

    assert login(client, rows[0][2], ident(11)[-6:]).status_code == 401   # not the ID in this mode
    assert login(client, rows[0][2], passwords[0]).status_code == 302
    assert login(client, rows[1][1], passwords[1]).status_code == 302      # the username works too
    # Initial passwords get a light hash (they are random); the first sign-in upgrades it.
    assert all("m=2048,t=1" in h for h in hashes)
    with Session(engine) as db:
        upgraded = db.exec(select(User.password_hash).where(User.username.in_([r[1] for r in rows]))).all()
    assert all("m=19456,t=2" in h for h in upgraded)


# ---------------------------------------------------------------- demo data

def test_demo_roster_seats_everyone_and_signs_in_by_ticket(sqlite_url, tmp_path):
    from exam import db as dbmod
    from exam import demo
    from exam.app import create_app

    engine = dbmod.engine_for(sqlite_url)
    demo.load(engine)
    demo.load(engine)          # safe to load twice
    with Session(engine) as db:
        rows = db.exec(select(Enrollment.session_id, Enrollment.ticket_number, Enrollment.seat_no,
                              CandidateProfile.id_number)
                       .join(CandidateProfile, CandidateProfile.user_id == Enrollment.candidate_id)).all()
        senior = db.exec(text("SELECT id FROM exam_session WHERE name = '演示场次（高级）'")).one()[0]
    assert rows and all(ticket and seat and number for _s, ticket, seat, number in rows)
    assert len({(s, seat) for s, _t, seat, _n in rows}) == len(rows)
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": sqlite_url,
                      "SECRET_KEY": "test-secret", "TESTING": True})
    client = app.test_client()
    ticket, number = next((t, n) for s, t, _seat, n in rows if s == senior)
    assert login(client, ticket, number[-6:]).status_code == 302
    assert f"准考证号 {ticket}" in client.get("/candidate").get_data(as_text=True)


def test_an_account_cannot_be_named_like_an_issued_ticket(engine, db_url, roster_session, tmp_path):
    from exam.accounts import service as accounts

    sid = roster_session(candidates=("cand1",))
    ticket = enrolments(engine, sid)[0][2]
    with write_session(engine) as db, pytest.raises(accounts.AccountError, match="与已发放的准考证号相同"):
        accounts.create_user(db, ticket, "a-long-password", "candidate")
    # as printed on the 准考证 too: sign-in reads "2026 0001 0001" as that ticket, never as a username
    grouped = f"{ticket[:4]} {ticket[4:8]} {ticket[8:]}"
    with write_session(engine) as db, pytest.raises(accounts.AccountError, match="与已发放的准考证号相同"):
        accounts.create_user(db, grouped, "a-long-password", "candidate")
    # the console door asks the roster too: a process without the web app connects the handlers itself
    callexam = str(Path(sys.executable).parent / "callexam")
    env = {**os.environ, "DATABASE_URL": db_url,
           "CALLEXAM_INSTANCE": str(tmp_path / "inst")}
    done = subprocess.run([callexam, "users", "create", grouped, "--role", "candidate", "--password", "a-long-password"],
                          text=True, capture_output=True, env=env, timeout=120)
    assert done.returncode == 1 and f"用户名 {grouped} 与已发放的准考证号相同" in done.stderr, done.stderr
    # a ticket-shaped name no enrolment holds is an ordinary username
    with write_session(engine) as db:
        assert accounts.create_user(db, "209900010001", "a-long-password", "candidate").id
