"""Live proctoring in Chromium: the examiner's board updates by itself, and what the examiner does
reaches the candidate's open page at once — extra time moves the countdown, a pause covers the page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from exam import db
from tests.browser.conftest import LiveServer
from tests.browser.pages import sign_in, start_exam
from tests.browser.test_sitting import make_session
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def proctor_server(tmp_path_factory, sqlite_template):
    """Its own server polling every second, so the test waits seconds, not the production five."""
    server = LiveServer(tmp_path_factory.mktemp("proctor"), sqlite_template,
                        env={"CALLEXAM_STATUS_POLL_SECONDS": "1", "CALLEXAM_BOARD_POLL_SECONDS": "1"})
    yield server
    server.stop()
    db.dispose_all()


@pytest.fixture
def proctor_engine(proctor_server):
    return db.engine_for(proctor_server.url_db)


def countdown_minutes(page) -> int:
    h, m, _ = (int(x) for x in page.locator("#countdown").inner_text().split(":"))
    return h * 60 + m


def act(board, candidate_name: str, action: str, reason: str, minutes: int | None = None) -> None:
    """Open the row's action dialog on the board, choose the action, give the reason, confirm."""
    row = board.locator("#board-rows tr", has_text=candidate_name)
    row.locator("button.action-open").click()
    board.select_option("#action-kind", label=action)
    if minutes is not None:
        board.fill("#action-minutes", str(minutes))
    else:
        expect(board.locator("#action-minutes")).to_be_hidden()
    board.fill("#action-reason", reason)
    board.click("#action-submit")
    expect(board.locator("#action-dialog")).not_to_be_visible()


def test_extra_time_changes_the_candidates_countdown_and_a_pause_covers_the_page(
        page, browser, browser_context_args, proctor_server, proctor_engine):
    sid = make_session(proctor_engine, "cand1", duration=30)
    base = proctor_server.url

    examiner_context = browser.new_context(**browser_context_args)
    board = examiner_context.new_page()
    sign_in(board, base, "examiner")
    board.goto(f"{base}/examiner/sessions/{sid}/proctoring")
    cand_row = board.locator("#board-rows tr", has_text="cand1")
    expect(cand_row).to_contain_text("未签到")

    sign_in(page, base, "cand1")
    start_exam(page, base)
    expect(page.locator("#countdown")).to_have_text(re.compile(r"00:(29|30):\d\d"))
    # the board sees the candidate start without being reloaded
    expect(cand_row).to_contain_text("作答中", timeout=10000)

    act(board, "cand1", "延长时间", "考生电脑故障，更换机器耽误 10 分钟", minutes=10)
    expect(board.locator("#board-message")).to_contain_text("延长 10 分钟")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"00:(39|40):\d\d"), timeout=5000)
    expect(page.locator("#proctor-notice")).to_contain_text("延长了 10 分钟")
    expect(cand_row).to_contain_text("已延长 10 分", timeout=5000)

    act(board, "cand1", "暂停", "考生身体不适")
    overlay = page.locator("#proctor-overlay")
    expect(overlay).to_be_visible(timeout=5000)
    expect(overlay).to_contain_text("考试已暂停")
    expect(cand_row).to_contain_text("已暂停", timeout=5000)
    frozen = page.locator("#countdown").inner_text()
    page.wait_for_timeout(2200)
    assert page.locator("#countdown").inner_text() == frozen  # the clock stopped
    assert page.evaluate("document.querySelector('main').inert") is True

    act(board, "cand1", "恢复", "考生已恢复")
    expect(overlay).to_be_hidden(timeout=5000)
    expect(page.locator("#proctor-notice")).to_contain_text("考试已恢复")
    assert countdown_minutes(page) >= 38
    assert page.evaluate("document.querySelector('main').inert") is False
    examiner_context.close()


def test_a_page_opened_while_paused_shows_the_overlay_and_a_forced_submission_ends_it(
        page, proctor_server, proctor_engine):
    from sqlalchemy import text, update

    from exam.delivery.models import Attempt
    from exam.proctoring import actions
    from exam.timeutil import utcnow

    sid = make_session(proctor_engine, "cand2", duration=30)
    base = proctor_server.url
    sign_in(page, base, "cand2")
    attempt_id = start_exam(page, base)
    with proctor_engine.connect() as conn:
        examiner = conn.execute(text("SELECT id FROM user_account WHERE username = 'examiner'")).scalar_one()
    actions.pause_all(proctor_engine, sid, "全场停电", examiner, utcnow())
    # as if the pause began 20 minutes ago with 10 to go: the stored deadline is already past
    table = Attempt.__table__
    with proctor_engine.begin() as conn:
        conn.execute(update(table).where(table.c.id == attempt_id).values(
            paused_at=utcnow() - dt.timedelta(minutes=20), deadline=utcnow() - dt.timedelta(minutes=10)))
    page.reload()
    expect(page.locator("#proctor-overlay")).to_be_visible()
    expect(page.locator("#proctor-overlay-left")).to_have_text(re.compile(r"00:(09|10):\d\d"))
    page.wait_for_timeout(2500)  # neither counts down past zero nor submits
    assert page.url.endswith(f"/candidate/attempts/{attempt_id}")
    expect(page.locator("#countdown")).to_have_text(re.compile(r"00:(09|10):\d\d"))
    actions.force_submit(proctor_engine, "theory", attempt_id, "停电时间过长，交卷后重考", examiner, utcnow(), 0.9, sid)
    expect(page.locator("#proctor-overlay")).to_contain_text("已交卷", timeout=5000)
    page.wait_for_url(f"**/candidate/attempts/{attempt_id}/result", timeout=10000)


def test_the_examiner_lifts_a_sign_in_wait_from_the_board(page, browser, browser_context_args, proctor_server,
                                                          proctor_engine):
    """Someone guessed at cand3's ticket from this room's address: the candidate at a fresh PC is told
    to wait; the board marks the row 登录受限 and its 操作 dialog lifts the wait (issue 17.5)."""
    from exam import throttle
    from exam.timeutil import utcnow

    sid = make_session(proctor_engine, "cand3", duration=30)
    base = proctor_server.url
    throttle.record(proctor_engine, throttle.POLICIES["signin"],
                    [("cand3", "ip:127.0.0.1", True)] * 7, utcnow())
    page.goto(base + "/login")
    page.fill("input[name=username]", "cand3")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("main")).to_contain_text("登录失败次数过多")

    examiner_context = browser.new_context(**browser_context_args)
    board = examiner_context.new_page()
    sign_in(board, base, "examiner")
    board.goto(f"{base}/examiner/sessions/{sid}/proctoring")
    row = board.locator("#board-rows tr", has_text="cand3")
    expect(row.locator(".signin-wait")).to_contain_text("登录受限")
    act(board, "cand3", "解除登录限制", "已核验身份证，本人在座")
    expect(board.locator("#board-message")).to_contain_text("已解除该考生的登录限制")
    expect(row.locator(".signin-wait")).to_have_count(0, timeout=5000)
    examiner_context.close()

    sign_in(page, base, "cand3")
