"""The typing test in Chromium: IME composition through CDP, paste blocking, the deadline."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from tests.browser.pages import sign_in
from tests.browser.test_sitting import make_session
from typing_test import signals
from typing_test.normalise import normalise

pytestmark = pytest.mark.browser


def typing_row(engine, attempt_id):
    with engine.connect() as conn:
        return conn.execute(text("SELECT * FROM typing_attempt WHERE id = :a"), {"a": attempt_id}).mappings().one()


def start_typing(page, base) -> int:
    page.goto(base + "/candidate")
    page.click("text=开始打字测试")
    page.wait_for_url("**/candidate/typing/*")
    return int(page.url.rsplit("/", 1)[1])


def ime_type(cdp, chars: str) -> None:
    """Type like a pinyin user: compose some Latin letters, then commit the character. Punctuation
    is committed directly, as input methods do."""
    for ch in chars:
        if unicodedata.category(ch).startswith("P"):
            cdp.send("Input.insertText", {"text": ch})
            continue
        cdp.send("Input.imeSetComposition", {"text": "p", "selectionStart": 1, "selectionEnd": 1})
        cdp.send("Input.imeSetComposition", {"text": "pin", "selectionStart": 3, "selectionEnd": 3})
        cdp.send("Input.insertText", {"text": ch})


def submit(page):
    page.click("#finish-typing")
    expect(page.locator("#finish-typing")).to_contain_text("确认提交")
    page.click("#finish-typing")
    page.wait_for_url("**/result")


def test_ime_composition_counts_committed_characters_and_the_server_measures_speed(page, live_server, live_engine):
    make_session(live_engine, "cand1")
    sign_in(page, live_server.url, "cand1")
    attempt_id = start_typing(page, live_server.url)
    reference = normalise(typing_row(live_engine, attempt_id)["reference"])
    target = reference[:40]
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
    submit(page)
    row = typing_row(live_engine, attempt_id)
    assert normalise(row["typed"]) == target and row["correct_chars"] == 40 and row["accuracy"] == 1.0
    assert row["net_cpm"] == pytest.approx(40 / (row["seconds"] / 60))
    # every character went through a composition except punctuation typed directly (the 21st was
    # committed from the "zhong" composition whatever it was)
    direct = sum(1 for i, ch in enumerate(target) if i != 20 and unicodedata.category(ch).startswith("P"))
    stored = row["signals"] if isinstance(row["signals"], dict) else json.loads(row["signals"])
    totals = signals.totals(stored)
    assert totals["compositions"] == totals["composed_chars"] == 40 - direct
    assert totals["plain_chars"] == direct and totals["bursts"] == 0 and totals["pastes"] == 0
    expect(page.locator(".typing-figures")).to_contain_text("字/分")
    expect(page.locator(".alignment .seg.correct")).to_have_text(target)


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


def test_the_deadline_discards_uncommitted_pinyin_and_submits(page, live_server, live_engine):
    make_session(live_engine, "cand3", closes_in=dt.timedelta(seconds=12))
    sign_in(page, live_server.url, "cand3")
    attempt_id = start_typing(page, live_server.url)
    reference = normalise(typing_row(live_engine, attempt_id)["reference"])
    cdp = page.context.new_cdp_session(page)
    page.focus("#typing-input")
    ime_type(cdp, reference[:6])
    cdp.send("Input.imeSetComposition", {"text": "zhongwen", "selectionStart": 8, "selectionEnd": 8})
    page.wait_for_url("**/result", timeout=30000)
    row = typing_row(live_engine, attempt_id)
    assert row["status"] == "submitted" and normalise(row["typed"]) == reference[:6]
    assert "zhongwen" not in row["typed"] and row["correct_chars"] == 6
    assert re.search(r"\d", page.locator(".typing-figures").inner_text())
