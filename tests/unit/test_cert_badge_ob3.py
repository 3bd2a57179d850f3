"""The Open Badge as other tools see it (issue 21): 1EdTech's published OB 3.0 JSON Schema (a test
fixture, tests/fixtures/ob3) finds 0 errors, and openbadgeslib — an independent OB 3.0 verifier from
PyPI, used here like PyJWT, test-only — verifies the VC-JWT and reads its Bitstring Status List:
after a revocation both it and our own verifier refuse the badge. Key rotation keeps old badges
verifiable."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import jwt
import pytest
from openbadgeslib.ob3 import OB3Verifier, OB3VerificationError

from certificates import badge, jws_keys, status_list, tokens, verification
from certificates.view import CertificateView

SCHEMA = json.loads((Path(__file__).parents[1] / "fixtures" / "ob3" /
                     "ob_v3p0_achievementcredential_schema.json").read_text("utf-8"))
BASE = "https://cert.example.cn"
TODAY = dt.date.today()
VIEW = CertificateView(
    number="HJ-2026-Z-000123", holder_name="陈\U0002CC56", id_masked="110***********123X", level_code="intermediate",
    level_name="中级", theory_score="86", practical_score="72.5", typing_cpm="61.3",
    issued_on=TODAY - dt.timedelta(days=10), expires_on=TODAY + dt.timedelta(days=1000), issuer="callexam 演示考点")
INDEX = 42


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inst") / "keys"
    jws_keys.init(folder)
    return folder


@pytest.fixture(scope="module")
def token(keys):
    return badge.signed(VIEW, keys, BASE, status_index=INDEX)


def pem_of(keys) -> bytes:
    from cryptography.hazmat.primitives import serialization
    return jws_keys.current_badge(keys)[1].public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def served(keys, revoked=()):
    """What /certificates/status/revocation would serve: the list signed with the badge key."""
    lists = {badge.status_list_url(BASE): badge.sign(
        status_list.credential(BASE, list(revoked), INDEX, dt.datetime.now(dt.timezone.utc)), keys, BASE).encode()}

    def download(url):
        return lists[url]
    return download


def test_the_header_is_what_ob3_and_1edtechs_validator_accept(keys, token):
    head = jwt.get_unverified_header(token)
    kid, key = jws_keys.current_badge(keys)
    assert head["alg"] == "ES256" and head["typ"] == "JWT" and "cty" not in head
    assert head["kid"] == f"{BASE}/.well-known/jwks/{kid}.json"  # absolute URL, dereferences to the JWK
    assert head["jwk"]["kty"] == "EC" and head["jwk"]["crv"] == "P-256"
    assert {k: head["jwk"][k] for k in ("x", "y")} == {k: jws_keys.public_jwk(kid, key.public_key())[k] for k in ("x", "y")}
    assert head["kid"] in [k["kid"] for k in jws_keys.jwks(keys, BASE)["keys"]]


def test_registered_claims_match_the_credential(token):
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["iss"] == claims["issuer"]["id"] == BASE and claims["jti"] == claims["id"]
    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["nbf"] == int(dt.datetime.fromisoformat(claims["validFrom"]).timestamp())
    assert claims["exp"] == int(dt.datetime.fromisoformat(claims["validUntil"]).timestamp())
    subject = claims["credentialSubject"]
    assert subject["licenseNumber"] == VIEW.number
    assert {"type": "IdentityObject", "identityType": "identifier", "hashed": False,
            "identityHash": VIEW.number} in subject["identifier"]
    assert subject["achievement"]["image"] == {"id": f"{BASE}/certificates/achievements/intermediate.svg",
                                               "type": "Image", "caption": "呼叫服务员（中级）证书徽章"}
    assert claims["credentialStatus"] == {
        "id": f"{BASE}/certificates/status/revocation#{INDEX}", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": str(INDEX),
        "statusListCredential": f"{BASE}/certificates/status/revocation"}
    assert "陈" not in json.dumps(claims, ensure_ascii=False)  # the name travels only as a salted hash


def test_1edtechs_json_schema_finds_no_errors(token):
    claims = jwt.decode(token, options={"verify_signature": False})
    validator = jsonschema.Draft201909Validator(SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(claims), key=lambda e: list(e.path))
    assert [f"{list(e.path)}: {e.message}" for e in errors] == []
    broken = {**claims, "credentialSubject": {**claims["credentialSubject"], "achievement": {"id": "x"}}}
    assert list(validator.iter_errors(broken))  # the schema does bite


def test_openbadgeslib_verifies_the_badge_and_its_status(keys, token):
    credential = OB3Verifier(pem_of(keys)).verify(token, check_status=True, download=served(keys))
    assert credential.issuer.id == BASE


def test_after_revocation_openbadgeslib_and_our_verifier_refuse_it(keys, token):
    download = served(keys, revoked=[INDEX])
    with pytest.raises(OB3VerificationError, match="revocation"):
        OB3Verifier(pem_of(keys)).verify(token, check_status=True, download=download)
    jwks = jws_keys.jwks(keys, BASE)
    fetch = lambda url: download(url)  # noqa: E731
    report = verification.verify_badge(token, jwks, fetch, None, TODAY)
    assert report.genuine and not report.ok and report.status == "revoked"
    assert "撤销" in report.reason
    good = verification.verify_badge(token, jwks, served(keys), None, TODAY)
    assert good.ok and good.status == "valid"


def test_a_list_signed_by_someone_else_or_stale_is_not_believed(keys, token, tmp_path):
    other = tmp_path / "other"
    jws_keys.init(other)
    forged = badge.sign(status_list.credential(BASE, [], INDEX, dt.datetime.now(dt.timezone.utc)), other, BASE)
    report = verification.verify_badge(token, jws_keys.jwks(keys, BASE), lambda url: forged.encode(), None, TODAY)
    assert not report.genuine and "撤销状态列表无效" in report.reason
    old = badge.sign(status_list.credential(BASE, [], INDEX, dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=3)),
                     keys, BASE)
    with pytest.raises(status_list.StatusUnknown):
        status_list.revoked(old, jwt.decode(token, options={"verify_signature": False})["credentialStatus"],
                            jws_keys.jwks(keys, BASE), BASE)


def test_tampering_and_algorithm_tricks_are_refused(keys, token):
    jwks = jws_keys.jwks(keys, BASE)
    head, body, sig = token.split(".")
    claims = json.loads(jwt.utils.base64url_decode(body))
    claims["credentialSubject"]["result"][0]["value"] = "100"
    forged = ".".join([head, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), sig])
    with pytest.raises(tokens.TokenError, match="签名与内容不符"):
        badge.verify(forged, jwks)
    none = jwt.utils.base64url_encode(json.dumps({"alg": "none", "typ": "JWT"}).encode()).decode()
    with pytest.raises(tokens.TokenError, match="只接受 ES256"):
        badge.verify(f"{none}.{body}.", jwks)
    with pytest.raises(tokens.TokenError, match="只接受 EdDSA"):
        tokens.verify(token, jwks)  # a badge is no QR token


def test_rotation_keeps_old_badges_verifiable(tmp_path):
    folder = tmp_path / "keys"
    jws_keys.init(folder)
    first = badge.signed(VIEW, folder, BASE)
    old_kid = jws_keys.current_badge(folder)[0]
    jws_keys.rotate(folder)
    assert jws_keys.current_badge(folder)[0] != old_kid
    jwks = jws_keys.jwks(folder, BASE)
    assert badge.verify(first, jwks)["credentialSubject"]["licenseNumber"] == VIEW.number
    assert jwt.get_unverified_header(badge.signed(VIEW, folder, BASE))["kid"].endswith(
        jws_keys.current_badge(folder)[0] + ".json")
    listed = jws_keys.listing(folder)
    assert {k["alg"] for k in listed} == {"EdDSA", "ES256"} and sum(k["current"] for k in listed) == 2


def test_an_instance_made_before_es256_badges_gets_its_badge_key_from_keys_init(tmp_path):
    folder = tmp_path / "keys"
    jws_keys.init(folder)
    manifest_path = folder / "jws" / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["keys"] = [k for k in manifest["keys"] if k.get("alg") != "ES256"]
    manifest.pop("current_badge")
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(jws_keys.KeysMissing, match="callexam keys init"):
        jws_keys.current_badge(folder)
    qr_kid = manifest["current"]
    assert jws_keys.init(folder) == qr_kid  # the QR key is kept
    assert jws_keys.current_badge(folder)[0]
