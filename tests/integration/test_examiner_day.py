"""What an examiner tripped over on exam day (issue 22.6), on SQLite and PostgreSQL: a window crossing
midnight shows its end date, a started session's locked fields are disabled and saving still works,
forced submissions are marked on the board, the practical overview says 合格 only when every part is
done, and the access-rules page is called the same everywhere."""

from __future__ import annotations

import datetime as dt
import random
import re

from sqlmodel import Session

from exam import service_phrases
from exam.delivery import service as delivery
from exam.proctoring import actions
from exam.sessions.models import ExamSession
from exam.timeutil import to_local, utcnow
from practical import marking
from practical import service as practical
from tests.integration.test_scheduling import _edit_form
from tests.webclient import login

TZ = "Asia/Shanghai"


def test_a_window_crossing_midnight_shows_its_end_date(examiner, engine, make_session):
    sid = make_session(closes_in=dt.timedelta(days=30))
    with Session(engine) as db:
        s = db.get(ExamSession, sid)
        opens, closes = to_local(s.opens_at, TZ), to_local(s.closes_at, TZ)
    html = examiner.get("/examiner/sessions").get_data(as_text=True)
    assert f"{opens:%m-%d %H:%M}–{closes:%m-%d %H:%M}" in html or \
        f"{opens:%Y-%m-%d %H:%M}–{closes:%Y-%m-%d %H:%M}" in html


def test_a_started_sessions_locked_fields_are_disabled_and_saving_keeps_them(examiner, engine, users, make_session):
    sid = make_session(candidates=("cand1", "cand2"))
    delivery.start_attempt(engine, sid, users["cand1"], utcnow())
    html, data = _edit_form(examiner, sid)
    for name in ("level", "duration_minutes", "item_count", "blueprint_id", "opens_at"):
        tag = re.search(rf'<(?:input|select)[^>]*\bname="{name}"[^>]*>', html).group(0)
        assert "disabled" in tag, tag
    assert "disabled" not in re.search(r'<(?:input|textarea)[^>]*\bname="notes"[^>]*>', html).group(0)
    for name in ("level", "duration_minutes", "item_count", "blueprint_id", "opens_at"):
        data.pop(name, None)            # as a browser sends a form: disabled fields are left out
    data["notes"] = "开考后改备注"
    resp = examiner.post(f"/examiner/sessions/{sid}/edit", data=data)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    with Session(engine) as db:
        s = db.get(ExamSession, sid)
        assert s.notes == "开考后改备注" and s.level == "junior" and s.duration_minutes == 60


def test_forced_submissions_are_marked_on_the_board(examiner, engine, users, make_session):
    sid = make_session(candidates=("cand1", "cand2"))
    now = utcnow()
    forced = delivery.start_attempt(engine, sid, users["cand1"], now)
    own = delivery.start_attempt(engine, sid, users["cand2"], now)
    actions.force_submit(engine, "theory", forced, "考生违纪", users["examiner"], now, 0.9)
    delivery.submit(engine, own, "candidate", now)
    board = examiner.get(f"/examiner/sessions/{sid}/proctoring/board").get_json()
    rows = {r["username"]: r for r in board["rows"]}
    assert rows["cand1"]["statusLabel"] == "已交卷（含强制交卷）"
    assert rows["cand1"]["parts"][0]["statusLabel"] == "强制交卷"
    assert rows["cand2"]["statusLabel"] == "已交卷" and rows["cand2"]["parts"][0]["statusLabel"] == "已交卷"


def test_no_shows_are_absent_on_the_board_once_the_windows_have_closed(examiner, engine, users, make_session):
    sid = make_session(candidates=("cand1", "cand2"), opens_in=dt.timedelta(hours=-3),
                       closes_in=dt.timedelta(minutes=-1))
    delivery.start_attempt(engine, sid, users["cand1"], utcnow() - dt.timedelta(hours=2))
    board = examiner.get(f"/examiner/sessions/{sid}/proctoring/board").get_json()
    rows = {r["username"]: r for r in board["rows"]}
    assert rows["cand2"]["statusLabel"] == "缺考" and board["statusNames"]["absent"] == "缺考"
    open_session = make_session(candidates=("cand3",))
    board = examiner.get(f"/examiner/sessions/{open_session}/proctoring/board").get_json()
    assert board["rows"][0]["statusLabel"] == "未签到" and board["statusNames"]["absent"] == "未签到"


def test_the_practical_overview_says_pass_only_when_the_typing_test_is_done_or_the_window_closed(
        examiner, engine, users, make_session):
    sid = make_session(candidates=("cand1",))
    now = utcnow()
    pid = practical.start(engine, sid, users["cand1"], now, random.Random(2))
    lists = {key: entry[1] for key, entry in service_phrases.PHRASE_LISTS.items()}
    practical.submit(engine, pid, "candidate", now, lists, candidate_id=users["cand1"])
    with Session(engine) as db:
        tasks = [t for t in practical.tasks_of(db, pid) if marking.needs_marking(t)]
    for t in tasks:                     # every task marked: the practical alone is complete
        values = {c["key"]: str(marking.criterion_max(t, c)) for c in t.rubric}
        marking.save_mark(engine, pid, t.position, users["examiner"], values, "", now,
                          reasons={k: "复核改判" for k in values})
    html = examiner.get(f"/examiner/sessions/{sid}/practical").get_data(as_text=True)
    row = html[html.index('id="practical-results"'):]
    assert "合格</span>" not in row and "未参加打字测试" in row     # the typing test is still to come


def test_the_access_rules_page_has_one_name(examiner, make_session):
    sid = make_session()
    detail = examiner.get(f"/examiner/sessions/{sid}").get_data(as_text=True)
    assert "访问规则" not in detail and "准入规则" in detail
    assert "<h1>准入规则" in examiner.get(f"/examiner/sessions/{sid}/access").get_data(as_text=True)


def test_a_candidate_cannot_open_the_examiner_pages(client, make_session):
    sid = make_session()
    login(client, "cand1")
    assert client.get(f"/examiner/sessions/{sid}/papers").status_code == 403


def test_the_demo_leaves_rooms_and_candidates_free_to_schedule_today(sqlite_url, tmp_path):
    from sqlalchemy import text

    from exam import db as dbmod
    from exam import demo
    from exam.app import create_app
    from tests.integration.scheduling import create, local_day

    engine = dbmod.engine_for(sqlite_url)
    demo.load(engine)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM user_account")).all())
        rooms = dict(conn.execute(text("SELECT name, id FROM room")).all())
        used = {r for (r,) in conn.execute(text("SELECT room_id FROM session_room"))}
        enrolled = {c for (c,) in conn.execute(text("SELECT candidate_id FROM enrollment"))}
    free_rooms = [rooms[name] for name, _ in demo.FREE_ROOMS]
    assert not set(free_rooms) & used
    free = [ids[u] for u, _ in demo.FREE_CANDIDATES]
    assert not set(free) & enrolled
    app = create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": sqlite_url,
                      "SECRET_KEY": "test-secret", "TESTING": True})
    client = app.test_client()
    # the chief examiner schedules (issue 17): the demo's `examiner` is assigned to the demo sessions,
    # whose practical windows run for 30 days, so a session of its own would meet its own conflicts
    login(client, "chief")             # the test template made this account (demo.load keeps it)
    # inside the demo sessions' 30 days: the free rooms and candidates meet no conflict
    resp = create(client, name="新手自己的场次", opens=local_day(1, 9), closes=local_day(1, 13),
                  rooms=free_rooms[:1], candidates=free[:5])
    assert resp.status_code == 302, resp.get_data(as_text=True)[:3000]
