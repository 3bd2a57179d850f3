"""The examiner's marking pages in Chromium at 1366×768 (issue 22.4): the practical marking page fits
the screen with the call's transcript beside the criteria, a half-point mark saves, changing it asks
for a confirmation and a reason; the short-answer page is marked per 评分要点. Both pass axe-core."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from playwright.sync_api import expect
from sqlalchemy import text
from sqlmodel import Session

from exam import service_phrases
from practical import service
from practical.kinds import kind
from tests.browser.axe import assert_accessible
from tests.browser.pages import sign_in
from tests.browser.test_sitting import make_session

pytestmark = pytest.mark.browser


@pytest.fixture
def examiner_page(browser, live_server):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "examiner")
    yield page
    context.close()


def _submitted_practical(engine) -> tuple[int, int]:
    session_id = make_session(engine, "cand2")
    with engine.connect() as conn:
        cand = conn.execute(text("SELECT id FROM user_account WHERE username = 'cand2'")).scalar()
    now = dt.datetime.now(dt.timezone.utc)
    attempt_id = service.start(engine, session_id, cand, now, random.Random(3))
    lists = {key: entry[1] for key, entry in service_phrases.PHRASE_LISTS.items()}
    assert service.submit(engine, attempt_id, "candidate", now, lists, candidate_id=cand)
    return session_id, attempt_id


def test_practical_marking_fits_1366_with_the_transcript_beside_the_criteria(examiner_page, live_server, live_engine):
    page = examiner_page
    session_id, _ = _submitted_practical(live_engine)
    page.goto(f"{live_server.url}/examiner/sessions/{session_id}/practical/marking")
    assert_accessible(page, "实操评分队列")
    page.locator("#marking-queue tr", has_text=kind("call").NAME).first.locator("a.button").click()
    expect(page.locator("#transcript")).to_be_visible()
    layout = page.evaluate("""() => {
        const box = s => document.querySelector(s).getBoundingClientRect();
        return {scroll: document.documentElement.scrollWidth, transcript: box('#transcript'),
                side: box('.mark-side'), first: box('.criterion')};
    }""")
    assert layout["scroll"] <= 1366, layout                      # no sideways scrolling
    assert layout["transcript"]["width"] >= 400, layout          # readable, not a 95 px column
    assert layout["transcript"]["right"] <= layout["side"]["left"], layout      # beside, not above
    assert layout["first"]["top"] < 768, layout                  # the first criterion in the first screen
    assert_accessible(page, "实操评分页")
    # a mark whose total has a half point saves (it once answered 500)
    fields = page.locator("#mark-form input[name^='c_']")
    for i in range(fields.count()):
        fields.nth(i).fill("0")
    fields.first.fill("0.5")
    for i in range(page.locator("#mark-form input[name^='r_']").count()):
        page.locator("#mark-form input[name^='r_']").nth(i).fill("浏览器测试改判")
    page.click("#mark-form button[type=submit]")
    page.wait_for_url("**/practical/marking")
    expect(page.locator(".flash")).to_contain_text("0.5 分")
    # changing it: the page asks for the confirmation and the reason, and only then saves
    page.locator("#marking-queue tr", has_text=kind("call").NAME).first.locator("a.button").click()
    expect(page.locator("#mark-change")).to_be_visible()
    page.locator("#mark-form input[name^='c_']").first.fill("0")
    page.click("#mark-form button[type=submit]")
    expect(page.locator(".flash.error")).to_contain_text("确认修改已保存的评分")
    page.check("#mark-change input[name=confirm_change]")
    page.fill("#mark-change input[name=change_reason]", "复看通话记录后改判")
    page.locator("#mark-form input[name^='c_']").first.fill("0")
    for i in range(page.locator("#mark-form input[name^='r_']").count()):
        page.locator("#mark-form input[name^='r_']").nth(i).fill("浏览器测试改判")
    page.click("#mark-form button[type=submit]")
    page.wait_for_url("**/practical/marking")
    expect(page.locator(".flash")).to_contain_text("0 分")
    assert_accessible(page, "实操评分队列（已评）")


def test_short_answers_are_marked_per_point_and_the_page_keeps_its_place(examiner_page, live_server, live_engine):
    import dataclasses

    from exam.delivery import service as delivery
    from exam.timeutil import utcnow
    from question_bank.blueprint import default_blueprint
    from tests.integration.test_blueprints import paper, save_rule

    page = examiner_page
    rule = dataclasses.replace(default_blueprint("junior"), mode="drawn")
    session_id = make_session(live_engine, "cand3")
    with live_engine.begin() as conn:
        conn.execute(text("UPDATE exam_session SET blueprint_id = :b WHERE id = :s"),
                     {"b": save_rule(live_engine, rule, "浏览器简答"), "s": session_id})
        cand = conn.execute(text("SELECT id FROM user_account WHERE username = 'cand3'")).scalar()
    attempt_id = delivery.start_attempt(live_engine, session_id, cand, utcnow())
    shorts = [slot for slot, _ in paper(live_engine, attempt_id) if slot.kind == "short"]
    delivery.save_answers(live_engine, attempt_id, cand, [
        {"position": s.position, "seq": 1, "value": "核对数据并分类汇总", "flagged": False} for s in shorts],
        utcnow(), dt.timedelta(seconds=15))
    delivery.submit(live_engine, attempt_id, "candidate", utcnow())
    page.goto(f"{live_server.url}/examiner/sessions/{session_id}/marking")
    assert_accessible(page, "简答题评分")
    last = page.locator("section.marking").last
    anchor = last.get_attribute("id")
    inputs = last.locator("input[name^='p_']")
    assert inputs.count() >= 2                                   # one field per 评分要点
    for i in range(inputs.count()):
        inputs.nth(i).fill("0.5")
    last.locator("button[type=submit]").click()
    page.wait_for_url(f"**#{anchor}")
    expect(page.locator(".flash")).to_contain_text("已保存")
    expect(page.locator("section.marking").last).to_have_id(anchor)   # the list kept its order
    expect(page.locator(f"#{anchor} .mark-change")).to_be_visible()
    assert_accessible(page, "简答题评分（已评）")


def test_the_papers_page_and_an_answer_sheet_pass_axe(examiner_page, live_server, live_engine):
    """The whole sheet: it shows the practical only once the whole session's practical marking is over
    (anonymous marking), so every task in the session's queue is marked first."""
    from practical import marking
    page = examiner_page
    session_id, attempt_id = _submitted_practical(live_engine)
    with live_engine.connect() as conn:
        examiner = conn.execute(text("SELECT id FROM user_account WHERE username = 'examiner'")).scalar()
    with Session(live_engine) as db:
        entries = marking.queue(db, session_id)
    assert entries and {e.attempt_id for e in entries} == {attempt_id}   # the session's only practical
    for e in entries:
        marking.save_mark(live_engine, e.attempt_id, e.task.position, examiner, {c["key"]: "0" for c in e.task.rubric},
                          "", dt.datetime.now(dt.timezone.utc), reasons={c["key"]: "复核" for c in e.task.rubric})
    page.goto(f"{live_server.url}/examiner/sessions/{session_id}/papers")
    assert_accessible(page, "考务材料")
    page.locator("#answer-sheets a").first.click()
    expect(page.locator("h1")).to_contain_text("考生答卷")
    expect(page.locator("main")).to_contain_text("实操考核与打字测试")
    expect(page.locator("table.transcript").first).to_be_visible()   # the practical in full, marking over
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert_accessible(page, "考生答卷")


def test_qa_coaching_is_marked_beside_the_candidates_comments_by_keyboard(examiner_page, live_server, live_engine):
    """The QA task's coaching criterion: the marking guide and the candidate's comments on the marking
    page at 1366×768, the suggestion overridden with a reason by keyboard alone; the page passes axe."""
    from exam.sessions import service as sessions
    from exam.timeutil import utcnow
    from exam.db import write_session
    page = examiner_page
    with live_engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM user_account")).all())
    with write_session(live_engine) as s:
        now = utcnow()
        session_id = sessions.create_session(
            s, name="浏览器质检", level="intermediate", opens_at=now - dt.timedelta(minutes=1),
            closes_at=now + dt.timedelta(hours=2), duration_minutes=60, item_count=20,
            candidate_ids=[ids["cand3"]], created_by=ids["examiner"]).id
    attempt_id = service.start(live_engine, session_id, ids["cand3"], now, random.Random(4))
    with live_engine.connect() as conn:
        position = conn.execute(text("SELECT position FROM practical_task WHERE attempt_id = :a AND kind = 'qa'"),
                                {"a": attempt_id}).scalar()
    comment = "客户没说完就打断，没有复述关键信息；应先让客户说完，再复述核对。"
    service.save(live_engine, attempt_id, ids["cand3"], position, 1,
                 {"scores": {}, "comments": {"listening": comment, "opening": comment}}, now, dt.timedelta(seconds=30))
    lists = {key: entry[1] for key, entry in service_phrases.PHRASE_LISTS.items()}
    assert service.submit(live_engine, attempt_id, "candidate", now, lists, candidate_id=ids["cand3"])
    page.goto(f"{live_server.url}/examiner/sessions/{session_id}/practical/marking")
    page.locator("#marking-queue tr", has_text=kind("qa").NAME).first.locator("a.button").click()
    expect(page.locator("ol.guide")).to_contain_text("指出最薄弱的环节")
    expect(page.locator("#coaching-comments")).to_contain_text(comment)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert_accessible(page, "质检评语评分页")
    page.locator("input[name=c_coaching]").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    page.keyboard.type("评语没有结合这通电话的具体情形")
    page.locator("input[name=r_coaching]").press("Enter")
    page.wait_for_url("**/practical/marking")
    expect(page.locator(".flash")).to_contain_text("2 分")


def test_a_qa_scenarios_page_with_its_guide_and_a_trial_passes_axe(browser, live_server, live_engine):
    """The trainer's QA scenario page: the coaching criterion's marking guide, and a 试做 whose result
    table carries the examiner criterion with its evidence (issue 16), at 1366×768, axe-core clean."""
    import json
    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "trainer")
    with live_engine.connect() as conn:
        sid = conn.execute(text("SELECT id FROM practical_scenario WHERE ref = 'qa-intermediate-02'")).scalar()
    page.goto(f"{live_server.url}/trainer/scenarios/{sid}")
    expect(page.locator("ol.guide")).to_contain_text("指出最薄弱的环节")
    page.fill("#try-replies", json.dumps({"comments": {"complaint": "中途说“没办法”是在辩解。应先说“您的心情我非常理解”，再给办法。"}},
                                         ensure_ascii=False))
    page.click("#try-form button[type=submit]")
    expect(page.locator(".trial")).to_contain_text("辅导评语")
    expect(page.locator(".trial")).to_contain_text("投诉处理的评语")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert_accessible(page, "质检场景试做")
    context.close()
