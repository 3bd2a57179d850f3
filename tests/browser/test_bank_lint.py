"""The item checker in the real browser: a trainer checks an item while writing it (nothing is saved)
and reads the bank report with its charts, by keyboard at 1366×768."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import sign_in


def test_trainer_checks_while_writing_and_reads_the_report(page, live_server):
    sign_in(page, live_server.url, "trainer")
    page.goto(live_server.url + "/trainer/items/new")
    page.select_option("#kind", "single")
    page.select_option("#area", "service")
    page.fill("#stem", "下列关于结束语的说法，不正确的是？")
    page.fill("#options", "感谢客户来电\n询问是否还有其他问题\n以上都对")
    page.fill("#choice_key", "C")
    page.click("button[name=check]")
    lint = page.locator("#lint")
    expect(lint).to_contain_text("否定式题干未加强调")
    expect(lint).to_contain_text("“以上都对/都不对”类选项")
    expect(page).to_have_url(live_server.url + "/trainer/items/new")      # nothing saved
    expect(page.locator("#stem")).to_have_value("下列关于结束语的说法，不正确的是？")

    page.goto(live_server.url + "/trainer/bank/report?level=intermediate")
    expect(page.locator("h1")).to_have_text("命题质量报告：中级")
    expect(page.locator("svg[role=img]")).to_have_count(3)
    expect(page.locator("#lint-summary")).to_contain_text("单选最长项为答案")
    link = page.get_by_role("link", name="高级")
    link.focus()
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("命题质量报告：高级")
    page.screenshot(path=str(live_server.root / "bank-report.png"), full_page=True)
