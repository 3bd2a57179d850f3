"""Rosters through the examiner's pages, on SQLite and PostgreSQL: import preview and confirmation
(all or nothing, line-numbered Chinese errors, duplicates in the file and against known candidates,
broken files), ticket numbers, seats, the admission-ticket PDF read back by an independent reader
(poppler's pdftotext), and signing in with a ticket number in both of a session's modes."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import openpyxl
import pytest
from sqlalchemy import func, text
from sqlmodel import Session, select

from exam.accounts.models import CandidateProfile, User
from exam.db import write_session
from exam.sessions import service as sessions
from exam.sessions.idcard import check_character
from exam.sessions.models import Enrollment, Room
from exam.timeutil import utcnow
from tests.webclient import csrf_token, login

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


@pytest.fixture
def roster_session(engine, users):
    """A session open now, with one room of ``seats`` seats when asked; returns its id."""
    counter = iter(range(1, 100))

    def make(signin_mode="id_last6", seats=None, candidates=(), opens_in=dt.timedelta(minutes=-5),
             closes_in=dt.timedelta(hours=3)):
        n = next(counter)
        now = utcnow()
        with write_session(engine) as db:
            room_ids = []
            if seats is not None:
                room = Room(name=f"第{n}考场", location="三楼东侧", seats=seats)
                db.add(room)
                db.flush()
                room_ids = [room.id]
            created = sessions.create_session(
                db, name=f"名单测试场次{n}", level="junior", opens_at=now + opens_in, closes_at=now + closes_in,
                duration_minutes=60, item_count=20, candidate_ids=[users[c] for c in candidates],
                created_by=users["examiner"], room_ids=room_ids, signin_mode=signin_mode)
            return created.id
    return make


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


# ---------------------------------------------------------------- import

def test_preview_changes_nothing_then_confirm_imports_with_ticket_numbers(client, engine, roster_session):
    sid = roster_session(seats=10)
    login(client, "examiner")
    before = counts(engine)
    resp = upload(client, sid, "第3期名单.xlsx", xlsx(HEADER, *CLASS))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "新考生 <strong>3</strong> 人" in html and "110101********0113"[:6] in html
    assert ident(11) not in html, "ID numbers are masked on the page"
    assert counts(engine) == before

    resp = confirm(client, sid, html)
    assert resp.status_code == 302 and resp.location.endswith(page(client, sid))
    assert counts(engine) == (before[0] + 3, before[1] + 3, before[2] + 3)
    rows = enrolments(engine, sid)
    assert [r[0] for r in rows] == ["张伟", "李娜", "王芳"]
    tickets = [r[2] for r in rows]
    assert all(re.fullmatch(r"\d{12}", t) for t in tickets) and len(set(tickets)) == 3
    assert tickets[0][4:8] == f"{sid:04d}" and [t[-4:] for t in tickets] == ["0001", "0002", "0003"]
    assert [r[1] for r in rows] == tickets, "new accounts are named by their first ticket number"
    assert "roster.import" in audit_actions(engine)
    listing = client.get(page(client, sid)).get_data(as_text=True)
    assert tickets[1] in listing and "110101********0124"[:6] in listing and "138****8002" in listing

    # The same confirmation cannot be replayed.
    resp = confirm(client, sid, html)
    assert resp.status_code == 302
    assert counts(engine) == (before[0] + 3, before[1] + 3, before[2] + 3)


def test_invalid_rows_import_nothing_and_name_each_line_in_chinese(client, engine, roster_session):
    sid = roster_session()
    login(client, "examiner")
    before = counts(engine)
    bad_check = ident(21)[:-1] + ("0" if ident(21)[-1] != "0" else "1")
    rows = [HEADER, CLASS[0],
            ("赵六", bad_check, "13800138004", ""),
            ("孙七", "110101199013010016", "13800138005", ""),         # 13th month
            ("", ident(22), "12345", ""),
            ("周八", ident(11), "13800138006", "")]                     # same ID as line 2
    resp = upload(client, sid, "名单.xlsx", xlsx(*rows))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f"文件 名单.xlsx 第 3 行，身份证号：第 18 位校验码应为 {ident(21)[-1]}" in html
    assert "第 4 行，身份证号：出生日期 19901301 不存在" in html
    assert "第 5 行，姓名：不能为空" in html and "第 5 行，手机号：手机号应为 11 位，实际 5 位" in html
    assert "第 6 行，身份证号：与第 2 行重复" in html
    assert "未做任何改动" in html
    assert counts(engine) == before


def test_a_second_roster_finds_known_candidates_by_id_number(client, engine, roster_session):
    first, second = roster_session(), roster_session(opens_in=dt.timedelta(days=2), closes_in=dt.timedelta(days=2, hours=3))
    login(client, "examiner")
    import_file(client, first, "a.csv", "\n".join(",".join(r) for r in (HEADER, *CLASS)).encode("utf-8"))
    before = counts(engine)
    newcomer = ("刘洋", ident(31), "13800138031", "")
    moved = (CLASS[0][0], CLASS[0][1], "139 0013 9001", "新单位")
    resp = upload(client, second, "b.xlsx", xlsx(HEADER, moved, newcomer))
    html = resp.get_data(as_text=True)
    assert "新考生 <strong>1</strong> 人" in html and "已有考生 <strong>1</strong> 人" in html
    assert "工作单位 华东呼叫中心 → 新单位" in html
    confirm(client, second, html)
    assert counts(engine) == (before[0] + 1, before[1] + 2, before[2] + 1)
    with Session(engine) as db:
        profile = db.exec(select(CandidateProfile).where(CandidateProfile.id_number == CLASS[0][1])).one()
        assert profile.phone == "13900139001" and profile.employer == "新单位"
    names = [r[0] for r in enrolments(engine, second)]
    assert sorted(names) == sorted(["张伟", "刘洋"])

    # Importing the same file into the same session again changes nothing.
    resp = upload(client, second, "b.xlsx", xlsx(HEADER, moved, newcomer))
    assert "已在本场次 <strong>2</strong> 人" in resp.get_data(as_text=True)
    assert "无需导入" in resp.get_data(as_text=True)

    # The same ID under another name is a typo somewhere: refused, naming the line.
    resp = upload(client, second, "c.xlsx", xlsx(HEADER, ("张卫", CLASS[0][1], "13800138001", "")))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "第 2 行，姓名：身份证号 110101********" in html and "“张伟”" in html


@pytest.mark.parametrize("filename, data, message", [
    ("名单.xlsx", b"PK\x03\x04 not really a zip", "无法作为 Excel（.xlsx）文件打开"),
    ("名单.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "这是旧版 Excel（.xls）文件"),
    ("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "不支持 .xls 文件"),
    ("名单.csv", b"PK\x03\x04\x14\x00", "文件内容是 Excel 工作簿而不是 CSV"),
    ("名单.csv", "备注,其他\n1,2\n".encode(), "找不到表头"),
    ("名单.csv", "姓名,手机号\n张三,13800138000\n".encode(), "缺少“身份证号”列"),
    ("名单.csv", "姓名,身份证号,手机号\n".encode(), "只有表头，没有考生"),
    ("名单.pdf", b"%PDF-1.4", "不支持的文件类型“.pdf”"),
])
def test_broken_files_are_refused_whole(client, engine, roster_session, filename, data, message):
    sid = roster_session()
    login(client, "examiner")
    before = counts(engine)
    resp = upload(client, sid, filename, data)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and message in html and f"文件 {filename}" in html
    assert counts(engine) == before


def test_an_empty_or_missing_upload_is_refused(client, roster_session):
    sid = roster_session()
    login(client, "examiner")
    resp = upload(client, sid, "名单.csv", b"")
    assert resp.status_code == 422 and "文件 名单.csv：文件是空的" in resp.get_data(as_text=True)
    resp = client.post(f"{page(client, sid)}/import", data={},
                       headers={"X-CSRFToken": csrf_token(client, page(client, sid))})
    assert resp.status_code == 422 and "请选择要导入的名单文件" in resp.get_data(as_text=True)


def test_conflicts_at_confirmation_import_nothing(client, engine, roster_session, users):
    """All or nothing: a room too small for the class refuses the whole file at preview; a session
    that filled up between preview and confirmation refuses it at confirmation."""
    sid = roster_session(seats=3, candidates=("cand1",))
    login(client, "examiner")
    resp = upload(client, sid, "名单.xlsx", xlsx(HEADER, *CLASS))
    assert resp.status_code == 422 and "考场座位不足：共 3 个座位，报名考生 4 人" in resp.get_data(as_text=True)

    resp = upload(client, sid, "名单.xlsx", xlsx(HEADER, *CLASS[:2]))
    assert resp.status_code == 200
    with write_session(engine) as db:
        sessions.enrol(db, sid, [users["cand2"]])
    before = counts(engine)
    resp = confirm(client, sid, resp.get_data(as_text=True))
    assert resp.status_code == 422 and "考场座位不足" in resp.get_data(as_text=True)
    assert counts(engine) == before


def test_other_roles_cannot_import(client, roster_session):
    sid = roster_session()
    login(client, "trainer")
    assert client.get(page(client, sid)).status_code == 403
    login(client, "cand1")
    assert upload(client, sid, "名单.xlsx", xlsx(HEADER, *CLASS)).status_code == 403


def test_template_downloads_and_imports_cleanly_once_the_example_is_kept(client, roster_session):
    sid = roster_session()
    login(client, "examiner")
    resp = client.get("/examiner/roster-template.xlsx")
    assert resp.status_code == 200 and resp.data.startswith(b"PK")
    assert upload(client, sid, "模板.xlsx", resp.data).status_code == 200


# ---------------------------------------------------------------- seats

def test_seats_are_assigned_within_capacity_and_moved_by_hand(client, engine, roster_session):
    sid = roster_session(seats=4)
    login(client, "examiner")
    import_file(client, sid, "名单.xlsx", xlsx(HEADER, *CLASS))
    token = csrf_token(client, page(client, sid))
    resp = client.post(f"{page(client, sid)}/seats", data={"assign-order": "ticket"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 302
    rows = enrolments(engine, sid)
    assert [r[4] for r in rows] == [1, 2, 3] and len({r[3] for r in rows}) == 1
    room_id = rows[0][3]
    with Session(engine) as db:
        first = db.exec(select(Enrollment.id).where(Enrollment.ticket_number == rows[0][2])).one()

    def move(seat):
        return client.post(f"{page(client, sid)}/seats/move", headers={"X-CSRFToken": token},
                           data={"move-enrollment_id": first, "move-room_id": room_id, "move-seat_no": seat})

    resp = move(2)
    assert resp.status_code == 422 and "2 号座位已安排给考生 李娜" in resp.get_data(as_text=True)
    resp = move(9)
    assert resp.status_code == 422 and "只有 4 个座位（1–4 号），没有 9 号座位" in resp.get_data(as_text=True)
    assert move(4).status_code == 302
    assert enrolments(engine, sid)[0][4] == 4
    assert {"seat.assign", "seat.move"} <= set(audit_actions(engine))


def test_a_session_without_rooms_cannot_be_seated(client, roster_session):
    sid = roster_session(candidates=("cand1",))
    login(client, "examiner")
    token = csrf_token(client, page(client, sid))
    resp = client.post(f"{page(client, sid)}/seats", data={"assign-order": "spread"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 422 and "本场次还没有安排考场" in resp.get_data(as_text=True)


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
    for _ in range(app.config["LOGIN_MAX_FAILURES"] - 1):
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
    assert len(passwords) == 2 and all(len(p) == 10 for p in passwords)
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


def test_an_account_cannot_be_named_like_an_issued_ticket(engine, roster_session):
    from exam.accounts import service as accounts

    sid = roster_session(candidates=("cand1",))
    ticket = enrolments(engine, sid)[0][2]
    with write_session(engine) as db, pytest.raises(accounts.AccountError, match="与已发放的准考证号相同"):
        accounts.create_user(db, ticket, "a-long-password", "candidate")
