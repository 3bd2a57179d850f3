"""Signing keys as an operator and a verifier meet them: ``callexam keys`` init/rotate/list/import
(owner-only files, audited), the public JWKS that PyJWT verifies our tokens with, the CA download."""

from __future__ import annotations

import datetime as dt
import json
import stat
from pathlib import Path

import jwt
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import text

from certificates import jws_keys, pki, tokens
from exam import db
from exam.audit import chain
from exam.cli import main

pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")

FIELDS = {"number": "HJ-2026-C-000001", "holder_name": "李四", "id_masked": "440***********0021",
          "level_code": "junior", "level_name": "初级", "theory_score": "75", "practical_score": "68",
          "typing_cpm": "55", "issued_on": "2026-07-01", "expires_on": "2029-06-30", "issuer": "callexam 演示考点"}


def _folder(app) -> Path:
    return Path(app.config["INSTANCE_PATH"]) / "keys"


# --- the public endpoints -------------------------------------------------------------------------

def test_before_keys_exist_both_downloads_say_so_in_chinese(client):
    resp = client.get("/.well-known/jwks.json")
    assert resp.status_code == 503 and "callexam keys init" in resp.get_json()["error"]
    resp = client.get("/certificates/ca.pem")
    assert resp.status_code == 503 and "尚未生成签名密钥" in resp.get_data(as_text=True)


def test_the_jwks_is_public_and_verifies_tokens_across_a_rotation(app, client):
    folder = _folder(app)
    jws_keys.init(folder)
    old_token = tokens.sign(FIELDS, folder)
    new_kid = jws_keys.rotate(folder)
    new_token = tokens.sign(FIELDS, folder)

    resp = client.get("/.well-known/jwks.json")  # nobody signed in
    assert resp.status_code == 200 and resp.mimetype == "application/jwk-set+json"
    assert resp.headers["Access-Control-Allow-Origin"] == "*" and "max-age" in resp.headers["Cache-Control"]
    served = json.loads(resp.get_data())
    assert served["keys"][0]["kid"] == new_kid and len(served["keys"]) == 4  # QR and badge key per rotation
    assert all("d" not in key for key in served["keys"])

    keyset = jwt.PyJWKSet.from_dict(served)  # an HR system's own library, given only what we serve
    for token in (old_token, new_token):
        key = keyset[jwt.get_unverified_header(token)["kid"]]
        assert jwt.decode(token, key, algorithms=["EdDSA"]) == FIELDS
        assert tokens.verify(token, served) == FIELDS


def test_the_ca_certificate_is_public_and_issued_the_signer(app, client):
    folder = _folder(app)
    pki.init(folder)
    resp = client.get("/certificates/ca.pem")
    assert resp.status_code == 200 and resp.mimetype == "application/x-pem-file"
    assert "attachment" in resp.headers["Content-Disposition"]
    assert resp.get_data() == pki.ca_certificate_pem(folder)
    ca = x509.load_pem_x509_certificate(resp.get_data())
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    pki.signer_certificate(folder).verify_directly_issued_by(ca)
    assert b"PRIVATE" not in resp.get_data()


# --- the CLI ----------------------------------------------------------------------------------------

@pytest.fixture
def cli(tmp_path, db_url):
    instance = tmp_path / "instance"
    runner = CliRunner()

    def run(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False,
                             env={"CALLEXAM_INSTANCE": str(instance), "DATABASE_URL": db_url,
                                  "CALLEXAM_P12_PASSWORD": None})
    run.keys = instance / "keys"
    run.engine = db.engine_for(db_url)
    return run


def _audited(engine, action: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT detail FROM audit_event WHERE action = :a ORDER BY seq"), {"a": action})
        return [row.detail if isinstance(row.detail, dict) else json.loads(row.detail) for row in rows]


def test_keys_init_makes_owner_only_keys_once_and_audits_it(cli):
    result = cli("keys", "init", "--organisation", "某某职业技能鉴定站")
    assert result.exit_code == 0, result.output
    kid = jws_keys.current(cli.keys)[0]
    assert f"当前密钥编号 {kid}" in result.output and "已生成自签发根证书" in result.output
    files = [p for p in cli.keys.rglob("*")]
    assert {p.name for p in files} >= {"jws", "manifest.json", f"{kid}.pem", pki.SIGNER_KEY, pki.CA_KEY}
    for path in [cli.keys, *files]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
    assert "某某职业技能鉴定站" in pki.signer_certificate(cli.keys).subject.rfc4514_string()

    again = cli("keys", "init")
    assert again.exit_code == 0 and "已存在" in again.output
    assert jws_keys.current(cli.keys)[0] == kid
    assert _audited(cli.engine, "keys.init") == [{"kid": kid, "pdf_signer": "self-signed CA"}]
    assert chain.verify(cli.engine).ok


def test_keys_rotate_and_list(cli):
    assert cli("keys", "init").exit_code == 0
    first = jws_keys.current(cli.keys)[0]
    result = cli("keys", "rotate")
    second = jws_keys.current(cli.keys)[0]
    assert result.exit_code == 0 and second != first
    assert f"已换用新密钥 {second}" in result.output and f"旧密钥 {first} 保留" in result.output
    assert _audited(cli.engine, "keys.rotate") == [{"kid": second, "previous": first}]

    listing = cli("keys", "list")
    assert listing.exit_code == 0
    lines = listing.output.splitlines()
    assert second in lines[1] and "（当前）" in lines[1] and first in lines[2] and "当前" not in lines[2]
    assert "SHA-256 指纹" in listing.output


def test_keys_commands_before_init_say_what_to_run(cli):
    for command in ("rotate", "list"):
        result = cli("keys", command)
        assert result.exit_code == 1 and "callexam keys init" in result.output


def _organisation_p12(password: bytes) -> tuple[bytes, x509.Certificate]:
    """An organisation's CA and the signer it issued, as the organisation's IT would export them."""
    now = dt.datetime.now(dt.timezone.utc)

    def cert(subject, issuer, key, signer_key, ca):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=365))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .sign(signer_key, hashes.SHA256()))

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "某市人社局"),
                          x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = cert(name("某市人社局根CA"), name("某市人社局根CA"), ca_key, ca_key, True)
    signer = cert(name("证书签名"), ca.subject, key, ca_key, False)
    data = pkcs12.serialize_key_and_certificates(b"signer", key, signer, [ca],
                                                  serialization.BestAvailableEncryption(password))
    return data, ca


def test_keys_import_replaces_the_pdf_signer_and_keeps_old_roots(cli, tmp_path):
    assert cli("keys", "init").exit_code == 0
    own_root = pki.ca_certificate_pem(cli.keys)
    data, org_root = _organisation_p12(b"p12-secret")
    p12 = tmp_path / "org.p12"
    p12.write_bytes(data)

    wrong = cli("keys", "import", str(p12), "--password", "nope")
    assert wrong.exit_code == 1 and "密码错误" in wrong.output and "原有签名证书未改动" in wrong.output
    assert pki.ca_certificate_pem(cli.keys) == own_root

    result = cli("keys", "import", str(p12), "--password", input="p12-secret\n")  # prompted, not echoed
    assert result.exit_code == 0, result.output
    assert "CN=证书签名" in result.output and "p12-secret" not in result.output
    assert x509.load_pem_x509_certificate(pki.ca_certificate_pem(cli.keys)) == org_root
    assert len(pki.trust_roots(cli.keys)) == 2  # PDFs signed under the old root still check as trusted
    assert stat.S_IMODE((cli.keys / pki.SIGNER_KEY).stat().st_mode) == 0o600
    [detail] = _audited(cli.engine, "keys.import")
    assert "证书签名" in detail["subject"]
    assert chain.verify(cli.engine).ok
