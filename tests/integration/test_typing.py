"""The typing test on a real database: start, autosave, deadline, server-side scoring, the pages."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from sqlmodel import Session

from exam import standard
from tests.webclient import csrf_token, live_page, login, opened
from typing_test import service
from typing_test.models import TypingAttempt
from typing_test.normalise import normalise

GRACE = dt.timedelta(seconds=15)
MIN_ACC = standard.DEFAULT_TYPING_MIN_ACCURACY


def _save(engine, attempt_id, candidate_id, seq, text, now, instance="page1", counters=None, events=None):
    entry = service.Save(seq=seq, text=text, instance=instance, counters=counters or {}, events=events or [])
    return service.save(engine, attempt_id, candidate_id, entry, now, GRACE)


def _attempt(engine, attempt_id) -> TypingAttempt:
    with Session(engine) as db:
        return db.get(TypingAttempt, attempt_id)


@pytest.fixture
def started(engine, users, make_session):
    session_id = make_session(level="junior")
    t0 = dt.datetime.now(dt.timezone.utc)
    attempt_id = service.start(engine, session_id, users["cand1"], t0)
    return session_id, attempt_id, t0


def test_start_freezes_a_passage_of_the_level_and_a_server_deadline(engine, users, started):
    session_id, attempt_id, t0 = started
    attempt = _attempt(engine, attempt_id)
    assert standard.han_count(attempt.reference) > standard.typing_passage_min_han("junior")
    assert attempt.deadline - attempt.started_at == dt.timedelta(minutes=standard.typing_rule("junior").minutes)
    assert service.start(engine, session_id, users["cand1"], t0) == attempt_id  # resuming, not a second draw


def test_start_is_refused_to_candidates_not_enrolled(engine, users, started):
    session_id, _, t0 = started
    with pytest.raises(service.TypingError) as err:
        service.start(engine, session_id, users["cand3"], t0)
    assert err.value.status == 403 and "未报名" in str(err.value)


def test_a_newer_save_wins_and_an_older_one_never_overwrites_it(engine, users, started):
    _, attempt_id, t0 = started
    cand = users["cand1"]
    assert _save(engine, attempt_id, cand, 200, "您好，很高兴", t0) == 200
    assert _save(engine, attempt_id, cand, 100, "您好", t0) == 200  # late, older: ignored
    assert _attempt(engine, attempt_id).typed == "您好，很高兴"


def test_counters_merge_per_page_load_and_events_are_idempotent(engine, users, started):
    _, attempt_id, t0 = started
    cand = users["cand1"]
    paste = [{"id": 17, "kind": "paste", "detail": {"chars": 40}}]
    _save(engine, attempt_id, cand, 1, "您", t0, "a", {"keydowns": 5, "pastes": 1}, paste)
    _save(engine, attempt_id, cand, 2, "您好", t0, "a", {"keydowns": 3, "pastes": 1}, paste)  # reordered, re-sent
    _save(engine, attempt_id, cand, 3, "您好", t0, "b", {"keydowns": 4})  # after a reload
    from typing_test import signals
    totals = signals.totals(_attempt(engine, attempt_id).signals)
    assert totals["keydowns"] == 9 and totals["pastes"] == 1 and totals["page_loads"] == 2
    with Session(engine) as db:
        assert [e.kind for e in service.events_of(db, attempt_id)] == ["paste"]


def test_the_server_scores_the_stored_text_and_ignores_the_page_numbers(engine, users, started):
    _, attempt_id, t0 = started
    cand = users["cand1"]
    reference = normalise(_attempt(engine, attempt_id).reference)
    typed = reference[:60]
    han = standard.han_count(typed)
    # the page claims far more than it typed; the text came in at a human pace with matching keys
    _save(engine, attempt_id, cand, 5, typed, t0 + dt.timedelta(seconds=50),
          counters={"plain_chars": 100000, "composed_chars": 100000, "keydowns": 300000, "compositions": 90000})
    assert service.submit(engine, attempt_id, "candidate", t0 + dt.timedelta(seconds=60), MIN_ACC, candidate_id=cand)
    attempt = _attempt(engine, attempt_id)
    limit = standard.typing_rule("junior").minutes
    assert attempt.seconds == pytest.approx(limit * 60)  # 交卷 after a minute: speed is over the time limit
    assert attempt.correct_chars == 60 and attempt.correct_han == han and attempt.accuracy == 1.0
    assert attempt.net_cpm == pytest.approx(han / limit) and attempt.passed is False and attempt.review is None
    assert attempt.points == str(standard.typing_points("junior", han / limit, 1.0))
    # submitting twice changes nothing
    assert not service.submit(engine, attempt_id, "candidate", t0 + dt.timedelta(seconds=90), MIN_ACC)
    assert _attempt(engine, attempt_id).net_cpm == pytest.approx(han / limit)


def test_saves_after_the_deadline_are_refused_and_the_deadline_submits(engine, users, started):
    _, attempt_id, t0 = started
    cand = users["cand1"]
    reference = normalise(_attempt(engine, attempt_id).reference)
    limit = dt.timedelta(minutes=standard.typing_rule("junior").minutes)
    honest = {"keydowns": 600, "composed_chars": 200, "compositions": 200}
    _save(engine, attempt_id, cand, 1, reference[:200], t0 + limit - dt.timedelta(seconds=1), counters=honest)
    with pytest.raises(service.TypingClosedError):
        _save(engine, attempt_id, cand, 2, reference[:400], t0 + limit + GRACE + dt.timedelta(seconds=1))
    assert service.submit_overdue(engine, t0 + limit + GRACE + dt.timedelta(seconds=2), GRACE, MIN_ACC) == 1
    attempt = _attempt(engine, attempt_id)
    assert attempt.submit_reason == "deadline" and attempt.correct_chars == 200
    assert attempt.seconds == pytest.approx(limit.total_seconds())  # never beyond the deadline
    assert attempt.net_cpm == pytest.approx(standard.han_count(reference[:200]) / standard.typing_rule("junior").minutes)
    assert attempt.passed is False and attempt.review is None
    assert service.submit_overdue(engine, t0 + limit + GRACE * 3, GRACE, MIN_ACC) == 0


def test_too_long_a_text_is_refused(engine, users, started):
    _, attempt_id, t0 = started
    with pytest.raises(service.TypingError) as err:
        _save(engine, attempt_id, users["cand1"], 1, "字" * 5000, t0)
    assert "超过" in str(err.value)


# ---------------------------------------------------------------- through the web

def _web_start(client, session_id):
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/candidate/sessions/{session_id}/typing/start", data={"csrf_token": token, "confirm": "1"})
    assert resp.status_code == 200, resp.get_data(as_text=True)  # a new attempt: the start answers with its page
    return opened(client, resp)[0], token


def test_the_typing_start_answers_with_the_live_typing_page(client, engine, users, make_session):
    """As the theory start does (issue 23): one request, no take-over of its own; the page is the
    attempt's live page, names its own address for a reload, and a second start redirects to it."""
    session_id = make_session()
    login(client, "cand1")
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/candidate/sessions/{session_id}/typing/start", data={"csrf_token": token, "confirm": "1"})
    assert resp.status_code == 200
    attempt_id, url, html = opened(client, resp)
    attempt = _attempt(engine, attempt_id)
    assert url == f"/candidate/typing/{attempt_id}" and attempt.page_token and attempt.page_takeovers == 0
    assert live_page(html) == f"?page={attempt.page_token}"          # the start's page is the live one
    assert attempt.reference.split("\n")[0][:20] in html and 'id="typing-input"' in html
    assert 'data-leave-warning="您的打字测试尚未交卷' in html       # the header's sign-out warning names it
    state = _typing_state(html)
    assert (state["attemptId"], state["typed"], state["seq"], state["previousPage"]) == (attempt_id, "", 0, None)
    saved = client.post(f"/api/typing/{attempt_id}/save{live_page(html)}", headers={"X-CSRFToken": token},
                        json={"seq": 1, "text": "你好", "instance": "p1"})
    assert saved.status_code == 200
    stale = client.post(f"/api/typing/{attempt_id}/save", headers={"X-CSRFToken": token},
                        json={"seq": 2, "text": "你好吗", "instance": "p1"})
    assert stale.status_code == 409 and stale.get_json()["takenOver"]  # a save naming no page: not the live one
    again = client.post(f"/candidate/sessions/{session_id}/typing/start", data={"csrf_token": token, "confirm": "1"})
    assert again.status_code == 302 and again.location.endswith(f"/candidate/typing/{attempt_id}")
    reopened = _typing_state(client.get(again.location).get_data(as_text=True))  # a reload: takes it over
    assert (reopened["typed"], reopened["previousPage"]) == ("你好", state["page"])
    assert reopened["page"] != state["page"]


def _typing_state(html: str) -> dict:
    return json.loads(re.search(r'id="typing-state">(.*?)</script>', html, re.S).group(1))


def test_candidate_types_submits_and_sees_the_alignment(client, engine, users, make_session):
    session_id = make_session(level="senior")
    login(client, "cand1")
    assert "开始打字测试" in client.get("/candidate").get_data(as_text=True)
    attempt_id, token = _web_start(client, session_id)
    page = client.get(f"/candidate/typing/{attempt_id}").get_data(as_text=True)
    reference = _attempt(engine, attempt_id).reference
    assert reference.split("\n")[0][:20] in page and 'id="typing-input"' in page
    typed = normalise(reference)[:20] + "错字错字"  # within what one save may add a moment after the start
    resp = client.post(f"/api/typing/{attempt_id}/save{live_page(page)}", headers={"X-CSRFToken": token},
                       json={"seq": 10, "text": typed, "instance": "p1",
                             "counters": {"keydowns": 120, "composed_chars": 24, "compositions": 22, "focus_losses": 1},
                             "events": [{"id": 1, "kind": "focus_loss", "detail": {}}]})
    assert resp.status_code == 200 and resp.get_json()["stored"] == 10
    bad = client.post(f"/api/typing/{attempt_id}/save{live_page(page)}", headers={"X-CSRFToken": token},
                      json={"seq": 11, "text": typed, "instance": "p1", "events": [{"id": 2, "kind": "hack"}]})
    assert bad.status_code == 400 and "未知的事件类型" in bad.get_json()["error"]
    resp = client.post(f"/candidate/typing/{attempt_id}/submit{live_page(page)}", data={"csrf_token": token})
    assert resp.status_code == 302
    result = client.get(resp.location).get_data(as_text=True)
    assert "逐字比对" in result and 'class="seg wrong"' in result and "字/分" in result
    assert "准确率" in result and "未录入" in result
    # and it shows on the examiner's session results
    login(client, "examiner")
    detail = client.get(f"/examiner/sessions/{session_id}").get_data(as_text=True)
    assert "打字速度" in detail and "未达标" in detail
    typing_page = client.get(f"/examiner/sessions/{session_id}/typing").get_data(as_text=True)
    assert "离开测试页面 1 次" in typing_page


def test_a_candidate_cannot_open_another_candidates_typing_test(client, make_session):
    session_id = make_session()
    login(client, "cand1")
    attempt_id, _ = _web_start(client, session_id)
    login(client, "cand2")
    assert client.get(f"/candidate/typing/{attempt_id}").status_code == 404
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/api/typing/{attempt_id}/save", headers={"X-CSRFToken": token},
                       json={"seq": 1, "text": "x", "instance": "p"})
    assert resp.status_code == 404
