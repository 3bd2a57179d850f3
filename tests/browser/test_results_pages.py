"""The publication in Chromium (issue 18.3): the practical's marking page points to the session's one
publication; the examiner publishes and withdraws on the session's results page; the candidate's
practical result follows the one visibility rule (shown once published, hidden again once withdrawn,
while the theory score stays under the "immediate" release). Every page involved passes axe-core."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from exam.db import write_session
from exam.sessions import service as sessions
from exam.sessions.models import ExamSession
from exam.timeutil import utcnow
from tests.browser.axe import assert_accessible
from tests.browser.pages import sign_in
from tests.integration.sittings import sit_practical, sit_theory

pytestmark = pytest.mark.browser


def _finished_session(engine, username: str) -> tuple[int, int, int]:
    """A session one candidate sat (theory, practical, marked) and that has since ended. Sat while it
    was open and ended afterwards, so the live server's scheduler never finds an overdue attempt."""
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM user_account")).all())
    now = utcnow()
    with write_session(engine) as s:
        sid = sessions.create_session(
            s, name="浏览器测试 成绩发布", level="junior", opens_at=now - dt.timedelta(minutes=1),
            closes_at=now + dt.timedelta(hours=2), duration_minutes=60, item_count=20,
            candidate_ids=[ids[username]], created_by=ids["examiner"]).id
    theory = sit_theory(engine, sid, ids[username], now, correct=True)
    practical = sit_practical(engine, sid, ids[username], now)
    with write_session(engine) as s:
        exam_session = s.get(ExamSession, sid)
        exam_session.opens_at, exam_session.closes_at = now - dt.timedelta(hours=3), now - dt.timedelta(hours=1)
    return sid, theory, practical


@pytest.fixture
def two_pages(browser, live_server):
    contexts = [browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768}, locale="zh-CN")
                for _ in range(2)]
    examiner, candidate = (c.new_page() for c in contexts)
    sign_in(examiner, live_server.url, "examiner")
    sign_in(candidate, live_server.url, "cand3")
    yield examiner, candidate
    for c in contexts:
        c.close()


def test_publish_and_withdraw_on_the_results_page_show_and_hide_the_practical(two_pages, live_server, live_engine):
    examiner, candidate = two_pages
    base = live_server.url
    sid, theory_id, practical_id = _finished_session(live_engine, "cand3")
    practical_result, theory_result = (f"{base}/candidate/practical/{practical_id}/result",
                                       f"{base}/candidate/attempts/{theory_id}/result")

    examiner.goto(f"{base}/examiner/sessions/{sid}/practical")
    expect(examiner.locator("#publication-state")).to_contain_text("随本场成绩统一发布")
    expect(examiner.locator("form[action$='/practical/publish']")).to_have_count(0)
    assert_accessible(examiner, "实操成绩页（未发布）")
    candidate.goto(practical_result)
    expect(candidate.locator("main")).to_contain_text("考评员评分并发布后可见")

    examiner.click("#publication-state >> text=场次成绩")
    expect(examiner.locator("#publication-state")).to_contain_text("未发布（随本页发布一并发布）")
    assert_accessible(examiner, "场次成绩页（未发布）")
    examiner.click("button:has-text('立即发布成绩')")              # not confirmed: nothing is published
    expect(examiner.locator(".flash.error").first).to_contain_text("勾选“确认发布”")
    expect(examiner.locator("#publication-state")).to_contain_text("未发布（随本页发布一并发布）")
    examiner.check("input[name=confirm]")
    examiner.click("button:has-text('立即发布成绩')")
    expect(examiner.locator(".flash").first).to_contain_text("成绩已发布")
    expect(examiner.locator("#publication-state")).to_contain_text("已随本场成绩发布")
    assert_accessible(examiner, "场次成绩页（已发布）")

    candidate.goto(practical_result)
    expect(candidate.locator("main")).to_contain_text("总分")
    assert_accessible(candidate, "考生实操成绩页")

    examiner.fill("input[name=reason]", "实操第 1 题评分有误")
    examiner.click("button:has-text('撤回发布')")
    expect(examiner.locator(".flash").first).to_contain_text("已撤回成绩发布")
    expect(examiner.locator("#publication-state")).to_contain_text("未发布")

    candidate.goto(practical_result)
    expect(candidate.locator("main")).to_contain_text("考评员评分并发布后可见")
    expect(candidate.locator("main")).not_to_contain_text("总分")
    candidate.goto(theory_result)
    expect(candidate.locator("#score")).to_be_visible()  # the immediate release keeps the theory score
