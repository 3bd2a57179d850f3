"""A certificate as an Open Badges 3.0 OpenBadgeCredential (a W3C Verifiable Credential), signed as
VC-JOSE (``application/vc+jwt``) so it can travel into HR systems, wallets and learning records.

The credential is signed with the same Ed25519 keys as the QR token, so the instance's JWKS checks
both. The JWS header carries the public key itself (``jwk``) beside its ``kid``: OB 3.0 verifiers
read it from there, and it must still be one of the keys published at the issuer's
``/.well-known/jwks.json`` (the profile id is the instance's address) to mean anything.

The holder is identified by a salted SHA-256 of the name (``identityHash``, OB 3.0's IdentityObject):
the name printed on the paper, NFKC-normalised with white space removed, then the salt appended.
An HR desk that knows the person's name recomputes it; a stranger holding only the badge cannot read
a name or an ID number out of it. Scores travel as OB Results against the pass marks of
``exam.standard``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import unicodedata
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from certificates import jws_keys, tokens
from certificates.payload import canonical
from certificates.view import CertificateView
from exam import standard

MEDIA_TYPE = "application/vc+jwt"
TYP = "vc+jwt"
CONTEXTS = ["https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
SCHEMA = {"id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
          "type": "1EdTechJsonSchemaValidator2019"}
DEFAULT_TZ = "Asia/Shanghai"


def _urn(base_url: str, *parts: str) -> str:
    """A stable URI for something that has no page of its own (the same input, the same id)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, '/'.join([base_url.rstrip('/'), *parts]))}"


def identity_hash(name: str, salt: str) -> str:
    """OB 3.0 ``identityHash``: "sha256$" and the hex digest of the normalised name plus the salt."""
    normalised = "".join(unicodedata.normalize("NFKC", name).split())
    return "sha256$" + hashlib.sha256((normalised + salt).encode("utf-8")).hexdigest()


def _times(view: CertificateView, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """From the start of the issue day to the end of the expiry day, in the exam centre's time zone
    (a certificate is valid through its expiry date, as ``view.status_on`` says)."""
    zone = ZoneInfo(tz)
    start = dt.datetime.combine(view.issued_on, dt.time(0, 0), zone)
    end = dt.datetime.combine(view.expires_on, dt.time(23, 59, 59), zone)
    return start, end


def _result_descriptions(base_url: str, level_code: str) -> list[dict]:
    typing_required = str(standard.TYPING_CHARS_PER_MINUTE)  # every level: the higher includes the lower
    full = str(standard.FULL_MARKS)
    return [
        {"id": _urn(base_url, "results", level_code, "theory"), "type": ["ResultDescription"],
         "name": "理论知识考试", "resultType": "RawScore", "valueMin": "0", "valueMax": full,
         "requiredValue": str(standard.THEORY_PASS_MARK)},
        {"id": _urn(base_url, "results", level_code, "practical"), "type": ["ResultDescription"],
         "name": "操作技能考核", "resultType": "RawScore", "valueMin": "0", "valueMax": full,
         "requiredValue": str(standard.PRACTICAL_PASS_MARK)},
        {"id": _urn(base_url, "results", level_code, "typing"), "type": ["ResultDescription"],
         "name": "汉字录入速度（字/分，净速度）", "resultType": "Result", "requiredValue": typing_required},
    ]


def credential(view: CertificateView, base_url: str, tz: str = DEFAULT_TZ, salt: str | None = None) -> dict:
    """The OpenBadgeCredential JSON for one certificate (unsigned)."""
    base = base_url.rstrip("/")
    salt = salt if salt is not None else secrets.token_hex(16)
    valid_from, valid_until = _times(view, tz)
    descriptions = _result_descriptions(base, view.level_code)
    values = (view.theory_score, view.practical_score, view.typing_cpm)
    issuer = {"id": base, "type": ["Profile"], "name": view.issuer, "url": base}
    achievement = {
        "id": _urn(base, "achievements", view.level_code),
        "type": ["Achievement"],
        "achievementType": "Certification",
        "name": f"呼叫服务员（{view.level_name}）",
        "description": f"呼叫服务员职业技能等级（{view.level_name}）：理论知识考试、操作技能考核和汉字录入均达到标准。",
        "criteria": {"narrative": (
            f"理论知识考试不低于 {standard.THEORY_PASS_MARK} 分、操作技能考核不低于 {standard.PRACTICAL_PASS_MARK} 分"
            f"（满分均为 {standard.FULL_MARKS} 分），汉字录入净速度不低于 {descriptions[2]['requiredValue']} 字/分。")},
        "inLanguage": "zh-CN",
        "tag": ["呼叫服务员", view.level_name],
        "creator": issuer,
        "resultDescription": descriptions,
    }
    return {
        "@context": CONTEXTS,
        "id": _urn(base, "certificates", view.number),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": view.title,
        "description": f"证书编号 {view.number}，可在 {base}/verify 核验。",
        "issuer": issuer,
        "validFrom": valid_from.isoformat(),
        "validUntil": valid_until.isoformat(),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": True,
                            "identityHash": identity_hash(view.holder_name, salt), "salt": salt}],
            "achievement": achievement,
            "result": [{"type": ["Result"], "resultDescription": d["id"], "value": v}
                       for d, v in zip(descriptions, values) if v != ""],
        },
        "credentialSchema": [SCHEMA],
    }


def sign(credential_json: dict, folder: Path) -> str:
    """VC-JOSE compact JWS: the credential is the claim set, with the JWT time claims beside it
    (consistent with validFrom/validUntil) so plain JWT libraries check the window too."""
    start = dt.datetime.fromisoformat(credential_json["validFrom"])
    end = dt.datetime.fromisoformat(credential_json["validUntil"])
    claims = {**credential_json, "iss": credential_json["issuer"]["id"], "jti": credential_json["id"],
              "nbf": int(start.timestamp()), "exp": int(end.timestamp()) + 1,
              "iat": int(dt.datetime.now(dt.timezone.utc).timestamp())}
    kid, private_key = jws_keys.current(folder)
    jwk = jws_keys.public_jwk(kid, private_key.public_key())
    return tokens.sign_bytes(canonical(claims), folder, typ=TYP, extra_header={"cty": "vc", "jwk": jwk})


def signed(view: CertificateView, folder: Path, base_url: str, tz: str = DEFAULT_TZ) -> str:
    """What the candidate downloads (``MEDIA_TYPE``, e.g. ``证书-<number>.jwt``)."""
    return sign(credential(view, base_url, tz), folder)


def verify(token: str, jwks: dict, now=None) -> dict:
    """The credential of a good badge (time window included); tokens.TokenError otherwise."""
    return tokens.verify(token, jwks, now=now, typ=TYP)
