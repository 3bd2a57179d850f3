"""The timed parts a proctor acts on (``exam.parts``), and the one error every proctoring operation raises.

A theory attempt, a typing test and a practical assessment share the columns proctoring touches
(``exam.parts.AttemptMixin``: ``session_id``, ``candidate_id``, ``status``, ``deadline``,
``paused_at``, ``extra_seconds``, ``submitted_at``, ``submit_reason``), so each action is written
once against the part's table.
"""

from __future__ import annotations

from exam import parts
from exam.parts import OPEN, SUBMITTED, VOID, Part

__all__ = ["OPEN", "SUBMITTED", "VOID", "VOID_REASON", "FORCE_REASON", "Part", "ProctorError", "part", "all_parts",
           "is_part"]

#: ``submit_reason`` of a voided attempt: publication code that filters on it skips voided attempts.
VOID_REASON = "void"
#: ``submit_reason`` of an examiner's forced submission (the column holds 16 characters).
FORCE_REASON = "proctor"


class ProctorError(Exception):
    """A proctoring request that cannot be carried out; the message says why, in Chinese."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def all_parts() -> list[Part]:
    return parts.all_parts()


def is_part(code: str) -> bool:
    return code in parts.codes()


def part(code: str) -> Part:
    try:
        return parts.get(code)
    except parts.UnknownPart:
        known = "、".join(f"{p.code}（{p.short}）" for p in parts.all_parts())
        raise ProctorError(f"未知的考核部分“{str(code)[:20]}”：应为 {known}", 404) from None


def status_label(status: str, paused: bool) -> str:
    if status == OPEN:
        return "已暂停" if paused else "作答中"
    return {SUBMITTED: "已交卷", VOID: "已作废"}.get(status, status)
