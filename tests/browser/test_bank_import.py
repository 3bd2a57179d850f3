"""A trainer uploads Moodle's own GIFT fixture in the real browser: the preview lists every refused
question with its line and reason, shows each question's options and key, passes axe-core at 1366×768,
and "导入其余 N 题" imports the rest only when the trainer chooses it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.axe import assert_accessible
from tests.browser.pages import sign_in

FIXTURE = Path(__file__).parent.parent / "fixtures" / "moodle" / "questions.gift.txt"


@pytest.fixture
def trainer_page(browser, live_server):
    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "trainer")
    yield page
    context.close()


def item_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT COUNT(*) FROM item")).scalar()


def test_partial_import_is_the_trainers_choice_and_the_pages_pass_axe(trainer_page, live_server, live_engine):
    page = trainer_page
    page.goto(live_server.url + "/trainer/import")
    assert_accessible(page, "导入题库")
    page.set_input_files("#file", str(FIXTURE))
    page.check("input[name=levels][value=junior]")
    page.select_option("#area", "service")
    page.keyboard.press("Tab")
    page.click("button[type=submit].primary")
    before = item_count(live_engine)

    refused = page.locator("section.import-refused")
    expect(refused).to_contain_text("无法导入的题目（3 题）")
    expect(refused).to_contain_text("题目“Moodle activities”是配对题")
    expect(refused).to_contain_text("题目“Q5”是数值题")
    expect(page.locator(".preview-key").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("A. yellow")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    assert_accessible(page, "导入预览（部分题目无法导入）")
    assert item_count(live_engine) == before                          # the preview writes nothing

    confirm = page.get_by_role("button", name="导入其余 6 题")
    confirm.focus()
    page.keyboard.press("Enter")                                     # by keyboard
    expect(page.locator(".flash")).to_contain_text("未导入 3 题")
    assert item_count(live_engine) == before + 6


def test_a_picture_imported_from_moodle_shows_on_the_candidates_markup_and_passes_axe(trainer_page, live_server,
                                                                                     live_engine):
    """Moodle's fixture with a picture: the question as candidates see it (the preview renders the paper's
    own partial) loads the picture from the bank and passes axe-core (every picture has an alt)."""
    from question_bank import importer
    from question_bank.transfer import Defaults
    from exam.db import write_session
    fixture = FIXTURE.with_name("sample_questions_with_old_image_tag.xml")
    with write_session(live_engine) as session:
        preview = importer.preview(session, fixture.name, fixture.read_bytes(), None, Defaults(("junior",), "service"),
                                   partial=True)
        importer.commit(session, preview, None)
    with live_engine.connect() as conn:
        item_id = conn.execute(text("SELECT id FROM item WHERE ref = 'mcq with image'")).scalar()
    page = trainer_page
    page.goto(f"{live_server.url}/trainer/items/{item_id}/preview")
    picture = page.locator(".stem img")
    expect(picture).to_have_count(1)
    assert page.evaluate("document.querySelector('.stem img').complete && "
                         "document.querySelector('.stem img').naturalWidth") == 16
    assert_accessible(page, "考生视角预览（含图片）")
