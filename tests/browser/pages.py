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


def confirm_start(page: Page, link_text: str) -> None:
    """From the candidate's home: the part's start page (rules, time available), its confirmation box
    and 确认开始, as a candidate starts a part."""
    page.click(f"text={link_text}")
    page.wait_for_url("**/begin")
    page.check("input[name=confirm]")
    page.click("button:has-text(\"确认开始\")")


def start_exam(page: Page, base: str) -> int:
    page.goto(base + "/candidate")
    confirm_start(page, "开始考试")
    page.wait_for_url("**/candidate/attempts/*")
    return int(page.url.rsplit("/", 1)[1].split("#")[0])


TYPED_ANSWER = "８０／２０ 服务水平"


def answer_current(page: Page) -> tuple[int, str]:
    """Answer the visible question (its first option, or a typed answer); returns its position and
    the value saved."""
    question = page.locator(".question:not([hidden])")
    position = int(question.get_attribute("data-position"))
    text = question.locator(".text-answer")
    if text.count():
        text.fill(TYPED_ANSWER)
        text.blur()
        return position, TYPED_ANSWER
    first = question.locator(".options input").first
    first.check()
    return position, first.get_attribute("value")


def expect_answer_shown(page: Page, position: int, value: str) -> None:
    text = page.locator(f"#q{position} .text-answer")
    if text.count():
        expect(text).to_have_value(value)
    else:
        expect(page.locator(f"#q{position} .options input[value='{value}']")).to_be_checked()


def next_question(page: Page) -> None:
    page.locator(".question:not([hidden]) [data-step='1']").click()


def expect_saved(page: Page) -> None:
    expect(page.locator("#save-status")).to_have_text("全部答案已保存", timeout=10000)
