"""A certificate as an Open Badges 3.0 AchievementCredential (a W3C Verifiable Credential), signed
as a VC-JWT by OB 3.0 §8.2 so it travels into HR systems, wallets and backpacks built on 1EdTech's
validator and is still checked there.

- **Algorithm and key.** ES256 on a P-256 key (``jws_keys.current_badge``): 1EdTech's validator
  accepts only RS256/ES256, so the QR token's Ed25519 (kept short for the printed code) is not used
  here. The JOSE header is ``{"alg": "ES256", "typ": "JWT", "kid": <absolute URL>, "jwk": …}``: the
  ``kid`` dereferences to the key's JWK, a member of ``/.well-known/jwks.json``; the embedded ``jwk``
  must equal it to mean anything.
- **Claims.** The payload is the credential itself with the registered claims §8.2.4.1 maps:
  ``iss`` = issuer.id, ``jti`` = id, ``sub`` = credentialSubject.id, ``nbf`` = validFrom and
  ``exp`` = validUntil (the same instant).
- **Revocation that travels.** ``credentialStatus`` is a ``BitstringStatusListEntry`` whose index
  is the register row's id in the signed list at ``/certificates/status/revocation``
  (``status_list``), regenerated from the register on every revocation or reissue.
- **Holder.** Identified by a salted SHA-256 of the printed name (OB 3.0 ``identityHash``: the name
  NFKC-normalised with white space removed, then the salt appended), so a stranger holding the badge
  cannot read a name or an ID number out of it; the certificate number travels in clear as
  ``licenseNumber`` and as an ``identifier``. Scores travel as OB Results against the pass marks of
  ``exam.standard``; the achievement has an image (``/certificates/achievements/<level>.svg``).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
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
TYP = "JWT"            # OB 3.0 §8.2.3: "If present, MUST be set to JWT"
ALG = jws_keys.BADGE_ALG
STATUS_PATH = "/certificates/status/revocation"
IMAGE_PATH = "/certificates/achievements/{level}.svg"
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


def status_list_url(base_url: str) -> str:
    return base_url.rstrip("/") + STATUS_PATH


def status_entry(base_url: str, index: int) -> dict:
    """W3C Bitstring Status List entry: bit ``index`` of the revocation list."""
    url = status_list_url(base_url)
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
            "statusListIndex": str(index), "statusListCredential": url}


def credential(view: CertificateView, base_url: str, tz: str = DEFAULT_TZ, salt: str | None = None,
               status_index: int | None = None) -> dict:
    """The OpenBadgeCredential JSON for one certificate (unsigned); ``status_index`` (the register
    row's id) adds the ``credentialStatus`` every badge handed out carries."""
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
        "image": {"id": base + IMAGE_PATH.format(level=view.level_code), "type": "Image",
                  "caption": f"呼叫服务员（{view.level_name}）证书徽章"},
        "creator": issuer,
        "resultDescription": descriptions,
    }
    out = {
        "@context": CONTEXTS,
        "id": _urn(base, "certificates", view.number),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": view.title,
        "description": f"证书编号 {view.number}，可在 {base}/verify 核验。",
        "issuer": issuer,
        "validFrom": valid_from.isoformat(),
        "validUntil": valid_until.isoformat(),
        "awardedDate": valid_from.isoformat(),
        "credentialSubject": {
            "id": _urn(base, "holders", view.number),
            "type": ["AchievementSubject"],
            "licenseNumber": view.number,
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": True,
                            "identityHash": identity_hash(view.holder_name, salt), "salt": salt},
                           {"type": "IdentityObject", "identityType": "identifier", "hashed": False,
                            "identityHash": view.number}],
            "achievement": achievement,
            "result": [{"type": ["Result"], "resultDescription": d["id"], "value": v}
                       for d, v in zip(descriptions, values) if v != ""],
        },
        "credentialSchema": [SCHEMA],
    }
    if status_index is not None:
        out["credentialStatus"] = status_entry(base, status_index)
    return out


def registered_claims(credential_json: dict) -> dict:
    """The credential as a JWT claim set, with the registered claims OB 3.0 §8.2.4.1 maps."""
    issuer = credential_json["issuer"]
    claims = {**credential_json, "iss": issuer["id"] if isinstance(issuer, dict) else issuer, "jti": credential_json["id"],
              "nbf": int(dt.datetime.fromisoformat(credential_json["validFrom"]).timestamp())}
    subject = credential_json.get("credentialSubject") or {}
    if subject.get("id"):
        claims["sub"] = subject["id"]
    if credential_json.get("validUntil"):
        claims["exp"] = int(dt.datetime.fromisoformat(credential_json["validUntil"]).timestamp())
    return claims


def sign_claims(claims: dict, folder: Path, base_url: str) -> str:
    """A compact ES256 JWS over ``claims`` with the current badge key (badges and the status list)."""
    from joserfc import jws
    from joserfc.jwk import ECKey
    from cryptography.hazmat.primitives import serialization

    kid, private_key = jws_keys.current_badge(folder)
    url = jws_keys.key_url(base_url, kid)
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    header = {"alg": ALG, "typ": TYP, "kid": url, "jwk": jws_keys.public_jwk(url, private_key.public_key())}
    return jws.serialize_compact(header, canonical(claims), ECKey.import_key(pem), algorithms=[ALG])


def sign(credential_json: dict, folder: Path, base_url: str | None = None) -> str:
    """VC-JWT: the credential is the claim set, the registered claims beside it."""
    claims = registered_claims(credential_json)
    return sign_claims(claims, folder, base_url or claims["iss"])


def signed(view: CertificateView, folder: Path, base_url: str, tz: str = DEFAULT_TZ,
           status_index: int | None = None) -> str:
    """What the candidate downloads (``MEDIA_TYPE``, e.g. ``证书-<number>.jwt``)."""
    return sign(credential(view, base_url, tz, status_index=status_index), folder, base_url)


# ---------------------------------------------------------------- verification

def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _public_key(jwks: dict, kid: str):
    from joserfc.jwk import ECKey
    wanted = jws_keys.short_kid(kid)
    for jwk in (jwks.get("keys", []) if isinstance(jwks, dict) else []):
        if isinstance(jwk, dict) and jws_keys.short_kid(str(jwk.get("kid", ""))) == wanted:
            if jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
                raise tokens.TokenError(f"密钥 {wanted} 不是 P-256 公钥")
            try:
                return ECKey.import_key({k: jwk[k] for k in ("kty", "crv", "x", "y") if k in jwk})
            except (ValueError, TypeError) as exc:
                raise tokens.TokenError(f"公钥集中的密钥 {wanted} 已损坏") from exc
    raise tokens.TokenError(f"签名密钥 {wanted} 不在本考点公布的公钥集中（伪造的徽章，或来自其他考点）")


def verify_jwt(token: str, jwks: dict, now=None, what: str = "徽章") -> dict:
    """The claims of a good ES256 VC-JWT signed by a key of ``jwks`` (badges and status lists):
    algorithm pinned, registered claims consistent with the credential, time window checked."""
    from joserfc import jws
    from joserfc.errors import JoseError

    if not isinstance(token, str) or not token.strip():
        raise tokens.TokenError(f"没有{what}")
    token = token.strip()
    if len(token) > 64 * 1024:
        raise tokens.TokenError(f"{what}过长，不是本系统签发的")
    head = tokens.header(token)
    if head.get("alg") != ALG:
        raise tokens.TokenError(f"签名算法 {head.get('alg')!r} 不被接受（{what}只接受 ES256）")
    if head.get("typ", TYP) != TYP:
        raise tokens.TokenError(f"{what}类型 {head.get('typ')!r} 不对（应为 JWT）")
    if "crit" in head:
        raise tokens.TokenError(f"{what}头部含有本系统不支持的关键扩展（crit）")
    kid = head.get("kid")
    if not isinstance(kid, str) or not kid:
        raise tokens.TokenError(f"{what}头部没有密钥地址（kid）")
    key = _public_key(jwks, kid)
    try:
        data = jws.deserialize_compact(token, key, algorithms=[ALG]).payload
    except JoseError as exc:
        raise tokens.TokenError(f"签名与内容不符：{what}内容被改动过，或不是用该密钥签发的") from exc
    except (ValueError, TypeError, binascii.Error) as exc:
        raise tokens.TokenError(f"{what}格式不正确：某一段不是有效的 base64url") from exc
    try:
        claims = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise tokens.TokenError(f"{what}内容不是 UTF-8 JSON") from exc
    if not isinstance(claims, dict):
        raise tokens.TokenError(f"{what}内容不是 JSON 对象")
    _check_registered(claims, what)
    tokens._check_times(claims, now)
    return claims


def _check_registered(claims: dict, what: str) -> None:
    issuer = claims.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if claims.get("iss") is None or claims.get("iss") != issuer_id:
        raise tokens.TokenError(f"{what}的 iss 与签发者不一致")
    if claims.get("jti") != claims.get("id"):
        raise tokens.TokenError(f"{what}的 jti 与凭证编号不一致")
    if "nbf" not in claims:
        raise tokens.TokenError(f"{what}缺少生效时间（nbf）")
    subject = claims.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    if subject_id is not None and claims.get("sub") != subject_id:
        raise tokens.TokenError(f"{what}的 sub 与持证人标识不一致")
    try:
        if claims.get("validUntil") is not None and \
                claims.get("exp") != int(dt.datetime.fromisoformat(claims["validUntil"]).timestamp()):
            raise tokens.TokenError(f"{what}的 exp 与 validUntil 不一致")
    except (TypeError, ValueError) as exc:
        raise tokens.TokenError(f"{what}的 validUntil 不是有效的时间") from exc


def verify(token: str, jwks: dict, now=None) -> dict:
    """The credential of a good badge (signature, claims and time window; not yet its status —
    ``verification.verify_badge`` asks the status list and the register)."""
    claims = verify_jwt(token, jwks, now)
    types = claims.get("type") if isinstance(claims.get("type"), list) else []
    if "VerifiableCredential" not in types or not {"OpenBadgeCredential", "AchievementCredential"} & set(types):
        raise tokens.TokenError("不是开放徽章（OpenBadgeCredential）")
    return claims


def number_of(claims: dict) -> str | None:
    """The certificate number a verified badge carries (``licenseNumber``)."""
    subject = claims.get("credentialSubject")
    number = subject.get("licenseNumber") if isinstance(subject, dict) else None
    return number if isinstance(number, str) else None


def name_matches(claims: dict, name: str) -> bool:
    """Whether ``name`` is the holder's, by the badge's salted name hash."""
    subject = claims.get("credentialSubject")
    for ident in (subject.get("identifier") or []) if isinstance(subject, dict) else []:
        if isinstance(ident, dict) and ident.get("identityType") == "name" and ident.get("hashed"):
            return secrets.compare_digest(str(ident.get("identityHash")), identity_hash(name, str(ident.get("salt", ""))))
    return False
