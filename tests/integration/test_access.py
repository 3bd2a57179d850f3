"""Each access rule through the real start views, home page and attempt pages (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import func, update
from sqlmodel import Session, select

from exam.audit.models import AuditEvent
from exam.db import write_connection
from exam.delivery.models import Attempt
from exam.proctoring.models import IntegritySignal
from exam.sessions.models import ExamSession
from practical.models import PracticalAttempt
from tests.conftest import PASSWORD
from tests.webclient import csrf_token, live_page, login, opened
from typing_test.models import TypingAttempt

START = {"theory": "/candidate/sessions/{}/start", "typing": "/candidate/sessions/{}/typing/start",
         "practical": "/candidate/sessions/{}/practical/start"}
MODELS = {"theory": Attempt, "typing": TypingAttempt, "practical": PracticalAttempt}
SIT = {"theory": "/candidate/attempts/", "typing": "/candidate/typing/", "practical": "/candidate/practical/"}
GUARD = re.compile(r'<script type="application/json" id="access-guard-config">(.*?)</script>', re.S)
ROOM = {"REMOTE_ADDR": "10.1.2.3"}


def set_rules(engine, session_id, rules):
    table = ExamSession.__table__
    with write_connection(engine) as conn:
        conn.execute(update(table).where(table.c.id == session_id).values(access_rules=rules))


def attempts(engine, part, session_id):
    model = MODELS[part]
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(model).where(model.session_id == session_id)).one()


def signals(engine, session_id, kind):
    with Session(engine) as db:
        return db.exec(select(func.count()).select_from(IntegritySignal).where(
            IntegritySignal.session_id == session_id, IntegritySignal.kind == kind)).one()


def start(client, part, session_id, **form):
    token = csrf_token(client, "/candidate")
    return client.post(START[part].format(session_id), data={"csrf_token": token, "confirm": "1", **form})


def start_from(client, part, session_id, environ, **form):
    token = csrf_token(client, "/candidate")
    return client.post(START[part].format(session_id), data={"csrf_token": token, "confirm": "1", **form}, environ_base=environ)


def home(client, environ=None):
    return client.get("/candidate", environ_base=environ or {}).get_data(as_text=True)


def begin(client, session_id, part="theory"):
    """The part's start page (delivery/begin.html): the rules, the time available, the start form."""
    return client.get(f"/candidate/sessions/{session_id}/{part}/begin").get_data(as_text=True)


def flashed(client):
    return home(client)


def guard_of(html):
    found = GUARD.search(html)
    return json.loads(found.group(1)) if found else None


# ---------------------------------------------------------------- time window (always on)

@pytest.mark.parametrize("part", ["theory", "typing", "practical"])
def test_time_window_refuses_a_start_before_the_session_opens(client, engine, make_session, part):
    sid = make_session(opens_in=dt.timedelta(hours=2), closes_in=dt.timedelta(hours=4))
    login(client, "cand1")
    page = home(client)
    assert "将于" in page and "开始，请到时再进入" in page
    assert f'action="{START[part].format(sid)}"' not in page  # no start button, the reason instead
    resp = start(client, part, sid)
    assert resp.status_code == 302 and resp.location.endswith(f"/candidate/sessions/{sid}/{part}/begin")
    assert "开始，请到时再进入" in flashed(client)
    assert attempts(engine, part, sid) == 0


@pytest.mark.parametrize("part", ["theory", "typing", "practical"])
def test_a_candidate_not_on_the_roster_cannot_start_through_the_web(client, engine, make_session, part):
    """The start's one read (the theory start's ``start_facts``, the others' ``start_read``) serves the
    access rules and the start: a candidate the session does not list is refused and nothing starts."""
    sid = make_session()  # cand1 and cand2
    login(client, "cand3")
    resp = start(client, part, sid)
    assert resp.status_code == 302 and "您未报名本场考试" in flashed(client)
    assert attempts(engine, part, sid) == 0


def test_time_window_refuses_a_start_after_the_session_closed(client, engine, make_session):
    sid = make_session(opens_in=dt.timedelta(hours=-3), closes_in=dt.timedelta(minutes=-1))
    login(client, "cand1")
    resp = start(client, "theory", sid)
    assert resp.status_code == 302
    assert "已于" in flashed(client) and attempts(engine, "theory", sid) == 0


# ---------------------------------------------------------------- one attempt (always on)

def test_one_attempt_refuses_a_second_start_after_submitting(client, engine, make_session):
    sid = make_session()
    login(client, "cand1")
    resp = start(client, "theory", sid)
    assert resp.status_code == 200  # a new attempt: the start answers with its paper page
    attempt_id, _, html = opened(client, resp)
    token = csrf_token(client, "/candidate")
    # the start's answer is the attempt's live page: its submission names it (exam.access.live_page)
    assert client.post(f"/candidate/attempts/{attempt_id}/submit{live_page(html)}",
                       data={"csrf_token": token}).status_code == 302
    resp = start(client, "theory", sid)
    assert resp.status_code == 302 and resp.location.endswith("/theory/begin")
    assert "仅限作答一次" in flashed(client)
    assert attempts(engine, "theory", sid) == 1


def test_one_attempt_explains_a_voided_attempt(client, engine, make_session, users):
    sid = make_session()
    login(client, "cand1")
    start(client, "typing", sid)
    table = TypingAttempt.__table__
    with write_connection(engine) as conn:
        conn.execute(update(table).where(table.c.session_id == sid).values(status="void"))
    resp = start(client, "typing", sid)
    assert resp.status_code == 302 and "作废" in flashed(client)


def test_an_open_attempt_resumes_through_the_start_view(client, engine, make_session):
    sid = make_session()
    login(client, "cand1")
    first = opened(client, start(client, "theory", sid))[1]   # the paper page, answered by the start
    again = start(client, "theory", sid)                      # the same start again (a double click)
    assert again.status_code == 302 and again.location == first
    assert attempts(engine, "theory", sid) == 1


# ---------------------------------------------------------------- access code

def test_access_code_is_asked_on_the_start_form_and_checked(client, app, engine, make_session):
    app.config["THROTTLE_ACCESS_CODE_FREE"] = 3
    sid = make_session()
    set_rules(engine, sid, {"access_code": {"code": "314159"}})
    login(client, "cand1")
    page = begin(client, sid)
    assert 'name="access_code"' in page and "监考老师在考场公布" in page
    assert "314159" not in page  # the code itself never reaches the candidate

    start(client, "theory", sid)
    assert "请输入监考老师在考场公布的进场码" in flashed(client)
    assert signals(engine, sid, "access_code_failure") == 0  # an empty field is not a guess

    start(client, "theory", sid, access_code="111111")
    assert "进场码不正确" in (page := flashed(client)) and "还可再试 2 次" in page
    start(client, "typing", sid, access_code="222222")
    assert "还可再试 1 次" in flashed(client)
    assert attempts(engine, "theory", sid) == 0 and signals(engine, sid, "access_code_failure") == 2

    resp = start(client, "theory", sid, access_code="３１４１５９")  # full-width digits from an IME
    assert "/candidate/attempts/" in opened(client, resp)[1]
    assert attempts(engine, "theory", sid) == 1


def test_access_code_guesses_are_throttled_per_candidate(client, app, engine, make_session):
    app.config["THROTTLE_ACCESS_CODE_FREE"] = 2
    sid = make_session()
    set_rules(engine, sid, {"access_code": {"code": "ABC123"}})
    login(client, "cand1")
    for guess in ("000000", "999999"):
        start(client, "practical", sid, access_code=guess)
    resp = start(client, "practical", sid, access_code="abc123")  # right, but too late
    assert resp.status_code == 302 and "进场码输错次数过多" in flashed(client)
    assert attempts(engine, "practical", sid) == 0
    login(client, "cand2")  # another candidate is not held up
    resp = start(client, "practical", sid, access_code="abc123")
    assert "/candidate/practical/" in resp.location
    # Slowed, never locked for good (exam.throttle): once the pair's delay has passed, cand1 may try again.
    from exam.throttle import ThrottleEvent
    from exam.timeutil import utcnow
    with engine.begin() as conn:
        conn.execute(update(ThrottleEvent.__table__).values(at=utcnow() - dt.timedelta(minutes=5)))
    login(client, "cand1")
    assert "/candidate/practical/" in start(client, "practical", sid, access_code="abc123").location


# ---------------------------------------------------------------- IP subnet allow-list

def test_ip_subnet_refuses_starts_and_pages_from_outside_the_room(client, engine, make_session):
    sid = make_session()
    set_rules(engine, sid, {"ip_subnet": {"subnets": ["10.1.0.0/16", "2001:db8::/64"]}})
    login(client, "cand1")
    page = home(client)  # the test client comes from 127.0.0.1
    assert "您当前的网络地址 127.0.0.1 不在本场考试允许的考场网络内" in page
    resp = start(client, "typing", sid)
    assert resp.status_code == 302 and "127.0.0.1" in flashed(client)
    assert attempts(engine, "typing", sid) == 0

    assert "不在本场考试允许" not in home(client, ROOM)
    resp = start_from(client, "typing", sid, ROOM)
    attempt_id, url, _ = opened(client, resp)  # the start answers with the typing page
    assert "/candidate/typing/" in url
    assert client.get(SIT["typing"] + str(attempt_id), environ_base=ROOM).status_code == 200
    outside = client.get(SIT["typing"] + str(attempt_id))  # resuming from elsewhere is refused too
    assert outside.status_code == 403 and "127.0.0.1" in outside.get_data(as_text=True)
    assert client.get(SIT["typing"] + str(attempt_id), environ_base={"REMOTE_ADDR": "2001:db8::7"}).status_code == 200


# ---------------------------------------------------------------- fullscreen

@pytest.mark.parametrize("part", ["theory", "practical"])
def test_fullscreen_needs_the_start_forms_flag_and_guards_the_page(client, engine, make_session, part):
    sid = make_session()
    set_rules(engine, sid, {"fullscreen": {}})
    login(client, "cand1")
    assert 'name="fullscreen" value="0" data-access-fullscreen' in begin(client, sid, part)
    resp = start(client, part, sid, fullscreen="0")
    assert resp.status_code == 302 and "要求全屏作答" in flashed(client)
    assert attempts(engine, part, sid) == 0
    _, url, html = opened(client, start(client, part, sid, fullscreen="1"))
    assert SIT[part] in url
    guard = guard_of(html)
    assert guard["fullscreen"] is True and guard["part"] == part
    assert guard["signalsUrl"] == f"/api/sessions/{sid}/signals"


def test_a_session_without_guarding_rules_has_no_guard_script(client, make_session):
    sid = make_session()
    login(client, "cand1")
    html = opened(client, start(client, "theory", sid))[2]
    assert guard_of(html) is None and "access-guard.js" not in html


# ---------------------------------------------------------------- idle timeout

def _unlock(client, sid, part, secret):
    token = csrf_token(client, "/candidate")
    return client.post(f"/api/sessions/{sid}/access/unlock", json={"part": part, "secret": secret},
                       headers={"X-CSRFToken": token})


def test_idle_timeout_locks_until_the_password_is_given(client, app, engine, make_session):
    app.config["THROTTLE_ACCESS_CODE_FREE"] = 3
    sid = make_session()
    set_rules(engine, sid, {"idle_timeout": {"minutes": 5}})
    login(client, "cand1")
    assert "连续 5 分钟无操作将锁屏，须输入登录密码解锁" in home(client)
    sit_url = opened(client, start(client, "typing", sid))[1]
    guard = guard_of(client.get(sit_url).get_data(as_text=True))
    assert guard["idleMinutes"] == 5 and guard["locked"] is False and "登录密码" in guard["unlockPrompt"]

    token = csrf_token(client, "/candidate")
    resp = client.post(guard["lockUrl"], json={"part": "typing", "idleSeconds": 300}, headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json() == {"locked": True}
    assert guard_of(client.get(sit_url).get_data(as_text=True))["locked"] is True  # a reload stays locked
    assert signals(engine, sid, "idle_lock") == 1

    resp = _unlock(client, sid, "typing", "not-my-password")
    assert resp.status_code == 400 and resp.get_json()["error"] == "登录密码不正确，无法解锁"
    assert _unlock(client, sid, "typing", "").get_json()["error"] == "请输入登录密码后再解锁"
    assert _unlock(client, sid, "typing", PASSWORD).get_json() == {"unlocked": True}
    assert guard_of(client.get(sit_url).get_data(as_text=True))["locked"] is False


def test_idle_unlock_is_throttled_and_accepts_the_room_code(client, app, engine, make_session):
    app.config["THROTTLE_UNLOCK_FREE"] = 2
    sid = make_session()
    set_rules(engine, sid, {"idle_timeout": {"minutes": 3}, "access_code": {"code": "2468"}})
    login(client, "cand1")
    assert "须输入登录密码或进场码解锁" in home(client)
    resp = start(client, "theory", sid, access_code="2468")
    assert "/candidate/attempts/" in opened(client, resp)[1]
    assert _unlock(client, sid, "theory", "2468").get_json() == {"unlocked": True}
    for _ in range(2):
        assert _unlock(client, sid, "theory", "wrong").status_code == 400
    resp = _unlock(client, sid, "theory", PASSWORD)
    assert resp.status_code == 400 and "解锁失败次数过多" in resp.get_json()["error"]


def test_lock_and_unlock_need_the_rule_and_a_well_formed_request(client, make_session):
    sid = make_session()
    login(client, "cand1")
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/api/sessions/{sid}/access/lock", json={"part": "theory"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 400 and resp.get_json()["error"] == "本场考试未启用无操作锁屏"
    resp = client.post(f"/api/sessions/{sid}/access/unlock", json={"part": "exam"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 400 and "part" in resp.get_json()["error"]
    resp = client.post(f"/api/sessions/{sid}/access/lock", json={"part": "theory"})
    assert resp.status_code == 400 and "CSRF" in resp.get_json()["error"]


# ---------------------------------------------------------------- examiner settings page

def _settings(client, sid, **fields):
    token = csrf_token(client, f"/examiner/sessions/{sid}/access")
    return client.post(f"/examiner/sessions/{sid}/access", data={"csrf_token": token, **fields})


def test_examiner_sets_rules_and_errors_name_their_field(client, engine, make_session, users):
    sid = make_session()
    login(client, "examiner")
    page = client.get(f"/examiner/sessions/{sid}/access").get_data(as_text=True)
    assert "准入规则" in page and "开放时间" in page and "仅限作答一次" in page

    resp = _settings(client, sid, ip_subnet_on="y", subnets="10.1.0.0/16\n10.2.0.1/16\nbad net",
                     idle_timeout_on="y", idle_minutes="0")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "第 2 行「10.2.0.1/16」的主机位不为零，您是否想写 10.2.0.0/16？" in html
    assert "第 3 行「bad net」不是有效的 IP 网段" in html
    assert "无操作锁屏时间应在 1 至 180 分钟之间" in html
    with Session(engine) as db:
        assert db.get(ExamSession, sid).access_rules == {}  # nothing stored while anything is wrong

    resp = _settings(client, sid, access_code_on="y", code="", ip_subnet_on="y", subnets="10.1.0.0/16 # 一号考场",
                     fullscreen_on="y", idle_timeout_on="y", idle_minutes="15")
    assert resp.status_code == 302
    with Session(engine) as db:
        rules = db.get(ExamSession, sid).access_rules
    code = rules["access_code"]["code"]
    assert re.fullmatch(r"\d{6}", code)
    assert rules["ip_subnet"] == {"subnets": ["10.1.0.0/16"]} and rules["fullscreen"] == {}
    assert rules["idle_timeout"] == {"minutes": 15}
    page = client.get(f"/examiner/sessions/{sid}/access").get_data(as_text=True)
    assert f"进场码：{code}" in page and f'id="current-code">{code}<' in page
    with Session(engine) as db:
        event = db.exec(select(AuditEvent).where(AuditEvent.action == "session.access_rules")).one()
    assert event.actor_id == users["examiner"] and event.subject_id == sid
    assert event.detail["after"]["access_code"]["code"] == "******" and event.detail["code_changed"] is True
    assert code not in json.dumps(event.detail)

    resp = _settings(client, sid, regenerate="y", code=code)
    with Session(engine) as db:
        assert db.get(ExamSession, sid).access_rules["access_code"]["code"] != code
        assert db.get(ExamSession, sid).access_rules.get("fullscreen") is None  # the form is the whole setting

    assert _settings(client, sid, access_code_on="y", code="12 ab").status_code == 302
    with Session(engine) as db:
        assert db.get(ExamSession, sid).access_rules == {"access_code": {"code": "12AB"}}  # spaces dropped
    resp = _settings(client, sid, access_code_on="y", code="no!")
    assert "不能用作进场码：应为 4 至 12 位数字或字母" in resp.get_data(as_text=True)


def test_candidates_cannot_open_the_settings_page(client, make_session):
    sid = make_session()
    login(client, "cand1")
    assert client.get(f"/examiner/sessions/{sid}/access").status_code == 403
    login(client, "examiner")
    assert client.get("/examiner/sessions/999999/access").status_code == 404
