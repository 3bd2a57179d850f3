"""A candidate completes a simulated call in Chromium, and an examiner marks it from the queue."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from practical.kinds import kind
from tests.browser.pages import confirm_start, sign_in
from tests.browser.test_sitting import make_session

pytestmark = pytest.mark.browser

CONTENT = Path(__file__).resolve().parents[2] / "practical" / "content" / "call.json"


def model_replies(engine, attempt_id, position) -> list[str]:
    with engine.connect() as conn:
        ref = conn.execute(text("SELECT s.ref FROM practical_task t JOIN practical_scenario s ON s.id = t.scenario_id "
                                "WHERE t.attempt_id = :a AND t.position = :p"), {"a": attempt_id, "p": position}).scalar()
    return next(e["example_replies"] for e in json.loads(CONTENT.read_text(encoding="utf-8")) if e["ref"] == ref)


def task_row(engine, attempt_id, position):
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM practical_task WHERE attempt_id = :a AND position = :p"),
                            {"a": attempt_id, "p": position}).mappings().one()


def test_a_candidate_completes_a_simulated_call_and_an_examiner_marks_it(browser, live_server, live_engine):
    make_session(live_engine, "cand1")
    candidate = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    sign_in(candidate, live_server.url, "cand1")
    candidate.goto(live_server.url + "/candidate")
    confirm_start(candidate, "开始实操考核")
    candidate.wait_for_url("**/candidate/practical/*")
    attempt_id = int(candidate.url.rsplit("/", 1)[1])
    call = candidate.locator(".task[data-kind='call']").first
    position = int(call.get_attribute("data-position"))
    candidate.click(f".tasknav[data-goto='{position}']")
    expect(call).to_be_visible()
    for n, reply in enumerate(model_replies(live_engine, attempt_id, position), 1):
        call.locator(".call-input").fill(reply)
        call.locator(".call-send").click()
        expect(call.locator(".call-line.agent")).to_have_count(n)
        expect(call.locator(".call-line.agent").last).to_contain_text(reply[:10])
    expect(call.locator(".call-done")).to_be_visible()
    expect(candidate.locator("#save-status")).to_have_text("全部作答已保存")
    candidate.click("#finish-practical")
    candidate.click("#finish-practical")
    candidate.wait_for_url("**/result")
    expect(candidate.locator("main")).to_contain_text("考评员评分并发布后可见")
    row = task_row(live_engine, attempt_id, position)
    auto = row["auto"] if isinstance(row["auto"], dict) else json.loads(row["auto"])
    assert Fraction(auto["points"]) == Fraction(auto["max_points"]) > 0, auto  # the model replies pass every check

    examiner = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN").new_page()
    sign_in(examiner, live_server.url, "examiner")
    with live_engine.connect() as conn:
        session_id, ticket = conn.execute(text("SELECT session_id, ticket FROM practical_attempt WHERE id = :a"),
                                          {"a": attempt_id}).one()
    examiner.goto(f"{live_server.url}/examiner/sessions/{session_id}/practical/marking")
    expect(examiner.locator("#marking-queue")).not_to_contain_text("cand1")
    examiner.click(f"a[href$='/practical/marking/{ticket}/{position}']")
    expect(examiner.locator(".checks li.ok").first).to_be_visible()
    expect(examiner.locator("#transcript")).to_contain_text(model_replies(live_engine, attempt_id, position)[0][:10])
    rubric = json.loads(row["rubric"]) if isinstance(row["rubric"], str) else row["rubric"]
    for criterion in rubric:
        top = Fraction(row["points"]) * Fraction(str(criterion["points"]))
        examiner.fill(f"input[name='c_{criterion['key']}']", f"{float(top):g}")
    examiner.fill("textarea[name=comment]", "开场与结束规范，语气亲切")
    examiner.click("#mark-form button[type=submit]")
    examiner.wait_for_url("**/practical/marking")
    expect(examiner.locator(".flash")).to_contain_text("已保存评分")
    manual = task_row(live_engine, attempt_id, position)["manual_points"]
    with live_engine.connect() as conn:
        task_points = conn.execute(text("SELECT points FROM practical_task WHERE attempt_id = :a AND position = :p"),
                                   {"a": attempt_id, "p": position}).scalar()
    assert Fraction(manual) == Fraction(task_points) * kind("call").MANUAL_SHARE


def test_a_reply_sent_offline_stays_as_sending_and_gets_the_callers_answer_on_retry(browser, live_server, live_engine):
    """A network blip while replying: the reply stays on screen as 发送中 (also across a reload), is
    delivered once when the network is back, and is recorded against the caller line it answered."""
    make_session(live_engine, "cand2")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    candidate = context.new_page()
    sign_in(candidate, live_server.url, "cand2")
    candidate.goto(live_server.url + "/candidate")
    confirm_start(candidate, "开始实操考核")
    candidate.wait_for_url("**/candidate/practical/*")
    attempt_id = int(candidate.url.rsplit("/", 1)[1])
    call = candidate.locator(".task[data-kind='call']").first
    position = int(call.get_attribute("data-position"))
    candidate.click(f".tasknav[data-goto='{position}']")
    replies = model_replies(live_engine, attempt_id, position)
    call.locator(".call-input").fill(replies[0])
    call.locator(".call-send").click()
    expect(call.locator(".call-line.agent")).to_have_count(1)
    expect(call.locator(".call-line.sending")).to_have_count(0)  # acknowledged: the caller's next line is shown
    expect(call.locator(".call-line.caller")).to_have_count(2)
    callers = 2

    context.set_offline(True)
    call.locator(".call-input").fill(replies[1])
    call.locator(".call-send").click()
    expect(call.locator(".call-line.sending")).to_contain_text(replies[1][:10])
    expect(call.locator(".call-line.sending")).to_contain_text("发送中")
    expect(call.locator(".call-send")).to_be_disabled()
    candidate.wait_for_timeout(1500)  # a retry or two fail while offline
    assert call.locator(".call-line.caller").count() == callers

    context.set_offline(False)
    candidate.reload()  # the pending reply survives a reload and is sent again
    call = candidate.locator(".task[data-kind='call']").first
    candidate.click(f".tasknav[data-goto='{position}']")
    expect(call.locator(".call-line.sending")).to_have_count(0, timeout=20000)
    expect(call.locator(".call-line.agent")).to_have_count(2)
    expect(call.locator(".call-line.caller")).to_have_count(callers + 1)
    row = task_row(live_engine, attempt_id, position)
    stored = row["answer"] if isinstance(row["answer"], dict) else json.loads(row["answer"])
    assert stored["replies"] == replies[:2]  # once, in order: the second answers the second caller line

    context.set_offline(True)  # and without a reload: the retry delivers it when the network is back
    call.locator(".call-input").fill(replies[2])
    call.locator(".call-send").click()
    expect(call.locator(".call-line.sending")).to_contain_text("发送中")
    context.set_offline(False)
    expect(call.locator(".call-line.sending")).to_have_count(0, timeout=20000)
    expect(call.locator(".call-line.agent")).to_have_count(3)
    row = task_row(live_engine, attempt_id, position)
    stored = row["answer"] if isinstance(row["answer"], dict) else json.loads(row["answer"])
    assert stored["replies"] == replies[:3]
