"""Sign-in, its throttle, CSRF, and a role check on every view."""

import re

import pytest

from tests.webclient import csrf_token, login

SAMPLE_ARGS = {"session_id": 1, "attempt_id": 1, "item_id": 1, "position": 0, "blueprint_id": 1, "station_id": 1, "scenario_id": 1, "status": "approved", "fmt": "csv",
               "passage_id": 1, "key": "taboo", "room_id": 1, "candidate_id": 1, "enrollment_id": 1,
               "incident_id": 1, "part": "theory", "kind": "theory", "action": "pause", "certificate_id": 1,
               "user_id": 1, "change_id": 1, "ticket": "P0001"}


def test_login_page_has_the_expected_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert 'name="username"' in html and 'name="password"' in html and 'name="csrf_token"' in html


def test_sign_in_lands_on_the_role_home(client):
    resp = login(client, "cand1")
    assert resp.status_code == 302
    assert client.get("/").location.endswith("/candidate")


def test_wrong_password_is_refused_in_chinese(client):
    resp = login(client, "cand1", "nope-nope-nope")
    assert resp.status_code == 401
    assert "用户名或密码错误" in resp.get_data(as_text=True)


def test_login_is_rate_limited_per_account_and_address(client, app):
    """More in tests/integration/test_security_throttle.py."""
    for _ in range(app.config.get("THROTTLE_SIGNIN_FREE", 5)):
        assert login(client, "cand2", "wrong-password").status_code == 401
    resp = login(client, "cand2")  # even the right password waits now, from this address
    assert resp.status_code == 429
    assert "登录失败次数过多" in resp.get_data(as_text=True)
    assert login(client, "cand1").status_code == 302  # other accounts are unaffected


def test_every_post_needs_a_csrf_token(client):
    resp = client.post("/login", data={"username": "cand1", "password": "x"})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)
    login(client, "cand1")
    resp = client.post("/api/attempts/1/answers", json={"saves": []})
    assert resp.status_code == 400 and "CSRF" in resp.get_json()["error"]


SAMPLE_ARGS.setdefault("ticket", "P0001")  # practical marking API: the attempt's 凭证号
SAMPLE_ARGS.setdefault("code", "A0001")  # short-answer marking: the answer sheet's 答卷码
SAMPLE_ARGS.setdefault("sha256", "0" * 64)  # the bank's pictures: /media/<sha256>.<ext>
SAMPLE_ARGS.setdefault("ext", "png")


def _views(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def test_every_view_is_either_public_or_role_checked(app):
    unmarked = [rule.rule for rule, view in _views(app)
                if not getattr(view, "is_public", False) and not getattr(view, "allowed_roles", None)
                and rule.endpoint not in ("accounts.home", "accounts.logout")]
    assert unmarked == []


@pytest.mark.parametrize("role_user", ["cand1", "trainer", "examiner", "chief", "admin", "verifier"])
def test_roles_only_reach_their_own_views(app, client, role_user):
    login(client, role_user)
    token = csrf_token(client, "/no-such-page")  # the 404 page carries the token like every page
    role = {"cand1": "candidate"}.get(role_user, role_user)
    for rule, view in _views(app):
        allowed = getattr(view, "allowed_roles", None)
        if not allowed:
            continue
        path = rule.build(SAMPLE_ARGS, append_unknown=False)[1]
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            resp = client.open(path, method=method, headers={"X-CSRFToken": token})
            if role in allowed:
                assert resp.status_code != 403, (path, method)
            else:
                assert resp.status_code == 403, (path, method, resp.status_code)


def test_anonymous_users_are_sent_to_login(client, app):
    for rule, view in _views(app):
        if getattr(view, "is_public", False) or "GET" not in rule.methods:
            continue
        resp = client.get(rule.build(SAMPLE_ARGS, append_unknown=False)[1])
        assert resp.status_code == 302 and "/login" in resp.location, rule.rule


def test_admin_creates_a_user_who_can_sign_in(client, app):
    login(client, "admin")
    token = csrf_token(client, "/admin/users")
    resp = client.post("/admin/users", data={"username": "newcand", "display_name": "新考生", "role": "candidate",
                                             "password": "a-good-password-1", "csrf_token": token})
    assert resp.status_code == 302
    assert "newcand" in client.get("/admin/users").get_data(as_text=True)
    resp = client.post("/admin/users", data={"username": "newcand", "display_name": "x", "role": "candidate",
                                             "password": "short", "csrf_token": token})
    html = resp.get_data(as_text=True)
    assert "密码至少 12 位" in html
    client.post("/logout", data={"csrf_token": token})
    resp = login(client, "newcand", "a-good-password-1")
    assert resp.status_code == 302 and resp.location.endswith("/account/password")  # the admin chose it


def test_healthz(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200 and resp.get_json() == {"status": "ok"}


def test_pages_carry_security_headers(client):
    resp = client.get("/login")
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    html = resp.get_data(as_text=True)
    assert not re.search(r"https?://(?!127\.0\.0\.1|localhost)", html), "no external resources"


def test_a_remembered_csrf_token_is_still_bound_to_its_own_session(app, make_session):
    """The CSRF verdict cache must never let one session's token pass for another's."""
    sid = make_session()
    a, b = app.test_client(), app.test_client()
    login(a, "cand1")
    login(b, "cand2")
    from tests.webclient import start
    _, state, token_a = start(a, sid)
    body = {"saves": [{"position": 0, "seq": 1, "value": ""}]}
    assert a.post(state["saveUrl"], json=body, headers={"X-CSRFToken": token_a}).status_code == 200
    assert a.post(state["saveUrl"], json=body, headers={"X-CSRFToken": token_a}).status_code == 200  # cached
    resp = b.post(state["saveUrl"], json=body, headers={"X-CSRFToken": token_a})
    assert resp.status_code == 400 and "CSRF" in resp.get_json()["error"]


def test_the_api_answers_401_not_a_login_page_when_signed_out(client, make_session):
    sid = make_session()
    login(client, "cand1")
    from tests.webclient import start
    _, state, token = start(client, sid)
    client.post("/logout", data={"csrf_token": token})
    resp = client.post(state["saveUrl"], json={"saves": [{"position": 0, "seq": 1, "value": ""}]},
                       headers={"X-CSRFToken": csrf_token(client)})
    assert resp.status_code == 401 and resp.get_json()["signed_out"] is True
