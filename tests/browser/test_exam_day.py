"""Issue 22, the candidate's exam day in Chromium at 1366×768: the start page and its confirmation, the
5- and 1-minute warnings, the warning before signing out mid-exam, the side panel of an 82-question
paper (交卷 and the grid always reachable, the save status never moving anything), the review page's
答题卡, the home page following the clock, and axe-core's WCAG 2 A/AA rules on every candidate page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from exam.accounts import service as accounts
from exam.db import write_session
from exam.sessions import service as sessions
from exam.timeutil import utcnow
from tests.browser.axe import assert_accessible
from tests.browser.pages import answer_current, confirm_start, expect_saved, sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1366, "height": 768}


@pytest.fixture
def axe_page(browser):
    """A page whose context accepts axe-core's injected script (CSP bypassed in the test only)."""
    context = browser.new_context(bypass_csp=True, viewport=VIEWPORT, locale="zh-CN")
    yield context.new_page()
    context.close()


def candidate(engine, username: str) -> int:
    with write_session(engine) as db:
        existing = db.execute(text("SELECT id FROM user_account WHERE username = :u"), {"u": username}).first()
        if existing:
            return existing[0]
        return accounts.create_user(db, username, PASSWORD, "candidate", username).id


def session_for(engine, username, *, items=20, duration=60, opens_in=dt.timedelta(minutes=-1),
                closes_in=dt.timedelta(hours=2)) -> int:
    cand = candidate(engine, username)
    with engine.connect() as conn:
        examiner = conn.execute(text("SELECT id FROM user_account WHERE username = 'examiner'")).scalar_one()
    now = utcnow()
    with write_session(engine) as db:
        return sessions.create_session(
            db, name=f"考试日 {username}", level="junior", opens_at=now + opens_in, closes_at=now + closes_in,
            duration_minutes=duration, item_count=items, candidate_ids=[cand], created_by=examiner).id


def sit(page, base) -> int:
    page.goto(base + "/candidate")
    confirm_start(page, "开始考试")
    page.wait_for_url("**/candidate/attempts/*")
    return int(page.url.rsplit("/", 1)[1].split("#")[0])


def test_every_candidate_page_of_the_theory_exam_passes_axe(axe_page, live_server, live_engine):
    page = axe_page
    session_for(live_engine, "day1")
    sign_in(page, live_server.url, "day1")
    page.goto(live_server.url + "/candidate")
    assert_accessible(page, "我的考试")
    page.click("text=开始考试")
    page.wait_for_url("**/theory/begin")
    expect(page.locator("#time-available")).to_contain_text("限时 60 分钟")
    assert_accessible(page, "考试须知")
    # the browser itself refuses 确认开始 until the box is ticked (the server refuses it too)
    page.click("button:has-text(\"确认开始\")")
    expect(page).to_have_url(re.compile(r"/theory/begin$"))
    page.check("input[name=confirm]")
    page.click("button:has-text(\"确认开始\")")
    page.wait_for_url("**/candidate/attempts/*")
    assert_accessible(page, "作答页")
    answer_current(page)
    page.locator(".question:not([hidden]) .flag-box").check()
    expect_saved(page)
    page.click("#finish")
    page.wait_for_url("**/review?page=*")
    assert_accessible(page, "交卷确认（答题卡）")
    page.click("#confirm-submit")
    page.wait_for_url("**/result")
    expect(page.locator("#submit-reason")).to_contain_text("考生本人交卷")
    assert_accessible(page, "成绩页")


def test_the_review_page_puts_confirm_first_and_lists_every_question_on_an_answer_card(page, live_server, live_engine):
    session_for(live_engine, "day2", items=30)
    sign_in(page, live_server.url, "day2")
    sit(page, live_server.url)
    answer_current(page)
    page.locator(".question:not([hidden]) .flag-box").check()
    expect_saved(page)
    page.click("#finish")
    page.wait_for_url("**/review?page=*")
    card = page.locator("#answer-card tbody tr")
    expect(card).to_have_count(30)
    expect(card.nth(0).locator("td").nth(1)).to_have_text("已答")
    expect(card.nth(0).locator("td").nth(2)).to_have_text("待复查")
    expect(card.nth(1).locator("td").nth(1)).to_have_text("未答")
    expect(page.locator("#review-summary")).to_contain_text("未答 29 题")
    # 确认交卷 is reached by keyboard before any of the 30 question links
    page.locator("body").focus()
    for presses in range(1, 15):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "confirm-submit":
            break
    assert page.evaluate("document.activeElement.id") == "confirm-submit", "确认交卷 not reached in 14 Tab presses"
    # a jump link leads back to its question
    position = card.nth(4).get_attribute("data-position")
    card.nth(4).locator("a").click()
    expect(page.locator("#q" + position)).to_be_visible()


def test_an_82_question_paper_keeps_the_grid_and_submit_in_view_and_offline_moves_nothing(
        page, context, live_server, live_engine):
    session_for(live_engine, "day3", items=82)
    sign_in(page, live_server.url, "day3")
    sit(page, live_server.url)
    finish = page.locator("#finish")

    def in_view(locator) -> bool:
        box = locator.bounding_box()
        return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"]

    assert in_view(finish), finish.bounding_box()
    page.mouse.wheel(0, 3000)  # the page scrolled to its end: the panel stays
    assert in_view(finish), finish.bounding_box()
    last = page.locator(".qgrid .qnav").last
    last.scroll_into_view_if_needed()
    assert in_view(last) and in_view(finish)
    last.click()
    expect(page.locator(".question:not([hidden]) h2")).to_contain_text("第 82 题")

    status = page.locator("#save-status")
    before = (status.bounding_box(), finish.bounding_box(), page.locator(".qgrid").bounding_box())
    context.set_offline(True)
    answer_current(page)
    expect(status).to_contain_text("尚未保存")
    after = (status.bounding_box(), finish.bounding_box(), page.locator(".qgrid").bounding_box())
    assert after == before  # nothing moved under the pointer
    page.locator(".qgrid .qnav").nth(3).click()  # the grid still takes clicks while offline
    expect(page.locator(".question:not([hidden]) h2")).to_contain_text("第 4 题")
    context.set_offline(False)
    expect_saved(page)


def test_five_and_one_minute_warnings_are_shown_and_announced(page, live_server, live_engine):
    # the window closes in 5 minutes 4 seconds: the start is cut to it, so the clock soon passes 5:00
    session_for(live_engine, "day4", closes_in=dt.timedelta(minutes=5, seconds=4))
    sign_in(page, live_server.url, "day4")
    attempt_id = sit(page, live_server.url)
    warning = page.locator("#time-warning")
    expect(warning).to_be_visible(timeout=15000)
    expect(warning).to_have_attribute("role", "alert")
    expect(warning).to_contain_text("还剩 5 分钟")
    page.click("#time-warning button")
    expect(warning).to_be_hidden()
    # the server's deadline moves to 63 seconds from now; the page learns it from its status poll
    with live_engine.begin() as conn:
        conn.execute(text("UPDATE attempt SET deadline = :d WHERE id = :a"),
                     {"d": utcnow() + dt.timedelta(seconds=63), "a": attempt_id})
    expect(warning).to_be_visible(timeout=20000)
    expect(warning).to_contain_text("还剩 1 分钟")
    # the countdown is a timer, not a live region read out every second
    assert page.locator("#countdown").get_attribute("role") == "timer"
    assert page.locator(".timer[aria-live]").count() == 0


def test_signing_out_or_leaving_mid_exam_asks_first(page, live_server, live_engine):
    session_for(live_engine, "day5")
    sign_in(page, live_server.url, "day5")
    attempt_id = sit(page, live_server.url)
    messages = []

    def dismiss(dialog):
        messages.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("text=退出")
    assert "理论考试尚未交卷" in messages[-1] and "计时也不会停止" in messages[-1]
    expect(page).to_have_url(re.compile(rf"/candidate/attempts/{attempt_id}"))
    page.once("dialog", dismiss)
    page.click(".topbar >> text=我的证书")
    assert "离开本页不会交卷" in messages[-1]
    expect(page).to_have_url(re.compile(rf"/candidate/attempts/{attempt_id}"))
    # from the home page too: signing out with a part open asks
    page.goto(live_server.url + "/candidate")
    page.once("dialog", lambda d: (messages.append(d.message), d.accept()))
    page.click("text=退出")
    page.wait_for_url("**/login")
    assert "尚未交卷" in messages[-1]


def test_no_warning_once_everything_is_submitted(page, live_server, live_engine):
    session_for(live_engine, "day6")
    sign_in(page, live_server.url, "day6")
    sit(page, live_server.url)
    page.click("#finish")
    page.wait_for_url("**/review?page=*")
    page.click("#confirm-submit")
    page.wait_for_url("**/result")
    page.on("dialog", lambda d: pytest.fail("no dialog expected: " + d.message))
    page.click("text=退出")
    page.wait_for_url("**/login")


def test_the_home_page_offers_the_start_when_the_window_opens_without_a_reload(page, live_server, live_engine):
    sid = session_for(live_engine, "day7", opens_in=dt.timedelta(seconds=4))
    sign_in(page, live_server.url, "day7")
    page.goto(live_server.url + "/candidate")
    row = page.locator(f"#session-{sid}")
    expect(row).to_contain_text("未开考")
    expect(row.locator("text=开始考试")).to_have_count(0)
    page.evaluate("window.callexamMarker = 1")  # gone if the page reloads
    expect(row.locator("text=开始考试")).to_be_visible(timeout=15000)
    expect(row).to_contain_text("可开始")
    assert page.evaluate("window.callexamMarker") == 1
    expect(page.locator("#home-updated")).to_contain_text("考试状态已更新")


def test_a_second_device_takes_over_and_the_first_says_so_and_stops_saving(browser, live_server, live_engine):
    session_for(live_engine, "day8")
    first_ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    second_ctx = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    try:
        first, second = first_ctx.new_page(), second_ctx.new_page()
        sign_in(first, live_server.url, "day8")
        attempt_id = sit(first, live_server.url)
        position = first.locator(".question[data-kind='single']").first.get_attribute("data-position")
        first.click(f".qgrid .qnav[data-goto='{position}']")
        first.locator(f"#q{position} .options input").first.check()
        expect_saved(first)
        sign_in(second, live_server.url, "day8")          # the same candidate on another device
        second.goto(f"{live_server.url}/candidate/attempts/{attempt_id}")
        overlay = first.locator("#takeover-overlay")
        expect(overlay).to_be_visible(timeout=15000)       # learned from the status poll, no save needed
        expect(overlay).to_contain_text("本页已停止保存")
        expect(overlay).to_have_attribute("role", "alertdialog")
        assert first.evaluate("document.querySelector('main').inert") is True
        # the stale page sends nothing more even if a script changes an answer behind the overlay
        saves = []
        first.on("request", lambda r: saves.append(r.url) if "/answers" in r.url else None)
        first.evaluate("""() => { const q = document.querySelector('.question:not([hidden]) .options input:not(:checked)');
                                  if (q) { q.checked = true; q.dispatchEvent(new Event('change')); } }""")
        first.wait_for_timeout(1500)
        assert saves == []
        # the live page saves; what it saves stands
        second.click(f".qgrid .qnav[data-goto='{position}']")
        second_question = second.locator(f"#q{position}")
        second_question.locator(".options input").last.check()
        expect(second.locator("#save-status")).to_have_text("全部答案已保存", timeout=10000)
        value = second_question.locator(".options input").last.get_attribute("value")
        with live_engine.connect() as conn:
            stored = conn.execute(text("SELECT value FROM answer WHERE attempt_id = :a AND position = :p"),
                                  {"a": attempt_id, "p": position}).scalar()
        assert stored == value
        # the first device takes it back deliberately; the second then stops
        first.click("#takeover-reclaim")
        expect(first.locator("#takeover-overlay")).to_have_count(0)
        expect(first.locator(f"#q{position} .options input[value='{value}']")).to_be_checked()
        expect(second.locator("#takeover-overlay")).to_be_visible(timeout=15000)
    finally:
        first_ctx.close()
        second_ctx.close()


def test_the_other_candidate_pages_and_their_exam_day_states_pass_axe(axe_page, live_server, live_engine):
    """The sign-in page, the typing and practical start pages (须知), the practical page and its result
    after a forced submission, 我的证书 and 消息, the password page a roster candidate meets first (and
    with an error) — and the exam page while a time warning or the take-over notice covers it.

    With the test above, tests/browser/test_typing.py (the typing page, typing and its result, a
    result held for review) and test_results_pages.py (the published practical result) this is every
    candidate page; the examiner's marking pages are in test_marking_pages.py and test_typing.py (the
    typing review), the proctoring board in the two-tab test below."""
    from exam.proctoring import actions

    page = axe_page
    page.goto(live_server.url + "/login")
    assert_accessible(page, "登录页")
    session_for(live_engine, "day9", closes_in=dt.timedelta(minutes=5, seconds=3))
    sign_in(page, live_server.url, "day9")
    page.goto(live_server.url + "/candidate")
    page.click("text=开始打字测试")
    page.wait_for_url("**/typing/begin")
    expect(page.locator("#time-available")).to_contain_text("您有")   # cut to the window's close
    assert_accessible(page, "打字测试须知")
    page.goto(live_server.url + "/candidate")
    page.click("text=开始实操考核")
    page.wait_for_url("**/practical/begin")
    expect(page.locator("#time-available")).to_contain_text("您有")
    assert_accessible(page, "实操考核须知")
    page.check("input[name=confirm]")
    page.click("button:has-text(\"确认开始\")")
    page.wait_for_url("**/candidate/practical/*")
    practical_id = int(page.url.rsplit("/", 1)[1])
    expect(page.locator("#time-warning")).to_be_visible(timeout=15000)
    assert_accessible(page, "实操考核页（5 分钟提醒）")
    with live_engine.connect() as conn:
        examiner = conn.execute(text("SELECT id FROM user_account WHERE username = 'examiner'")).scalar_one()
    actions.force_submit(live_engine, "practical", practical_id, "考场断电，按交卷时内容评分", examiner, utcnow(), 0.95)
    page.goto(f"{live_server.url}/candidate/practical/{practical_id}/result")
    expect(page.locator("#submit-reason")).to_contain_text("监考老师强制交卷，原因：考场断电")
    assert_accessible(page, "实操成绩页（强制交卷）")
    attempt_id = sit(page, live_server.url)
    page.evaluate("window.CallexamAutosave.takeOver()")
    expect(page.locator("#takeover-overlay")).to_be_visible()
    assert_accessible(page, f"作答页（已被接管，{attempt_id}）")
    for path, where in (("/candidate/certificates", "我的证书"), ("/notifications", "消息")):
        page.goto(live_server.url + path)
        assert_accessible(page, where)
    # a roster candidate's first sign-in goes to the password page (an initial password), and a
    # wrong current password shows its error there
    with live_engine.begin() as conn:
        conn.execute(text("UPDATE user_account SET must_change_password = :t WHERE username = 'day9'"), {"t": True})
    page.context.clear_cookies()            # a fresh browser (the flag is read at sign-in)
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "day9")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account/password")
    expect(page.locator("main")).to_contain_text("初始密码")
    assert_accessible(page, "修改初始密码")
    page.fill("input[name=current]", "not-the-password")
    page.fill("input[name=new]", "Another-passw0rd-9")
    page.fill("input[name=confirm]", "Another-passw0rd-9")
    page.click("main button:has-text('修改密码')")
    expect(page.locator("main .error")).to_contain_text("当前密码不正确")
    assert_accessible(page, "修改密码（当前密码有误）")


def test_cancelling_the_sign_out_warning_keeps_the_unsaved_answers(page, context, live_server, live_engine):
    """The warning runs before the autosave client forgets the local copies on sign-out: "cancel"
    keeps an answer the server has not acknowledged yet."""
    session_for(live_engine, "day10")
    sign_in(page, live_server.url, "day10")
    attempt_id = sit(page, live_server.url)
    context.set_offline(True)
    answer_current(page)
    expect(page.locator("#save-status")).to_contain_text("尚未保存")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click(".who button:has-text('退出')")
    key = f"callexam.autosave.theory.{attempt_id}@" + page.evaluate(f"localStorage.getItem('callexam.autosave.theory.{attempt_id}.live')")
    assert page.evaluate(f"() => localStorage.getItem('{key}')") not in (None, "{}")
    context.set_offline(False)
    expect_saved(page)


def test_two_tabs_of_one_browser_keep_separate_copies_and_no_stale_tab_is_replayed(
        browser, context, page, live_server, live_engine):
    """Same-browser tabs share localStorage: each page keeps its own copy, a new page replays only the
    copy of the page it took over from, and a taken-over tab stops at once and writes nothing more,
    so reloading the live tab never sends the stale tab's late edits. The examiner's board shows the
    take-over (and still passes axe-core)."""
    session_for(live_engine, "day11")
    sign_in(page, live_server.url, "day11")
    attempt_id = sit(page, live_server.url)
    singles = page.locator(".question[data-kind='single']")
    p1, p2, p3, p4 = (singles.nth(i).get_attribute("data-position") for i in range(4))
    prefix = f"callexam.autosave.theory.{attempt_id}"

    def choose(tab, position, which="first"):
        tab.click(f".qgrid .qnav[data-goto='{position}']")
        options = tab.locator(f"#q{position} .options input")
        option = options.first if which == "first" else options.last
        option.check()
        return option.get_attribute("value")

    def stored() -> dict:
        with live_engine.connect() as conn:
            return dict(conn.execute(text("SELECT position, value FROM answer WHERE attempt_id = :a"),
                                     {"a": attempt_id}).all())

    choose(page, p1)
    expect_saved(page)
    # tab A loses the network for its saves: its next answer waits in its local copy, as it should
    page.route("**/api/attempts/*/answers*", lambda route: route.abort())
    waiting = choose(page, p2)
    expect(page.locator("#save-status")).to_contain_text("尚未保存")
    token_a = page.evaluate(f"localStorage.getItem('{prefix}.live')")

    # tab B opens the same attempt in the same browser: it takes over at once
    tab_b = context.new_page()
    tab_b.goto(f"{live_server.url}/candidate/attempts/{attempt_id}")
    expect(page.locator("#takeover-overlay")).to_be_visible(timeout=5000)   # no poll interval to wait for
    assert page.evaluate("document.querySelector('main').inert") is True
    # the covered page names what it had not saved, for the candidate to check on the live page
    number = page.locator(f".qnav[data-goto='{p2}']").inner_text().strip()
    expect(page.locator("#takeover-unsent")).to_contain_text(f"第 {number} 题")
    token_b = tab_b.evaluate(f"localStorage.getItem('{prefix}.live')")
    assert token_b != token_a
    # B took over A's unsent answer (A was the live page when it was chosen) and saved it
    expect(tab_b.locator("#save-status")).to_have_text("全部答案已保存", timeout=10000)
    assert stored().get(int(p2)) == waiting
    # A's copy is gone; a late edit in A (a script behind the overlay) is neither sent nor kept
    page.evaluate(f"""() => {{ const i = document.querySelector('#q{p3} .options input');
                              i.checked = true; i.dispatchEvent(new Event('change')); }}""")
    keys = page.evaluate(f"Object.keys(localStorage).filter(k => k.startsWith('{prefix}')).sort()")
    assert keys == [f"{prefix}.live", f"{prefix}@{token_b}"], keys
    # and even a copy a racing stale tab managed to write under its own page is never replayed
    late = tab_b.locator(f"#q{p4} .options input").last.get_attribute("value")
    page.evaluate(f"""() => localStorage.setItem('{prefix}@{token_a}',
                        JSON.stringify({{'{p4}': {{value: '{late}', flagged: false, seq: Date.now() + 1e6}}}}))""")

    # B answers, then reloads: the server holds B's answers, not A's late edits
    mine = choose(tab_b, p1, "last")
    expect(tab_b.locator("#save-status")).to_have_text("全部答案已保存", timeout=10000)
    tab_b.reload()
    expect(tab_b.locator("#save-status")).to_have_text("全部答案已保存", timeout=10000)
    tab_b.wait_for_timeout(500)
    answers = stored()
    assert answers[int(p1)] == mine and answers[int(p2)] == waiting
    assert answers.get(int(p3), "") == "" and answers.get(int(p4), "") != late
    assert not tab_b.evaluate(f"localStorage.getItem('{prefix}@{token_a}')")   # dropped, not replayed
    expect(page.locator("#takeover-overlay")).to_be_visible()

    # the proctor sees that the attempt was open in two windows at once
    examiner = browser.new_context(bypass_csp=True, viewport=VIEWPORT, locale="zh-CN")
    try:
        board = examiner.new_page()
        sign_in(board, live_server.url, "examiner")
        sid = _session_of(live_engine, attempt_id)
        board.goto(f"{live_server.url}/examiner/sessions/{sid}/proctoring")
        badge = board.locator("#board-rows tr", has_text="day11").locator(".take-over")
        expect(badge).to_have_text(re.compile(r"已在另一窗口打开 ×1，最近 \d\d:\d\d"), timeout=10000)
        assert_accessible(board, "the proctoring board with a take-over")
    finally:
        examiner.close()


def _session_of(engine, attempt_id: int) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT session_id FROM attempt WHERE id = :a"), {"a": attempt_id}).scalar_one()
