"""QR tokens and Open Badges: our compact JWS checked by an independent library (PyJWT), and every
way a token can be wrong refused with a reason: altered, forged, unknown key, wrong algorithm."""

from __future__ import annotations

import base64
import datetime as dt
import json
import multiprocessing
import stat

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from certificates import badge, jws_keys, tokens
from certificates.payload import canonical
from certificates.view import CertificateView
from exam import standard

#: joserfc flags the "EdDSA" name (RFC 9864 prefers "Ed25519"); the issue and PyJWT use EdDSA.
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated")

VIEW = CertificateView(
    number="HJ-2026-Z-000123", holder_name="张 三", id_masked="110***********123X", level_code="intermediate",
    level_name="中级", theory_score="86", practical_score="72.5", typing_cpm="61.3",
    issued_on=dt.date(2026, 7, 1), expires_on=dt.date(2029, 6, 30), issuer="callexam 演示考点")
FIELDS = VIEW.fields()


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """A key folder with a token signed by the first key, then rotated (read-only for the tests)."""
    folder = tmp_path_factory.mktemp("inst") / "keys"
    first = jws_keys.init(folder)
    old_token = tokens.sign(FIELDS, folder)
    second = jws_keys.rotate(folder)
    return {"folder": folder, "first": first, "second": second, "old_token": old_token,
            "token": tokens.sign(FIELDS, folder), "jwks": jws_keys.jwks(folder)}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _pyjwt_keys(jwks: dict) -> dict:
    return {k.key_id: k for k in jwt.PyJWKSet.from_dict(jwks).keys}


# --- the canonical payload ------------------------------------------------------------------------

def test_canonical_is_sorted_compact_utf8():
    assert canonical({"b": "张三", "a": {"d": 1, "c": [True, None]}}) == \
        '{"a":{"c":[true,null],"d":1},"b":"张三"}'.encode("utf-8")
    assert canonical(FIELDS) == canonical(dict(reversed(list(FIELDS.items()))))


@pytest.mark.parametrize("bad", [{"score": 86.0}, {"x": [float("nan")]}, {1: "a"}, {"d": dt.date(2026, 1, 1)}])
def test_canonical_refuses_what_would_not_read_back_the_same(bad):
    with pytest.raises(TypeError):
        canonical(bad)


# --- keys on disk ---------------------------------------------------------------------------------

def test_keys_are_owner_only_and_init_is_idempotent(keys):
    folder = keys["folder"]
    assert jws_keys.init(folder) == keys["second"]  # init again changes nothing
    for path in (folder, folder / "jws"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    files = list((folder / "jws").iterdir())
    assert {p.name for p in files} >= {f"{keys['first']}.pem", f"{keys['second']}.pem", "manifest.json"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert not any(p.name.endswith(".tmp") for p in files)


def test_kid_is_derived_from_the_key(keys):
    kid, private = jws_keys.current(keys["folder"])
    assert kid == keys["second"] == jws_keys.kid_of(private.public_key())
    assert len(kid) == jws_keys.KID_LENGTH and keys["first"] != keys["second"]


def test_jwks_lists_every_key_public_only_current_first(keys):
    listed = [k for k in keys["jwks"]["keys"] if k["alg"] == "EdDSA"]
    assert keys["jwks"]["keys"][0]["kid"] == keys["second"]  # the current QR key first
    assert [k["kid"] for k in listed] == [keys["second"], keys["first"]]
    for jwk in listed:
        assert jwk.keys() == {"kty", "crv", "x", "kid", "alg", "use"}  # no "d": nothing private
        assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("OKP", "Ed25519", "EdDSA", "sig")
    badges = [k for k in keys["jwks"]["keys"] if k["alg"] == "ES256"]
    assert len(badges) == 2  # one badge key per rotation, kept like the QR keys
    for jwk in badges:
        assert jwk.keys() == {"kty", "crv", "x", "y", "kid", "alg", "use"}
        assert (jwk["kty"], jwk["crv"], jwk["use"]) == ("EC", "P-256", "sig")
    assert [k["current"] for k in jws_keys.listing(keys["folder"]) if k["alg"] == "EdDSA"] == [True, False]


def test_a_missing_key_folder_says_what_to_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="callexam keys init"):
        jws_keys.current(tmp_path / "keys")
    with pytest.raises(FileNotFoundError):
        tokens.sign(FIELDS, tmp_path / "keys")


def test_a_swapped_key_file_is_noticed(tmp_path):
    folder = tmp_path / "keys"
    kid = jws_keys.init(folder)
    other = jws_keys.init(tmp_path / "other")
    (folder / "jws" / f"{kid}.pem").write_bytes((tmp_path / "other" / "jws" / f"{other}.pem").read_bytes())
    with pytest.raises(ValueError, match="不符"):
        jws_keys.current(folder)


def _init_in(folder):
    return jws_keys.init(folder)


def test_concurrent_first_runs_make_one_key(tmp_path):
    folder = tmp_path / "keys"
    with multiprocessing.get_context("fork").Pool(4) as pool:
        kids = pool.map(_init_in, [folder] * 8)
    assert len(set(kids)) == 1
    pems = sorted(p.name for p in (folder / "jws").glob("*.pem"))  # one QR key, one badge key
    assert len(pems) == 2 and f"{kids[0]}.pem" in pems


# --- tokens -------------------------------------------------------------------------------------

def test_token_header_and_payload(keys):
    head = jwt.get_unverified_header(keys["token"])
    assert head == {"alg": "EdDSA", "kid": keys["second"], "typ": tokens.TYP}
    assert _unb64(keys["token"].split(".")[1]) == canonical(FIELDS)


def test_pyjwt_verifies_our_token_independently(keys):
    by_kid = _pyjwt_keys(keys["jwks"])
    for token in (keys["token"], keys["old_token"]):
        kid = jwt.get_unverified_header(token)["kid"]
        assert jwt.decode(token, by_kid[kid], algorithms=["EdDSA"]) == FIELDS


def test_verify_returns_the_fields(keys):
    assert tokens.verify(keys["token"], keys["jwks"]) == FIELDS
    assert tokens.verify(f"  {keys['token']}\n", keys["jwks"]) == FIELDS  # as pasted from a scanner


def test_a_token_signed_before_rotation_still_verifies(keys):
    assert jwt.get_unverified_header(keys["old_token"])["kid"] == keys["first"]
    assert tokens.verify(keys["old_token"], keys["jwks"]) == FIELDS


def _altered(token: str, **changes) -> str:
    head, body, sig = token.split(".")
    fields = json.loads(_unb64(body))
    fields.update(changes)
    return ".".join([head, _b64(canonical(fields)), sig])


def test_an_altered_token_fails_here_and_in_pyjwt(keys):
    bad = _altered(keys["token"], theory_score="96")
    with pytest.raises(tokens.TokenError, match="被改动"):
        tokens.verify(bad, keys["jwks"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(bad, _pyjwt_keys(keys["jwks"])[keys["second"]], algorithms=["EdDSA"])


def test_a_forged_token_under_our_kid_fails(keys, tmp_path):
    """Someone's own Ed25519 key, our key id in the header: the signature does not match our key."""
    forger = ed25519.Ed25519PrivateKey.generate()
    head = {"alg": "EdDSA", "kid": keys["second"], "typ": tokens.TYP}
    signing_input = f"{_b64(canonical(head))}.{_b64(canonical(FIELDS))}"
    forged = f"{signing_input}.{_b64(forger.sign(signing_input.encode()))}"
    with pytest.raises(tokens.TokenError, match="签名与内容不符"):
        tokens.verify(forged, keys["jwks"])
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(forged, _pyjwt_keys(keys["jwks"])[keys["second"]], algorithms=["EdDSA"])


def test_a_token_from_another_instance_names_an_unknown_kid(keys, tmp_path):
    other = tmp_path / "other"
    kid = jws_keys.init(other)
    token = tokens.sign(FIELDS, other)
    assert tokens.verify(token, jws_keys.jwks(other)) == FIELDS
    with pytest.raises(tokens.TokenError, match=f"签名密钥 {kid} 不在本考点公布的公钥集中"):
        tokens.verify(token, keys["jwks"])


def test_a_wrong_kid_on_a_good_signature_fails(keys):
    """Our own signature relabelled with the other key's id: checked against that key, it fails."""
    head, body, sig = keys["token"].split(".")
    relabelled = {"alg": "EdDSA", "kid": keys["first"], "typ": tokens.TYP}
    with pytest.raises(tokens.TokenError, match="签名与内容不符"):
        tokens.verify(".".join([_b64(canonical(relabelled)), body, sig]), keys["jwks"])


@pytest.mark.parametrize("alg", ["none", "HS256", "ES256", "Ed25519"])
def test_other_algorithms_are_refused(keys, alg):
    head, body, sig = keys["token"].split(".")
    header = {"alg": alg, "kid": keys["second"], "typ": tokens.TYP}
    with pytest.raises(tokens.TokenError, match="签名算法"):
        tokens.verify(".".join([_b64(canonical(header)), body, "" if alg == "none" else sig]), keys["jwks"])


def test_hmac_with_the_public_key_as_secret_is_refused(keys):
    x = keys["jwks"]["keys"][0]["x"]
    token = jwt.encode(FIELDS, _unb64(x), algorithm="HS256", headers={"kid": keys["second"], "typ": tokens.TYP})
    with pytest.raises(tokens.TokenError, match="签名算法 'HS256'"):
        tokens.verify(token, keys["jwks"])


@pytest.mark.parametrize("junk", ["", "   ", "abc", "a.b.c", "a.b", "....", "eyJ9.eyJ9.eyJ9", "é.é.é", "x" * 9000])
def test_junk_raises_token_error_only(keys, junk):
    with pytest.raises(tokens.TokenError):
        tokens.verify(junk, keys["jwks"])


def test_every_single_character_change_fails_or_reads_the_same(keys):
    """No flipped character yields different fields or an exception other than TokenError (a
    base64 tail character may carry unused bits, so a change there can decode to the same bytes)."""
    token = keys["token"]
    for i in range(0, len(token)):
        if token[i] == ".":
            continue
        changed = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
        try:
            assert tokens.verify(changed, keys["jwks"]) == FIELDS
        except tokens.TokenError:
            pass


def test_a_non_canonical_payload_is_refused_even_when_signed(keys):
    """Signed by our key but spaced JSON: not something we issue (keeps one byte form per certificate)."""
    spaced = json.dumps(FIELDS, ensure_ascii=False, indent=1).encode()
    token = tokens.sign_bytes(spaced, keys["folder"])
    with pytest.raises(tokens.TokenError, match="规范格式"):
        tokens.verify(token, keys["jwks"])


def test_typ_keeps_badges_and_qr_tokens_apart(keys, badge_jwt):
    with pytest.raises(tokens.TokenError, match="只接受 EdDSA"):
        tokens.verify(badge_jwt, keys["jwks"])
    with pytest.raises(tokens.TokenError, match="只接受 ES256"):
        badge.verify(keys["token"], keys["jwks"])


def test_the_token_fits_a_printable_qr_code(keys):
    """Measured: ~550 characters for a Chinese certificate (QR version ≈ 17-19 in byte mode, ECC M)."""
    assert len(keys["token"]) < 700


# --- the Open Badge ---------------------------------------------------------------------------------

BASE = "https://cert.example.cn"


@pytest.fixture(scope="module")
def credential():
    return badge.credential(VIEW, BASE, salt="0123456789abcdef")


@pytest.fixture(scope="module")
def badge_jwt(keys):
    return badge.signed(VIEW, keys["folder"], BASE)


def test_badge_has_the_ob3_required_fields(credential):
    c = credential
    assert c["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert any("purl.imsglobal.org/spec/ob/v3p0/context" in ctx for ctx in c["@context"])
    assert c["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert c["id"].startswith("urn:uuid:") and c["name"] == VIEW.title
    assert c["issuer"]["id"] == BASE and "Profile" in c["issuer"]["type"] and c["issuer"]["name"] == VIEW.issuer
    assert c["validFrom"] == "2026-07-01T00:00:00+08:00" and c["validUntil"] == "2029-06-30T23:59:59+08:00"
    subject = c["credentialSubject"]
    assert "AchievementSubject" in subject["type"]
    achievement = subject["achievement"]
    for name in ("id", "type", "criteria", "description", "name"):
        assert achievement[name], name
    assert "Achievement" in achievement["type"] and achievement["achievementType"] == "Certification"
    assert f"{standard.THEORY_PASS_MARK} 分" in achievement["criteria"]["narrative"]
    assert f"{standard.TYPING_CHARS_PER_MINUTE} 字/分" in achievement["criteria"]["narrative"]
    for description in achievement["resultDescription"]:
        assert {"id", "type", "name", "resultType"} <= description.keys()
    assert [r["value"] for r in subject["result"]] == ["86", "72.5", "61.3"]
    assert {r["resultDescription"] for r in subject["result"]} == {d["id"] for d in achievement["resultDescription"]}


def test_badge_identifies_the_holder_by_hash_only(credential):
    identity, number = credential["credentialSubject"]["identifier"]
    assert number["identityHash"] == VIEW.number and number["hashed"] is False
    assert identity["type"] == "IdentityObject" and identity["hashed"] is True and identity["identityType"] == "name"
    assert identity["identityHash"] == badge.identity_hash("张三", identity["salt"])  # white space is not part of a name
    text = json.dumps(credential, ensure_ascii=False)
    assert "张" not in text and VIEW.id_masked not in text  # no name, no ID number in clear


def test_badge_ids_are_stable(credential):
    again = badge.credential(VIEW, BASE + "/", salt="other")
    assert again["id"] == credential["id"]
    assert again["credentialSubject"]["achievement"]["id"] == credential["credentialSubject"]["achievement"]["id"]


def test_pyjwt_verifies_the_badge(keys, badge_jwt):
    head = jwt.get_unverified_header(badge_jwt)
    published = jws_keys.jwks(keys["folder"], BASE)
    assert (head["alg"], head["typ"]) == ("ES256", "JWT") and head["kid"].startswith(BASE + "/.well-known/jwks/")
    [key] = [k for k in published["keys"] if k["kid"] == head["kid"]]
    assert {k: head["jwk"][k] for k in ("kty", "crv", "x", "y")} == {k: key[k] for k in ("kty", "crv", "x", "y")}
    claims = jwt.decode(badge_jwt, _pyjwt_keys(published)[head["kid"]], algorithms=["ES256"],
                        options={"require": ["iss", "jti", "nbf", "exp", "sub"]},
                        leeway=dt.timedelta(days=3650))  # the test's validity window is fixed in 2026-2029
    assert claims["iss"] == claims["issuer"]["id"] == BASE and claims["jti"] == claims["id"]
    assert claims["sub"] == claims["credentialSubject"]["id"]
    assert claims["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert dt.datetime.fromtimestamp(claims["exp"], dt.timezone.utc) == dt.datetime.fromisoformat(claims["validUntil"])


def test_badge_verify_checks_its_validity_window(keys, badge_jwt):
    inside = dt.datetime(2027, 1, 1)
    assert badge.verify(badge_jwt, keys["jwks"], now=inside)["credentialSubject"]["result"][0]["value"] == "86"
    with pytest.raises(tokens.TokenError, match="已过有效期"):
        badge.verify(badge_jwt, keys["jwks"], now=dt.datetime(2029, 6, 30, 16, 0))  # 00:00 on 1 July in Beijing
    with pytest.raises(tokens.TokenError, match="尚未生效"):
        badge.verify(badge_jwt, keys["jwks"], now=dt.datetime(2026, 6, 30, 15, 59))


def test_an_altered_badge_fails(keys, badge_jwt):
    head, body, sig = badge_jwt.split(".")
    claims = json.loads(_unb64(body))
    claims["credentialSubject"]["result"][0]["value"] = "100"
    with pytest.raises(tokens.TokenError, match="被改动"):
        badge.verify(".".join([head, _b64(canonical(claims)), sig]), keys["jwks"], now=dt.datetime(2027, 1, 1))
