"""The revocation list every Open Badge points at: a W3C Bitstring Status List credential, signed
as an ES256 VC-JWT with the badge key, served at ``/certificates/status/revocation``.

Bit *i* is set when the register row with id *i* is revoked (a reissue revokes the old row). The
list is made from the register itself, so it cannot disagree with it: each request compares the
register's revocation fingerprint (how many rows are revoked, the latest revocation, the highest
id) with the list in memory and signs a new one when anything changed — every revoke and every
reissue, however it happened (page, four-eyes approval, console) — or when the list is half-way to
its ``validUntil`` (a day: a verifier refuses a stale copy, so an old list cannot be replayed to
un-revoke a badge). The list is 131,072 bits at least (the specification's minimum, so a list does
not reveal how many certificates there are) and grows by whole multiples when ids outgrow it.

``revoked`` is our own reader of such a list (the verifier's side): signature against the JWKS,
issuer, window, purpose, then the bit. No Flask here.
"""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import threading
import zlib
from pathlib import Path

from certificates import badge, tokens

MIN_BITS = 131072
VALIDITY = dt.timedelta(days=1)
MAX_BYTES = 5 * 1024 * 1024     # a reader never inflates more than this (a gzip bomb in a forged list)

_cache: dict[tuple, tuple[dt.datetime, str]] = {}
_lock = threading.Lock()


def encode(indices, size_bits: int) -> str:
    """``encodedList``: multibase base64url ("u") of the GZIP of the bitstring, first bit = MSB."""
    bits = bytearray(size_bits // 8)
    for index in indices:
        bits[index // 8] |= 0x80 >> (index % 8)
    return "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode("ascii").rstrip("=")


def decode(encoded: str) -> bytes:
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise ValueError("encodedList 应以 u（base64url）开头")
    data = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    inflater = zlib.decompressobj(wbits=31)
    out = inflater.decompress(data, MAX_BYTES)
    if inflater.unconsumed_tail:
        raise ValueError("状态列表过大")
    return out


def size_for(max_index: int) -> int:
    return max(MIN_BITS, -(-(max_index + 1) // MIN_BITS) * MIN_BITS)


def credential(base_url: str, revoked_ids, max_id: int, now: dt.datetime) -> dict:
    """The unsigned BitstringStatusListCredential."""
    url = badge.status_list_url(base_url)
    now = now.replace(microsecond=0)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": base_url.rstrip("/"),
        "validFrom": now.isoformat(),
        "validUntil": (now + VALIDITY).isoformat(),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
                              "encodedList": encode(revoked_ids, size_for(max_id))},
    }


def _fingerprint(db) -> tuple:
    from sqlalchemy import func
    from sqlmodel import select

    from certificates.models import Certificate
    count, latest = db.exec(select(func.count(Certificate.id), func.max(Certificate.revoked_at))
                            .where(Certificate.revoked_at.is_not(None))).one()
    highest = db.exec(select(func.max(Certificate.id))).one()
    return count, str(latest), highest or 0


def current(db, folder: Path, base_url: str, now: dt.datetime | None = None) -> str:
    """The signed list as it stands in the register now (signed again only when it changed)."""
    from sqlmodel import select

    from certificates.models import Certificate
    now = now or dt.datetime.now(dt.timezone.utc)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.timezone.utc)
    key = (str(Path(folder).resolve()), base_url.rstrip("/"), str(db.get_bind().url), _fingerprint(db))
    with _lock:
        made = _cache.get(key)
        if made is not None and now - made[0] < VALIDITY / 2:
            return made[1]
        revoked = list(db.exec(select(Certificate.id).where(Certificate.revoked_at.is_not(None))))
        vc = credential(base_url, revoked, key[3][2], now)
        token = badge.sign(vc, folder, base_url)
        if len(_cache) > 16:
            _cache.clear()
        _cache[key] = (now, token)
        return token


class StatusUnknown(Exception):
    """The list could not be read or is not trustworthy; the message says why, in Chinese."""


def revoked(list_jwt: str | bytes, entry: dict, jwks: dict, issuer: str, now=None) -> bool:
    """Whether the badge's ``credentialStatus`` entry is set in ``list_jwt`` (a list we or another
    instance served). The list must be signed by a key of ``jwks``, issued by the badge's issuer,
    current, of the entry's purpose; StatusUnknown otherwise (never "not revoked" by default)."""
    if isinstance(list_jwt, bytes):
        list_jwt = list_jwt.decode("utf-8", "replace")
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise StatusUnknown("徽章的撤销状态条目不是 BitstringStatusListEntry")
    try:
        index = int(entry.get("statusListIndex"))
        if index < 0:
            raise ValueError
    except (TypeError, ValueError):
        raise StatusUnknown("徽章的撤销状态序号无效") from None
    try:
        claims = badge.verify_jwt(list_jwt, jwks, now, what="撤销状态列表")
    except tokens.TokenError as exc:
        raise StatusUnknown(f"撤销状态列表无效：{exc}") from None
    types = claims.get("type") if isinstance(claims.get("type"), list) else []
    if "BitstringStatusListCredential" not in types:
        raise StatusUnknown("撤销状态列表不是 BitstringStatusListCredential")
    if claims.get("iss") != issuer:
        raise StatusUnknown("撤销状态列表不是徽章的签发者发布的")
    if claims.get("id") != entry.get("statusListCredential"):
        raise StatusUnknown("撤销状态列表与徽章所指的地址不符")
    try:
        until = dt.datetime.fromisoformat(str(claims.get("validUntil")))
    except ValueError:
        raise StatusUnknown("撤销状态列表没有有效期") from None
    moment = now or dt.datetime.now(dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    if moment > until:
        raise StatusUnknown("撤销状态列表已过期（签发考点须重新发布）")
    subject = claims.get("credentialSubject") if isinstance(claims.get("credentialSubject"), dict) else {}
    if subject.get("statusPurpose") != entry.get("statusPurpose", "revocation"):
        raise StatusUnknown("撤销状态列表的用途与徽章不符")
    try:
        bits = decode(subject.get("encodedList"))
    except (ValueError, zlib.error, EOFError) as exc:
        raise StatusUnknown(f"撤销状态列表的位串无法解码（{exc}）") from None
    if index // 8 >= len(bits):
        raise StatusUnknown("徽章的撤销状态序号超出列表长度")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))
