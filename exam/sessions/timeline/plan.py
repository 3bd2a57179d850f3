"""A session's timeline: the steps the scheduler takes on exam day, each with its code and due time.

Pure (no database): the scheduler's sync turns the timeline into one persistent job per step not yet
done, and the step itself (``exam.sessions.timeline.steps``) looks its due time up here again when it runs,
so an examiner moving a session's times moves its steps with it. Codes are the ``SessionEvent``
codes that mark a step done, so they never change once released.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exam import parts
from exam.sessions.models import ExamSession
from exam.sessions.results import visibility
from exam.timeutil import as_utc

THEORY_OPEN, THEORY_CLOSE = "theory_open", "theory_close"
PRACTICAL_OPEN, PRACTICAL_CLOSE = "practical_open", "practical_close"
REMIND_24H, REMIND_30M = "remind_24h", "remind_30m"
PUBLISH = "publish"

#: Reminders to enrolled candidates, by code: how long before the session starts.
REMINDERS = {REMIND_24H: dt.timedelta(hours=24), REMIND_30M: dt.timedelta(minutes=30)}

#: Every step code (the refusal markers of a timed publication have codes of their own).
MARKED = (THEORY_OPEN, THEORY_CLOSE, PRACTICAL_OPEN, PRACTICAL_CLOSE, REMIND_24H, REMIND_30M, PUBLISH)

#: What each step does (``steps`` dispatches on it).
OPEN, CLOSE, REMIND = "open", "close", "remind"


@dataclass(frozen=True)
class Step:
    code: str
    at: dt.datetime          # due (UTC)
    action: str              # OPEN, CLOSE, REMIND or PUBLISH
    # The parts (``exam.parts`` codes) a window step opens or closes (empty for others).
    parts: tuple[str, ...] = ()


def has_practical_window(session: ExamSession) -> bool:
    """A separate practical window (typing test and scenarios) rather than the theory window for all."""
    return session.practical_opens_at is not None or session.practical_closes_at is not None


def timeline(session: ExamSession) -> list[Step]:
    """Every step of the session in time order. Without a separate practical window the theory
    window opens and closes all three parts."""
    opens, closes = as_utc(session.opens_at), as_utc(session.closes_at)
    steps = [Step(code, as_utc(session.starts_at) - before, REMIND) for code, before in REMINDERS.items()]
    if has_practical_window(session):
        p_opens, p_closes = (as_utc(t) for t in session.practical_window)
        theory, practical = (tuple(p.code for p in parts.in_window(w)) for w in ("theory", "practical"))
        steps += [Step(THEORY_OPEN, opens, OPEN, theory), Step(THEORY_CLOSE, closes, CLOSE, theory),
                  Step(PRACTICAL_OPEN, p_opens, OPEN, practical),
                  Step(PRACTICAL_CLOSE, p_closes, CLOSE, practical)]
    else:
        everything = parts.codes()
        steps += [Step(THEORY_OPEN, opens, OPEN, everything), Step(THEORY_CLOSE, closes, CLOSE, everything)]
    publish_at = visibility.of(session).scheduled_at
    if publish_at is not None:
        steps.append(Step(PUBLISH, as_utc(publish_at), PUBLISH))
    return sorted(steps, key=lambda s: (s.at, s.code))


def step(session: ExamSession, code: str) -> Step | None:
    """The session's step of that code as things stand now (None: the session no longer has it)."""
    return next((s for s in timeline(session) if s.code == code), None)


def reminder_moot(session: ExamSession, code: str, now: dt.datetime) -> bool:
    """A reminder is pointless once the session has started, and the day-before reminder once the
    half-hour one is due (a scheduler that was down sends only the later one)."""
    starts = as_utc(session.starts_at)
    if now >= starts:
        return True
    return code == REMIND_24H and now >= starts - REMINDERS[REMIND_30M]
