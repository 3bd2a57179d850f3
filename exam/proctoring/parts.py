"""The three timed parts a proctor acts on, and the one error every proctoring operation raises.

A theory attempt, a typing test and a practical assessment share the columns proctoring touches
(``session_id``, ``candidate_id``, ``status``, ``deadline``, ``paused_at``, ``extra_seconds``,
``submitted_at``, ``submit_reason``), so each action is written once against the part's table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table

from exam.claims import OPEN, SUBMITTED, VOID
from exam.delivery.models import Attempt
from practical.models import PracticalAttempt
from typing_test.models import TypingAttempt

__all__ = ["OPEN", "SUBMITTED", "VOID", "VOID_REASON", "FORCE_REASON", "PARTS", "Part", "ProctorError", "part"]

#: ``submit_reason`` of a voided attempt: publication code that filters on it skips voided attempts.
VOID_REASON = "void"
#: ``submit_reason`` of an examiner's forced submission (the column holds 16 characters).
FORCE_REASON = "proctor"


class ProctorError(Exception):
    """A proctoring request that cannot be carried out; the message says why, in Chinese."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Part:
    code: str
    name: str
    table: Table
    #: The columns that hold a score, cleared when the attempt is voided.
    score_columns: tuple[str, ...]
    #: The candidate's result page (an endpoint taking ``attempt_id``).
    result_endpoint: str

    @property
    def subject_type(self) -> str:
        """How the audit trail names this part's attempts (the table name, as the parts themselves do)."""
        return self.table.name


PARTS: dict[str, Part] = {
    "theory": Part("theory", "理论", Attempt.__table__, ("score", "passed"), "delivery.result"),
    "typing": Part("typing", "打字", TypingAttempt.__table__, ("passed", "points"), "typing.result"),
    "practical": Part("practical", "实操", PracticalAttempt.__table__, ("score", "passed"), "practical.result"),
}


def part(code: str) -> Part:
    try:
        return PARTS[code]
    except KeyError:
        raise ProctorError(f"未知的考核部分“{str(code)[:20]}”：应为 theory（理论）、typing（打字）或 practical（实操）",
                           404) from None


def status_label(status: str, paused: bool) -> str:
    if status == OPEN:
        return "已暂停" if paused else "作答中"
    return {SUBMITTED: "已交卷", VOID: "已作废"}.get(status, status)
