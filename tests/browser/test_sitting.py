"""A candidate sits the exam in Chromium: autosave, reload, offline and back, submit, deadline."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from exam.db import write_session
from exam.sessions import service as sessions
from exam.timeutil import utcnow
from tests.browser.pages import (
    answer_current, expect_answer_shown, expect_saved, next_question, sign_in, start_exam,
)

pytestmark = pytest.mark.browser


def make_session(engine, candidate, duration=60, item_count=20, closes_in=dt.timedelta(hours=2)):
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM user_account")).all())
    with write_session(engine) as s:
        now = utcnow()
        created = sessions.create_session(
            s, name=f"浏览器测试 {candidate}", level="junior", opens_at=now - dt.timedelta(minutes=1),
            closes_at=now + closes_in, duration_minutes=duration, item_count=item_count,
            candidate_ids=[ids[candidate]], created_by=ids["examiner"])
        return created.id


def stored_answers(engine, attempt_id):
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT position, value FROM answer WHERE attempt_id = :a"),
                                 {"a": attempt_id}).all())


def test_answers_survive_a_reload(page, live_server, live_engine):
    make_session(live_engine, "cand1")
    sign_in(page, live_server.url, "cand1")
    attempt_id = start_exam(page, live_server.url)
    chosen = {}
    for _ in range(3):
        position, value = answer_current(page)
        chosen[position] = value
        next_question(page)
    expect_saved(page)
    assert stored_answers(live_engine, attempt_id) == chosen
    page.reload()
    for position, value in chosen.items():
        expect_answer_shown(page, position, value)
        expect(page.locator(f".qnav[data-goto='{position}']")).to_have_class(re.compile("answered"))
    expect(page.locator("#countdown")).to_have_text(re.compile(r"00:5\d:\d\d"))


def test_the_start_answers_with_the_paper_and_a_reload_opens_the_paper_page(page, live_server, live_engine):
    """The theory start answers with the paper page itself (issue 23: one request fewer per start).
    The browser then shows the paper page's own address, so a reload is a GET of that page: the
    start is never posted again (no "confirm form resubmission") and the answers are all there."""
    session_id = make_session(live_engine, "cand1")
    sign_in(page, live_server.url, "cand1")
    requests = []
    page.on("request", lambda r: requests.append((r.method, r.url)))
    attempt_id = start_exam(page, live_server.url)
    starts = [u for m, u in requests if m == "POST" and u.endswith("/start")]
    assert len(starts) == 1
    assert not [u for m, u in requests if m == "GET" and u.endswith(f"/candidate/attempts/{attempt_id}")]
    assert page.url == f"{live_server.url}/candidate/attempts/{attempt_id}"   # the paper page's own address
    position, value = answer_current(page)
    expect_saved(page)
    requests.clear()
    with page.expect_navigation():
        page.reload()
    assert [(m, u) for m, u in requests if m in ("GET", "POST") and "/static/" not in u][0] == (
        "GET", f"{live_server.url}/candidate/attempts/{attempt_id}")
    assert not [u for m, u in requests if m == "POST" and u.endswith("/start")]
    expect_answer_shown(page, position, value)
    with live_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM attempt WHERE session_id = :s"), {"s": session_id}).scalar() == 1


def test_offline_answers_are_kept_and_saved_when_the_network_returns(page, context, live_server, live_engine):
    make_session(live_engine, "cand2")
    sign_in(page, live_server.url, "cand2")
    attempt_id = start_exam(page, live_server.url)
    first, value = answer_current(page)
    expect_saved(page)
    context.set_offline(True)
    offline = {}
    for _ in range(3):
        next_question(page)
        position, v = answer_current(page)
        offline[position] = v
    expect(page.locator("#save-status")).to_contain_text("尚未保存", timeout=10000)
    expect(page.locator("#save-status")).to_contain_text("3 题")
    assert set(stored_answers(live_engine, attempt_id)) == {first}
    context.set_offline(False)
    expect_saved(page)
    assert stored_answers(live_engine, attempt_id) == {first: value, **offline}


def test_submit_shows_unanswered_then_the_score(page, live_server, live_engine):
    make_session(live_engine, "cand3", item_count=10)
    sign_in(page, live_server.url, "cand3")
    attempt_id = start_exam(page, live_server.url)
    short_answered = page.locator(".question:not([hidden])").get_attribute("data-kind") == "short"
    answer_current(page)
    expect_saved(page)
    page.click("#finish")
    page.wait_for_url("**/review?page=*")
    expect(page.locator("#unanswered")).to_contain_text("尚有 9 题未作答")
    page.click("#confirm-submit")
    page.wait_for_url("**/result")
    expect(page.locator("#score")).to_have_text(re.compile(r"\d+\.\d\d / 100"))
    # A written short answer waits for the examiner: no verdict until it is marked.
    expect(page.locator("#verdict")).to_have_text("待阅卷" if short_answered else re.compile("^(合格|不合格)$"))
    with live_engine.connect() as conn:
        status, reason = conn.execute(text("SELECT status, submit_reason FROM attempt WHERE id = :a"),
                                      {"a": attempt_id}).one()
    assert (status, reason) == ("submitted", "candidate")


def test_exam_page_and_its_responses_carry_no_answer_key(page, live_server, live_engine):
    make_session(live_engine, "cand1", item_count=40)
    sign_in(page, live_server.url, "cand1")
    texts = []

    def keep(response):  # read each body at once: a page navigated away from loses it
        if ("/candidate" in response.url or "/api/" in response.url) and response.status == 200:
            texts.append(response.text())

    page.on("response", keep)
    attempt_id = start_exam(page, live_server.url)
    with page.expect_response(lambda r: "/api/" in r.url) as save_response:
        answer_current(page)
    texts.append(save_response.value.text())
    expect_saved(page)
    assert any("exam-state" in t for t in texts) and any('"acked"' in t for t in texts)
    texts.append(page.content())
    everything = "\n".join(texts)
    with live_engine.connect() as conn:
        explanations = conn.execute(text(
            "SELECT iv.explanation FROM paper_slot ps JOIN item_version iv ON iv.id = ps.item_version_id "
            "WHERE ps.attempt_id = :a"), {"a": attempt_id}).scalars().all()
    assert len(explanations) == 40
    assert not [e for e in explanations if e in everything]
    assert '"key"' not in everything and "explanation" not in everything
    local = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert '"key"' not in local


def test_an_abandoned_attempt_is_submitted_at_its_deadline(page, live_server, live_engine):
    with live_engine.connect() as conn:
        conn.execute(text("DELETE FROM enrollment"))  # only this test's session shows on the home page
        conn.commit()
    make_session(live_engine, "cand2", item_count=10)
    sign_in(page, live_server.url, "cand2")
    attempt_id = start_exam(page, live_server.url)
    answer_current(page)
    expect_saved(page)
    page.close()  # the candidate walks away
    with live_engine.connect() as conn:
        conn.execute(text("UPDATE attempt SET deadline = :d WHERE id = :a"),
                     {"d": utcnow() - dt.timedelta(seconds=2), "a": attempt_id})
        conn.commit()
    deadline = time.time() + 15
    row = None
    while time.time() < deadline:
        with live_engine.connect() as conn:
            row = conn.execute(text("SELECT status, submit_reason, score FROM attempt WHERE id = :a"),
                               {"a": attempt_id}).one()
        if row.status == "submitted":
            break
        time.sleep(0.25)
    assert row.status == "submitted" and row.submit_reason == "deadline" and row.score is not None


def test_the_browser_resends_what_the_server_lost(page, live_server, live_engine):
    """If the server rolls back acknowledged saves (power cut on SQLite's NORMAL sync), the page's
    own copy goes out again on the next load."""
    with live_engine.connect() as conn:
        conn.execute(text("DELETE FROM enrollment"))
        conn.commit()
    make_session(live_engine, "cand3", item_count=10)
    sign_in(page, live_server.url, "cand3")
    attempt_id = start_exam(page, live_server.url)
    position, value = answer_current(page)
    expect_saved(page)
    with live_engine.connect() as conn:  # the server "forgets"
        conn.execute(text("DELETE FROM answer WHERE attempt_id = :a"), {"a": attempt_id})
        conn.commit()
    page.reload()
    expect_saved(page)
    assert stored_answers(live_engine, attempt_id) == {position: value}
    page.click("#finish")
    page.click("#confirm-submit")
    page.wait_for_url("**/result")
    assert page.evaluate(f"() => Object.keys(localStorage).filter(k => k.startsWith('callexam.autosave.theory.{attempt_id}'))") == []


def test_a_typed_answer_is_saved_when_the_candidate_goes_straight_to_submit(page, live_server, live_engine):
    """Typing and at once pressing 交卷: the blur save and the finish button's wait must not race
    (the page used to see the blur's save in flight and refuse to go on)."""
    with live_engine.connect() as conn:
        conn.execute(text("DELETE FROM enrollment"))
        conn.commit()
    make_session(live_engine, "cand1", item_count=40)
    sign_in(page, live_server.url, "cand1")
    attempt_id = start_exam(page, live_server.url)
    fill = page.locator(".question[data-kind='fill']").first
    position = fill.get_attribute("data-position")
    page.click(f".qnav[data-goto='{position}']")
    page.fill(f"#q{position} .text-answer", "８０／２０")
    page.click("#finish")
    page.click("#confirm-submit")
    page.wait_for_url("**/result")
    assert stored_answers(live_engine, attempt_id)[int(position)] == "８０／２０"
