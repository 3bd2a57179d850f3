"""Server-side sessions (exam.accounts.logins): sign-out, a password change and deactivation end
every session of the account at once; idle timeouts; Secure cookies over HTTPS; passwords of at
least 12 characters that every role can change, and initial passwords replaced at first sign-in."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text, update

from exam.accounts import logins
from exam.accounts.models import LoginSession
from exam.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.webclient import csrf_token, login

NEW_PASSWORD = "a whole new sentence 2026"


def copy_cookie(app, client):
    """A second browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def signed_in(client) -> bool:
    return client.get("/candidate").status_code == 200


def test_a_copied_cookie_dies_with_sign_out(app, client):
    login(client, "cand1")
    thief = copy_cookie(app, client)
    assert signed_in(thief)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/candidate")})
    page = thief.get("/candidate")
    assert page.status_code == 302 and "/login" in page.location
    api = thief.post("/api/attempts/1/answers", json={"saves": []}, headers={"X-CSRFToken": "x"})
    assert api.status_code in (400, 401)   # no session: CSRF fails first or the API says signed out


def test_sign_out_ends_every_session_of_the_account(app, engine, users):
    a, b = app.test_client(), app.test_client()
    login(a, "cand1")
    b.post("/login", data={"username": "cand1", "password": PASSWORD, "csrf_token": csrf_token(b)})
    assert signed_in(a) and signed_in(b) and logins.active_count(engine, users["cand1"]) == 2
    a.post("/logout", data={"csrf_token": csrf_token(a, "/candidate")})
    assert not signed_in(b) and logins.active_count(engine, users["cand1"]) == 0


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app, engine, users):
    mine, other = app.test_client(), app.test_client()
    login(mine, "examiner")
    login(other, "examiner")   # signs out first: every session ends, then a new one starts
    login(mine, "examiner")
    assert other.get("/examiner/sessions").status_code == 302   # ended by mine's sign-in's sign-out
    login(other, "examiner")
    token = csrf_token(mine, "/account/password")
    wrong = mine.post("/account/password", data={"csrf_token": token, "current": "nope-nope-nope",
                                                 "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.get_data(as_text=True)
    short = mine.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                 "new": "short-11chr", "confirm": "short-11chr"})
    assert short.status_code == 400 and "密码至少 12 位" in short.get_data(as_text=True)
    done = mine.post("/account/password", data={"csrf_token": token, "current": PASSWORD,
                                                "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert mine.get("/examiner/sessions").status_code == 200       # this browser signed in afresh
    assert other.get("/examiner/sessions").status_code == 302      # every other one is out
    assert login(app.test_client(), "examiner").status_code == 401
    assert login(app.test_client(), "examiner", NEW_PASSWORD).status_code == 302
    with engine.connect() as conn:
        actions = [r[0] for r in conn.execute(text("SELECT action FROM audit_event WHERE subject_id = :u"),
                                              {"u": users["examiner"]})]
    assert "account.password_changed" in actions


@pytest.mark.parametrize("username", ["admin", "trainer", "examiner", "chief", "verifier", "cand1"])
def test_every_role_has_a_change_password_page(client, username):
    login(client, username)
    page = client.get("/account/password")
    assert page.status_code == 200 and 'name="new"' in page.get_data(as_text=True)
    assert "修改密码" in client.get("/notifications").get_data(as_text=True)   # linked from every page


def test_deactivation_ends_every_session_at_once(app, engine, users):
    victim, admin = app.test_client(), app.test_client()
    login(victim, "cand1")
    login(admin, "admin")
    resp = admin.post(f"/admin/users/{users['cand1']}/active",
                      data={"csrf_token": csrf_token(admin, "/admin/users"), "active": "0"})
    assert resp.status_code == 302
    assert not signed_in(victim)
    assert login(app.test_client(), "cand1").status_code == 401
    admin.post(f"/admin/users/{users['cand1']}/active", data={"csrf_token": csrf_token(admin, "/admin/users"),
                                                             "active": "1"})
    assert login(app.test_client(), "cand1").status_code == 302


def _age(engine, user_id, minutes):
    table = LoginSession.__table__
    with engine.begin() as conn:
        conn.execute(update(table).where(table.c.user_id == user_id)
                     .values(last_seen_at=utcnow() - dt.timedelta(minutes=minutes)))
    logins._memo.clear()


@pytest.mark.parametrize("username,path,idle,alive", [
    ("examiner", "/examiner/sessions", 31, 29),   # staff: 30 minutes
    ("cand1", "/candidate", 21, 19),              # candidates outside an attempt: 20 minutes
])
def test_idle_sessions_end(client, engine, users, username, path, idle, alive):
    login(client, username)
    _age(engine, users[username], alive)
    assert client.get(path).status_code == 200    # activity moves last_seen on
    _age(engine, users[username], idle)
    resp = client.get(path)
    assert resp.status_code == 302 and "/login" in resp.location
    assert "长时间未操作" in client.get(resp.location).get_data(as_text=True)


def test_secure_cookies_over_https_and_behind_a_proxy(app, db_url, tmp_path):
    client = app.test_client()
    token = csrf_token(client)
    plain = client.post("/login", data={"username": "cand1", "password": PASSWORD, "csrf_token": token})
    assert "Secure" not in plain.headers.get("Set-Cookie", "")
    https = app.test_client()
    token = https.get("/login", base_url="https://exam.example").get_data(as_text=True)
    import re
    token = re.search(r'name="csrf-token" content="([^"]+)"', token).group(1)
    resp = https.post("/login", base_url="https://exam.example", headers={"Referer": "https://exam.example/login"},
                      data={"username": "cand1", "password": PASSWORD, "csrf_token": token})
    cookies = resp.headers.getlist("Set-Cookie")
    assert resp.status_code == 302 and cookies and all("Secure" in c for c in cookies)
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")

    from exam.app import create_app
    proxied = create_app({"INSTANCE_PATH": str(tmp_path / "proxied"), "DATABASE_URL": db_url,
                          "SECRET_KEY": "test-secret", "TESTING": True, "PROXY_FIX": 1}).test_client()
    page = proxied.get("/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.3"})
    assert all("Secure" in c for c in page.headers.getlist("Set-Cookie"))


def test_initial_passwords_must_be_changed_at_first_sign_in(app, engine, users):
    from exam.db import write_session
    from exam.accounts import service
    with write_session(engine) as db:
        service.create_user(db, "rostered", "initial-pass-123", "candidate", "名单考生", must_change_password=True)
    client = app.test_client()
    resp = login(client, "rostered", "initial-pass-123")
    assert resp.status_code == 302 and resp.location.endswith("/account/password")
    assert client.get("/candidate").location.endswith("/account/password")           # every page waits
    api = client.post("/api/attempts/1/answers", json={"saves": []},
                      headers={"X-CSRFToken": csrf_token(client, "/account/password")})
    assert api.status_code == 403 and api.get_json()["change_password"] is True
    token = csrf_token(client, "/account/password")
    same = client.post("/account/password", data={"csrf_token": token, "current": "initial-pass-123",
                                                  "new": "initial-pass-123", "confirm": "initial-pass-123"})
    assert "新密码不能与当前密码相同" in same.get_data(as_text=True)
    done = client.post("/account/password", data={"csrf_token": token, "current": "initial-pass-123",
                                                  "new": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and client.get("/candidate").status_code == 200


def test_roster_initial_passwords_are_twelve_characters_and_flagged():
    from exam.sessions.roster import enrolment
    assert len(enrolment.new_password()) >= 12


def test_passwords_shorter_than_twelve_are_refused_everywhere(engine):
    from exam.db import write_session
    from exam.accounts import service
    with pytest.raises(service.AccountError, match="至少 12 位"):
        with write_session(engine) as db:
            service.create_user(db, "shorty", "elevenchars", "trainer")
    assert service.password_problem("aaaaaaaaaaaaaaa") == "密码过于简单：请勿使用重复的字符"
    assert service.password_problem("sametheusername", "SameTheUsername") == "密码不能与用户名相同"


def test_cli_users_create_refuses_a_short_password(tmp_path, db_url):
    import os
    import subprocess
    import sys
    from pathlib import Path
    callexam = str(Path(sys.executable).parent / "callexam")
    env = {**os.environ, "DATABASE_URL": db_url, "CALLEXAM_INSTANCE": str(tmp_path / "inst")}
    done = subprocess.run([callexam, "users", "create", "newbie", "--role", "chief", "--password", "short-pass"],
                          text=True, capture_output=True, env=env, timeout=120)
    assert done.returncode == 1 and "密码至少 12 位" in done.stderr
    done = subprocess.run([callexam, "users", "create", "newbie", "--role", "chief", "--password", NEW_PASSWORD],
                          text=True, capture_output=True, env=env, timeout=120)
    assert done.returncode == 0 and "已创建 newbie（chief）" in done.stdout


def test_long_unused_session_rows_are_deleted_at_a_later_sign_in(client, engine, users):
    login(client, "cand1")
    _age(engine, users["cand1"], 8 * 24 * 60)
    login(app_client := client, "cand2")
    assert app_client.get("/candidate").status_code == 200
    with engine.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM login_session WHERE user_id = :u"),
                            {"u": users["cand1"]}).scalar()
    assert kept == 0
