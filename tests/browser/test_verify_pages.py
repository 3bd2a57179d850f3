"""The verify pages on a 375 px phone and at 1366×768 (issue 21): the QR and number look-up put the
holder's name, level, scores and "请核对纸质证书上的姓名、证书编号与成绩与此一致" beside the verdict
above the fold; no verify page is wider than the phone (scrollWidth measured); revoked and expired
certificates never show a green verdict; the CA fingerprint and ca.pem are on the page; axe-core
finds no WCAG 2 A/AA violation; the look-up takes a number typed without dashes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import text

from certificates import jws_keys, pki, tokens
from certificates.models import Certificate
from certificates.view import CertificateView
from exam.db import write_session
from exam.timeutil import utcnow
from tests.browser.axe import assert_accessible
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

TODAY = dt.date.today()
COMPARE = "请核对纸质证书上的姓名、证书编号与成绩与此一致"
PHONE = {"width": 375, "height": 667}


def view(number, name, expires=None):
    return CertificateView(number=number, holder_name=name, id_masked="110***********123X", level_code="junior",
                           level_name="初级", theory_score="86", practical_score="72.5", typing_cpm="61",
                           issued_on=TODAY - dt.timedelta(days=10),
                           expires_on=expires or TODAY + dt.timedelta(days=1000), issuer="callexam 演示考点")


@pytest.fixture(scope="module")
def certificates_ready(live_server):
    """Keys in the live server's instance and three register rows: valid, revoked, expired."""
    keys = Path(live_server.root) / "instance" / "keys"
    jws_keys.init(keys)
    pki.init(keys)
    from exam import db
    engine = db.engine_for(live_server.url_db)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM user_account")).all())
    made = {}
    for key, v, cand, revoked in (("valid", view("HJ-2026-C-000101", "考生01"), "cand1", False),
                                  ("revoked", view("HJ-2026-C-000102", "考生02"), "cand2", True),
                                  ("expired", view("HJ-2023-C-000103", "考生03", TODAY - dt.timedelta(days=2)), "cand3", False)):
        token = tokens.sign(v.fields(), keys)
        with write_session(engine) as s:
            s.add(Certificate(number=v.number, candidate_id=ids[cand], level="junior", holder_name=v.holder_name,
                              id_masked=v.id_masked, theory_score=v.theory_score, practical_score=v.practical_score,
                              typing_cpm=v.typing_cpm, issued_on=v.issued_on, expires_on=v.expires_on, issuer=v.issuer,
                              token=token, revoked_at=utcnow() if revoked else None,
                              revoke_reason="测试撤销" if revoked else ""))
        made[key] = (v, token)
    return made


@pytest.fixture
def context(browser):
    made = []

    def new(viewport):
        made.append(browser.new_context(bypass_csp=True, viewport=viewport, locale="zh-CN"))
        return made[-1].new_page()
    yield new
    for c in made:
        c.close()


def no_overflow(page, where):
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{where}: 页面宽 {widths[0]} px，超出 {widths[1]} px 的屏幕"


def above_the_fold(page, selector, where):
    box = page.locator(selector).first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], f"{where}: {selector} 不在首屏内（{box}）"


def test_qr_page_on_a_phone_shows_whom_to_compare_above_the_fold(context, live_server, certificates_ready):
    page = context(PHONE)
    v, token = certificates_ready["valid"]
    page.goto(f"{live_server.url}/verify?t={token}")
    expect(page.locator("#verdict")).to_contain_text("证书真实有效")
    for selector in ("#verdict", ".verify-compare-line", ".verify-name"):
        above_the_fold(page, selector, "二维码核验页")
    expect(page.locator(".verify-compare-line")).to_have_text(COMPARE)
    expect(page.locator(".verify-name")).to_have_text("考生01")
    expect(page.locator(".verify-compare")).to_contain_text("初级")
    expect(page.locator(".verify-compare")).to_contain_text("72.5")
    no_overflow(page, "二维码核验页")
    expect(page.locator(".fingerprint")).to_have_text(__import__("re").compile(r"^([0-9A-F]{2}:){31}[0-9A-F]{2}$"))
    assert page.locator("a[href$='/certificates/ca.pem']").count() == 1
    assert_accessible(page, "二维码核验页（375 px）")


@pytest.mark.parametrize("which", ["revoked", "expired"])
def test_revoked_and_expired_are_never_green(context, live_server, certificates_ready, which):
    page = context(PHONE)
    _v, token = certificates_ready[which]
    page.goto(f"{live_server.url}/verify?t={token}")
    expect(page.locator("#verdict")).not_to_contain_text("证书真实有效")
    assert page.locator(".verify-report.verify-ok").count() == 0
    green = page.evaluate("""() => [...document.querySelectorAll('.verify-report *')]
        .filter(e => getComputedStyle(e).color === 'rgb(30, 123, 52)' && e.textContent.trim()).length""")
    assert green == 0, "已撤销/已过期的核验结果中不应有绿色字"
    expect(page.locator(".verify-name")).to_be_visible()
    no_overflow(page, f"{which} 核验页")
    assert_accessible(page, f"{which} 核验页（375 px）")


def test_number_look_up_without_dashes_on_a_phone(context, live_server, certificates_ready):
    page = context(PHONE)
    page.goto(f"{live_server.url}/verify")
    no_overflow(page, "查询页")
    assert_accessible(page, "查询页（375 px）")
    page.fill("input[name=number]", "hj2026c000101")
    page.fill("input[name=name]", "考生01")
    page.click("button[type=submit]")
    expect(page.locator(".verify-compare-line")).to_have_text(COMPARE)
    expect(page.locator(".verify-name")).to_have_text("考生01")
    for selector in ("#verdict", ".verify-compare-line", ".verify-name"):
        above_the_fold(page, selector, "查询结果页")
    no_overflow(page, "查询结果页")
    assert_accessible(page, "查询结果页（375 px）")


def test_upload_page_fits_a_phone_and_a_desk(context, live_server, certificates_ready):
    for viewport in (PHONE, {"width": 1366, "height": 768}):
        page = context(viewport)
        page.goto(f"{live_server.url}/verify/pdf")
        no_overflow(page, f"上传核验页 {viewport['width']} px")
        assert_accessible(page, f"上传核验页 {viewport['width']} px")
        page.set_input_files("input[type=file]", files=[{"name": "x.txt", "mimeType": "text/plain",
                                                           "buffer": b"hello"}])
        page.click("button[type=submit]")
        expect(page.locator("#verdict")).to_contain_text("未通过")
        no_overflow(page, f"上传核验结果页 {viewport['width']} px")
        assert_accessible(page, f"上传核验结果页 {viewport['width']} px")


def test_revoked_number_look_up_is_never_green(context, live_server, certificates_ready):
    page = context(PHONE)
    page.goto(f"{live_server.url}/verify")
    page.fill("input[name=number]", "HJ-2026-C-000102")
    page.fill("input[name=name]", "考生02")
    page.click("button[type=submit]")
    expect(page.locator("#verdict")).to_contain_text("已撤销")
    assert page.locator(".verify-report.verify-ok").count() == 0
    green = page.evaluate("""() => [...document.querySelectorAll('.verify-report *')]
        .filter(e => getComputedStyle(e).color === 'rgb(30, 123, 52)' && e.textContent.trim()).length""")
    assert green == 0
    above_the_fold(page, ".verify-name", "已撤销查询结果")
    no_overflow(page, "已撤销查询结果")


def test_bulk_page_fits_a_phone(context, live_server, certificates_ready):
    page = context(PHONE)
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", "verifier")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    intercept_file_choosers(page)
    page.goto(f"{live_server.url}/verify/bulk")
    expect(page.locator("h1")).to_have_text("批量核验证书")
    no_overflow(page, "批量核验页")
    assert_accessible(page, "批量核验页（375 px）")
    # by keyboard alone on the phone: Tab to the file field, Space opens the chooser, Tab, Enter
    tab_to(page, "input[type=file]", "批量核验页 375 px", limit=30)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files=[{"name": "名单.csv", "mimeType": "text/csv", "buffer": "姓名\n张三\n".encode()}])
    tab_to(page, "form.verify-form button[type=submit]", "批量核验页 375 px", limit=3)   # not the top bar's 退出
    page.keyboard.press("Enter")
    expect(page.locator(".plan-errors")).to_contain_text("缺少“证书编号”列")
    no_overflow(page, "批量核验错误页")
    assert_accessible(page, "批量核验错误页（375 px）")


def intercept_file_choosers(page) -> None:
    """Call before loading a page whose file chooser a test opens by keyboard. Playwright turns on
    interception when a page first gets a file-chooser listener and does not wait for the browser
    to confirm, so a Space pressed right after ``expect_file_chooser`` could beat it on a loaded
    machine: the chooser opened natively and the wait timed out (seen once in CI). Listening from
    before the page load leaves the whole load for the interception to take hold."""
    page.on("filechooser", lambda _chooser: None)


def tab_to(page, selector: str, where: str, limit: int = 25) -> None:
    """Presses Tab until ``selector`` has the focus; every stop on the way shows a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("""(sel) => { const e = document.activeElement;
            const s = getComputedStyle(e);
            return {match: e.matches(sel), ring: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
                    what: e.outerHTML.slice(0, 80)}; }""", selector)
        assert focused["ring"], f"{where}: 键盘焦点在 {focused['what']} 上看不出来"
        if focused["match"]:
            return
    raise AssertionError(f"{where}: 按 Tab {limit} 次仍到不了 {selector}")


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1366, "height": 768}], ids=["375", "1366"])
def test_look_up_by_keyboard_alone(context, live_server, certificates_ready, viewport):
    page = context(viewport)
    page.goto(f"{live_server.url}/verify")
    where = f"查询页 {viewport['width']} px"
    tab_to(page, "input[name=number]", where)
    page.keyboard.type("HJ 2026 C 000101")
    tab_to(page, "input[name=name]", where, limit=3)
    page.keyboard.type("考生01")
    page.keyboard.press("Enter")
    expect(page.locator(".verify-name")).to_have_text("考生01")
    # from the result, the keyboard reaches the CA certificate link
    tab_to(page, "a[href$='/certificates/ca.pem']", where, limit=40)


def test_upload_by_keyboard_alone(context, live_server, certificates_ready):
    page = context({"width": 1366, "height": 768})
    intercept_file_choosers(page)
    page.goto(f"{live_server.url}/verify/pdf")
    tab_to(page, "input[type=file]", "上传核验页")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(files=[{"name": "badge.jwt", "mimeType": "application/octet-stream",
                                    "buffer": b"eyJhbGciOiJFUzI1NiJ9.e30.c2ln"}])
    tab_to(page, "button[type=submit]", "上传核验页", limit=3)
    page.keyboard.press("Enter")
    expect(page.locator("#verdict")).to_contain_text("未通过")


def test_a_genuine_pdf_result_fits_a_phone(context, live_server, certificates_ready):
    """The PDF result lists the key id and the signer: long unbroken strings that once made the page 431 px."""
    from certificates import document, pades
    v, token = certificates_ready["valid"]
    keys = Path(live_server.root) / "instance" / "keys"
    pdf = pades.sign(document.render(v, token, f"{live_server.url}/verify?t={token}"), keys)
    page = context(PHONE)
    page.goto(f"{live_server.url}/verify/pdf")
    page.set_input_files("input[type=file]", files=[{"name": "证书.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    page.click("form.verify-form button[type=submit]")
    expect(page.locator("#verdict")).to_contain_text("证书真实有效")
    for selector in ("#verdict", ".verify-compare-line", ".verify-name"):
        above_the_fold(page, selector, "PDF 核验结果页")
    no_overflow(page, "PDF 核验结果页")
    assert_accessible(page, "PDF 核验结果页（375 px）")
