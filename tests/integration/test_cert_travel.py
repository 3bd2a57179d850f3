"""Certificates that travel and stay true (issue 21), through the web app on real databases:
陈𬱖 (U+2CC56) is issued, reissued and downloaded as a PDF that reads back with his name; a name no
font can print is refused before anything changes; the candidate's Open Badge verifies on our upload
page, with openbadgeslib against our served JWKS key and status list, and after revocation both
refuse it."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from openbadgeslib.ob3 import OB3Verifier, OB3VerificationError

from certificates import jws_keys, pki, service
from exam.timeutil import utcnow
from tests.integration.test_certificates import certs, finished, published  # noqa: F401  (fixtures)
from tests.webclient import csrf_token, login

RARE = "陈\U0002CC56"


@pytest.fixture
def keyed(app, published):  # noqa: F811
    keys = Path(app.config["INSTANCE_PATH"]) / "keys"
    pki.init(keys)
    jws_keys.init(keys)
    return published


def pdftotext(body: bytes, tmp_path) -> str:
    path = tmp_path / "c.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_a_rare_name_is_reissued_and_printed(app, client, engine, users, keyed, tmp_path):
    [old] = certs(engine)
    new_id, number = service.reissue(engine, old.id, RARE, "姓名用字更正", users["examiner"], utcnow())
    login(client, "cand1")
    resp = client.get(f"/candidate/certificates/{new_id}/certificate.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    words = pdftotext(resp.get_data(), tmp_path)
    assert RARE in words and number in words
    login(client, "examiner")
    assert client.get(f"/examiner/certificates/{new_id}/certificate.pdf").status_code == 200


def test_an_unprintable_name_is_refused_before_anything_changes(engine, users, published):  # noqa: F811
    [old] = certs(engine)
    with pytest.raises(service.CertificateError, match=r"U\+F0000"):
        service.reissue(engine, old.id, "王\U000F0000", "改名", users["examiner"], utcnow())
    [still] = certs(engine)
    assert still.revoked_at is None and still.replaced_by_id is None


def _upload(client, data: bytes, filename: str) -> str:
    token = csrf_token(client, "/verify/pdf")
    resp = client.post("/verify/pdf", data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data", environ_base={"REMOTE_ADDR": "10.9.0.1"})
    assert resp.status_code == 200
    return resp.get_data(as_text=True)


def test_the_badge_verifies_here_and_elsewhere_until_it_is_revoked(app, client, engine, users, keyed):
    [cert] = certs(engine)
    login(client, "cand1")
    badge_jwt = client.get(f"/candidate/certificates/{cert.id}/badge.jwt").get_data(as_text=True)
    client.get("/logout")

    page = _upload(client, badge_jwt.encode(), "证书.jwt")
    assert "证书真实有效" in page and cert.number in page and "未撤销" in page
    page = _upload(client, ('{"jwt": "%s"}' % badge_jwt).encode(), "wallet-export.json")
    assert "证书真实有效" in page
    api = client.post("/api/v1/verify", data=badge_jwt.encode(), content_type="application/jwt")
    assert api.status_code == 200 and api.json["ok"] is True
    assert {c["name"]: c["result"] for c in api.json["checks"]}["撤销状态列表"] == "pass"

    import jwt
    kid_url = jwt.get_unverified_header(badge_jwt)["kid"]
    path = kid_url.split("://", 1)[1].split("/", 1)[1]
    jwk = client.get("/" + path)
    assert jwk.status_code == 200 and jwk.json["kty"] == "EC" and jwk.json["kid"] == kid_url
    assert kid_url in [k["kid"] for k in client.get("/.well-known/jwks.json").json["keys"]]
    image = client.get("/certificates/achievements/junior.svg")
    assert image.status_code == 200 and image.mimetype == "image/svg+xml"

    def download(url):
        return client.get("/" + url.split("://", 1)[1].split("/", 1)[1]).get_data()
    pem = jwt.PyJWK(jwk.json).key.public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    OB3Verifier(pem).verify(badge_jwt, check_status=True, download=download)

    service.revoke(engine, cert.id, "资格取消", users["examiner"], utcnow())
    with pytest.raises(OB3VerificationError, match="revocation"):
        OB3Verifier(pem).verify(badge_jwt, check_status=True, download=download)
    page = _upload(client, badge_jwt.encode(), "证书.jwt")
    assert "证书真实有效" not in page and "已撤销" in page and "verify-ok" not in page
    api = client.post("/api/v1/verify", data=badge_jwt.encode(), content_type="application/jwt")
    assert api.status_code == 200 and api.json["ok"] is False and api.json["status"] == "revoked"
