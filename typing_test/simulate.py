"""A steady, honest typist: the saves a pinyin user's page makes when typing the passage at a given
pace. The demo data's sitting and the tests' sittings use it, so both look to the server's checks
(``typing_test.evidence``) like real typing: text growing at a human pace on the server's clock, with
the key presses and commits that produce it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlmodel import Session

from exam import standard
from typing_test import service
from typing_test.models import TypingAttempt
from typing_test.normalise import normalise

#: Key presses per committed character that the simulated page reports (pinyin needs two to four).
KEYS_PER_CHAR = 3


def type_steadily(engine: Engine, attempt_id: int, candidate_id: int, han_per_minute: float,
                  every: dt.timedelta = dt.timedelta(seconds=20), grace: dt.timedelta = dt.timedelta(seconds=15),
                  minutes: float | None = None) -> str:
    """Save the passage's beginning growing at ``han_per_minute`` Han characters a minute, a save every
    ``every``, for ``minutes`` (the whole time limit when None), timed from the attempt's start.
    Returns the text typed last."""
    with Session(engine) as db:
        attempt = db.get(TypingAttempt, attempt_id)
        reference, start = normalise(attempt.reference), attempt.started_at
        limit = (attempt.deadline - attempt.started_at).total_seconds()
    seconds = limit if minutes is None else min(minutes * 60, limit)
    ends = [i + 1 for i, c in enumerate(reference) if standard.is_han(c)]  # a prefix ending at each Han char
    steps = max(int(seconds // every.total_seconds()), 1)
    text = ""
    for k in range(1, steps + 1):
        han = min(round(han_per_minute * seconds / 60 * k / steps), len(ends))
        text = reference[:ends[han - 1]] if han else ""
        counters = {"keydowns": KEYS_PER_CHAR * len(text), "composed_chars": len(text), "compositions": han}
        at = start + dt.timedelta(seconds=seconds * k / steps - 1)
        service.save(engine, attempt_id, candidate_id,
                     service.Save(seq=k, text=text, instance="steady", counters=counters, events=[]), at, grace)
    return text
