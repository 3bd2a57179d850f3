"""The typing test's part of a candidate's answer sheet for an appeal (``exam.sessions.papers.
answer_sheet``): the figures, the review state, and the typed text aligned with the passage character
by character (the same alignment the result page and the examiner's detail page show)."""

from __future__ import annotations

from flask import current_app, render_template
from markupsafe import Markup
from sqlmodel import Session, select

from typing_test import scoring, service
from typing_test.models import REVIEW_STATES, TypingAttempt


def section(db: Session, session_id: int, candidate_id: int) -> Markup | None:
    attempt = db.exec(select(TypingAttempt).where(TypingAttempt.session_id == session_id,
                                                  TypingAttempt.candidate_id == candidate_id)).first()
    if attempt is None:
        return None
    scored = service.alignment(attempt, current_app.config["TYPING_MIN_ACCURACY"])
    return Markup(render_template("typing_test/_answer_sheet.html", attempt=attempt,
                                  shown=scoring.as_written(attempt.reference, attempt.typed, scored.segments),
                                  points=service.points_of(attempt), review_states=REVIEW_STATES))


def register() -> None:
    from exam.sessions.papers import answer_sheet
    answer_sheet.register(10, "打字测试", section)
