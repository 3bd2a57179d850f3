"""Access code (进场码): the examiner announces a code in the room; the start form asks for it, so
only someone sitting in the room can begin. Wrong guesses are throttled per candidate and session
(counted by ``exam.access.service`` in the database, so the limit holds across server workers)."""

from __future__ import annotations

import hmac
import re
import secrets
from typing import Optional

from exam.access.base import AccessContext, AccessRule, PreflightError, PreflightField, SettingsError
from exam.throttle import Verdict

FIELD = "access_code"
CODE_RE = re.compile(r"^[0-9A-Za-z]{4,12}$")
WRONG = "进场码不正确，请看监考老师在考场公布的进场码"


def new_code() -> str:
    """A fresh 6-digit code (leading zeros kept)."""
    return f"{secrets.randbelow(10 ** 6):06d}"


def normalise(value: str | None) -> str:
    """What the candidate typed, without spaces and with full-width digits made plain."""
    text = (value or "").strip().replace(" ", "").replace("\u3000", "")
    return text.translate({0xFF10 + i: 0x30 + i for i in range(10)}).upper()


class AccessCodeRule(AccessRule):
    code = "access_code"
    name = "进场码"

    @classmethod
    def make(cls, settings):
        return cls(settings) if settings and settings.get("code") else None

    @classmethod
    def clean_settings(cls, raw):
        code = normalise(raw.get("code"))
        if not code:
            return {"code": new_code()}
        if not CODE_RE.match(code):
            raise SettingsError("code", f"「{raw.get('code')}」不能用作进场码：应为 4 至 12 位数字或字母")
        return {"code": code}

    def description(self, session, timezone):
        return "开始前须输入监考老师在考场公布的进场码"

    def is_preflight_check_required(self, ctx: AccessContext) -> bool:
        return not ctx.resuming

    def preflight_fields(self, part):
        return [PreflightField(FIELD, "进场码", hint="监考老师在考场公布", maxlength=12)]

    def validate_preflight_check(self, ctx: AccessContext) -> list[PreflightError]:
        if ctx.code_wait > 0:
            wait = Verdict(False, ctx.code_wait).wait_text
            return [PreflightError(FIELD, f"进场码输错次数过多，请 {wait}后再试，或举手请监考老师协助")]
        typed = normalise(ctx.preflight.get(FIELD))
        if not typed:
            return [PreflightError(FIELD, "请输入监考老师在考场公布的进场码")]
        if not hmac.compare_digest(typed.encode(), str(self.settings["code"]).upper().encode()):
            policy = ctx.throttle
            left = policy.free - ctx.code_failures - 1
            wait = Verdict(False, int(policy.delay(ctx.code_failures + 1))).wait_text
            more = f"（还可再试 {left} 次）" if left > 0 else f"（须等待 {wait}后才能再试）"
            return [PreflightError(FIELD, WRONG + more, guess=True)]
        return []

    def matches(self, secret: Optional[str]) -> bool:
        """The idle lock accepts the room's code too (see ``idle_timeout``)."""
        typed = normalise(secret)
        return bool(typed) and hmac.compare_digest(typed.encode(), str(self.settings["code"]).upper().encode())
