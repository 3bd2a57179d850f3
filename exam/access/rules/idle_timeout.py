"""Idle timeout: after N minutes without keyboard, mouse or touch on an attempt page, the page locks
behind an overlay until the candidate re-enters their password (or the room's access code when that
rule is on) — checked by the server (``exam.access.views.unlock``). Answers stay saved and the clock
keeps running: the lock is there so nobody else answers at an abandoned seat."""

from __future__ import annotations

from exam.access.base import AccessContext, AccessRule, SettingsError

MIN_MINUTES, MAX_MINUTES = 1, 180


def unlock_secret_name(session) -> str:
    """What unlocks the page: what the candidate signs in with (their password, or the last six of
    their ID number in an ``id_last6`` session), or the room's code when that rule is on."""
    rules = getattr(session, "access_rules", None) or {}
    own = "身份证号后六位" if getattr(session, "signin_mode", "password") == "id_last6" else "登录密码"
    return f"{own}或进场码" if (rules.get("access_code") or {}).get("code") else own


class IdleTimeoutRule(AccessRule):
    code = "idle_timeout"
    name = "无操作锁屏"

    @classmethod
    def make(cls, settings):
        return cls(settings) if settings and settings.get("minutes") else None

    @classmethod
    def clean_settings(cls, raw):
        value = raw.get("minutes")
        try:
            minutes = int(str(value).strip())
        except (TypeError, ValueError):
            raise SettingsError("idle_minutes", f"「{value or ''}」不是整数分钟数") from None
        if not MIN_MINUTES <= minutes <= MAX_MINUTES:
            raise SettingsError("idle_minutes", f"无操作锁屏时间应在 {MIN_MINUTES} 至 {MAX_MINUTES} 分钟之间")
        return {"minutes": minutes}

    @property
    def minutes(self) -> int:
        return int(self.settings["minutes"])

    def description(self, session, timezone):
        return f"连续 {self.minutes} 分钟无操作将锁屏，须输入{unlock_secret_name(session)}解锁（答案保留，计时不停）"

    def setup_attempt_page(self, ctx: AccessContext) -> dict:
        return {"idleMinutes": self.minutes, "unlockPrompt": f"请输入{unlock_secret_name(ctx.session)}解锁"}
