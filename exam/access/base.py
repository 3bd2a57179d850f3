"""The hooks every access rule has, and what they are given (after Moodle's quiz_access_rule_base).

Hook order for a start: ``prevent_access`` (may this person sit here at all: address), then
``prevent_new_attempt`` (may a new attempt begin now: window, one attempt), then — only when both are
silent and ``is_preflight_check_required`` — ``validate_preflight_check`` on the start form's data.
The attempt page asks ``setup_attempt_page`` for the browser guards and ``end_time`` caps a deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, ClassVar, Mapping, Optional

from exam.throttle import POLICIES, Policy, Verdict

#: The parts of a session a candidate starts separately, with the name the candidate reads.

#: Attempt statuses that end a part for good (the proctoring "void" included).
OPEN = "open"
VOID_STATUSES = frozenset({"void", "voided"})


class SettingsError(ValueError):
    """An examiner's setting for a rule is wrong; ``field`` names the form field, the message says why."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PreflightField:
    """One field a rule adds to the start form (Moodle's add_preflight_check_form_fields)."""

    name: str
    label: str
    kind: str = "text"  # "text" | "hidden"
    hint: str = ""
    maxlength: int = 32


@dataclass(frozen=True)
class PreflightError:
    """A preflight check that failed: the field, the Chinese message, and whether it was a guess that
    counts against the wrong-guess throttle (an empty field is not)."""

    field: str
    message: str
    guess: bool = False


@dataclass
class AccessContext:
    """Everything a rule may look at, loaded beforehand so rules stay pure and testable."""

    session: Any  # exam.sessions.models.ExamSession (or anything with the same attributes)
    part: str  # "theory" | "typing" | "practical"
    candidate_id: int
    now: dt.datetime
    client_ip: Optional[str] = None
    preflight: Mapping[str, str] = field(default_factory=dict)
    attempt: Any = None  # this part's existing attempt (has .status), or None
    timezone: str = "Asia/Shanghai"
    code_failures: int = 0  # wrong access-code guesses of this candidate from this address (exam.throttle)
    code_wait: int = 0      # seconds before the next guess is even checked (0: it may be now)
    throttle: Policy = field(default_factory=lambda: POLICIES["access_code"])

    @property
    def part_name(self) -> str:
        from exam import parts
        return parts.get(self.part).name

    @property
    def resuming(self) -> bool:
        """An open attempt exists: starting again only resumes it (no new attempt, no preflight)."""
        return self.attempt is not None and self.attempt.status == OPEN


class AccessRule:
    """One access rule. Subclasses set ``code``/``name`` and override only the hooks they need."""

    code: ClassVar[str]
    name: ClassVar[str]
    #: Always on (not a setting the examiner switches): the time window and the one attempt.
    always_on: ClassVar[bool] = False

    def __init__(self, settings: Mapping[str, Any] | None = None):
        self.settings = dict(settings or {})

    @classmethod
    def make(cls, settings: Mapping[str, Any] | None) -> "AccessRule | None":
        """The rule for a session with these settings, or None when the settings switch nothing on."""
        return cls(settings)

    @classmethod
    def clean_settings(cls, raw: Mapping[str, Any]) -> dict:
        """The settings the examiner entered, checked and normalised; raises SettingsError."""
        return {}

    def description(self, session: Any, timezone: str) -> Optional[str]:
        """One sentence for the candidate's home, before starting."""
        return None

    def prevent_access(self, ctx: AccessContext) -> Optional[str]:
        """Why this candidate may not use the session from where they are (applies to resuming too)."""
        return None

    def prevent_new_attempt(self, ctx: AccessContext) -> Optional[str]:
        """Why a new attempt at ``ctx.part`` may not start now."""
        return None

    def is_preflight_check_required(self, ctx: AccessContext) -> bool:
        return False

    def preflight_fields(self, part: str) -> list[PreflightField]:
        return []

    def validate_preflight_check(self, ctx: AccessContext) -> list[PreflightError]:
        return []

    def end_time(self, ctx: AccessContext) -> Optional[dt.datetime]:
        """The latest moment an attempt begun now may run to, if this rule sets one."""
        return None

    def setup_attempt_page(self, ctx: AccessContext) -> dict:
        """Settings for the attempt page's guard script (merged across rules)."""
        return {}
