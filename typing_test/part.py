"""The typing test as a timed part (``exam.parts``): scored at submission with the configured
minimum accuracy (``TYPING_MIN_ACCURACY``)."""

from __future__ import annotations

import datetime as dt

from exam import parts
from typing_test import service
from typing_test.models import TypingAttempt


def _grace(config) -> dt.timedelta:
    return dt.timedelta(seconds=config["GRACE_SECONDS"])


def submit(engine, attempt_id, reason, now, config, *, actor_id=None, candidate_id=None) -> bool:
    return service.submit(engine, attempt_id, reason, now, config["TYPING_MIN_ACCURACY"],
                          actor_id=actor_id, candidate_id=candidate_id)


def submit_overdue(engine, now, config) -> int:
    return service.submit_overdue(engine, now, _grace(config), config["TYPING_MIN_ACCURACY"])


def submit_closing(conn, session_id, now, config, prepared) -> list[int]:
    return service.submit_closing(conn, session_id, now, _grace(config), config["TYPING_MIN_ACCURACY"])


def grade_claimed(conn, attempt_id, reason, actor_id, config, prepared) -> None:
    service.score_claimed(conn, attempt_id, reason, actor_id, config["TYPING_MIN_ACCURACY"])


PART = parts.register(parts.Part(
    code="typing", name="打字测试", short="打字", order=2, window="practical", model=TypingAttempt,
    blueprint="typing", score_columns=("passed", "points"), submit=submit, submit_overdue=submit_overdue,
    submit_closing=submit_closing, grade_claimed=grade_claimed))
