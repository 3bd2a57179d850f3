"""The one autosave client (exam/static/js/autosave.js) across the three parts: every part keeps its
unacknowledged work under one namespace, and after signing out nothing of the candidate is left in the
browser's storage for the next person at a shared exam-room PC (issue 18)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import answer_current, confirm_start, expect_saved, sign_in, start_exam
from tests.browser.test_sitting import make_session

pytestmark = pytest.mark.browser

STORAGE = "() => Object.keys(localStorage).filter(k => k.startsWith('callexam.')).sort()"


def test_signing_out_leaves_nothing_of_the_candidate_in_local_storage(page, live_server, live_engine):
    make_session(live_engine, "cand1", item_count=10)
    sign_in(page, live_server.url, "cand1")

    attempt_id = start_exam(page, live_server.url)
    answer_current(page)
    expect_saved(page)

    page.goto(live_server.url + "/candidate")
    confirm_start(page, "开始打字测试")
    page.wait_for_url("**/candidate/typing/*")
    typing_id = int(page.url.rsplit("/", 1)[1])
    page.focus("#typing-input")
    page.keyboard.insert_text("您好")
    expect(page.locator("#save-status")).to_have_text("已保存", timeout=10000)

    page.goto(live_server.url + "/candidate")
    confirm_start(page, "开始实操考核")
    page.wait_for_url("**/candidate/practical/*")
    practical_id = int(page.url.rsplit("/", 1)[1])
    field = page.locator(".task:not([hidden]) textarea[data-field], .task:not([hidden]) input[type=text][data-field]").first
    if field.count():
        field.fill("客户来电咨询")
        field.blur()
    page.wait_for_timeout(300)

    kept = page.evaluate(STORAGE)
    # one namespace for every part (nothing written under the old per-page keys), one copy per page
    assert any(k.startswith(f"callexam.autosave.theory.{attempt_id}@") for k in kept), kept
    assert any(k.startswith(f"callexam.autosave.typing.{typing_id}@") for k in kept), kept
    assert all(k.startswith("callexam.autosave.") for k in kept), kept
    assert any(k.startswith(f"callexam.autosave.practical.{practical_id}") for k in kept) or not field.count()

    # three parts open: signing out asks first (issue 22); confirmed, it forgets everything
    page.once("dialog", lambda dialog: dialog.accept())
    page.click(".who button:has-text('退出')")
    page.wait_for_url("**/login*")
    assert page.evaluate(STORAGE) == []
    assert page.evaluate("() => localStorage.length") == 0


def test_a_result_page_forgets_that_attempts_local_copy(page, live_server, live_engine):
    make_session(live_engine, "cand2", item_count=10)
    sign_in(page, live_server.url, "cand2")
    attempt_id = start_exam(page, live_server.url)
    answer_current(page)
    expect_saved(page)
    kept = page.evaluate(STORAGE)   # the page's claim on the attempt and its own copy
    assert len(kept) == 2 and kept[0] == f"callexam.autosave.theory.{attempt_id}.live", kept
    assert kept[1] == f"callexam.autosave.theory.{attempt_id}@" + page.evaluate(f"localStorage.getItem('{kept[0]}')")
    page.click("#finish")
    page.click("#confirm-submit")
    page.wait_for_url("**/result")
    expect(page.locator("main")).to_be_visible()
    assert page.evaluate(STORAGE) == []
