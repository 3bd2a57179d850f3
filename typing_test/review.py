"""What an examiner sees of a session's typing tests: results, and the evidence behind each one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from exam.accounts.models import User
from exam.sessions.models import Enrollment
from markupsafe import Markup

from typing_test import crosscheck, evidence as server_checks, growth_chart, service, signals, station_service
from typing_test.models import Station, StationSummary, TypingAttempt, TypingEvent
from typing_test.normalise import normalise


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
    server_flags: list[str]  # what the server found itself (typing_test.evidence); these hold a result
    chart: Markup  # characters over server time, with bursts, events and the station's keys


def evidence(db: Session, attempt: TypingAttempt, chart: bool = True) -> Evidence:
    browser = signals.totals(attempt.signals)
    station = station_service.station_for_candidate(db, attempt.session_id, attempt.candidate_id)
    summaries = station_service.summaries_for(db, "typing", attempt.id)
    totals = crosscheck.station_totals(summaries) if station is not None else None
    flags = signals.browser_flags(browser) + crosscheck.station_flags(station.label if station else None, totals, browser)
    events = list(db.exec(select(TypingEvent).where(TypingEvent.attempt_id == attempt.id).order_by(TypingEvent.id)))
    held = dict(attempt.server_flags or {})
    if attempt.status == "open" and station is not None:  # the station check runs at submission; show it live
        live = server_checks.station_flag(len(normalise(attempt.typed)), station.label, totals.windows, totals.keystrokes)
        if live:
            held = server_checks.merge(held, [live], attempt.saved_at or attempt.started_at)
    return Evidence(
        browser=browser, keys_per_char=signals.keys_per_char(browser["keydowns"], browser["committed_chars"]),
        station=station, station_totals=totals,
        station_keys_per_char=signals.keys_per_char(totals.keystrokes, browser["committed_chars"]) if totals else None,
        summaries=summaries, events=events, flags=flags, server_flags=server_checks.sentences(held),
        chart=_chart(db, attempt, summaries if station is not None else [], events) if chart else Markup(""),
    )


def _chart(db: Session, attempt: TypingAttempt, summaries: list[StationSummary], events: list[TypingEvent]) -> Markup:
    def since(at) -> float:
        return (at - attempt.started_at).total_seconds()

    points = [growth_chart.Point(since(g.at), g.chars) for g in service.growth_of(db, attempt.id)]
    keys, total = [], 0
    for s in summaries:
        total += s.keystrokes
        keys.append(growth_chart.Point(since(s.window_end), total))
    marks = [growth_chart.Mark(since(e.at), e.kind, signals.EVENT_KINDS.get(e.kind, e.kind)) for e in events]
    return Markup(growth_chart.growth_chart(points, keys, marks, service.limit_seconds(attempt)))


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
        ev = evidence(db, attempt, chart=False) if attempt is not None else None
        flags = ev.server_flags + ev.flags if ev is not None else []
        out.append(TypingRow(user, attempt, stations.get(user.id), flags))
    return out


def theory_station_flags(db: Session, session_id: int, candidate_id: int, attempt_id: int) -> list[str]:
    """The station's own flags for a theory attempt (shortcuts, injected keys): no commit log to compare."""
    station = station_service.station_for_candidate(db, session_id, candidate_id)
    if station is None:
        return []
    totals = crosscheck.station_totals(station_service.summaries_for(db, "theory", attempt_id))
    return crosscheck.station_flags(station.label, totals, None)
