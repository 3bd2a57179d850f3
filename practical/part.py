"""The practical assessment as a timed part (``exam.parts``): machine checks run at submission with
the editable phrase lists, read before the write transaction."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from exam import parts
from practical import phrases_service, results, service
from practical.models import OPEN, PracticalAttempt


def _grace(config) -> dt.timedelta:
    return dt.timedelta(seconds=config["GRACE_SECONDS"])


def _lists(engine) -> dict:
    with Session(engine) as db:
        return phrases_service.lists(db)


def submit(engine, attempt_id, reason, now, config, *, actor_id=None, candidate_id=None) -> bool:
    return service.submit(engine, attempt_id, reason, now, _lists(engine), actor_id=actor_id,
                          candidate_id=candidate_id)


def submit_overdue(engine, now, config) -> int:
    """The phrase lists are read only when a practical assessment is actually overdue."""
    grace = _grace(config)
    with Session(engine) as db:
        if db.exec(select(PracticalAttempt.id).where(PracticalAttempt.status == OPEN,
                                                    PracticalAttempt.paused_at.is_(None),
                                                    PracticalAttempt.deadline < now - grace)
                   .limit(1)).first() is None:
            return 0
        lists = phrases_service.lists(db)
    return service.submit_overdue(engine, now, grace, lists)


def submit_closing(conn, session_id, now, config, prepared) -> list[int]:
    return service.submit_closing(conn, session_id, now, _grace(config), prepared)


def grade_claimed(conn, attempt_id, reason, actor_id, config, prepared) -> None:
    service.check_claimed(conn, attempt_id, reason, actor_id, prepared)


PART = parts.register(parts.Part(
    code="practical", name="实操考核", short="实操", order=3, window="practical", model=PracticalAttempt,
    blueprint="practical", score_columns=("score", "passed"), submit=submit, submit_overdue=submit_overdue,
    submit_closing=submit_closing, grade_claimed=grade_claimed,
    prepare_closing=_lists, after_publication=True, finalise=results.finalise))
