"""A trainer writes a fill-in item in the real browser: the form shows only that type's fields, the
preview is the candidate's markup, and a second trainer approves it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import sign_in


def test_trainer_writes_previews_and_a_colleague_approves(page, live_server):
    sign_in(page, live_server.url, "trainer")
    page.goto(live_server.url + "/trainer/items/new")
    page.select_option("#kind", "fill")
    expect(page.locator("#options")).to_be_hidden()
    expect(page.locator("#answers")).to_be_visible()
    page.select_option("#area", "service")
    page.fill("#stem", "客户来电无声时，座席应说“您好，请问能听到我的声音吗？”，重复 ____ 次后仍无声可礼貌挂机。")
    page.fill("#answers", "三\n3")
    page.fill("#tags", "无声电话")
    page.click("button[type=submit].primary")
    expect(page.locator("#item-status")).to_have_text("草稿")
    page.screenshot(path=str(live_server.root / "item-detail.png"), full_page=True)
    item_url = page.url
    page.click("text=按考生视角预览")
    expect(page.locator(".question .text-answer")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("三\n3")
    page.goto(item_url)
    page.click("button[value=submit]")
    expect(page.locator("#item-status")).to_have_text("待审核")
    expect(page.locator("button[value=approve]")).to_have_count(0)   # the author cannot approve
    page.click("button.link")  # sign out
    sign_in(page, live_server.url, "trainer2")
    page.goto(item_url)
    page.click("button[value=approve]")
    expect(page.locator("#item-status")).to_have_text("已审核")
    page.goto(live_server.url + "/trainer/items?tag=无声电话")
    expect(page.locator("#result-count")).to_contain_text("共 1 题")
    page.screenshot(path=str(live_server.root / "item-list.png"), full_page=True)
