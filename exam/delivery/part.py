"""The theory exam as a timed part (``exam.parts``)."""

from __future__ import annotations

import datetime as dt

from exam import parts
from exam.delivery import service
from exam.delivery.models import Attempt


def _grace(config) -> dt.timedelta:
    return dt.timedelta(seconds=config["GRACE_SECONDS"])


def submit(engine, attempt_id, reason, now, config, *, actor_id=None, candidate_id=None) -> bool:
    return service.submit(engine, attempt_id, reason, now, actor_id=actor_id, candidate_id=candidate_id)


def submit_overdue(engine, now, config) -> int:
    return service.submit_overdue(engine, now, _grace(config))


def submit_closing(conn, session_id, now, config, prepared) -> list[int]:
    return service.submit_closing(conn, session_id, now, _grace(config))


def grade_claimed(conn, attempt_id, reason, actor_id, config, prepared) -> None:
    service.grade_claimed(conn, [attempt_id], reason, actor_id)


PART = parts.register(parts.Part(
    code="theory", name="理论考试", short="理论", order=1, window="theory", model=Attempt,
    blueprint="delivery", score_columns=("score", "passed"), submit=submit, submit_overdue=submit_overdue,
    submit_closing=submit_closing, grade_claimed=grade_claimed, extra_pages=("review",)))
