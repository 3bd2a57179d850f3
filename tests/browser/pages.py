"""What a candidate does in the browser, as small steps the tests compose."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".who")).to_contain_text(username)


def start_exam(page: Page, base: str) -> int:
    page.goto(base + "/candidate")
    page.click("text=开始考试")
    page.wait_for_url("**/candidate/attempts/*")
    return int(page.url.rsplit("/", 1)[1].split("#")[0])


def answer_current(page: Page) -> tuple[int, str]:
    """Pick the first option of the visible question; returns its position and the value saved."""
    question = page.locator(".question:not([hidden])")
    position = int(question.get_attribute("data-position"))
    first = question.locator(".options input").first
    first.check()
    return position, first.get_attribute("value")


def next_question(page: Page) -> None:
    page.locator(".question:not([hidden]) [data-step='1']").click()


def expect_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_text("全部答案已保存", timeout=10000)
