"""Which rules a session has, and running them together (after Moodle's quiz access manager).

``ExamSession.access_rules`` holds the rules the examiner switched on, by code, with their settings;
the always-on rules (time window, one attempt) join every session. The manager asks each rule its
hook and collects the answers — every reason, not only the first, so a candidate fixes everything
in one go.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional

from exam.access.base import AccessContext, AccessRule, PreflightError, PreflightField, SettingsError
from exam.access.rules.access_code import AccessCodeRule
from exam.access.rules.fullscreen import FullscreenRule
from exam.access.rules.idle_timeout import IdleTimeoutRule
from exam.access.rules.ip_subnet import IpSubnetRule
from exam.access.rules.one_attempt import OneAttemptRule
from exam.access.rules.time_window import TimeWindowRule

#: Every rule, in the order its reasons are shown.
RULES: dict[str, type[AccessRule]] = {cls.code: cls for cls in (
    TimeWindowRule, OneAttemptRule, IpSubnetRule, AccessCodeRule, FullscreenRule, IdleTimeoutRule)}
#: The rules an examiner switches on and off.
OPTIONAL = tuple(code for code, cls in RULES.items() if not cls.always_on)


@dataclass
class Decision:
    """The outcome of a start: reasons that refuse it, and field errors of the preflight data."""

    reasons: list[str] = field(default_factory=list)
    errors: list[PreflightError] = field(default_factory=list)

    @property
    def allowed(self) -> bool:
        return not self.reasons and not self.errors

    @property
    def wrong_guess(self) -> bool:
        """A guess at the access code failed: the service counts it against the throttle."""
        return any(e.guess for e in self.errors)

    @property
    def messages(self) -> list[str]:
        return self.reasons + [e.message for e in self.errors]


class AccessManager:
    def __init__(self, rules: list[AccessRule]):
        self.rules = rules

    @classmethod
    def for_session(cls, session: Any) -> "AccessManager":
        configured: Mapping[str, Any] = getattr(session, "access_rules", None) or {}
        rules = []
        for code, rule_cls in RULES.items():
            if rule_cls.always_on:
                rules.append(rule_cls(configured.get(code)))
            elif code in configured:
                rule = rule_cls.make(configured[code])
                if rule is not None:
                    rules.append(rule)
        return cls(rules)

    def rule(self, code: str) -> Optional[AccessRule]:
        return next((r for r in self.rules if r.code == code), None)

    def descriptions(self, session: Any, timezone: str) -> list[str]:
        """What the candidate reads before starting: each rule's one sentence."""
        return [text for r in self.rules if (text := r.description(session, timezone))]

    def requirements(self, session: Any, timezone: str) -> list[str]:
        """The switched-on rules' sentences only (the always-on ones are the usual exam conditions)."""
        return [text for r in self.rules if not r.always_on and (text := r.description(session, timezone))]

    def preflight_fields(self, part: str) -> list[PreflightField]:
        return [f for r in self.rules for f in r.preflight_fields(part)]

    def prevent_access(self, ctx: AccessContext) -> list[str]:
        return [reason for r in self.rules if (reason := r.prevent_access(ctx))]

    def prevent_new_attempt(self, ctx: AccessContext) -> list[str]:
        return [reason for r in self.rules if (reason := r.prevent_new_attempt(ctx))]

    def check_start(self, ctx: AccessContext) -> Decision:
        """May the candidate start (or resume) ``ctx.part`` now with this preflight data? The
        preflight data is looked at only once nothing else stands in the way, so a wrong code typed
        outside the window is not counted as a guess."""
        reasons = self.prevent_access(ctx) + self.prevent_new_attempt(ctx)
        if reasons:
            return Decision(reasons=reasons)
        errors = [e for r in self.rules if r.is_preflight_check_required(ctx)
                  for e in r.validate_preflight_check(ctx)]
        return Decision(errors=errors)

    def end_time(self, ctx: AccessContext) -> Optional[dt.datetime]:
        ends = [t for r in self.rules if (t := r.end_time(ctx)) is not None]
        return min(ends) if ends else None

    def setup_attempt_page(self, ctx: AccessContext) -> dict:
        setup: dict = {}
        for r in self.rules:
            setup.update(r.setup_attempt_page(ctx))
        return setup


def clean_settings(raw: Mapping[str, Mapping[str, Any] | None]) -> tuple[dict, list[SettingsError]]:
    """The examiner's form, by rule code (None: switched off), checked by each rule. Returns the new
    ``access_rules`` value and the errors (each naming its form field)."""
    cleaned: dict = {}
    errors: list[SettingsError] = []
    for code in OPTIONAL:
        settings = raw.get(code)
        if settings is None:
            continue
        try:
            cleaned[code] = RULES[code].clean_settings(settings)
        except SettingsError as exc:
            errors.append(exc)
    return cleaned, errors
