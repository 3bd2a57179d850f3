"""The access guards in Chromium: the fullscreen overlay (and its exit report) and the idle lock."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import text, update

from exam.db import write_connection, write_session
from exam.sessions import service as sessions
from exam.sessions.models import ExamSession
from exam.timeutil import utcnow
from tests.browser.pages import sign_in, start_exam
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def make_session(engine, candidate, rules):
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM user_account")).all())
    with write_session(engine) as s:
        now = utcnow()
        created = sessions.create_session(
            s, name=f"准入规则 {candidate}", level="junior", opens_at=now - dt.timedelta(minutes=1),
            closes_at=now + dt.timedelta(hours=2), duration_minutes=60, item_count=10,
            candidate_ids=[ids[candidate]], created_by=ids["examiner"])
        sid = created.id
    table = ExamSession.__table__
    with write_connection(engine) as conn:
        conn.execute(update(table).where(table.c.id == sid).values(access_rules=rules))
    return sid


def count_signals(engine, sid, kind):
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM integrity_signal WHERE session_id = :s AND kind = :k"),
                            {"s": sid, "k": kind}).scalar_one()


def test_fullscreen_covers_the_paper_until_entered_and_again_on_exit(page, live_server, live_engine):
    sid = make_session(live_engine, "cand1", {"fullscreen": {}})
    sign_in(page, live_server.url, "cand1")
    start_exam(page, live_server.url)  # the start form sends fullscreen=1 from this browser
    overlay = page.locator("#access-overlay")
    expect(overlay).to_be_visible()
    expect(page.locator("#access-fullscreen")).to_have_text("进入全屏开始作答")
    assert page.evaluate("document.querySelector('main').inert") is True

    page.click("#access-fullscreen")
    expect(overlay).to_be_hidden()
    assert page.evaluate("document.fullscreenElement !== null")
    assert page.evaluate("document.querySelector('main').inert") is False

    with page.expect_request(lambda r: r.url.endswith(f"/api/sessions/{sid}/signals") and r.method == "POST") as sent:
        page.evaluate("document.exitFullscreen()")
    assert sent.value.post_data_json == {"part": "theory", "kind": "fullscreen_exit", "detail": {}}
    expect(overlay).to_be_visible()
    expect(page.locator("#access-fullscreen")).to_have_text("返回全屏")
    page.click("#access-fullscreen")
    expect(overlay).to_be_hidden()


def test_idle_timeout_locks_the_page_until_the_password_is_typed(page, live_server, live_engine):
    sid = make_session(live_engine, "cand2", {"idle_timeout": {"minutes": 1}})
    page.clock.install()
    sign_in(page, live_server.url, "cand2")
    start_exam(page, live_server.url)
    overlay = page.locator("#access-overlay")
    expect(overlay).to_be_hidden()

    page.clock.fast_forward("00:40")
    page.keyboard.press("Shift")  # activity restarts the count
    page.clock.fast_forward("00:40")
    expect(overlay).to_be_hidden()
    page.clock.fast_forward("00:25")
    expect(overlay).to_be_visible()
    expect(page.locator("#access-panel-idle")).to_contain_text("您已连续 1 分钟没有操作")
    expect(page.locator("#access-secret")).to_be_focused()
    for _ in range(50):
        if count_signals(live_engine, sid, "idle_lock"):
            break
        page.wait_for_timeout(100)
    assert count_signals(live_engine, sid, "idle_lock") == 1

    page.reload()  # the server remembers the lock
    expect(overlay).to_be_visible()
    page.fill("#access-secret", "wrong-password")
    page.click("#access-unlock button[type=submit]")
    expect(page.locator("#access-unlock-error")).to_have_text("登录密码不正确，无法解锁")
    expect(overlay).to_be_visible()
    page.fill("#access-secret", PASSWORD)
    page.click("#access-unlock button[type=submit]")
    expect(overlay).to_be_hidden()
    assert page.evaluate("document.querySelector('main').inert") is False
