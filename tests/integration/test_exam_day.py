"""Issue 22, the candidate's exam day through HTTP on SQLite and PostgreSQL: the start page with the
time really available and its confirmation, and the result page saying who submitted and why."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlalchemy import text, update

from exam.db import write_connection
from exam.proctoring import actions
from exam.timeutil import utcnow
from tests.webclient import csrf_token, exam_state, login, opened, start

START = {"theory": "/candidate/sessions/{}/start", "typing": "/candidate/sessions/{}/typing/start",
         "practical": "/candidate/sessions/{}/practical/start"}
TABLE = {"theory": "attempt", "typing": "typing_attempt", "practical": "practical_attempt"}


def attempts(engine, part, sid) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM {TABLE[part]} WHERE session_id = :s"), {"s": sid}).scalar()


def begin(client, sid, part="theory"):
    return client.get(f"/candidate/sessions/{sid}/{part}/begin")


# ---------------------------------------------------------------- the start page

@pytest.mark.parametrize("part", ["theory", "typing", "practical"])
def test_home_links_to_a_start_page_and_no_click_starts_the_clock_without_its_confirmation(
        client, engine, make_session, part):
    sid = make_session()
    login(client, "cand1")
    home = client.get("/candidate").get_data(as_text=True)
    assert f'href="/candidate/sessions/{sid}/{part}/begin"' in home
    assert f'action="{START[part].format(sid)}"' not in home  # no one-click start on the home page
    page = begin(client, sid, part).get_data(as_text=True)
    assert "考试须知" in page and 'name="confirm" value="1" required' in page and "确认开始" in page
    # a script (or an old page) posting the start form without the confirmation starts nothing
    token = csrf_token(client, "/candidate")
    resp = client.post(START[part].format(sid), data={"csrf_token": token})
    assert resp.status_code == 302 and resp.location.endswith(f"/candidate/sessions/{sid}/{part}/begin")
    assert "请先阅读考试须知" in client.get(resp.location).get_data(as_text=True)
    resp = client.post(START[part].format(sid), data={"csrf_token": token, "confirm": "yes"})
    assert attempts(engine, part, sid) == 0
    resp = client.post(START[part].format(sid), data={"csrf_token": token, "confirm": "1"})
    # theory and typing answer with the new attempt's page, practical redirects to its own
    assert resp.status_code == (302 if part == "practical" else 200) and attempts(engine, part, sid) == 1
    # once started, the start page leads back to the attempt rather than offering a second start
    assert begin(client, sid, part).location == opened(client, resp)[1]


def _watch(html: str) -> dict:
    return json.loads(re.search(r'id="proctor-watch-config">(.*?)</script>', html, re.S).group(1))


def test_the_start_answers_with_the_live_paper_page_the_same_as_opening_it(client, engine, make_session):
    """The theory start answers with the new attempt's paper page (issue 23: no redirect, no read-back,
    no take-over of its own). That page is the attempt's live page from the start's own transaction;
    it shows the questions the paper page shows, the sign-out warning and the proctoring watch's
    state, names its own address for the browser, carries no key; a second start redirects to it."""
    sid = make_session()
    login(client, "cand1")
    token = csrf_token(client, "/candidate")
    resp = client.post(START["theory"].format(sid), data={"csrf_token": token, "confirm": "1"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    state = exam_state(html)
    attempt_id = state["attemptId"]
    assert f'<link rel="canonical" href="/candidate/attempts/{attempt_id}">' in html
    assert "canonical-address.js" in html
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT page_token, status FROM attempt WHERE id = :a"), {"a": attempt_id}).one()
        keys = [k for (k,) in conn.execute(text(
            "SELECT v.key FROM paper_slot s JOIN item_version v ON v.id = s.item_version_id WHERE s.attempt_id = :a"),
            {"a": attempt_id})]
    assert stored == (state["page"], "open") and state["previousPage"] is None and state["saved"] == {}
    assert f"page={state['page']}" in state["saveUrl"]
    assert "您的理论考试尚未交卷" in html  # the sign-out warning sees the attempt just started
    watch = _watch(html)["initial"]
    assert watch["status"] == "open" and watch["paused"] is False and watch["takenOver"] is False
    assert watch["deadline"] == state["deadline"]
    assert "correct" not in html and '"key"' not in html and keys  # no key in the page (the paper has them)

    # the same questions, in the same order with the same options, as the paper page shows them
    questions = re.compile(r'<article class="question" id="q\d+".*?</article>', re.S)
    page = client.get(f"/candidate/attempts/{attempt_id}").get_data(as_text=True)
    assert questions.findall(page) == questions.findall(html) and len(questions.findall(html)) > 0
    assert exam_state(page)["previousPage"] == state["page"]  # opening it took the start's page over
    again = client.post(START["theory"].format(sid), data={"csrf_token": token, "confirm": "1"})
    assert again.status_code == 302 and again.location == f"/candidate/attempts/{attempt_id}"
    assert attempts(engine, "theory", sid) == 1


def test_a_late_start_is_told_the_real_time_left_before_the_clock_starts(client, engine, make_session):
    sid = make_session(duration_minutes=90, opens_in=dt.timedelta(minutes=-80), closes_in=dt.timedelta(minutes=3, seconds=20))
    login(client, "cand1")
    page = begin(client, sid).get_data(as_text=True)
    # the date shows too when the window crosses midnight (Asia/Shanghai)
    found = re.search(r"本场 (?:\d\d月\d\d日 )?(\d\d:\d\d) 结束，您有 (\d+) 分钟", page)
    assert found, page
    assert found.group(2) == "3" and "限时 90 分钟" not in page.split("time-available", 1)[1][:40]
    assert "本部分限时 90 分钟，但开始较晚" in page
    attempt_id, _, _ = start(client, sid)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT a.deadline, s.closes_at FROM attempt a JOIN exam_session s ON s.id = a.session_id "
                                "WHERE a.id = :a"), {"a": attempt_id}).one()
    assert row[0] == row[1]  # the countdown the page then shows is the same 3 minutes


def test_an_on_time_start_page_states_the_limit_and_rules(client, make_session):
    sid = make_session(duration_minutes=60, item_count=20)
    login(client, "cand1")
    page = begin(client, sid).get_data(as_text=True)
    assert "限时 <strong>60 分钟</strong>" in page and "您有" not in page
    assert "闭卷考试" in page and "共 20 题" in page and "剩余 5 分钟和 1 分钟" in page
    typing = begin(client, sid, "typing").get_data(as_text=True)
    assert "每分钟正确录入汉字不少于 50 个" in typing


def test_a_start_page_before_the_window_shows_when_it_opens_and_no_form(client, make_session):
    sid = make_session(opens_in=dt.timedelta(hours=2), closes_in=dt.timedelta(hours=4))
    login(client, "cand1")
    page = begin(client, sid).get_data(as_text=True)
    assert "本部分尚未开考" in page and 'name="confirm"' not in page


def test_a_start_page_of_someone_elses_session_or_an_unknown_part_is_not_found(client, make_session):
    sid = make_session(candidates=("cand2",))
    login(client, "cand1")
    assert begin(client, sid).status_code == 404
    assert begin(client, 999999).status_code == 404
    login(client, "cand2")
    assert begin(client, sid, "essay").status_code == 404


# ---------------------------------------------------------------- who submitted, and why

def _result(client, attempt_id) -> str:
    return client.get(f"/candidate/attempts/{attempt_id}/result").get_data(as_text=True)


def test_the_countdowns_submission_after_the_deadline_is_recorded_as_time_up(client, engine, make_session):
    sid = make_session()
    login(client, "cand1")
    attempt_id, state, token = start(client, sid)
    # the deadline has just passed (within the grace): the page's automatic submission arrives
    with write_connection(engine) as conn:
        conn.execute(text("UPDATE attempt SET deadline = :d WHERE id = :a"),
                     {"d": utcnow() - dt.timedelta(seconds=2), "a": attempt_id})
    client.post(f"/candidate/attempts/{attempt_id}/submit?page={state['page']}", data={"csrf_token": token})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT submit_reason FROM attempt WHERE id = :a"), {"a": attempt_id}).scalar() == "deadline"
    assert "考试时间到，系统自动交卷" in _result(client, attempt_id)


def test_a_candidate_cannot_claim_time_up_for_an_early_submission(client, engine, make_session):
    sid = make_session()
    login(client, "cand1")
    attempt_id, state, token = start(client, sid)
    client.post(f"/candidate/attempts/{attempt_id}/submit?page={state['page']}",
                data={"csrf_token": token, "reason": "deadline", "submit_reason": "deadline"})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT submit_reason FROM attempt WHERE id = :a"), {"a": attempt_id}).scalar() == "candidate"
    page = _result(client, attempt_id)
    assert "考生本人交卷" in page and "系统自动交卷" not in page


def test_a_forced_submission_shows_the_proctors_reason_on_the_result_page(client, engine, make_session, users):
    sid = make_session()
    login(client, "cand1")
    attempt_id, _, _ = start(client, sid)
    actions.force_submit(engine, "theory", attempt_id, "考生违规使用手机 <b>", users["examiner"], utcnow(), 0.95)
    page = _result(client, attempt_id)
    assert "监考老师强制交卷，原因：考生违规使用手机 &lt;b&gt;" in page  # escaped


def test_a_pending_verdict_is_drawn_visibly(client, engine, make_session):
    sid = make_session()
    login(client, "cand1")
    attempt_id, state, token = start(client, sid)
    client.post(f"/candidate/attempts/{attempt_id}/submit?page={state['page']}", data={"csrf_token": token})
    with write_connection(engine) as conn:  # a paper with short answers waits for its marker
        conn.execute(text("UPDATE attempt SET passed = NULL WHERE id = :a"), {"a": attempt_id})
    page = _result(client, attempt_id)
    assert '<span class="badge big pending" id="verdict">待阅卷</span>' in page


@pytest.mark.parametrize("part", ["typing", "practical"])
def test_typing_and_practical_result_pages_say_who_submitted(client, engine, make_session, users, part):
    sid = make_session()
    login(client, "cand1")
    token = csrf_token(client, "/candidate")
    resp = client.post(START[part].format(sid), data={"csrf_token": token, "confirm": "1"})
    attempt_id = opened(client, resp)[0]
    actions.force_submit(engine, part, attempt_id, "设备故障，换机重考", users["examiner"], utcnow(), 0.95)
    base = "/candidate/typing" if part == "typing" else "/candidate/practical"
    page = client.get(f"{base}/{attempt_id}/result").get_data(as_text=True)
    assert "监考老师强制交卷，原因：设备故障，换机重考" in page


# ---------------------------------------------------------------- signing in with the ticket as printed

def test_a_ticket_number_is_accepted_as_printed_with_spaces_and_in_full_width(client, engine, roster_session):
    from tests.integration.rosters import CLASS, HEADER, enrolments, import_file, xlsx

    sid = roster_session(signin_mode="id_last6")
    login(client, "examiner")
    wang = ("王小丫", "11010519491231002X", "13800138009", "")
    import_file(client, sid, "名单.xlsx", xlsx(HEADER, *CLASS[:1], wang))
    ticket = {r[0]: r for r in enrolments(engine, sid)}["王小丫"][2]
    grouped = f"{ticket[:4]} {ticket[4:8]} {ticket[8:]}"                  # as the 准考证 prints it
    full_width = "　".join(grouped.split()).translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    for typed in (grouped, full_width, f" {ticket[:4]}-{ticket[4:8]}-{ticket[8:]} "):
        resp = login(client, typed, "31002X")
        assert resp.status_code == 302, (typed, resp.get_data(as_text=True)[-300:])
        assert client.get("/").location.endswith("/candidate")
    # a wrong password is still refused, however the number is written
    assert login(client, grouped, "000000").status_code == 401
    # usernames are never rewritten: a full-width user name does not reach the ASCII account
    assert login(client, "ｃａｎｄ１").status_code == 401


# ---------------------------------------------------------------- one attempt, one live page

def _page(client, url) -> dict:
    from tests.webclient import exam_state
    return exam_state(client.get(url).get_data(as_text=True))


def _stored(engine, attempt_id) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT position, value FROM answer WHERE attempt_id = :a"),
                                 {"a": attempt_id}).all())


def test_a_second_page_takes_over_and_no_stale_page_can_save(client, app, engine, make_session):
    sid = make_session()
    login(client, "cand1")
    attempt_id, first, token = start(client, sid)          # page A (this tab)
    second = _page(client, f"/candidate/attempts/{attempt_id}")   # page B (another tab or device)
    assert first["saveUrl"] != second["saveUrl"]
    post = lambda url, seq, value="": client.post(url, json={"saves": [{"position": 0, "seq": seq, "value": value}]},  # noqa: E731
                                                   headers={"X-CSRFToken": token})
    ok = post(second["saveUrl"], 10)
    assert ok.status_code == 200
    # A is stale: refused, and with a later sequence number (a clock running ahead) it still changes nothing
    for url in (first["saveUrl"], first["saveUrl"].split("?")[0], first["saveUrl"].split("?")[0] + "?page=guess"):
        resp = post(url, 10 ** 12, "")
        assert resp.status_code == 409 and resp.get_json()["takenOver"] is True, url
        assert "另一个标签页或设备" in resp.get_json()["error"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT seq FROM answer WHERE attempt_id = :a AND position = 0"),
                            {"a": attempt_id}).scalar() == 10
    # the status poll tells each page which it is
    status = f"/candidate/proctoring/theory/{attempt_id}/status"
    page_of = lambda state: state["saveUrl"].split("page=")[1]  # noqa: E731
    assert client.get(f"{status}?page={page_of(first)}").get_json()["takenOver"] is True
    assert client.get(f"{status}?page={page_of(second)}").get_json()["takenOver"] is False
    # reopening A takes the attempt back: now B is the stale one
    again = _page(client, f"/candidate/attempts/{attempt_id}")
    assert post(again["saveUrl"], 11).status_code == 200
    assert post(second["saveUrl"], 12).status_code == 409


def test_the_take_over_is_checked_inside_the_save_transaction(engine, make_session, users):
    """A save that passed the page's checks before the take-over but reaches its transaction after it
    (the race a loader-only check would lose) is refused under the attempt row's lock."""
    from exam import parts
    from exam.access import live_page
    from exam.delivery import service

    sid = make_session()
    attempt_id = service.start_attempt(engine, sid, users["cand1"], utcnow())
    old = live_page.open_page(engine, parts.get("theory"), attempt_id, users["cand1"]).token
    new = live_page.open_page(engine, parts.get("theory"), attempt_id, users["cand1"]).token
    saves = [{"position": 0, "seq": 5, "value": "", "flagged": True}]
    with pytest.raises(live_page.TakenOver):
        service.save_answers(engine, attempt_id, users["cand1"], saves, utcnow(), dt.timedelta(seconds=15), old)
    with pytest.raises(live_page.TakenOver):
        service.save_answers(engine, attempt_id, users["cand1"], saves, utcnow(), dt.timedelta(seconds=15), None)
    assert service.save_answers(engine, attempt_id, users["cand1"], saves, utcnow(), dt.timedelta(seconds=15), new)
    # someone else's attempt cannot be taken over
    assert live_page.open_page(engine, parts.get("theory"), attempt_id, users["cand2"]).token is None


@pytest.mark.parametrize("part", ["typing", "practical"])
def test_typing_and_practical_pages_are_taken_over_too(client, engine, make_session, part):
    import json
    import re as _re
    sid = make_session()
    login(client, "cand1")
    token = csrf_token(client, "/candidate")
    resp = client.post(START[part].format(sid), data={"csrf_token": token, "confirm": "1"})
    attempt_id, page_url, _ = opened(client, resp)
    state_id = {"typing": "typing-state", "practical": "practical-state"}[part]

    def state():
        html = client.get(page_url).get_data(as_text=True)
        return json.loads(_re.search(rf'<script type="application/json" id="{state_id}">(.*?)</script>', html, _re.S).group(1))

    first, second = state(), state()
    if part == "typing":
        url = lambda s: s["saveUrl"]  # noqa: E731
        body = {"seq": 3, "text": "您好"}
    else:
        url = lambda s: s["saveUrl"] + next(iter(s["saved"])) + s["saveQuery"]  # noqa: E731
        body = {"seq": 3, "answer": {}}
    stale = client.post(url(first), json=body, headers={"X-CSRFToken": token})
    assert stale.status_code == 409 and stale.get_json()["takenOver"] is True
    live = client.post(url(second), json=body, headers={"X-CSRFToken": token})
    assert live.status_code != 409, live.get_json()
    status = client.get(f"/candidate/proctoring/{part}/{attempt_id}/status?page={url(first).split('page=')[1]}")
    assert status.get_json()["takenOver"] is True


# ---------------------------------------------------------------- submitting is tied to the live page too

SIT = {"theory": "/candidate/attempts/{}", "typing": "/candidate/typing/{}", "practical": "/candidate/practical/{}"}
SUBMIT = {"theory": "/candidate/attempts/{}/submit", "typing": "/candidate/typing/{}/submit",
          "practical": "/candidate/practical/{}/submit"}


def _open_part(client, sid, part) -> tuple[int, str]:
    """Start ``part`` as the signed-in candidate; attempt id and CSRF token. (The theory and typing
    starts answer with a first page of the attempt; the practical page is not opened yet.)"""
    token = csrf_token(client, "/candidate")
    resp = client.post(START[part].format(sid), data={"csrf_token": token, "confirm": "1"})
    # theory, typing: the start's answer is the attempt's page; the next opening takes it over
    assert resp.status_code == (302 if part == "practical" else 200), resp.get_data(as_text=True)
    return opened(client, resp)[0], token


def _page_token(client, part, attempt_id) -> str:
    """Open the attempt's page (a tab or device): the token its saves and its 交卷 form name."""
    html = client.get(SIT[part].format(attempt_id)).get_data(as_text=True)
    return re.search(r"[?&]page=([\w-]+)", html).group(1)


def _status_of(engine, part, attempt_id):
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT status, submit_reason, page_takeovers FROM {TABLE[part]} WHERE id = :a"),
                            {"a": attempt_id}).first()


@pytest.mark.parametrize("part", ["theory", "typing", "practical"])
def test_a_stale_page_cannot_submit_by_form_or_json_and_the_live_page_can(client, engine, make_session, part):
    sid = make_session()
    login(client, "cand1")
    attempt_id, token = _open_part(client, sid, part)
    stale, live = _page_token(client, part, attempt_id), _page_token(client, part, attempt_id)
    url = SUBMIT[part].format(attempt_id)
    # the form path: 409 with a page that says why and offers to take the attempt back, not a redirect
    # to the attempt's page (opening it would silently take the attempt over from the live page)
    for target in (f"{url}?page={stale}", url, f"{url}?page=guess"):
        resp = client.post(target, data={"csrf_token": token})
        html = resp.get_data(as_text=True)
        assert resp.status_code == 409, target
        assert "本场考试已在另一个标签页或设备上打开，不能从本页交卷" in html and 'id="reclaim"' in html
    # a JSON client of the same endpoint gets the refusal as JSON
    resp = client.post(f"{url}?page={stale}", data={"csrf_token": token}, headers={"Accept": "application/json"})
    assert resp.status_code == 409 and resp.get_json()["takenOver"] is True
    assert "另一个标签页或设备" in resp.get_json()["error"]
    assert _status_of(engine, part, attempt_id).status == "open"
    # the live page submits
    resp = client.post(f"{url}?page={live}", data={"csrf_token": token})
    assert resp.status_code == 302 and resp.location.endswith("/result")
    assert tuple(_status_of(engine, part, attempt_id)[:2]) == ("submitted", "candidate")


def test_once_the_time_and_grace_are_up_a_stale_page_may_close_the_attempt_as_time_up(client, app, engine,
                                                                                      make_session):
    sid = make_session()
    login(client, "cand1")
    attempt_id, token = _open_part(client, sid, "theory")
    stale = _page_token(client, "theory", attempt_id)
    _page_token(client, "theory", attempt_id)
    grace = app.config["GRACE_SECONDS"]
    url = f"/candidate/attempts/{attempt_id}/submit?page={stale}"

    def deadline(seconds_ago):
        with write_connection(engine) as conn:
            conn.execute(text("UPDATE attempt SET deadline = :d WHERE id = :a"),
                         {"d": utcnow() - dt.timedelta(seconds=seconds_ago), "a": attempt_id})

    # within the grace the live page's last saves may still land: the stale page's countdown waits
    deadline(1)
    assert client.post(url, data={"csrf_token": token}).status_code == 409
    assert _status_of(engine, "theory", attempt_id).status == "open"
    deadline(grace + 2)
    resp = client.post(url, data={"csrf_token": token})
    assert resp.status_code == 302
    assert tuple(_status_of(engine, "theory", attempt_id)[:2]) == ("submitted", "deadline")


def test_the_review_page_of_a_stale_page_says_so_and_its_form_names_that_page(client, make_session):
    sid = make_session()
    login(client, "cand1")
    attempt_id, state, token = start(client, sid)
    review = client.get(state["reviewUrl"]).get_data(as_text=True)
    assert f"submit?page={state['page']}" in review and 'id="taken-over"' not in review
    _page_token(client, "theory", attempt_id)                    # another tab opens the paper
    review = client.get(state["reviewUrl"]).get_data(as_text=True)
    assert 'id="taken-over"' in review and "不能从本页交卷" in review


# ---------------------------------------------------------------- the board sees a take-over

def test_a_superseded_page_still_open_is_counted_once_audited_and_shown_on_the_board(client, engine, make_session):
    sid = make_session()
    login(client, "cand1")
    attempt_id, token = _open_part(client, sid, "theory")
    status = f"/candidate/proctoring/theory/{attempt_id}/status"
    first = _page_token(client, "theory", attempt_id)
    # a reload (or 返回作答 from the review page) replaces the page: the old one never asks again
    second = _page_token(client, "theory", attempt_id)
    assert client.get(f"{status}?page={second}").get_json()["takenOver"] is False
    assert _status_of(engine, "theory", attempt_id).page_takeovers == 0
    # another tab opens it while the second page is still open: that page's poll (and its save, and its
    # submission) find it stale — counted once for that page
    third = _page_token(client, "theory", attempt_id)
    assert client.get(f"{status}?page={second}").get_json()["takenOver"] is True
    assert client.get(f"{status}?page={second}").get_json()["takenOver"] is True
    save = client.post(f"/api/attempts/{attempt_id}/answers?page={second}", headers={"X-CSRFToken": token},
                       json={"saves": [{"position": 0, "seq": 1, "value": ""}]})
    assert save.status_code == 409
    assert _status_of(engine, "theory", attempt_id).page_takeovers == 1
    # the first page shows up too (a device that had slept), and the live page and scripts count nothing
    assert client.get(f"{status}?page={first}").get_json()["takenOver"] is True
    assert client.get(f"{status}?page={third}").get_json()["takenOver"] is False
    assert client.get(status).get_json()["takenOver"] is False
    assert _status_of(engine, "theory", attempt_id).page_takeovers == 2
    with engine.connect() as conn:
        audited = conn.execute(text("SELECT actor_id, subject_type, detail FROM audit_event WHERE action = "
                                    "'attempt.page_taken_over' AND subject_id = :a"), {"a": attempt_id}).all()
    details = [json.loads(r.detail) if isinstance(r.detail, str) else r.detail for r in audited]  # JSON on PostgreSQL
    assert len(audited) == 2 and audited[0].subject_type == "attempt" and details[0]["part"] == "theory"
    assert details[0]["session_id"] == sid and audited[0].actor_id is not None
    assert not {first, second} & {str(v) for d in details for v in d.values()}   # tokens stay out of the audit
    # the examiner's live board (its JSON poll) shows it for that candidate
    login(client, "examiner")
    snap = client.get(f"/examiner/sessions/{sid}/proctoring/board").get_json()
    row = next(r for r in snap["rows"] if r["username"] == "cand1")
    assert row["takeOvers"] == 2 and re.fullmatch(r"\d\d:\d\d", row["lastTakeOver"])
    assert all("takenOverAt" not in p for p in row["parts"])
    other = next(r for r in snap["rows"] if r["username"] == "cand2")
    assert other["takeOvers"] == 0 and other["lastTakeOver"] == ""


def test_a_save_landing_just_before_the_take_over_is_on_the_new_page(client, engine, make_session, users,
                                                                     monkeypatch):
    """The page takes the attempt over before it reads the answers: a save from the old page that
    lands after the page's first read but before its take-over is shown (on SQLite the request's
    read transaction would otherwise keep the snapshot of its first read: ``web.fresh_reads``), and
    the page's own status poll settings do not call it taken over."""
    import json

    from exam.access import live_page
    from exam.delivery import service

    sid = make_session()
    login(client, "cand1")
    attempt_id, _state, _token = start(client, sid)
    with engine.connect() as conn:
        old = conn.execute(text("SELECT page_token FROM attempt WHERE id = :a"), {"a": attempt_id}).scalar()
    real = live_page.open_page

    def save_then_take_over(*args, **kwargs):  # the old page's save wins the race to the database
        service.save_answers(engine, attempt_id, users["cand1"], [{"position": 0, "seq": 7, "value": "",
                                                                   "flagged": True}],
                             utcnow(), dt.timedelta(seconds=15), old)
        return real(*args, **kwargs)

    monkeypatch.setattr(live_page, "open_page", save_then_take_over)
    html = client.get(f"/candidate/attempts/{attempt_id}").get_data(as_text=True)
    state = json.loads(re.search(r'id="exam-state">(.*?)</script>', html, re.S).group(1))
    assert state["saved"]["0"] == {"value": "", "flagged": True, "seq": 7}
    watch = json.loads(re.search(r'id="proctor-watch-config">(.*?)</script>', html, re.S).group(1))
    assert watch["initial"]["takenOver"] is False


def test_an_overdue_attempts_page_submits_it_and_shows_the_result(client, engine, make_session):
    sid = make_session()
    login(client, "cand1")
    attempt_id, _, _token = start(client, sid)
    with write_connection(engine) as conn:  # past the deadline and its grace, and the sweep has not run
        conn.execute(text("UPDATE attempt SET deadline = :d WHERE id = :a"),
                     {"d": utcnow() - dt.timedelta(minutes=5), "a": attempt_id})
    resp = client.get(f"/candidate/attempts/{attempt_id}")
    assert resp.status_code == 302 and resp.location.endswith(f"/candidate/attempts/{attempt_id}/result")
    with engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM attempt WHERE id = :a"), {"a": attempt_id}).scalar() == "submitted"
