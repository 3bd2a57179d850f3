"""The certificate PDF as independent readers see it (poppler's pdftotext/pdffonts/pdftoppm, the
zxing-cpp QR decoder), and the X.509 keys that sign it. The page is rendered once per module."""

from __future__ import annotations

import datetime as dt
import re
import stat
import subprocess

import pytest
import zxingcpp
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from PIL import Image

from certificates import document, jws_keys, pades, pki, qr, tokens
from certificates.view import CertificateView

VERIFY = "https://exam.example.cn/verify"
VIEW = CertificateView(
    number="HJ-2026-Z-000123", holder_name="欧阳晓燕", id_masked="110***********123X",
    level_code="intermediate", level_name="中级", theory_score="86", practical_score="72.5",
    typing_cpm="61.3", issued_on=dt.date(2026, 7, 1), expires_on=dt.date(2029, 6, 30),
    issuer="callexam 演示考点")


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inst") / "keys"
    jws_keys.init(folder)
    pki.init(folder)
    return folder


@pytest.fixture(scope="module")
def rendered(keys, tmp_path_factory):
    token = tokens.sign(VIEW.fields(), keys)
    pdf = document.render(VIEW, token, f"{VERIFY}?t={token}")
    out = tmp_path_factory.mktemp("pdf")
    (out / "c.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(out / "c.pdf"), str(out / "c")],
                   check=True)
    return {"token": token, "pdf": pdf, "path": out / "c.pdf", "png": out / "c.png"}


def test_one_a4_landscape_page_with_the_font_embedded(rendered):
    info = run("pdfinfo", str(rendered["path"]))
    assert re.search(r"^Pages:\s+1$", info, re.M)
    assert re.search(r"^Page size:\s+841.89 x 595.276 pts \(A4\)$", info, re.M)  # landscape
    fonts = run("pdffonts", str(rendered["path"])).splitlines()[2:]
    assert fonts, "no font at all"
    for line in fonts:  # every font embedded and subset: nothing depends on the reader's machine
        assert "TrueType" in line and " yes yes " in line, line


def test_every_detail_is_printed_and_the_full_id_nowhere(rendered):
    text = run("pdftotext", "-layout", str(rendered["path"]), "-")
    flat = "".join(text.split())
    for expected in ("职业技能等级证书", "呼叫服务员", "中级", "欧阳晓燕", "110***********123X", "86", "72.5",
                     "61.3", "字/分", "HJ-2026-Z-000123", "2026年7月1日", "2029年6月30日", "callexam演示考点",
                     "exam.example.cn/verify"):
        assert expected in flat, expected
    assert rendered["token"] not in flat  # the token lives in the QR code, not in printed text


def test_qr_code_decoded_from_the_rendering_is_the_verify_url_with_the_token(rendered, keys):
    found = zxingcpp.read_barcodes(Image.open(rendered["png"]), formats=zxingcpp.BarcodeFormat.QRCode)
    assert len(found) == 1
    assert found[0].text == f"{VERIFY}?t={rendered['token']}"
    decoded_token = found[0].text.split("?t=", 1)[1]
    assert decoded_token == rendered["token"]
    assert tokens.verify(decoded_token, jws_keys.jwks(keys)) == VIEW.fields()


def test_qr_code_prints_large_enough_modules_to_scan():
    symbol = qr.make(document.qr_data("a" * 620, VERIFY))  # a long token (~700-byte URL)
    assert symbol.module_mm(document.QR_SIZE) >= 0.4
    assert symbol.modules <= 105


def test_qr_url_is_built_from_the_page_address_or_taken_whole():
    assert document.qr_data("abc.def.ghi", VERIFY) == f"{VERIFY}?t=abc.def.ghi"
    assert document.qr_data("abc.def.ghi", f"{VERIFY}?t=abc.def.ghi") == f"{VERIFY}?t=abc.def.ghi"
    assert document.qr_data("x.y.z", f"{VERIFY}?lang=zh") == f"{VERIFY}?lang=zh&t=x.y.z"


def test_token_is_readable_without_decoding_the_image(rendered):
    assert pades.extract_token(rendered["pdf"]) == rendered["token"]
    assert pades.extract_token(b"%PDF-1.4 not really") is None


def test_a_character_the_font_lacks_is_refused_not_dropped():
    odd = CertificateView(**{**VIEW.__dict__, "holder_name": "王\U000F0000"})  # private use: no font has it
    with pytest.raises(ValueError, match=r"U\+F0000.*无法打印"):
        document.render(odd, "a.b.c", VERIFY)


# --- pki ----------------------------------------------------------------------------------------

def test_init_makes_an_ecdsa_p256_signer_issued_by_its_own_ca(keys):
    cert = pki.signer_certificate(keys)
    root = x509.load_pem_x509_certificate(pki.ca_certificate_pem(keys))
    assert isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
    assert cert.public_key().curve.name == "secp256r1"
    assert cert.issuer == root.subject and root.issuer == root.subject
    root.public_key().verify(cert.signature, cert.tbs_certificate_bytes, ec.ECDSA(hashes.SHA256()))
    assert cert.extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert [c.dump() for c in pki.trust_roots(keys)] == [root.public_bytes(serialization.Encoding.DER)]


def test_keys_are_owner_only_and_init_is_idempotent(keys):
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    for name in (pki.CA_KEY, pki.CA_CERT, pki.SIGNER_KEY, pki.SIGNER_CERT, pki.CHAIN, pki.TRUST):
        assert stat.S_IMODE((keys / name).stat().st_mode) == 0o600, name
    before = (keys / pki.SIGNER_KEY).read_bytes(), (keys / pki.CA_CERT).read_bytes()
    pki.init(keys)
    assert ((keys / pki.SIGNER_KEY).read_bytes(), (keys / pki.CA_CERT).read_bytes()) == before


def _p12(key_kind="rsa", password=b"secret"):
    now = dt.datetime.now(dt.timezone.utc)
    root_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "某人力资源集团 根CA")])
    root = (x509.CertificateBuilder().subject_name(root_name).issuer_name(root_name)
            .public_key(root_key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(root_key, hashes.SHA256()))
    key = ed25519.Ed25519PrivateKey.generate() if key_kind == "ed25519" else \
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "某人力资源集团 证书签章")]))
            .issuer_name(root_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=700))
            .sign(root_key, hashes.SHA256()))
    enc = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    return pkcs12.serialize_key_and_certificates(b"signer", key, leaf, [root], enc), root


def test_import_pkcs12_signs_with_the_organisation_and_still_trusts_the_old_root(tmp_path, keys):
    folder = tmp_path / "keys"
    pki.init(folder)
    old_root = pki.ca_certificate_pem(folder)
    data, root = _p12()
    pki.import_pkcs12(folder, data, b"secret")
    assert pki.signer_certificate(folder).subject.rfc4514_string() == "CN=某人力资源集团 证书签章"
    assert pki.ca_certificate_pem(folder) == root.public_bytes(serialization.Encoding.PEM)
    roots = [c.dump() for c in pki.trust_roots(folder)]
    assert roots[0] == root.public_bytes(serialization.Encoding.DER)
    assert x509.load_pem_x509_certificate(old_root).public_bytes(serialization.Encoding.DER) in roots
    assert stat.S_IMODE((folder / pki.SIGNER_KEY).stat().st_mode) == 0o600
    pki.init(folder)  # does not replace an imported signer
    assert "某人力资源集团" in pki.signer_certificate(folder).subject.rfc4514_string()


@pytest.mark.parametrize("kind,password,message", [
    ("rsa", b"wrong", "密码错误"),
    ("ed25519", b"secret", "Ed25519"),
])
def test_import_pkcs12_refuses_with_a_reason_in_chinese(tmp_path, kind, password, message):
    data, _ = _p12(kind)
    with pytest.raises(pki.PkiError, match=message):
        pki.import_pkcs12(tmp_path / "keys", data, password)


def test_signing_without_keys_says_what_to_run(tmp_path):
    with pytest.raises(pki.PkiError, match="callexam keys init"):
        pki.signer(tmp_path / "nothing")
