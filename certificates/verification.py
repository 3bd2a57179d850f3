"""The three-way check behind every way of verifying a certificate: the PDF's PAdES signature, the
QR token's JWS signature, and the register.

Each check is reported on its own (a verifier must see *which* one failed: a PDF edited after
signing, a forged QR code, a certificate revoked since it was printed), and the verdict is kept
apart from the certificate's status: a genuine certificate can still be expired or revoked. The
register is consulted through a callable so that the web pages (this instance's database) and the
CLI (a remote instance's JSON API, possibly unreachable) share the same logic. No Flask here.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

from certificates import numbering
from certificates.view import EXPIRED, REVOKED, SIGNED_FIELDS, STATUS_NAMES, VALID, CertificateView, status_on

PASS, FAIL, SKIP = "pass", "fail", "skip"
SIGNATURE, TOKEN, REGISTER = "PDF 数字签名", "二维码令牌", "登记库"
BADGE, STATUS = "电子徽章签名", "撤销状态列表"
NOT_FOUND = "not_found"

FIELD_NAMES = {"number": "证书编号", "holder_name": "姓名", "id_masked": "身份证号", "level_code": "等级代码",
               "level_name": "等级", "theory_score": "理论知识成绩", "practical_score": "操作技能成绩",
               "typing_cpm": "打字速度", "issued_on": "发证日期", "expires_on": "有效期至", "issuer": "发证机构"}

#: Exit codes of ``callexam certificates verify``: genuine and valid; a check failed; genuine but
#: expired or revoked; nothing to check against (no keys, no register: "cannot verify", never
#: "forged"). 2 is click's own for a wrong command line.
EXIT_OK, EXIT_FAILED, EXIT_NOT_VALID, EXIT_CANNOT_VERIFY = 0, 1, 3, 4

_DOTS = re.compile(r"[\u00b7\u2022\u2027\u2219\u22c5\u30fb\uff65\u0387\u16eb\u2e31]")


def normalise_name(name: str | None) -> str:
    """Names compared as people type them: full-width letters folded (NFKC), every kind of space
    dropped ("张 三" is 张三), the many middle dots of minority names ("阿依古丽・买买提") made one,
    Latin letters case-folded."""
    folded = unicodedata.normalize("NFKC", name or "")
    folded = _DOTS.sub("\u00b7", folded)
    return re.sub(r"\s+", "", folded).casefold()


def names_match(typed: str | None, held: str) -> bool:
    return hmac.compare_digest(normalise_name(typed).encode(), normalise_name(held).encode())


# ---------------------------------------------------------------- the register

@dataclass(frozen=True)
class Found:
    """What the register says of one certificate: its view (status as of today), and the revocation."""

    view: CertificateView
    revoked_on: dt.date | None = None
    reissued: bool = False      # revoked because a corrected certificate replaced it

    def as_json(self) -> dict:
        return {"found": True, "number": self.view.number, "status": self.view.status,
                "status_name": self.view.status_name, "certificate": self.view.fields(),
                "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None, "reissued": self.reissued}

    @classmethod
    def from_json(cls, data: dict) -> "Found":
        revoked = data.get("revoked_on")
        return cls(CertificateView.from_fields(data["certificate"], data["status"]),
                   dt.date.fromisoformat(revoked) if revoked else None, bool(data.get("reissued")))


class RegisterUnavailable(Exception):
    """The register could not be asked (no network, server error); the message says why, in Chinese."""


#: Asks the register about the certificate a token describes: (number, holder's name) → Found or None.
Register = Callable[[str, str], "Found | None"]


DEFAULT_TZ = "Asia/Shanghai"


def _found(row, today: dt.date, tz: str) -> Found:
    from exam.timeutil import to_local
    revoked_on = to_local(row.revoked_at, tz).date() if row.revoked_at else None
    return Found(row.view(today), revoked_on, row.replaced_by_id is not None)


def lookup(db, number: str, name: str, today: dt.date, tz: str = DEFAULT_TZ) -> Found | None:
    """The public look-up: a row only when the number exists *and* the name matches, so "no such
    number" and "wrong name" are the same answer."""
    from sqlmodel import select

    from certificates.models import Certificate
    row = db.exec(select(Certificate).where(Certificate.number == numbering.normalise(number)[:40])).first()
    held = row.holder_name if row is not None else "\u0000"
    matched = names_match(name, held)     # compared either way, so both paths do the same work
    return _found(row, today, tz) if row is not None and matched else None


def lookup_many(db, pairs: list[tuple[str, str]], today: dt.date, tz: str = DEFAULT_TZ) -> list[Found | None]:
    """``lookup`` for a bulk file's (number, name) pairs, in one query per 500 numbers."""
    from sqlmodel import select

    from certificates.models import Certificate
    numbers = sorted({numbering.normalise(number) for number, _ in pairs})
    rows = {}
    for i in range(0, len(numbers), 500):
        rows.update((r.number, r) for r in db.exec(select(Certificate).where(Certificate.number.in_(numbers[i:i + 500]))))
    out = []
    for number, name in pairs:
        row = rows.get(numbering.normalise(number))
        out.append(_found(row, today, tz) if row is not None and names_match(name, row.holder_name) else None)
    return out


def local_register(db, today: dt.date, tz: str = DEFAULT_TZ) -> Register:
    """This instance's register. An empty one (a verifier's offline copy with only the public keys)
    cannot tell anything, so it counts as not consulted rather than as "no such certificate"."""
    from sqlmodel import select

    from certificates.models import Certificate

    def ask(number: str, name: str) -> Found | None:
        if db.exec(select(Certificate.id).limit(1)).first() is None:
            raise RegisterUnavailable("本机登记库中没有任何证书记录，可能是只带公钥的离线副本")
        return lookup(db, number, name, today, tz)
    return ask


# ---------------------------------------------------------------- the report

@dataclass(frozen=True)
class Check:
    name: str
    state: str          # PASS, FAIL or SKIP (not performed: no key, register unreachable)
    message: str

    @property
    def passed(self) -> bool:
        return self.state == PASS


@dataclass
class Report:
    checks: list[Check] = field(default_factory=list)
    view: CertificateView | None = None     # what the signed token says (status from the register if found)
    found: Found | None = None

    @property
    def status(self) -> str | None:
        return self.view.status if self.view is not None else None

    @property
    def genuine(self) -> bool:
        return self.view is not None and not any(c.state == FAIL for c in self.checks)

    @property
    def ok(self) -> bool:
        return self.genuine and self.status == VALID

    #: Set when nothing was there to check against (no public keys): the report then says so.
    cannot_verify: str | None = None

    @property
    def exit_code(self) -> int:
        if self.cannot_verify:
            return EXIT_CANNOT_VERIFY
        return EXIT_OK if self.ok else EXIT_NOT_VALID if self.genuine else EXIT_FAILED

    @property
    def reason(self) -> str:
        if self.cannot_verify:
            return f"无法核验：{self.cannot_verify}（这不表示证书是伪造的）"
        failed = [c for c in self.checks if c.state == FAIL]
        if failed:
            return "；".join(f"{c.name}：{c.message}" for c in failed)
        if self.view is None:
            return "没有可核验的证书内容"
        if self.status == REVOKED:
            return "证书是真实的，但已被撤销" + ("（已换发新证书）" if self.found and self.found.reissued else "")
        if self.status == EXPIRED:
            return f"证书是真实的，但已于 {self.view.expires_on.isoformat()} 过期"
        return "证书真实有效"

    def as_json(self) -> dict:
        return {"ok": self.ok, "genuine": self.genuine, "cannot_verify": bool(self.cannot_verify),
                "status": self.status or NOT_FOUND,
                "status_name": STATUS_NAMES.get(self.status or "", "未能核验"), "reason": self.reason,
                "checks": [{"name": c.name, "result": c.state, "message": c.message} for c in self.checks],
                "certificate": self.view.fields() if self.view else None}


# ---------------------------------------------------------------- the checks

def token_kid(token: str) -> str:
    """The key id in a token's header, for display only (the signature check reads it properly)."""
    from certificates import tokens
    try:
        return str(tokens.header(token).get("kid", ""))
    except tokens.TokenError:
        return ""


def check_token(token: str | None, jwks: dict, today: dt.date, now=None) -> tuple[Check, CertificateView | None]:
    """The QR token alone: its EdDSA signature against this instance's public keys, then its fields."""
    from certificates import tokens
    if not token:
        return Check(TOKEN, FAIL, "没有找到二维码令牌"), None
    if not (jwks or {}).get("keys"):
        return Check(TOKEN, SKIP, "没有签发考点的公钥，无法核对二维码签名（不表示令牌是伪造的）"), None
    try:
        fields = tokens.verify(token.strip(), jwks, now=now)
    except tokens.TokenError as exc:
        return Check(TOKEN, FAIL, f"签名无效：{exc}"), None
    try:
        expires = dt.date.fromisoformat(str(fields.get("expires_on")))
        view = CertificateView.from_fields(fields, status_on(False, expires, today))
    except (ValueError, TypeError) as exc:
        return Check(TOKEN, FAIL, f"签名有效，但内容不是本系统的证书：{exc}"), None
    kid = token_kid(token)
    return Check(TOKEN, PASS, f"签名有效（密钥 {kid}），内容未被改动" if kid else "签名有效，内容未被改动"), view


def check_register(register: Register | None, claimed: CertificateView) -> tuple[Check, Found | None]:
    """Whether the register holds the certificate the token describes, word for word."""
    if register is None:
        return Check(REGISTER, SKIP, "未连接登记库，只核对了签名"), None
    try:
        found = register(claimed.number, claimed.holder_name)
    except RegisterUnavailable as exc:
        return Check(REGISTER, SKIP, f"无法访问登记库（{exc}），未核对登记状态"), None
    if found is None:
        return Check(REGISTER, FAIL, f"登记库中没有编号为 {claimed.number} 的证书"), None
    held, said = found.view.fields(), claimed.fields()
    differ = [FIELD_NAMES[name] for name in SIGNED_FIELDS if held.get(name) != said.get(name)]
    if differ:
        return Check(REGISTER, FAIL, f"登记库中的记录与证书不一致：{'、'.join(differ)}"), found
    status = found.view.status_name
    if found.view.status == REVOKED and found.revoked_on:
        status += f"（{found.revoked_on.isoformat()} 撤销{'，已换发新证书' if found.reissued else ''}）"
    return Check(REGISTER, PASS, f"登记库记录一致，状态：{status}"), found


def _has_roots(folder) -> bool:
    from pathlib import Path

    from certificates import pki
    return folder is not None and (Path(folder) / pki.TRUST).exists()


def check_signature(pdf: bytes, folder) -> Check:
    """The PDF's PAdES certification signature, against this instance's CA."""
    from certificates import pades
    try:
        result = pades.check(pdf, folder)
    except Exception as exc:    # a broken file makes pyHanko raise many kinds; the verifier needs the reason
        return Check(SIGNATURE, FAIL, f"无法读取文件中的签名（{exc.__class__.__name__}）：文件可能已损坏或不是 PDF")
    if not result.signed:
        return Check(SIGNATURE, FAIL, result.message or "文件没有数字签名")
    problems = []
    if not result.intact:
        problems.append("签名后文件内容被改动，签名校验失败")
    elif not result.whole_document:
        problems.append("签名之后文件又被追加修改（签名未覆盖整个文件）")
    if not result.certified:
        problems.append("不是禁止修改的认证签名")
    if result.intact and not result.trusted:     # a broken signature is never "trusted"; say only what matters
        if not problems and not _has_roots(folder):
            return Check(SIGNATURE, SKIP, "签名完好、覆盖整个文件，但本机没有签发考点的根证书，"
                                          "无法判断签名者是否可信（不表示文件是伪造的）")
        problems.append("签名证书不是本考点 CA 签发的，不受信任")
    if problems:
        return Check(SIGNATURE, FAIL, "；".join(problems))
    signer = f"，签名者：{result.signer}" if result.signer else ""
    return Check(SIGNATURE, PASS, f"签名有效，覆盖整个文件，签名后未被改动{signer}")


def _with_register(report: Report, register: Register | None) -> Report:
    if report.view is None:
        skipped = any(c.name == TOKEN and c.state == SKIP for c in report.checks)
        report.checks.append(Check(REGISTER, SKIP, "未核对令牌签名，未查询登记库" if skipped else "令牌无效，未查询登记库"))
        return report
    check, found = check_register(register, report.view)
    report.checks.append(check)
    if found is not None and check.passed:
        report.found = found
        report.view = report.view.with_status(found.view.status)
    return report


def verify_token(token: str | None, jwks: dict, register: Register | None, today: dt.date, now=None) -> Report:
    """The QR page: the token's signature first (it stands even with no register row), then the register."""
    check, view = check_token(token, jwks, today, now)
    return _with_register(Report([check], view), register)


def verify_pdf(pdf: bytes, folder, jwks: dict, register: Register | None, today: dt.date, now=None) -> Report:
    """An uploaded or local PDF: its PAdES signature, the token it carries, and the register."""
    from certificates import pades
    signature = check_signature(pdf, folder)
    try:
        token = pades.extract_token(pdf)
    except Exception:
        token = None
    check, view = check_token(token, jwks, today, now)
    if token is None:
        check = Check(TOKEN, FAIL, "文件中没有找到证书令牌（不是本系统签发的证书 PDF）")
    return _with_register(Report([signature, check], view), register)


# ---------------------------------------------------------------- the Open Badge

#: Fetches a status list by URL (the web page builds its own; the CLI asks the issuing instance);
#: raises RegisterUnavailable when it cannot.
StatusFetch = Callable[[str], bytes]
#: The register row for a number: (Found, holder's name as registered) or None.
RowByNumber = Callable[[str], "tuple[Found, str] | None"]


def _badge_view(claims: dict, tz: str) -> CertificateView:
    """What a verified badge says, as a view (the holder's name is only a salted hash in it)."""
    from zoneinfo import ZoneInfo

    from certificates import badge
    subject = claims.get("credentialSubject") or {}
    achievement = subject.get("achievement") or {}
    values = [str(r.get("value", "")) for r in subject.get("result") or [] if isinstance(r, dict)] + ["", "", ""]
    tags = achievement.get("tag") or []
    zone = ZoneInfo(tz)
    issued = dt.datetime.fromisoformat(claims["validFrom"]).astimezone(zone).date()
    expires = dt.datetime.fromisoformat(claims["validUntil"]).astimezone(zone).date()
    issuer = claims.get("issuer") or {}
    return CertificateView(number=badge.number_of(claims) or "", holder_name="", id_masked="", level_code="",
                           level_name=str(tags[1]) if len(tags) > 1 else "", theory_score=values[0],
                           practical_score=values[1], typing_cpm=values[2], issued_on=issued, expires_on=expires,
                           issuer=str(issuer.get("name", "")) if isinstance(issuer, dict) else "")


def check_status(claims: dict, jwks: dict, fetch: StatusFetch | None, now=None) -> tuple[Check, bool]:
    """The badge's ``credentialStatus`` against its signed Bitstring Status List: (check, revoked)."""
    from certificates import status_list
    entry = claims.get("credentialStatus")
    if entry is None:
        return Check(STATUS, SKIP, "徽章没有撤销状态条目（本系统早期签发的徽章），以登记库为准"), False
    if fetch is None:
        return Check(STATUS, SKIP, "离线核验，未读取撤销状态列表"), False
    url = entry.get("statusListCredential") if isinstance(entry, dict) else None
    try:
        raw = fetch(str(url))
        revoked = status_list.revoked(raw, entry, jwks, str(claims.get("iss")), now)
    except RegisterUnavailable as exc:
        return Check(STATUS, SKIP, f"无法取得撤销状态列表（{exc}）"), False
    except status_list.StatusUnknown as exc:
        return Check(STATUS, FAIL, str(exc)), False
    if revoked:
        return Check(STATUS, PASS, "签发考点的撤销状态列表：此徽章已被撤销"), True
    return Check(STATUS, PASS, "签发考点的撤销状态列表（已验签）：未撤销"), False


def verify_badge(token: str | None, jwks: dict, fetch: StatusFetch | None, row_by_number: RowByNumber | None,
                 today: dt.date, now=None, tz: str = DEFAULT_TZ) -> Report:
    """An Open Badge (``.jwt`` or the JSON a wallet exports): its ES256 signature and claims, its
    status on the signed revocation list, then the register (the name hash must fit the register's
    name, and every figure must agree)."""
    from certificates import badge, tokens
    if token and not (jwks or {}).get("keys"):
        return Report([Check(BADGE, SKIP, "没有签发考点的公钥，无法核对徽章签名（不表示徽章是伪造的）"),
                       Check(STATUS, SKIP, "未核对签名，未查询撤销状态"), Check(REGISTER, SKIP, "未核对签名，未查询登记库")])
    try:
        claims = badge.verify(token or "", jwks, now=now)
        view = _badge_view(claims, tz)
    except tokens.TokenError as exc:
        return Report([Check(BADGE, FAIL, f"签名无效：{exc}"), Check(STATUS, SKIP, "徽章无效，未查询撤销状态"),
                       Check(REGISTER, SKIP, "徽章无效，未查询登记库")])
    except (KeyError, TypeError, ValueError) as exc:
        return Report([Check(BADGE, FAIL, f"签名有效，但内容不是本系统的证书徽章（{exc}）")])
    kid = tokens.header(token.strip()).get("kid", "")
    report = Report([Check(BADGE, PASS, f"ES256 签名有效（密钥 {kid}），内容未被改动")], view)
    status, revoked = check_status(claims, jwks, fetch, now)
    report.checks.append(status)
    if row_by_number is None:
        report.checks.append(Check(REGISTER, SKIP, "未连接登记库，只核对了签名和撤销状态"))
    else:
        try:
            hit = row_by_number(view.number)
        except RegisterUnavailable as exc:
            hit = None
            report.checks.append(Check(REGISTER, SKIP, f"无法访问登记库（{exc}），未核对登记状态"))
        else:
            if hit is None:
                report.checks.append(Check(REGISTER, FAIL, f"登记库中没有编号为 {view.number} 的证书"))
            else:
                found, name = hit
                held = found.view
                differ = [FIELD_NAMES[f] for f in ("level_name", "theory_score", "practical_score", "typing_cpm",
                                                   "issued_on", "expires_on", "issuer")
                          if held.fields().get(f) != view.fields().get(f)]
                if not badge.name_matches(claims, name):
                    differ.insert(0, "姓名（摘要）")
                if differ:
                    report.checks.append(Check(REGISTER, FAIL, f"登记库中的记录与徽章不一致：{'、'.join(differ)}"))
                else:
                    report.checks.append(Check(REGISTER, PASS, f"登记库记录一致，状态：{held.status_name}"))
                    report.found = found
                    report.view = held
    if revoked:
        report.view = report.view.with_status(REVOKED)
    elif report.found is None:
        report.view = report.view.with_status(status_on(False, view.expires_on, today))
    return report


def extract_badge(data: bytes) -> str | None:
    """The compact VC-JWT in an uploaded ``.jwt`` or in a JSON document holding one (a wallet's
    export: the token itself as a JSON string, or an object with ``jwt``/``credential``/``proof.jwt``)."""
    import json
    text = data.decode("utf-8", "replace").strip().lstrip("\ufeff")
    if text.count(".") == 2 and not text.startswith("{") and len(text) < 64 * 1024:
        return text
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if isinstance(doc, str):
        return doc.strip() or None
    if isinstance(doc, dict):
        for key in ("jwt", "credential", "vc", "verifiableCredential", "token"):
            value = doc.get(key)
            if isinstance(value, str) and value.count(".") == 2:
                return value.strip()
        proof = doc.get("proof")
        if isinstance(proof, dict) and isinstance(proof.get("jwt"), str):
            return proof["jwt"].strip()
    return None


def cannot_verify_reason(report: Report) -> str | None:
    """Why a report says nothing either way: no check failed and none of the signatures could be
    checked (no public keys, no root certificate, no register) — "cannot verify", never "forged"."""
    if any(c.state == FAIL for c in report.checks):
        return None
    crypto = [c for c in report.checks if c.name in (SIGNATURE, TOKEN, BADGE)]
    if crypto and all(c.state == SKIP for c in crypto):
        return "没有签发考点的公钥或根证书，签名无法核对"
    if report.view is None and any(c.name in (TOKEN, BADGE) and c.state == SKIP for c in report.checks):
        return "没有签发考点的公钥，二维码或徽章的签名无法核对"     # e.g. a root certificate but no JWKS
    return None


def sniff(data: bytes) -> str:
    """What an upload is: "pdf", "image" (PNG/JPEG), "badge" (a VC-JWT or JSON holding one) or ""."""
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith((b"\x89PNG", b"\xff\xd8\xff")):
        return "image"
    return "badge" if extract_badge(data) is not None else ""


def verify_file(data: bytes, folder, jwks: dict, register: Register | None, fetch: StatusFetch | None,
                row_by_number: RowByNumber | None, today: dt.date, tz: str = DEFAULT_TZ, now=None) -> Report:
    """Whatever HR holds, one door for the upload page and the console: a certificate PDF, an Open
    Badge (``.jwt``/``.json``), or a photo or scan of the paper certificate (PNG/JPEG, searched for
    the QR code). Never raises for a malformed or tampered file: the report says what is wrong."""
    from certificates import qr
    kind = sniff(data)
    if kind == "pdf":
        report = verify_pdf(data, folder, jwks, register, today, now)
    elif kind == "image":
        try:
            token = qr.read_token(data)
        except qr.ImageUnreadable as exc:
            return Report([Check(TOKEN, FAIL, str(exc))])
        if token is None:
            return Report([Check(TOKEN, FAIL, "图片中没有找到证书二维码：请拍清整张证书（二维码完整、不反光），或上传证书 PDF")])
        report = verify_token(token, jwks, register, today, now)
    elif kind == "badge":
        report = verify_badge(extract_badge(data), jwks, fetch, row_by_number, today, now, tz)
    else:
        return Report([Check(TOKEN, FAIL, "无法识别的文件：请提供证书 PDF、电子徽章（.jwt/.json）或证书照片（PNG/JPEG）")])
    report.cannot_verify = cannot_verify_reason(report)
    return report
