"""Scheduling through HTTP: rooms, creating and editing sessions, every conflict refused with its reason,
the practical blueprint followed by the draw, the list and the month calendar, and who may do it."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from sqlalchemy import text
from sqlmodel import Session

from exam.db import write_session
from exam.sessions.models import ExamSession
from exam.timeutil import to_local, utcnow
from practical import service as practical_service
from tests.integration.scheduling import (NEW, TZ, audit_details, count_sessions, create, form_time, local_day,
                                          new_room, query_rows)
from tests.webclient import csrf_token, login

# ---------------------------------------------------------------- create with every setting


def test_a_session_keeps_every_setting_and_the_detail_page_shows_them(examiner, engine, users):
    room_a, room_b = new_room(engine, "A 考场", 2, "一楼"), new_room(engine, "B 考场", 1)
    with Session(engine) as db:
        calls = [r[0] for r in db.exec(text("SELECT id FROM practical_scenario WHERE level = 'junior' "
                                            "AND kind = 'call' AND status = 'approved' ORDER BY id"))]
    chosen = calls[:2]
    resp = create(examiner, name="五月初级", opens=local_day(5, 9), closes=local_day(5, 11),
                   practical=(local_day(5, 13), local_day(5, 15)), rooms=[room_a, room_b], examiners=[users["examiner"]],
                   candidates=[users["cand1"], users["cand2"]], signin_mode="id_last6", results_release="published",
                   notes="考生须携带身份证原件", practical_junior_call=[str(i) for i in chosen], double_marking="y")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    sid = int(resp.location.rsplit("/", 1)[1])
    with Session(engine) as db:
        s = db.get(ExamSession, sid)
        assert (s.level, s.signin_mode, s.results_release, s.notes, s.double_marking) == (
            "junior", "id_last6", "published", "考生须携带身份证原件", True)
        assert s.practical_opens_at == local_day(5, 13) and s.practical_closes_at == local_day(5, 15)
        assert s.practical_scenarios == {"call": chosen}
    assert query_rows(engine, "SELECT room_id FROM session_room WHERE session_id = :s ORDER BY room_id", s=sid) == [
        (room_a,), (room_b,)]
    assert query_rows(engine, "SELECT examiner_id FROM session_examiner WHERE session_id = :s", s=sid) == [
        (users["examiner"],)]
    created = audit_details(engine, "session.create")[-1]
    assert created["room_ids"] == [room_a, room_b] and created["signin_mode"] == "id_last6"

    html = examiner.get(f"/examiner/sessions/{sid}").get_data(as_text=True)
    for fact in ("五月初级", "A 考场（2 座，一楼）", "共 3 个座位，报名 2 人", "examiner（examiner）", "身份证号后六位",
                 "统一公布", "考生须携带身份证原件", "双人独立评分", "未开始",
                 f"{to_local(local_day(5, 13), TZ):%Y-%m-%d %H:%M} 至 {to_local(local_day(5, 15), TZ):%Y-%m-%d %H:%M}"):
        assert fact in html, fact
    assert f"/examiner/sessions/{sid}/edit" in html and f"/examiner/sessions/{sid}/access" in html


def test_the_practical_draw_follows_the_sessions_practical_blueprint(engine, users, make_session):
    sid = make_session(level="junior", candidates=("cand1", "cand2", "cand3"))
    with Session(engine) as db:
        orders = [r[0] for r in db.exec(text("SELECT id FROM practical_scenario WHERE level = 'junior' "
                                             "AND kind = 'work_order' AND status = 'approved' ORDER BY id"))]
    assert len(orders) > 2, "the stock bank has more work-order scenarios than a paper draws"
    chosen = orders[-2:]
    with write_session(engine) as db:
        db.get(ExamSession, sid).practical_scenarios = {"work_order": chosen}
    for name in ("cand1", "cand2", "cand3"):
        attempt_id = practical_service.start(engine, sid, users[name], utcnow(), random.Random(name))
        with Session(engine) as db:
            tasks = practical_service.tasks_of(db, attempt_id)
        assert sorted(t.scenario_id for t in tasks if t.kind == "work_order") == sorted(chosen)
        assert len([t for t in tasks if t.kind == "call"]) == 2  # an unrestricted part draws as before


def test_a_practical_blueprint_the_draw_could_not_follow_is_refused(examiner, engine):
    with Session(engine) as db:
        one_call = db.exec(text("SELECT id FROM practical_scenario WHERE level = 'junior' AND kind = 'call' "
                                "AND status = 'approved' ORDER BY id")).first()[0]
        senior = db.exec(text("SELECT id, title FROM practical_scenario WHERE level = 'senior' AND kind = 'call' "
                              "AND status = 'approved'")).first()
    resp = create(examiner, opens=local_day(4, 9), closes=local_day(4, 11), practical_junior_call=[str(one_call)])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "实操组卷：模拟通话每人抽 2 个场景，只选了 1 个" in html
    # a scenario of another level is not offered; sent anyway, it is refused by name
    html = create(examiner, opens=local_day(4, 9), closes=local_day(4, 11),
                   practical_junior_call=[str(one_call), str(senior[0])]).get_data(as_text=True)
    assert f"实操组卷：场景“{senior[1]}”不是初级模拟通话的已审核场景" in html
    html = create(examiner, opens=local_day(4, 9), closes=local_day(4, 11), level="expert").get_data(as_text=True)
    assert "等级：请从列表中选择" in html and "valid choice" not in html
    assert count_sessions(engine) == 0


# ---------------------------------------------------------------- conflicts


def test_a_candidate_in_two_overlapping_sessions_is_refused(examiner, engine, users):
    first = create(examiner, name="上午场", opens=local_day(6, 9), closes=local_day(6, 11), candidates=[users["cand1"]])
    assert first.status_code == 302
    resp = create(examiner, name="重叠场", opens=local_day(6, 10), closes=local_day(6, 12),
                   candidates=[users["cand1"], users["cand2"]])
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "无法保存" in html
    assert "考生 cand1（cand1）已报名时间重叠的场次 《上午场》" in html and "cand2（cand2）已报名" not in html
    assert count_sessions(engine) == 1
    # back to back is no overlap
    assert create(examiner, name="下午场", opens=local_day(6, 11), closes=local_day(6, 12),
                   candidates=[users["cand1"]]).status_code == 302
    # a practical window reaching into another session counts too
    resp = create(examiner, name="实操晚场", opens=local_day(6, 7), closes=local_day(6, 8, 30),
                   practical=(local_day(6, 8, 30), local_day(6, 10)), candidates=[users["cand1"]])
    assert "考生 cand1（cand1）已报名时间重叠的场次 《上午场》" in resp.get_data(as_text=True)
    assert count_sessions(engine) == 2


def test_more_candidates_than_seats_is_refused(examiner, engine, users):
    small = new_room(engine, "两人考场", 2)
    resp = create(examiner, opens=local_day(7, 9), closes=local_day(7, 11), rooms=[small],
                   candidates=[users["cand1"], users["cand2"], users["cand3"]])
    html = resp.get_data(as_text=True)
    assert "考场座位不足：共 2 个座位，报名考生 3 人，超出 1 人" in html
    assert count_sessions(engine) == 0


def test_a_room_booked_twice_at_once_is_refused(examiner, engine, users):
    room = new_room(engine, "三楼考场", 40)
    assert create(examiner, name="甲场", opens=local_day(8, 9), closes=local_day(8, 11), rooms=[room]).status_code == 302
    html = create(examiner, name="乙场", opens=local_day(8, 10), closes=local_day(8, 12), rooms=[room]).get_data(as_text=True)
    assert "考场 三楼考场 同一时间已被场次 《甲场》" in html
    assert count_sessions(engine) == 1


def test_an_examiner_in_two_places_is_refused(chief, engine, users):
    """The chief examiner assigns examiners (an examiner's own form cannot)."""
    examiner, other = chief, users["outsider"]
    assert create(examiner, name="甲场", opens=local_day(9, 9), closes=local_day(9, 11),
                   examiners=[users["examiner"]]).status_code == 302
    html = create(examiner, name="乙场", opens=local_day(9, 10), closes=local_day(9, 12),
                   examiners=[users["examiner"], other]).get_data(as_text=True)
    reasons = re.search(r'id="plan-errors">(.*?)</div>', html, re.S).group(1)
    assert "考评员 examiner（examiner）同一时间已安排在场次 《甲场》" in reasons and "outsider" not in reasons
    assert count_sessions(engine) == 1
    # the other examiner alone is free
    assert create(examiner, name="乙场", opens=local_day(9, 10), closes=local_day(9, 12), examiners=[other]).status_code == 302


def test_every_conflict_is_listed_at_once(examiner, engine, users):
    room = new_room(engine, "一人考场", 1)
    assert create(examiner, name="先排的场", opens=local_day(10, 9), closes=local_day(10, 11), rooms=[room],
                   examiners=[users["examiner"]], candidates=[users["cand1"]]).status_code == 302
    html = create(examiner, name="后排的场", opens=local_day(10, 10), closes=local_day(10, 12), rooms=[room],
                   examiners=[users["examiner"]], candidates=[users["cand1"], users["cand2"]]).get_data(as_text=True)
    assert "请先处理以下 4 个问题" in html
    for reason in ("考生 cand1（cand1）已报名时间重叠", "考场座位不足", "考场 一人考场 同一时间已被场次",
                   "考评员 examiner（examiner）同一时间已安排"):
        assert reason in html, reason


# ---------------------------------------------------------------- edit


def _edit_form(client, sid: int) -> tuple[str, dict]:
    """The edit page's own values, as the browser would send them back."""
    html = client.get(f"/examiner/sessions/{sid}/edit").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    data: dict = {"csrf_token": token}
    for name, value in re.findall(r'<input[^>]*?id="(\w+)"[^>]*?type="(?:text|number|datetime-local)"'
                                  r'[^>]*?value="([^"]*)"', html):
        data[name] = value
    for name, body in re.findall(r'<select[^>]*?name="(\w+)"[^>]*>(.*?)</select>', html, re.S):
        picked = re.findall(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', body)
        values = [a or b for a, b in picked]
        if values:
            data[name] = values if name in ("rooms", "examiners", "candidates") or name.startswith("practical_") \
                else values[0]
    data["notes"] = re.search(r'<textarea[^>]*name="notes"[^>]*>(.*?)</textarea>', html, re.S).group(1).strip()
    if "checked" in re.search(r'<input[^>]*id="double_marking"[^>]*>', html).group(0):
        data["double_marking"] = "y"
    return html, data


def test_editing_moves_the_times_and_is_audited(examiner, engine, users):
    room = new_room(engine, "四楼考场", 10)
    resp = create(examiner, name="待调整场次", opens=local_day(12, 9), closes=local_day(12, 11), rooms=[room],
                   examiners=[users["examiner"]], candidates=[users["cand1"]], notes="原备注")
    sid = int(resp.location.rsplit("/", 1)[1])
    html, data = _edit_form(examiner, sid)
    assert "编辑场次：待调整场次" in html and data["rooms"] == [str(room)] and data["notes"] == "原备注"
    data.update(opens_at=form_time(local_day(13, 14)), closes_at=form_time(local_day(13, 16)), notes="改到次日下午",
                candidates=[str(users["cand1"]), str(users["cand2"])])
    resp = examiner.post(f"/examiner/sessions/{sid}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with Session(engine) as db:
        s = db.get(ExamSession, sid)
        assert (s.opens_at, s.closes_at, s.notes) == (local_day(13, 14), local_day(13, 16), "改到次日下午")
    assert query_rows(engine, "SELECT count(*) FROM enrollment WHERE session_id = :s AND ticket_number IS NOT NULL",
                 s=sid)[0][0] == 2
    changes = audit_details(engine, "session.update")[-1]["changes"]
    assert set(changes) == {"opens_at", "closes_at", "notes", "candidates"}
    assert changes["candidates"] == {"added": [users["cand2"]], "removed": []}
    assert "已保存场次修改（4 项）" in examiner.get(f"/examiner/sessions/{sid}").get_data(as_text=True)

    # moving onto another session's room and examiner is refused like a new session
    assert create(examiner, name="次日下午另一场", opens=local_day(14, 14), closes=local_day(14, 16), rooms=[room],
                   examiners=[users["examiner"]]).status_code == 302
    data.update(opens_at=form_time(local_day(14, 15)), closes_at=form_time(local_day(14, 17)))
    html = examiner.post(f"/examiner/sessions/{sid}/edit", data=data).get_data(as_text=True)
    assert "考场 四楼考场 同一时间已被场次 《次日下午另一场》" in html and "考评员 examiner（examiner）同一时间已安排" in html
    with Session(engine) as db:
        assert db.get(ExamSession, sid).opens_at == local_day(13, 14)


def test_a_started_session_keeps_its_opening_and_sitting_candidates(examiner, engine, users, make_session, client):
    sid = make_session(candidates=("cand1", "cand2"))
    practical_service.start(engine, sid, users["cand1"], utcnow(), random.Random(1))
    html, data = _edit_form(examiner, sid)
    assert "本场次已开考" in html
    data.update(opens_at=form_time(utcnow() + dt.timedelta(hours=1)), candidates=[str(users["cand2"])],
                duration_minutes="90")
    html = examiner.post(f"/examiner/sessions/{sid}/edit", data=data).get_data(as_text=True)
    assert "理论考试开始时间不能更改" in html and "不能更改考试时长" in html
    assert "考生 cand1（cand1）已开始作答，不能取消报名" in html
    # closing later and changing the notes is still fine
    _, data = _edit_form(examiner, sid)
    with Session(engine) as db:
        later = db.get(ExamSession, sid).closes_at + dt.timedelta(hours=1)
    data.update(closes_at=form_time(later), notes="延长一小时")
    resp = examiner.post(f"/examiner/sessions/{sid}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with Session(engine) as db:
        assert db.get(ExamSession, sid).notes == "延长一小时"


# ---------------------------------------------------------------- list and calendar


def test_the_list_groups_by_day_and_the_month_grid_places_each_session(examiner, engine, users):
    room = new_room(engine, "五楼考场", 30)
    for name, level, opens, closes, practical in (
            ("初级场", "junior", local_day(20, 9), local_day(20, 11), None),
            ("高级场", "senior", local_day(21, 9), local_day(21, 11), (local_day(22, 9), local_day(22, 11)))):
        assert create(examiner, name=name, level=level, opens=opens, closes=closes, practical=practical,
                       rooms=[room] if level == "junior" else []).status_code == 302
    html = examiner.get("/examiner/sessions").get_data(as_text=True)
    local = to_local(local_day(20, 9), TZ).date()
    assert f"{local:%Y-%m-%d} 星期{'一二三四五六日'[local.weekday()]}" in html
    assert html.index("高级场") < html.index("初级场")  # everything: the latest day first
    upcoming = examiner.get("/examiner/sessions?when=upcoming").get_data(as_text=True)
    assert upcoming.index("初级场") < upcoming.index("高级场")  # what is coming: the soonest first
    assert "初级场" not in examiner.get("/examiner/sessions?level=senior").get_data(as_text=True)
    assert "高级场" not in examiner.get(f"/examiner/sessions?room={room}").get_data(as_text=True)
    assert "初级场" not in examiner.get("/examiner/sessions?when=past").get_data(as_text=True)

    month = examiner.get(f"/examiner/sessions?view=month&month={local:%Y-%m}").get_data(as_text=True)
    assert f"{local.year}年{local.month}月" in month
    cell = re.search(rf'data-date="{local.isoformat()}">(.*?)</td>', month, re.S).group(1)
    assert "初级场" in cell and "09:00–11:00" in cell and "高级场" not in cell
    # a session whose practical part is the next day shows on both days, running on from one to the other
    for date, hours in ((local + dt.timedelta(days=1), "09:00–…"), (local + dt.timedelta(days=2), "…–11:00")):
        if date.month == local.month:
            cell = re.search(rf'data-date="{date.isoformat()}">(.*?)</td>', month, re.S).group(1)
            assert "高级场" in cell and hours in cell, (date, cell)
    # a bad month parameter falls back to this month instead of failing
    assert examiner.get("/examiner/sessions?view=month&month=2026-13").status_code == 200


# ---------------------------------------------------------------- roles


@pytest.mark.parametrize("who", ["cand1", "trainer", "admin", "verifier"])
def test_only_examiners_and_chief_examiners_schedule(client, engine, who):
    room = new_room(engine, "考场甲", 10)
    login(client, who)
    token = csrf_token(client, "/no-such-page")
    for path in ("/examiner/sessions", NEW, "/examiner/rooms/", "/examiner/rooms/new", f"/examiner/rooms/{room}/edit"):
        assert client.get(path).status_code == 403, path
    for path in (NEW, "/examiner/rooms/new", f"/examiner/rooms/{room}/active", f"/examiner/rooms/{room}/delete"):
        assert client.post(path, data={"csrf_token": token, "name": "x", "seats": "5", "active": "0"}
                           ).status_code == 403, path
    assert [tuple(r) for r in query_rows(engine, "SELECT name, active FROM room")] == [("考场甲", True)]


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for path in ("/examiner/sessions", "/examiner/rooms/"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.location


def test_only_a_chief_examiner_assigns_examiners(examiner, chief, engine, users):
    """An examiner's session form has no examiner list and ignores one sent anyway; the examiner who
    creates a session is its examiner; a chief examiner assigns any examiner."""
    assert 'name="examiners"' not in examiner.get(NEW).get_data(as_text=True)
    assert "考评员由考务主管分配" in examiner.get(NEW).get_data(as_text=True)
    resp = create(examiner, name="自排场次", opens=local_day(20, 9), closes=local_day(20, 11),
                  examiners=[users["outsider"]])
    sid = int(resp.location.rsplit("/", 1)[1])
    assert query_rows(engine, "SELECT examiner_id FROM session_examiner WHERE session_id = :s", s=sid) == [
        (users["examiner"],)]
    assert 'name="examiners"' in chief.get(NEW).get_data(as_text=True)
    resp = create(chief, name="主管排的场次", opens=local_day(21, 9), closes=local_day(21, 11),
                  examiners=[users["outsider"]])
    sid = int(resp.location.rsplit("/", 1)[1])
    assert query_rows(engine, "SELECT examiner_id FROM session_examiner WHERE session_id = :s", s=sid) == [
        (users["outsider"],)]
    listing = examiner.get("/examiner/sessions").get_data(as_text=True)
    assert "自排场次" in listing and "主管排的场次" not in listing      # an examiner lists their own sessions
    assert examiner.get(f"/examiner/sessions/{sid}").status_code == 403
    assert "主管排的场次" in chief.get("/examiner/sessions").get_data(as_text=True)
