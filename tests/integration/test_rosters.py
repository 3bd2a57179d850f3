"""Rosters through the examiner's pages, on SQLite and PostgreSQL: import preview and confirmation
(all or nothing, line-numbered Chinese errors, duplicates in the file and against known candidates,
broken files), ticket numbers, seats, the admission-ticket PDF read back by an independent reader
(poppler's pdftotext), and signing in with a ticket number in both of a session's modes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlmodel import Session, select

from exam.accounts.models import CandidateProfile
from exam.db import write_session
from exam.sessions import service as sessions
from exam.sessions.models import Enrollment
from tests.integration.rosters import (CLASS, HEADER, audit_actions, confirm, counts, enrolments, ident, import_file,
                                       page, upload, xlsx)
from tests.webclient import csrf_token, login



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
    ("名单.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "这是旧版 Excel（.xls）或 WPS 表格文件"),
    ("名单.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "这是旧版 Excel（.xls）或 WPS 表格文件"),
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


def test_template_downloads_and_its_example_row_never_imports(client, engine, roster_session):
    sid = roster_session()
    login(client, "examiner")
    resp = client.get("/examiner/roster-template.xlsx")
    assert resp.status_code == 200 and resp.data.startswith(b"PK")
    preview = upload(client, sid, "模板.xlsx", resp.data)
    assert preview.status_code == 422 and "示例行" in preview.get_data(as_text=True)   # refused, with the reason
    assert enrolments(engine, sid) == []


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
