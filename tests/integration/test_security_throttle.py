"""The one throttle (exam.throttle): progressive delays per (account, source), never a lock-out of the
innocent — another account behind the same exam-room address, the right person from a new address or
from their own browser — and bulk verification counted row by row. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from exam import throttle
from exam.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.webclient import csrf_token, login

ROOM = {"REMOTE_ADDR": "10.20.0.1"}       # an exam room's NAT address
HOME = {"REMOTE_ADDR": "192.0.2.44"}      # somewhere else


def sign_in(client, username, password=PASSWORD, env=None):
    env = env or ROOM
    client.post("/logout", data={"csrf_token": csrf_token(client, "/no-such-page")}, environ_base=env)
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                       environ_base=env)


# ---------------------------------------------------------------- the policy itself

def test_delays_grow_after_the_free_failures_and_are_capped():
    p = throttle.Policy("t", free=3, base_seconds=10, max_delay_seconds=100)
    assert [p.delay(n) for n in range(0, 8)] == [0, 0, 0, 10, 20, 40, 80, 100]
    assert throttle.Verdict(False, 30).wait_text == "30 秒" and throttle.Verdict(False, 61).wait_text == "2 分钟"


def test_a_pair_may_try_again_once_its_delay_has_passed(engine):
    p = throttle.Policy("t", free=2, base_seconds=60, max_delay_seconds=600)
    now = utcnow()
    for _ in range(2):
        throttle.failed(engine, p, "acct", "ip:1", now)
    verdict = throttle.check(engine, p, "acct", "ip:1", now + dt.timedelta(seconds=5))
    assert not verdict.allowed and 50 <= verdict.retry_after <= 60
    assert throttle.check(engine, p, "acct", "ip:1", now + dt.timedelta(seconds=61)).allowed   # slowed, not locked
    assert throttle.check(engine, p, "acct", "ip:2", now).allowed                               # another source
    assert throttle.check(engine, p, "other", "ip:1", now).allowed                              # another account
    throttle.succeeded(engine, p, "acct", "ip:1", now)
    assert throttle.check(engine, p, "acct", "ip:1", now).failures == 0


# ---------------------------------------------------------------- sign-in

def test_guesses_slow_the_guessing_pair_only(app):
    a, b = app.test_client(), app.test_client()
    for _ in range(5):
        assert sign_in(a, "cand2", "wrong-password!", ROOM).status_code == 401
    refused = sign_in(a, "cand2", PASSWORD, ROOM)
    assert refused.status_code == 429 and "秒后再试" in refused.get_data(as_text=True)
    assert sign_in(b, "cand1", PASSWORD, ROOM).status_code == 302     # the neighbour's account: untouched
    assert sign_in(b, "cand2", PASSWORD, HOME).status_code == 302     # the right password from a new address


def test_a_flood_of_failures_from_one_address_blocks_no_other_account(app, engine):
    """205 failed sign-ins from one address (many names) used to lock out every user behind it."""
    client = app.test_client()
    token = csrf_token(client)
    for n in range(205):
        resp = client.post("/login", data={"username": f"nobody{n % 41}", "password": "x" * 12,
                                           "csrf_token": token}, environ_base=ROOM)
        assert resp.status_code in (401, 429)
    assert sign_in(app.test_client(), "cand1", PASSWORD, ROOM).status_code == 302
    assert sign_in(app.test_client(), "examiner", PASSWORD, ROOM).status_code == 302


def issued_ticket(engine, sid: int) -> str:
    """Issues the session's admission tickets and returns its one candidate's ticket number."""
    from exam.db import write_session
    from exam.sessions.roster import tickets
    with write_session(engine) as db:
        tickets.issue(db, sid)
    with engine.connect() as conn:
        return conn.execute(text("SELECT ticket_number FROM enrollment WHERE session_id = :s"), {"s": sid}).scalar()


def test_a_neighbour_guessing_a_ticket_does_not_lock_out_its_candidate(app, engine, roster_session, users):
    """Tickets are printed and sequential: guesses at one from the same room slow the guesser's pair,
    and the candidate's own browser (device cookie) is counted apart from the room's address."""
    sid = roster_session(signin_mode="password", candidates=("cand1",))
    ticket = issued_ticket(engine, sid)
    own = app.test_client()
    assert sign_in(own, ticket, PASSWORD, ROOM).status_code == 302    # yesterday's rehearsal: device remembered
    own.post("/logout", data={"csrf_token": csrf_token(own, "/no-such-page")}, environ_base=ROOM)
    neighbour = app.test_client()
    for _ in range(8):
        assert sign_in(neighbour, ticket, "guess-guess-guess", ROOM).status_code in (401, 429)
    assert sign_in(neighbour, ticket, PASSWORD, ROOM).status_code == 429   # the guesser's pair waits
    assert sign_in(own, ticket, PASSWORD, ROOM).status_code == 302         # the candidate's browser does not


def test_the_examiner_lifts_a_wait_a_neighbour_caused_after_checking_identity(app, engine, roster_session, users):
    """The same neighbour, but the candidate sits at a fresh exam PC (no device cookie): their pair is
    the guesser's pair and waits. The board shows the wait; the assigned examiner (not another one)
    lifts it with a reason, through the board's JSON API; the lift is audited; the candidate signs in."""
    sid = roster_session(signin_mode="password", candidates=("cand1",))
    ticket = issued_ticket(engine, sid)
    neighbour = app.test_client()
    for _ in range(7):
        assert sign_in(neighbour, ticket, "guess-guess-guess", ROOM).status_code in (401, 429)
    fresh_pc = app.test_client()
    refused = sign_in(fresh_pc, ticket, PASSWORD, ROOM)
    assert refused.status_code == 429 and "联系考评员" in refused.get_data(as_text=True)

    examiner = app.test_client()
    login(examiner, "examiner")
    board = examiner.get(f"/examiner/sessions/{sid}/proctoring/board").get_json()
    [row] = [r for r in board["rows"] if r["candidateId"] == users["cand1"]]
    assert row["signinWait"] > 0
    page = examiner.get(f"/examiner/sessions/{sid}/proctoring").get_data(as_text=True)
    assert f"/api/sessions/{sid}/signin-waits/0/lift" in page
    url = f"/api/sessions/{sid}/signin-waits/{users['cand1']}/lift"

    outsider = app.test_client()
    login(outsider, "outsider")
    token = csrf_token(outsider, "/no-such-page")
    assert outsider.post(url, json={"reason": "核验身份证"}, headers={"X-CSRFToken": token}).status_code == 403
    token = csrf_token(examiner, "/no-such-page")
    assert examiner.post(url, json={"reason": "核验身份证"}).status_code == 400          # no CSRF token
    no_reason = examiner.post(url, json={"reason": " "}, headers={"X-CSRFToken": token})
    assert no_reason.status_code == 400 and "请填写原因" in no_reason.get_json()["error"]
    stranger = examiner.post(f"/api/sessions/{sid}/signin-waits/{users['cand2']}/lift",
                             json={"reason": "核验身份证"}, headers={"X-CSRFToken": token})
    assert stranger.status_code == 404                                   # not enrolled in this session
    assert sign_in(fresh_pc, ticket, PASSWORD, ROOM).status_code == 429  # nothing was lifted yet

    lifted = examiner.post(url, json={"reason": "已核验身份证，本人在座"}, headers={"X-CSRFToken": token})
    assert lifted.status_code == 200 and lifted.get_json()["count"] >= 5
    with engine.connect() as conn:
        audit = conn.execute(text("SELECT actor_id, detail FROM audit_event WHERE action = 'signin.wait_lifted'")).all()
    assert len(audit) == 1 and audit[0].actor_id == users["examiner"]
    assert "已核验身份证" in str(audit[0].detail)
    board = examiner.get(f"/examiner/sessions/{sid}/proctoring/board").get_json()
    assert [r["signinWait"] for r in board["rows"] if r["candidateId"] == users["cand1"]] == [0]
    assert sign_in(fresh_pc, ticket, PASSWORD, ROOM).status_code == 302
    again = examiner.post(url, json={"reason": "再点一次"}, headers={"X-CSRFToken": token})
    assert again.status_code == 200 and again.get_json()["count"] == 0


def test_a_forged_device_cookie_is_only_an_address(app):
    client = app.test_client()
    client.set_cookie("callexam_device", "forged.value")
    for _ in range(5):
        sign_in(client, "cand2", "wrong-password!", ROOM)
    assert sign_in(client, "cand2", PASSWORD, ROOM).status_code == 429


# ---------------------------------------------------------------- certificate look-ups

def _holder(engine, users):
    from tests.integration.test_cert_verify import GOOD, add
    add(engine, users, GOOD, "cand1")
    return GOOD


def test_ten_wrong_names_from_elsewhere_never_block_the_holders_look_up(app, engine, users):
    from tests.integration.test_cert_verify import ask, result_section
    good = _holder(engine, users)
    app.config["VERIFY_MIN_SECONDS"] = 0
    client = app.test_client()
    for n in range(10):
        ask(client, good.number, f"猜{n}", addr="203.0.113.9")
    assert ask(client, good.number, "猜x", addr="203.0.113.9").status_code == 429
    found = ask(client, good.number, good.holder_name, addr="198.51.100.7")
    assert found.status_code == 200 and "查询结果：有效" in result_section(found.get_data(as_text=True))


def _bulk_file(rows) -> bytes:
    book = Workbook()
    book.active.append(["证书编号", "姓名"])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client, data: bytes):
    token = csrf_token(client, "/verify/bulk")
    return client.post("/verify/bulk", data={"csrf_token": token, "file": (io.BytesIO(data), "list.xlsx")},
                       content_type="multipart/form-data")


def _results(resp) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(resp.data)).worksheets[0]
    return list(sheet.iter_rows(min_row=2, values_only=True))


def test_bulk_verification_counts_every_row_against_the_number(app, engine, users):
    """One number with 2,000 names used to find the holder; now only the first few names are tried."""
    GOOD = _holder(engine, users)
    client = app.test_client()
    login(client, "verifier")
    names = [f"假名{n}" for n in range(1999)] + [GOOD.holder_name]
    resp = _upload(client, _bulk_file((GOOD.number, name) for name in names))
    assert resp.status_code == 200
    lines = _results(resp)
    assert [line[3] for line in lines[:3]] == ["未找到"] * 3
    assert {line[3] for line in lines[3:]} == {"未核对"}                 # the holder's row too
    assert lines[-1][5] in (None, "")                                     # no masked ID leaks
    again = _results(_upload(client, _bulk_file([(GOOD.number, GOOD.holder_name)])))  # re-uploading does not reset it
    assert again[0][3] == "未核对"


def test_bulk_verification_counts_rows_per_account(app, engine, users):
    GOOD = _holder(engine, users)
    app.config["THROTTLE_BULK_ROW_PER_SOURCE"] = 5
    client = app.test_client()
    login(client, "verifier")
    assert _upload(client, _bulk_file([(GOOD.number, GOOD.holder_name)] * 4)).status_code == 200
    refused = _upload(client, _bulk_file([(GOOD.number, GOOD.holder_name)] * 2))
    assert refused.status_code == 400 and "一小时内最多核验 5 行" in refused.get_data(as_text=True)
