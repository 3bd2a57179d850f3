"""The signed certificate PDF against poppler's pdfsig (an independent PAdES reader) and our own
``pades.check``: valid and whole when untouched; a flipped byte and an incremental update that
changes a score are both caught. One certificate is signed per module."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest

from certificates import document, jws_keys, pades, pki, tokens
from certificates.view import CertificateView

VIEW = CertificateView(
    number="HJ-2026-C-000007", holder_name="张三丰", id_masked="110***********123X",
    level_code="junior", level_name="初级", theory_score="86", practical_score="61",
    typing_cpm="52.4", issued_on=dt.date(2026, 7, 1), expires_on=dt.date(2029, 6, 30),
    issuer="callexam 演示考点")


def pdfsig(path, *extra) -> str:
    done = subprocess.run(["pdfsig", *extra, str(path)], capture_output=True, text=True)
    return done.stdout + done.stderr  # pdfsig exits 0 even for a broken signature: read its words


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inst") / "keys"
    jws_keys.init(folder)
    pki.init(folder)
    token = tokens.sign(VIEW.fields(), folder)
    pdf = pades.sign(document.render(VIEW, token, f"https://exam.example.cn/verify?t={token}"), folder)
    out = tmp_path_factory.mktemp("pdf")
    (out / "signed.pdf").write_bytes(pdf)
    return {"folder": folder, "token": token, "pdf": pdf, "dir": out, "path": out / "signed.pdf"}


@pytest.fixture(scope="module")
def nss(signed):
    """An NSS database trusting our CA, the way a reader's trust store would be set up."""
    db = signed["dir"] / "nss"
    db.mkdir()
    (signed["dir"] / "ca.pem").write_bytes(pki.ca_certificate_pem(signed["folder"]))
    subprocess.run(["certutil", "-N", "-d", f"sql:{db}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{db}", "-n", "callexam-ca", "-t", "CT,C,C",
                    "-i", str(signed["dir"] / "ca.pem")], check=True)
    return db


def test_pdfsig_reports_a_valid_trusted_certification_over_the_whole_document(signed, nss):
    # no -no-ocsp here: poppler 22.12 then reports "Unknown issue" for any chain; our certificates
    # name no OCSP responder, so nothing is fetched either way
    out = pdfsig(signed["path"], "-nssdir", f"sql:{nss}")
    assert "Signature #1:" in out and "Signature #2" not in out
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out and "Not total document signed" not in out
    assert "Certificate Validation: Certificate is Trusted." in out
    assert "Signer Certificate Common Name: callexam 演示考点 证书文件签名" in out
    assert "Signing Hash Algorithm: SHA-256" in out
    assert "Signature Type: ETSI.CAdES.detached" in out  # PAdES


def test_pdfsig_without_our_ca_still_finds_the_signature_valid_but_untrusted(signed):
    out = pdfsig(signed["path"], "-no-ocsp")
    assert "Signature is Valid." in out and "Total document signed" in out
    assert "Certificate is Trusted." not in out


def test_our_check_agrees_and_sees_the_certification(signed):
    result = pades.check(signed["pdf"], signed["folder"])
    assert result.ok and result.signed and result.intact and result.whole_document
    assert result.certified and result.trusted
    assert result.signer == "callexam 演示考点 证书文件签名"
    assert "签名有效" in result.message


def test_docmdp_says_no_changes_allowed(signed):
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.fields import MDPPerm

    sig = PdfFileReader(io.BytesIO(signed["pdf"])).embedded_signatures[0]
    assert sig.docmdp_level == MDPPerm.NO_CHANGES


def test_token_is_attached_inside_the_signed_revision(signed):
    listing = subprocess.run(["pdfdetach", "-list", str(signed["path"])], capture_output=True,
                             text=True, check=True).stdout
    assert pades.ATTACHMENT in listing
    assert pades.extract_token(signed["pdf"]) == signed["token"]


def test_a_flipped_byte_fails(signed):
    data = bytearray(signed["pdf"])
    start = data.index(b"stream", len(data) // 3)  # inside the signed page content
    data[start + 200] ^= 0x04
    result = pades.check(bytes(data), signed["folder"])
    assert not result.ok and not result.intact
    assert "改动" in result.message
    (signed["dir"] / "flipped.pdf").write_bytes(bytes(data))
    assert "Signature is Valid." not in pdfsig(signed["dir"] / "flipped.pdf", "-no-ocsp")


def test_an_incremental_update_changing_a_score_fails(signed):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed["pdf"]))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    contents_ref = page_ref.get_object().raw_get("/Contents")
    stream = contents_ref.get_object()
    assert b"(86) Tj" in stream.data
    forged = generic.StreamObject(stream_data=stream.data.replace(b"(86) Tj", b"(96) Tj"))
    forged.compress()
    writer.mark_update(contents_ref)  # marks the object for rewriting (with its old value)...
    writer.objects[(contents_ref.generation, contents_ref.idnum)] = forged  # ...then the forgery
    out = io.BytesIO()
    writer.write(out)
    tampered = out.getvalue()
    path = signed["dir"] / "tampered.pdf"
    path.write_bytes(tampered)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "96" in text and "86" not in text  # the reader now shows the forged score

    result = pades.check(tampered, signed["folder"])
    assert not result.ok and not result.whole_document
    assert "增量更新" in result.message
    assert "Not total document signed" in pdfsig(path, "-no-ocsp")


def test_an_unsigned_pdf_is_reported_as_such(signed):
    result = pades.check(document.render(VIEW, signed["token"], "https://x/verify"), signed["folder"])
    assert not result.signed and not result.ok and "没有数字签名" in result.message


def test_a_signature_from_another_instance_is_not_trusted(signed, tmp_path):
    other = tmp_path / "keys"
    pki.init(other)
    result = pades.check(signed["pdf"], other)
    assert result.intact and result.whole_document and not result.trusted and not result.ok
    assert "不是本系统信任" in result.message


def test_signing_and_checking_work_inside_a_running_event_loop(signed):
    """pyHanko's blocking calls use ``asyncio.run``; a caller whose thread already runs a loop (an
    async server, Playwright's sync API in this very test process) must still get a signed PDF."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside_a_loop():
        pdf = pades.sign(document.render(VIEW, signed["token"], "https://exam.example.cn/verify"), signed["folder"])
        return pades.check(pdf, signed["folder"])

    # A thread of its own, so the loop is ours whether or not this process already runs one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result().ok
