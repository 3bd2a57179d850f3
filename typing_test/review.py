"""What an examiner sees of a session's typing tests: results, and the evidence behind each one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from exam.accounts.models import User
from exam.sessions.models import Enrollment
from typing_test import crosscheck, signals, station_service
from typing_test.models import Station, StationSummary, TypingAttempt, TypingEvent


@dataclass(frozen=True)
class Evidence:
    browser: dict[str, int]
    keys_per_char: float | None
    station: Station | None
    station_totals: crosscheck.StationTotals | None
    station_keys_per_char: float | None
    summaries: list[StationSummary]
    events: list[TypingEvent]
    flags: list[str]


def evidence(db: Session, attempt: TypingAttempt) -> Evidence:
    browser = signals.totals(attempt.signals)
    station = station_service.station_for_candidate(db, attempt.session_id, attempt.candidate_id)
    summaries = station_service.summaries_for(db, "typing", attempt.id)
    totals = crosscheck.station_totals(summaries) if station is not None else None
    flags = signals.browser_flags(browser) + crosscheck.station_flags(station.label if station else None, totals, browser)
    events = list(db.exec(select(TypingEvent).where(TypingEvent.attempt_id == attempt.id).order_by(TypingEvent.id)))
    return Evidence(
        browser=browser, keys_per_char=signals.keys_per_char(browser["keydowns"], browser["committed_chars"]),
        station=station, station_totals=totals,
        station_keys_per_char=signals.keys_per_char(totals.keystrokes, browser["committed_chars"]) if totals else None,
        summaries=summaries, events=events, flags=flags,
    )


@dataclass(frozen=True)
class TypingRow:
    candidate: User
    attempt: TypingAttempt | None
    station: Station | None
    flags: list[str]


def session_rows(db: Session, session_id: int) -> list[TypingRow]:
    rows = db.exec(
        select(User, TypingAttempt)
        .join(Enrollment, Enrollment.candidate_id == User.id)
        .join(TypingAttempt, (TypingAttempt.candidate_id == User.id) & (TypingAttempt.session_id == session_id),
              isouter=True)
        .where(Enrollment.session_id == session_id).order_by(User.username)).all()
    stations = {s.candidate_id: s for s in station_service.stations_of_session(db, session_id) if s.candidate_id}
    out = []
    for user, attempt in rows:
        flags = evidence(db, attempt).flags if attempt is not None else []
        out.append(TypingRow(user, attempt, stations.get(user.id), flags))
    return out


def theory_station_flags(db: Session, session_id: int, candidate_id: int, attempt_id: int) -> list[str]:
    """The station's own flags for a theory attempt (shortcuts, injected keys): no commit log to compare."""
    station = station_service.station_for_candidate(db, session_id, candidate_id)
    if station is None:
        return []
    totals = crosscheck.station_totals(station_service.summaries_for(db, "theory", attempt_id))
    return crosscheck.station_flags(station.label, totals, None)
