"""Verification from every side: the public look-up (throttled, constant time, no enumeration), the QR
page, the PDF upload, the JSON API, bulk files for verifiers and ``callexam certificates verify``.

Keys and the signed PDF are made once per module; each test inserts the matching register rows into
its own database (SQLite and PostgreSQL).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from certificates import jws_keys, tokens
from certificates.models import Certificate
from certificates.view import CertificateView
from exam import standard
from exam.db import write_session
from exam.timeutil import to_local, utcnow
from tests.webclient import csrf_token, login

TODAY = dt.date.today()
ISSUER = "callexam 演示考点"


def make_view(number="HJ-2026-C-000001", name="张三", expires=None, level="junior") -> CertificateView:
    return CertificateView(number=number, holder_name=name, id_masked="110***********123X", level_code=level,
                           level_name=standard.level(level).name, theory_score="86", practical_score="72.5",
                           typing_cpm="61", issued_on=TODAY - dt.timedelta(days=10),
                           expires_on=expires or TODAY + dt.timedelta(days=3 * 365), issuer=ISSUER)


GOOD = make_view()
REVOKED = make_view("HJ-2026-C-000002", "李四")
EXPIRED = make_view("HJ-2023-C-000003", "王五", expires=TODAY - dt.timedelta(days=1))


@pytest.fixture(scope="module")
def instance(tmp_path_factory):
    folder = tmp_path_factory.mktemp("verify-instance")
    jws_keys.init(folder / "keys")
    try:
        from certificates import pki
        pki.init(folder / "keys")
    except ImportError:
        pass
    return folder


@pytest.fixture(scope="module")
def good_token(instance):
    return tokens.sign(GOOD.fields(), instance / "keys")


@pytest.fixture
def app(db_url, instance):
    from exam.app import create_app
    return create_app({"INSTANCE_PATH": str(instance), "DATABASE_URL": db_url, "SECRET_KEY": "test-secret",
                       "TESTING": True, "VERIFY_MIN_SECONDS": 0})


def add(engine, users, view: CertificateView, candidate="cand1", revoked=False, reissued_by=None, token=None):
    with write_session(engine) as db:
        row = Certificate(number=view.number, candidate_id=users[candidate], level=view.level_code,
                          holder_name=view.holder_name, id_masked=view.id_masked, theory_score=view.theory_score,
                          practical_score=view.practical_score, typing_cpm=view.typing_cpm,
                          issued_on=view.issued_on, expires_on=view.expires_on, issuer=view.issuer, token=token,
                          revoked_at=utcnow() if revoked else None, revoke_reason="测试撤销" if revoked else "")
        db.add(row)
        db.flush()
        return row.id


@pytest.fixture
def register(engine, users):
    add(engine, users, GOOD, "cand1")
    add(engine, users, REVOKED, "cand2", revoked=True)
    add(engine, users, EXPIRED, "cand3")


def ask(client, number, name, addr="10.0.0.1"):
    token = csrf_token(client, "/verify")
    return client.post("/verify", data={"number": number, "name": name, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": addr})


def result_section(html: str) -> str:
    found = re.search(r'<section class="card verify-report.*?</section>', html, re.S)
    return found.group(0) if found else ""


# ---------------------------------------------------------------- the public look-up

def test_lookup_shows_a_valid_certificate_with_masked_details(client, register):
    resp = ask(client, " hj－2026－c－000001 ", "张 三")   # full-width dashes, lower case, a space in the name
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    section = result_section(html)
    assert "查询结果：有效" in section and "HJ-2026-C-000001" in section and "110***********123X" in section
    assert "72.5" in section and "61 字/分" in section and GOOD.expires_on.isoformat() in section


@pytest.mark.parametrize("view,words", [(REVOKED, "已撤销"), (EXPIRED, "已过期")])
def test_lookup_says_revoked_and_expired(client, register, view, words):
    section = result_section(ask(client, view.number, view.holder_name).get_data(as_text=True))
    assert f"查询结果：{words}" in section


def test_wrong_name_and_unknown_number_get_the_same_answer(client, register):
    wrong_name = result_section(ask(client, GOOD.number, "张四").get_data(as_text=True))
    unknown = result_section(ask(client, "HJ-2026-C-999999", "张三").get_data(as_text=True))
    assert wrong_name == unknown and "未找到" in unknown and "HJ-2026-C-000001" not in wrong_name


def test_both_fields_are_required(client, register):
    resp = ask(client, GOOD.number, "")
    html = resp.get_data(as_text=True)
    assert "请填写持证人姓名" in html and result_section(html) == ""
    assert "请填写证书编号" in ask(client, "", "张三").get_data(as_text=True)


def test_lookup_is_rate_limited_per_address_page_and_api_together(app, client, register):
    app.config["THROTTLE_CERT_LOOKUP_PER_SOURCE"] = 3
    for _ in range(2):
        assert ask(client, GOOD.number, "张三").status_code == 200
    assert client.get(f"/api/v1/certificates/{GOOD.number}?name=张三",
                      environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    refused = ask(client, GOOD.number, "张三")
    assert refused.status_code == 429 and "查询过于频繁" in refused.get_data(as_text=True)
    assert result_section(refused.get_data(as_text=True)) == ""
    api = client.get(f"/api/v1/certificates/{GOOD.number}?name=张三", environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert api.status_code == 429 and "查询过于频繁" in api.get_json()["error"]
    assert ask(client, GOOD.number, "张三", addr="10.0.0.2").status_code == 200   # other addresses unaffected


def test_guessing_names_for_one_number_slows_that_address_not_the_holder(app, client, register):
    """Wrong names count per number *and* address (exam.throttle): the guesser waits, while the holder
    looking their own certificate up from elsewhere is never blocked by someone else's guesses."""
    app.config["THROTTLE_CERT_LOOKUP_FREE"] = 3
    for i in range(3):
        assert "未找到" in result_section(ask(client, GOOD.number, f"猜{i}", addr="10.1.0.1").get_data(as_text=True))
    refused = ask(client, GOOD.number, "张三", addr="10.1.0.1")
    assert refused.status_code == 429 and "分钟后再试" in refused.get_data(as_text=True)
    assert ask(client, REVOKED.number, "李四", addr="10.1.0.1").status_code == 200   # other numbers: fine
    assert "查询结果：有效" in result_section(ask(client, GOOD.number, "张三", addr="10.1.0.9").get_data(as_text=True))


def test_found_and_not_found_take_the_same_time(app, client, register, monkeypatch):
    """Every look-up answer leaves at the first multiple of VERIFY_MIN_SECONDS after the work, found or
    not, so a slow database shifts all answers alike. Checked on a fake clock: the look-up costs what
    the test says and the padding's sleep moves the clock (no test measures real time)."""
    from types import SimpleNamespace

    from certificates import verification, verify_views
    floor = 0.12
    app.config["VERIFY_MIN_SECONDS"] = floor
    clock, cost = [1000.0], [0.0]
    real_lookup = verification.lookup

    def lookup(*args, **kwargs):
        clock[0] += cost[0]
        return real_lookup(*args, **kwargs)

    def sleep(seconds):
        assert seconds >= 0
        clock[0] += seconds

    monkeypatch.setattr(verify_views, "time", SimpleNamespace(monotonic=lambda: clock[0], sleep=sleep))
    monkeypatch.setattr(verification, "lookup", lookup)

    def answered(number, work, i):
        cost[0], started = work, clock[0]
        resp = client.get(f"/api/v1/certificates/{number}?name=张三", environ_base={"REMOTE_ADDR": f"10.2.0.{i}"})
        return clock[0] - started, resp.status_code

    found, missing, slow = (answered(GOOD.number, 0.01, 1), answered("HJ-2026-C-999999", 0.05, 2),
                            answered(GOOD.number, 0.2, 3))
    assert (found[1], missing[1], slow[1]) == (200, 404, 200)
    assert found[0] == pytest.approx(floor) and missing[0] == pytest.approx(floor)
    assert slow[0] == pytest.approx(2 * floor)


# ---------------------------------------------------------------- the JSON API

def test_api_answers_found_not_found_and_a_missing_name(client, register):
    resp = client.get(f"/api/v1/certificates/{GOOD.number}?name=张三")
    body = resp.get_json()
    assert resp.status_code == 200 and body["found"] is True and body["status"] == "valid"
    assert body["certificate"] == GOOD.fields() and body["status_name"] == "有效"
    revoked = client.get(f"/api/v1/certificates/{REVOKED.number}?name=李四").get_json()
    assert revoked["status"] == "revoked" and revoked["status_name"] == "已撤销"
    assert revoked["revoked_on"] == to_local(utcnow(), "Asia/Shanghai").date().isoformat()
    wrong = client.get(f"/api/v1/certificates/{GOOD.number}?name=张四")
    unknown = client.get("/api/v1/certificates/HJ-2026-C-999999?name=张三")
    assert wrong.status_code == unknown.status_code == 404 and wrong.get_json() == unknown.get_json()
    assert client.get(f"/api/v1/certificates/{GOOD.number}").status_code == 400


# ---------------------------------------------------------------- the QR page

def test_qr_page_checks_the_signature_with_no_register_at_all(client, good_token):
    html = client.get(f"/verify?t={good_token}").get_data(as_text=True)
    assert "签名有效" in html and "本机登记库中没有任何证书记录" in html and "张三" in html
    assert "证书真实有效" in html


def test_qr_page_shows_the_register_status(client, engine, users, good_token, instance):
    add(engine, users, GOOD, "cand1", revoked=True)
    html = client.get(f"/verify?t={good_token}").get_data(as_text=True)
    assert "签名有效" in html and "登记库记录一致，状态：已撤销" in html and "已被撤销" in html


def test_qr_page_refuses_altered_and_forged_tokens(client, register, good_token, instance, tmp_path):
    head, payload, sig = good_token.split(".")
    import base64
    import json
    fields = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    fields["theory_score"] = "99"
    altered = base64.urlsafe_b64encode(json.dumps(fields, ensure_ascii=False, sort_keys=True,
                                                  separators=(",", ":")).encode()).rstrip(b"=").decode()
    html = client.get(f"/verify?t={head}.{altered}.{sig}").get_data(as_text=True)
    assert "未通过核验" in html and "签名与内容不符" in html
    jws_keys.init(tmp_path / "other")          # another instance's key: a forgery here
    forged = tokens.sign(GOOD.fields(), tmp_path / "other")
    html = client.get(f"/verify?t={forged}").get_data(as_text=True)
    assert "未通过核验" in html and "不在本考点公布的公钥集中" in html
    assert "未通过核验" in client.get("/verify?t=garbage").get_data(as_text=True)


def test_qr_page_fails_a_token_the_register_does_not_hold(client, engine, users, good_token):
    add(engine, users, REVOKED, "cand2")         # a register with rows, but not this certificate
    html = client.get(f"/verify?t={good_token}").get_data(as_text=True)
    assert "签名有效" in html and "登记库中没有编号为 HJ-2026-C-000001 的证书" in html and "未通过核验" in html


# ---------------------------------------------------------------- bulk

def _csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _bulk(client, data: bytes, filename: str):
    token = csrf_token(client, "/verify/bulk")
    return client.post("/verify/bulk", data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_bulk_csv_gives_a_results_workbook(client, register):
    login(client, "verifier")
    data = _csv([["姓名", "证书编号", "备注"], ["张三", "HJ-2026-C-000001", ""], ["李四", "hj-2026-c-000002", ""],
                 ["王五", "HJ-2023-C-000003", ""], ["赵六", "HJ-2026-C-000001", "姓名不符"],
                 ['=HYPERLINK("http://x.example","点我")', "HJ-2026-C-000001", "公式"]])
    resp = _bulk(client, data, "名单.csv")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(resp.data)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["行号", "证书编号", "姓名", "核验结果"]
    assert [(r[0], r[3]) for r in rows[1:]] == [(2, "有效"), (3, "已撤销"), (4, "已过期"), (5, "未找到"), (6, "未找到")]
    assert rows[1][5] == "110***********123X"
    # line numbers and scores are number cells; what HR typed stays text, a formula neutralised
    assert rows[5][2] == '\'=HYPERLINK("http://x.example","点我")'
    assert sheet.cell(row=6, column=3).data_type == "s" and sheet.cell(row=2, column=7).data_type == "n"


def test_bulk_reports_a_bad_row_on_its_line_and_checks_the_others(client, register):
    login(client, "verifier")
    book = Workbook()
    sheet = book.active
    for row in (["证书编号", "姓名"], ["HJ2026C000001", "张三"], ["HJ-2026-X-1", "李四"], ["", "王五"],
                ["ＨＪ－２０２６－Ｃ－０００００２", None], ["hj-2026-c-000002", "李四"]):
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    resp = _bulk(client, out.getvalue(), "名单.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    rows = [list(r) for r in load_workbook(io.BytesIO(resp.data)).worksheets[0].iter_rows(values_only=True)]
    assert [(r[0], r[3]) for r in rows[1:]] == [(2, "有效"), (3, "格式有误"), (4, "格式有误"), (5, "格式有误"),
                                                (6, "已撤销")]
    assert "证书编号“HJ-2026-X-1”格式不对" in rows[2][12] and "“证书编号”为空" in rows[3][12]
    assert "“姓名”为空" in rows[4][12]
    assert rows[1][1] == "HJ-2026-C-000001"          # typed without dashes, found under the printed form
    assert (rows[1][6], rows[1][7], rows[1][8]) == (86, 72.5, 61)   # numbers as numbers, not text
    assert all(isinstance(v, (int, float)) for v in rows[1][6:9])
    bad = _bulk(client, b"\x00\x01 not a workbook", "名单.xlsx")
    assert bad.status_code == 400 and "无法作为 Excel" in bad.get_data(as_text=True)
    assert "缺少“姓名”列" in _bulk(client, _csv([["证书编号"], ["HJ-2026-C-000001"]]), "a.csv").get_data(as_text=True)


def test_bulk_is_for_verifiers_only(client):
    assert client.get("/verify/bulk").status_code == 302      # to the sign-in page
    login(client, "cand1")
    assert client.get("/verify/bulk").status_code == 403
    login(client, "verifier")
    assert client.get("/verify/bulk").status_code == 200
    template = client.get("/verify/bulk/template.xlsx")
    assert template.status_code == 200 and load_workbook(io.BytesIO(template.data)).active["A1"].value == "证书编号"


def test_public_pages_need_no_account(client):
    for path in ("/verify", "/verify/pdf"):
        assert client.get(path).status_code == 200


# ---------------------------------------------------------------- the PDF (upload and CLI)

@pytest.fixture(scope="module")
def signed_pdf(instance, good_token):
    from certificates import document, pades
    return pades.sign(document.render(GOOD, good_token, "http://localhost/verify"), instance / "keys")


@pytest.fixture(scope="module")
def flipped_pdf(signed_pdf):
    """One byte of the signed content changed (a digit of the /Producer or any byte before the signature)."""
    data = bytearray(signed_pdf)
    data[len(data) // 3] ^= 0x01
    return bytes(data)


@pytest.fixture(scope="module")
def appended_pdf(signed_pdf):
    """A valid incremental update written after signing: the original signature still checks, but no
    longer covers the whole file."""
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_pdf))
    info = writer.trailer["/Info"].get_object()
    info[NameObject("/Subject")] = TextStringObject("理论知识成绩 99")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _upload(client, data: bytes, addr="10.3.0.1"):
    token = csrf_token(client, "/verify/pdf")
    return client.post("/verify/pdf", data={"csrf_token": token, "file": (io.BytesIO(data), "证书.pdf")},
                       content_type="multipart/form-data", environ_base={"REMOTE_ADDR": addr})


def _checks(html: str) -> dict:
    return {name: state for state, name in re.findall(r'<li class="verify-(\w+)">\s*<strong>(.*?)</strong>', html)}


def test_uploaded_pdf_passes_all_three_checks(client, engine, users, signed_pdf):
    add(engine, users, GOOD, "cand1")
    html = _upload(client, signed_pdf).get_data(as_text=True)
    assert _checks(html) == {"PDF 数字签名": "pass", "二维码令牌": "pass", "登记库": "pass"}
    assert "证书真实有效" in html and "110***********123X" in html


def test_uploaded_pdf_changed_after_signing_fails(client, engine, users, flipped_pdf, appended_pdf):
    add(engine, users, GOOD, "cand1")
    html = _upload(client, flipped_pdf).get_data(as_text=True)
    assert _checks(html)["PDF 数字签名"] == "fail" and "未通过核验" in html
    html = _upload(client, appended_pdf).get_data(as_text=True)
    assert _checks(html)["PDF 数字签名"] == "fail" and "追加修改" in html and "未通过核验" in html


def test_uploaded_pdf_reports_revocation_and_a_missing_row(client, engine, users, signed_pdf):
    add(engine, users, REVOKED, "cand2")
    html = _upload(client, signed_pdf).get_data(as_text=True)
    assert _checks(html) == {"PDF 数字签名": "pass", "二维码令牌": "pass", "登记库": "fail"}
    add(engine, users, GOOD, "cand1", revoked=True)
    html = _upload(client, signed_pdf).get_data(as_text=True)
    assert _checks(html)["登记库"] == "pass" and "已被撤销" in html


def test_uploading_a_non_certificate_pdf_says_so(client, app):
    html = _upload(client, b"%PDF-1.4 not really").get_data(as_text=True)
    assert "未通过核验" in html and "没有找到证书令牌" in html
    app.config["THROTTLE_CERT_PDF_PER_SOURCE"] = 1
    assert _upload(client, b"hello", addr="10.3.0.9").status_code == 200
    assert _upload(client, b"hello", addr="10.3.0.9").status_code == 429


def _phone_photo(pdf: bytes, tmp_path) -> bytes:
    """The certificate as HR's phone sees it: rendered, turned a little, JPEG at quality 70."""
    import subprocess

    from PIL import Image
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "120", "-singlefile", str(tmp_path / "c.pdf"), str(tmp_path / "c")],
                   check=True)
    image = Image.open(tmp_path / "c.png").convert("RGB").rotate(3, expand=True, fillcolor=(235, 235, 230))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def _compare_box(html: str) -> str:
    return re.search(r'<div class="verify-compare">(.*?)</div>', html, re.S).group(1)


def test_a_photo_of_a_forged_paper_with_a_copied_qr_shows_whose_certificate_it_is(client, engine, users,
                                                                                   good_token, tmp_path):
    """王五 prints a certificate with his own name and 张三's QR code: the code is genuine, so the
    verdict cannot be "forged" — but the answer shows 张三, large, beside the instruction to compare,
    so HR holding 王五's paper sees the mismatch."""
    from certificates import document
    add(engine, users, GOOD, "cand1")
    forged = document.render(make_view(GOOD.number, "王五"), good_token, "http://localhost/verify")
    html = _upload(client, _phone_photo(forged, tmp_path)).get_data(as_text=True)
    assert "证书真实有效" in html
    box = _compare_box(html)
    assert "请核对纸质证书上的姓名、证书编号与成绩与此一致" in box
    assert re.search(r'<dd class="verify-name">张三</dd>', box) and "王五" not in html
    assert GOOD.number in box and "初级" in box and "86" in box and "110***********123X" in box
    assert GOOD.issued_on.isoformat() in box and "身份证件" in box


def test_the_json_api_checks_files_and_tokens_like_the_page(app, client, engine, users, signed_pdf, flipped_pdf,
                                                            good_token):
    """POST /api/v1/verify takes the file as the body or as the multipart field ``file``, needs no
    CSRF token (it acts for nobody), answers Report.as_json, and shares the upload page's limit."""
    add(engine, users, GOOD, "cand1")
    body = client.post("/api/v1/verify", data=signed_pdf, content_type="application/pdf",
                       environ_base={"REMOTE_ADDR": "10.4.0.1"})
    assert body.status_code == 200 and body.json["ok"] is True and body.json["status"] == "valid"
    assert {c["name"]: c["result"] for c in body.json["checks"]} == {"PDF 数字签名": "pass", "二维码令牌": "pass",
                                                                      "登记库": "pass"}
    assert body.json["certificate"]["number"] == GOOD.number
    form = client.post("/api/v1/verify", data={"file": (io.BytesIO(flipped_pdf), "c.pdf")},
                       content_type="multipart/form-data", environ_base={"REMOTE_ADDR": "10.4.0.1"})
    assert form.status_code == 200 and form.json["ok"] is False and form.json["genuine"] is False
    assert "PDF 数字签名" in form.json["reason"]
    token = client.get(f"/api/v1/verify?t={good_token}")
    assert token.status_code == 200 and token.json["ok"] is True
    assert client.get("/api/v1/verify").status_code == 400
    assert client.post("/api/v1/verify", data=b"").status_code == 400
    assert client.post("/api/v1/verify", data=b"%PDF" + b"0" * (10 * 1024 * 1024)).status_code == 413
    app.config["THROTTLE_CERT_PDF_PER_SOURCE"] = 2   # 10.4.0.1 has used its two (exam.throttle, scope cert_pdf)
    limited = client.post("/api/v1/verify", data=signed_pdf, environ_base={"REMOTE_ADDR": "10.4.0.1"})
    assert limited.status_code == 429 and "查询过于频繁" in limited.json["error"]


def test_the_qr_page_without_keys_cannot_verify_rather_than_fails(client, app, good_token, tmp_path):
    app.config["INSTANCE_PATH"] = str(tmp_path)      # an instance before callexam keys init
    html = client.get(f"/verify?t={good_token}").get_data(as_text=True)
    assert "无法核验" in html and "未通过核验" not in html and "verify-unknown" in html
    assert client.get(f"/api/v1/verify?t={good_token}").json["cannot_verify"] is True


def _cli(instance, db_url, *args):
    from exam.cli import main
    return CliRunner().invoke(main, ["certificates", "verify", *args],
                              env={"CALLEXAM_INSTANCE": str(instance), "DATABASE_URL": db_url,
                                   "CALLEXAM_SECRET_KEY": "x"})


def test_cli_exit_codes(tmp_path, instance, db_url, engine, users, signed_pdf, flipped_pdf):
    good, bad = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good.write_bytes(signed_pdf)
    bad.write_bytes(flipped_pdf)
    row = add(engine, users, GOOD, "cand1")
    ok = _cli(instance, db_url, str(good))
    assert ok.exit_code == 0, ok.output
    assert "✔ PDF 数字签名" in ok.output and "✔ 登记库" in ok.output and "证书真实有效" in ok.output
    failed = _cli(instance, db_url, str(bad))
    assert failed.exit_code == 1 and "✘ PDF 数字签名" in failed.output
    offline = _cli(instance, db_url, str(good), "--offline")
    assert offline.exit_code == 0 and "— 登记库" in offline.output
    unreachable = _cli(instance, db_url, str(good), "--register", "http://127.0.0.1:9")
    assert unreachable.exit_code == 0 and "无法访问登记库" in unreachable.output
    with write_session(engine) as db:
        db.get(Certificate, row).revoked_at = utcnow()
    revoked = _cli(instance, db_url, str(good))
    assert revoked.exit_code == 3 and "已被撤销" in revoked.output


def test_cli_against_a_remote_register_with_no_local_keys(tmp_path, app, engine, users, db_url, signed_pdf):
    from werkzeug.serving import make_server
    add(engine, users, GOOD, "cand1")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        pdf = tmp_path / "good.pdf"
        pdf.write_bytes(signed_pdf)
        empty = tmp_path / "verifier-instance"       # a verifier's machine: no keys, no database
        result = _cli(empty, f"sqlite:///{empty / 'none.db'}", str(pdf), "--register",
                      f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(5)
    assert result.exit_code == 0, result.output
    assert "二维码公钥取自" in result.output and "根证书取自" in result.output and "✔ 登记库" in result.output
