"""The typing test in Chromium: IME composition through CDP (with the key presses an input method
gets), the speed rule over the time limit, the passage marker, paste blocking, the deadline, a forged
whole-passage save held for review, and axe-core's WCAG 2 A/AA rules on the pages."""

from __future__ import annotations

import datetime as dt
import json
import time
import unicodedata

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from exam import standard
from tests.browser.axe import assert_accessible
from tests.browser.pages import confirm_start, sign_in
from tests.browser.test_sitting import make_session
from typing_test import signals
from typing_test.normalise import normalise

pytestmark = pytest.mark.browser


@pytest.fixture
def axe_contexts(browser):
    """New contexts (one per signed-in user) whose pages accept axe-core's injected script: CSP
    bypassed for this test only."""
    made = []

    def new():
        made.append(browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768}, locale="zh-CN"))
        return made[-1]
    yield new
    for context in made:
        context.close()


def typing_row(engine, attempt_id):
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM typing_attempt WHERE id = :a"), {"a": attempt_id}).mappings().one()


def growth_rows(engine, attempt_id) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM typing_growth WHERE attempt_id = :a"), {"a": attempt_id}).scalar()


def start_typing(page, base) -> int:
    page.goto(base + "/candidate")
    confirm_start(page, "开始打字测试")
    page.wait_for_url("**/candidate/typing/*")
    return int(page.url.rsplit("/", 1)[1])


def keys(cdp, letters: str) -> None:
    """Key presses that reach the page as keydown events but insert nothing themselves, as keys do
    while an input method composes (rawKeyDown produces no character)."""
    for letter in letters:
        cdp.send("Input.dispatchKeyEvent", {"type": "rawKeyDown", "key": letter, "code": f"Key{letter.upper()}",
                                            "windowsVirtualKeyCode": ord(letter.upper())})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", "key": letter, "code": f"Key{letter.upper()}",
                                            "windowsVirtualKeyCode": ord(letter.upper())})


def ime_char(cdp, ch: str) -> None:
    """One character like a pinyin user: press and compose some Latin letters, then commit it.
    Punctuation is committed directly, as input methods do."""
    if not standard.is_han(ch):
        keys(cdp, "p")
        cdp.send("Input.insertText", {"text": ch})
        return
    keys(cdp, "pin")
    cdp.send("Input.imeSetComposition", {"text": "p", "selectionStart": 1, "selectionEnd": 1})
    cdp.send("Input.imeSetComposition", {"text": "pin", "selectionStart": 3, "selectionEnd": 3})
    keys(cdp, " ")
    cdp.send("Input.insertText", {"text": ch})


def ime_type(cdp, chars: str) -> None:
    for ch in chars:
        ime_char(cdp, ch)


def a_new_candidate_typing(page, live_server, live_engine, username):
    """A candidate of their own (no earlier attempt of this module's) signed in, on a started typing test with
    the input focused: the attempt, its passage (normalised) and a CDP session for IME input."""
    from exam.accounts import service as accounts
    from exam.db import write_session
    from tests.conftest import PASSWORD
    with write_session(live_engine) as db:
        accounts.create_user(db, username, PASSWORD, "candidate", username)
    make_session(live_engine, username)
    sign_in(page, live_server.url, username)
    attempt_id = start_typing(page, live_server.url)
    reference = normalise(typing_row(live_engine, attempt_id)["reference"])
    cdp = page.context.new_cdp_session(page)
    page.focus("#typing-input")
    return attempt_id, reference, cdp


def submit(page):
    page.click("#finish-typing")
    expect(page.locator("#finish-typing")).to_contain_text("确认提交")
    page.click("#finish-typing")
    page.wait_for_url("**/result")


def test_ime_commits_count_the_passage_is_marked_and_an_early_submission_is_timed_by_the_limit(
        axe_contexts, live_server, live_engine):
    page = axe_contexts().new_page()
    make_session(live_engine, "cand1")
    sign_in(page, live_server.url, "cand1")
    attempt_id = start_typing(page, live_server.url)
    # CDP types far faster than a person: let the test have started a minute ago, so 40 characters in a
    # few seconds are a minute's honest typing to the server's growth check
    from exam.db import write_session
    from typing_test.models import TypingAttempt
    with write_session(live_engine) as db:
        attempt = db.get(TypingAttempt, attempt_id)
        attempt.started_at -= dt.timedelta(seconds=60)
        db.add(attempt)
    reference = typing_row(live_engine, attempt_id)["reference"]
    target = normalise(reference)[:40]
    assert_accessible(page, "打字测试页")
    # every region is reachable by keyboard: the passage box takes focus and scrolls with the keys
    page.focus("#typing-input")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == "passage"
    page.keyboard.press("PageDown")
    expect(page.locator("#passage")).not_to_have_js_property("scrollTop", 0)
    page.evaluate("document.getElementById('passage').scrollTop = 0")

    cdp = page.context.new_cdp_session(page)
    page.focus("#typing-input")
    ime_type(cdp, target[:20])
    # pinyin still being composed is not text: it is neither counted nor saved
    cdp.send("Input.imeSetComposition", {"text": "zhong", "selectionStart": 5, "selectionEnd": 5})
    expect(page.locator("#save-status")).to_have_text("已保存")
    expect(page.locator("#typed-count")).to_have_text("已录入 20 字")
    assert normalise(typing_row(live_engine, attempt_id)["typed"]) == target[:20]
    cdp.send("Input.insertText", {"text": target[20]})
    ime_type(cdp, target[21:])
    expect(page.locator("#typed-count")).to_have_text("已录入 40 字")
    expect(page.locator("#save-status")).to_have_text("已保存")
    # the passage marks the next character to copy, in the passage's own form (full-width punctuation)
    next_char = [c for c in reference if not c.isspace()][40]
    expect(page.locator("#passage mark.passage-here")).to_have_text(next_char)
    expect(page.locator("#passage-position")).to_contain_text("第 41 字")
    assert_accessible(page, "录入中的打字测试页")
    # far into a long passage the box scrolls to keep the mark in view
    page.evaluate("text => window.CallexamTypingPassage.mark(text)", normalise(reference)[:900])
    assert page.evaluate("""() => { const box = document.getElementById('passage');
        const mark = box.querySelector('mark.passage-here');
        return box.scrollTop > 0 && mark.offsetTop >= box.scrollTop && mark.offsetTop < box.scrollTop + box.clientHeight; }""")
    page.evaluate("text => window.CallexamTypingPassage.mark(text)", target)

    submit(page)
    row = typing_row(live_engine, attempt_id)
    limit = (row["deadline"] - row["started_at"]).total_seconds() if not isinstance(row["deadline"], str) else None
    han = standard.han_count(target)
    assert normalise(row["typed"]) == target and row["correct_chars"] == 40 and row["accuracy"] == 1.0
    assert row["correct_han"] == han and row["passed"] in (0, False) and row["review"] is None
    assert row["net_cpm"] == pytest.approx(han / (row["seconds"] / 60))
    assert limit is None or row["seconds"] == pytest.approx(limit)  # the time limit, not the seconds used
    # every character went through a composition except punctuation typed directly (the 21st was
    # committed from the "zhong" composition whatever it was)
    direct = sum(1 for i, ch in enumerate(target) if i != 20 and not standard.is_han(ch))
    stored = row["signals"] if isinstance(row["signals"], dict) else json.loads(row["signals"])
    totals = signals.totals(stored)
    assert totals["compositions"] == totals["composed_chars"] == 40 - direct
    assert totals["plain_chars"] == direct and totals["bursts"] == 0 and totals["pastes"] == 0
    assert totals["keydowns"] >= 3 * 40
    expect(page.locator(".typing-figures")).to_contain_text("汉字/分")
    expect(page.locator(".typing-figures")).to_contain_text("未达标")
    # the alignment shows the passage's own punctuation (full-width ，。 not folded to , .)
    shown = page.locator(".alignment .seg.correct").inner_text()
    assert shown == "".join(c for c in reference if not c.isspace())[:40]
    assert_accessible(page, "打字测试成绩页")


def test_an_undo_that_puts_text_back_is_counted_and_recorded(page, live_server, live_engine):
    """Ctrl+Z after deleting typed text: the text is back, counted as committed (restored_chars) and
    shown to the examiner as an event; the growth it makes is the examiner's to judge."""
    attempt_id, reference, cdp = a_new_candidate_typing(page, live_server, live_engine, "cand5")
    ime_type(cdp, reference[:12])
    expect(page.locator("#save-status")).to_have_text("已保存")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    expect(page.locator("#typed-count")).to_have_text("已录入 0 字")
    page.keyboard.press("Control+Z")
    expect(page.locator("#typed-count")).to_have_text("已录入 12 字")
    expect(page.locator("#save-status")).to_have_text("已保存")
    row = typing_row(live_engine, attempt_id)
    stored = row["signals"] if isinstance(row["signals"], dict) else json.loads(row["signals"])
    totals = signals.totals(stored)
    assert normalise(row["typed"]) == reference[:12]
    assert totals["restored_chars"] == 12 and totals["committed_chars"] == 24
    with live_engine.connect() as conn:
        kinds = [k for (k,) in conn.execute(text("SELECT kind FROM typing_event WHERE attempt_id = :a"),
                                            {"a": attempt_id})]
    assert "undo" in kinds


def test_text_typed_while_a_save_is_on_its_way_is_sent_before_the_submission(page, live_server, live_engine):
    """Submitting while a save of older text is still on its way: the page waits for that save, then sends
    what was typed meanwhile, and only then submits (it used to submit as soon as the older save came back)."""
    attempt_id, reference, cdp = a_new_candidate_typing(page, live_server, live_engine, "cand7")
    ime_type(cdp, reference[:6])
    expect(page.locator("#save-status")).to_have_text("已保存")
    held = []
    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append(route)
    page.route("**/api/typing/*/save*", hold_the_first)
    ime_type(cdp, reference[6:10])
    for _ in range(300):   # the next save leaves (800 ms after the last input) and is held on its way
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "no save left the page"
    ime_type(cdp, reference[10:14])   # typed while that save is on its way
    page.click("#finish-typing")
    expect(page.locator("#finish-typing")).to_contain_text("确认提交")
    page.click("#finish-typing")
    held[0].continue_()
    page.wait_for_url("**/result")
    assert normalise(typing_row(live_engine, attempt_id)["typed"]) == reference[:14]


def test_a_paste_is_blocked_and_recorded(page, context, live_server, live_engine):
    make_session(live_engine, "cand2")
    sign_in(page, live_server.url, "cand2")
    attempt_id = start_typing(page, live_server.url)
    reference = normalise(typing_row(live_engine, attempt_id)["reference"])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.focus("#typing-input")
    page.evaluate("text => navigator.clipboard.writeText(text)", reference[:100])
    page.keyboard.press("Control+V")
    expect(page.locator("#typing-warning")).to_contain_text("不允许粘贴")
    expect(page.locator("#typing-input")).to_have_value("")
    expect(page.locator("#save-status")).to_have_text("已保存")
    with live_engine.connect() as conn:
        kinds = [k for (k,) in conn.execute(text("SELECT kind FROM typing_event WHERE attempt_id = :a"),
                                            {"a": attempt_id})]
    assert kinds == ["paste"]
    assert typing_row(live_engine, attempt_id)["typed"] == ""


def test_an_honest_candidate_at_about_60_han_a_minute_for_the_whole_time_passes(page, live_server, live_engine):
    """The test's time is the session window closing 16 s from now; the candidate types a Han
    character every 0.8 s (punctuation as it comes) until the deadline, leaving pinyin uncommitted at
    the end, which the deadline discards."""
    make_session(live_engine, "cand3", closes_in=dt.timedelta(seconds=16))
    sign_in(page, live_server.url, "cand3")
    attempt_id = start_typing(page, live_server.url)
    row = typing_row(live_engine, attempt_id)
    reference = normalise(row["reference"])
    deadline = page.evaluate("JSON.parse(document.getElementById('typing-state').textContent).deadline") / 1000
    server_now = page.evaluate("JSON.parse(document.getElementById('typing-state').textContent).serverNow") / 1000
    ends_at = time.monotonic() + (deadline - server_now) - 0.7
    cdp = page.context.new_cdp_session(page)
    page.focus("#typing-input")
    typed_han, i, began = 0, 0, time.monotonic()
    while time.monotonic() < ends_at:
        due = began + typed_han * 0.8  # paced by the clock, so a slow moment is made up, not compounded
        if time.monotonic() < due:
            time.sleep(min(due - time.monotonic(), 0.1))
            continue
        ime_char(cdp, reference[i])
        typed_han += standard.is_han(reference[i])
        i += 1
    cdp.send("Input.imeSetComposition", {"text": "zhongwen", "selectionStart": 8, "selectionEnd": 8})
    page.wait_for_url("**/result", timeout=30000)
    row = typing_row(live_engine, attempt_id)
    assert row["status"] == "submitted" and "zhongwen" not in row["typed"]
    # Every character sent is stored, except perhaps the very last: sent 0.7 s before the deadline,
    # on a loaded machine it can reach the page after the page's countdown ended, which then rightly
    # drops it. What is stored is exactly the passage as typed, every Han character of it counted.
    stored = normalise(row["typed"])
    assert stored in (reference[:i], reference[:i - 1])
    assert row["correct_han"] == sum(standard.is_han(ch) for ch in stored)
    assert row["server_flags"] in ({}, "{}") and row["review"] is None
    assert row["net_cpm"] >= standard.TYPING_CHARS_PER_MINUTE and row["passed"] in (1, True)
    assert growth_rows(live_engine, attempt_id) >= 4  # saved every few seconds while typing, not only at the end
    expect(page.locator(".typing-figures")).to_contain_text("达标")


def test_the_whole_passage_in_one_save_is_held_for_review_and_voided_by_the_examiner(axe_contexts, live_server,
                                                                                      live_engine):
    """A script in the page posts the whole passage a moment after the start with counters forged to look
    plausible: the server stores it, holds the result (待核查), and the examiner voids it."""
    from exam.accounts import service as accounts
    from exam.db import write_session
    from tests.conftest import PASSWORD
    with write_session(live_engine) as db:
        accounts.create_user(db, "cand4", PASSWORD, "candidate", "cand4")
    session_id = make_session(live_engine, "cand4")
    page = axe_contexts().new_page()
    sign_in(page, live_server.url, "cand4")
    attempt_id = start_typing(page, live_server.url)
    reference = typing_row(live_engine, attempt_id)["reference"]
    n = len(normalise(reference))
    status = page.evaluate("""async ([text, n]) => {
        const state = JSON.parse(document.getElementById('typing-state').textContent);
        const resp = await fetch(state.saveUrl, {method: 'POST', headers: {'Content-Type': 'application/json',
            'X-CSRFToken': document.querySelector('meta[name=csrf-token]').content},
            body: JSON.stringify({seq: Date.now() + 1000, text, instance: 'forged',
                                  counters: {keydowns: 3 * n, composed_chars: n, compositions: n}})});
        return resp.status; }""", [reference, n])
    assert status == 200
    assert typing_row(live_engine, attempt_id)["typed"] == reference  # stored: nothing is lost
    # the start answered with the typing page, whose own address the browser shows: a reload is a GET
    # of that page (issue 23), never the start posted again
    assert page.url == f"{live_server.url}/candidate/typing/{attempt_id}"
    documents = []
    page.on("request", lambda r: documents.append((r.method, r.url)) if r.resource_type == "document" else None)
    with page.expect_navigation():
        page.reload()
    assert documents == [("GET", f"{live_server.url}/candidate/typing/{attempt_id}")]
    submit(page)
    expect(page.locator("#review-pending")).to_contain_text("待核查")
    expect(page.locator(".typing-figures .badge")).to_have_text("待核查")
    assert_accessible(page, "待核查的成绩页")
    row = typing_row(live_engine, attempt_id)
    assert row["review"] == "pending" and row["passed"] is None and row["points"] is None

    examiner = axe_contexts().new_page()
    sign_in(examiner, live_server.url, "examiner")
    examiner.goto(f"{live_server.url}/examiner/sessions/{session_id}/typing")   # the examiner's list
    expect(examiner.locator("#typing-results")).to_contain_text("待核查")
    assert_accessible(examiner, "打字测试核查列表")
    examiner.goto(f"{live_server.url}/examiner/sessions/{session_id}/stations")
    assert_accessible(examiner, "考试机")
    examiner.goto(f"{live_server.url}/examiner/typing/{attempt_id}")
    expect(examiner.locator("#server-flags")).to_contain_text("文字增长超过人工录入速度")
    expect(examiner.locator("svg.chart-growth circle.burst")).to_have_count(1)
    assert_accessible(examiner, "考评员核查页")
    review = examiner.locator("#review")
    review.locator("input[value=void]").check()
    review.locator("textarea").fill("开始后不到两秒，全文一次出现")
    review.locator("button[type=submit]").click()
    expect(examiner.locator("#review")).to_contain_text("核查后作废")
    row = typing_row(live_engine, attempt_id)
    assert row["review"] == "voided" and row["passed"] in (0, False) and row["points"] == "0"
    page.reload()
    expect(page.locator(".typing-figures .badge")).to_have_text("未达标")
