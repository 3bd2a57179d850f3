"""The live board's read model: one row per enrolled candidate of a session — seat, ticket, name, status,
each part's progress, time left, last save and extra time, integrity signals and exam-station flags,
take-overs (the attempt open in two windows at once) — and the session's incidents.

The examiner's page polls this as JSON every few seconds (``BOARD_POLL_SECONDS``) instead of holding a
server-sent-events stream open: the server is gunicorn with sync workers, where every open stream would
hold a whole worker for as long as an examiner watches. Polling makes each request short, so each one
must be cheap: a snapshot runs a fixed number of queries (at most ``MAX_QUERIES``) whatever the number
of candidates. Progress is counted by correlated subqueries in the one statement that reads a part's
attempts, signals are counted with GROUP BY, and the stations' keystroke summaries are added up in SQL
and handed to ``typing_test.crosscheck.station_flags``, the flag rules the typing review uses.
``benchmarks/proctor_board.py`` measures a poll against a trivial query.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from exam import throttle
from exam.accounts.models import User
from exam.delivery.models import Answer, Attempt, PaperSlot
from exam.proctoring.models import Incident, IntegritySignal
from exam.proctoring.parts import FORCE_REASON, OPEN, SUBMITTED, VOID, part, status_label
from exam.proctoring.signals import KINDS
from exam.sessions.models import Enrollment, ExamSession, Room
from exam.timeutil import as_utc, epoch_ms, to_local
from practical.models import PracticalAttempt, PracticalTask
from typing_test import crosscheck
from typing_test import signals as typing_signals
from typing_test.models import Station, StationSummary, TypingAttempt, TypingEvent

MAX_QUERIES = 11   # the sign-in waits (exam.throttle.waits_by_subject) are one of them, whatever the roster
INCIDENT_LIMIT = 100
STATUS_NAMES = {"absent": "未签到", "signed_in": "已签到", "in_progress": "作答中", "paused": "已暂停",
                "submitted": "已交卷", "void": "已作废"}
ABSENT_AFTER_CLOSE = "缺考"
#: How a submitted part ended, when not by the candidate (``exam.parts`` submit reasons).
SUBMIT_LABELS = {"proctor": "强制交卷", "deadline": "到时自动交卷"}
FORCED_LABEL = "已交卷（含强制交卷）"


def snapshot(conn: Connection, session_id: int, now: dt.datetime, tz: str,
             signin_policy: throttle.Policy | None = None) -> dict | None:
    """The board of one session as plain JSON-ready data; None when there is no such session.
    ``signinWait`` is how long (seconds) some source must still wait to sign in as the candidate:
    the examiner can lift it (``actions.lift_signin_wait``) once they have checked who is asking."""
    s = ExamSession.__table__
    session = conn.execute(select(s.c.id, s.c.name, s.c.closes_at, s.c.practical_closes_at)
                           .where(s.c.id == session_id)).first()
    if session is None:
        return None
    ends_at = max(session.closes_at, session.practical_closes_at or session.closes_at)
    enrolled = _enrolments(conn, session_id)
    theory, typing, practical = _theory(conn, session_id), _typing(conn, session_id), _practical(conn, session_id)
    signal_counts = _grouped(conn, select(IntegritySignal.candidate_id, IntegritySignal.kind, func.count())
                             .where(IntegritySignal.session_id == session_id)
                             .group_by(IntegritySignal.candidate_id, IntegritySignal.kind))
    typing_events = _grouped(conn, select(TypingAttempt.candidate_id, TypingEvent.kind, func.count())
                             .select_from(TypingEvent).join(TypingAttempt, TypingAttempt.id == TypingEvent.attempt_id)
                             .where(TypingAttempt.session_id == session_id)
                             .group_by(TypingAttempt.candidate_id, TypingEvent.kind))
    flags = _station_flags(conn, session_id, theory, typing)
    e_, u_ = Enrollment.__table__, User.__table__
    waits = throttle.waits_by_subject(conn, signin_policy or throttle.POLICIES["signin"], select(u_.c.username)
                                      .join(e_, e_.c.candidate_id == u_.c.id).where(e_.c.session_id == session_id), now)
    rows, summary = [], {code: 0 for code in STATUS_NAMES}
    for e in enrolled:
        cid = e.candidate_id
        parts = [state for state in (
            _state("theory", theory.get(cid), now, tz, "题"),
            _state("typing", typing.get(cid), now, tz, "字"),
            _state("practical", practical.get(cid), now, tz, "题")) if state is not None]
        status = _overall(parts, e.signed_in_at)
        summary[status] += 1
        label = ABSENT_AFTER_CLOSE if status == "absent" and now >= ends_at else STATUS_NAMES[status]
        if status == "submitted" and any(p["submitReason"] == FORCE_REASON for p in parts):
            label = FORCED_LABEL    # a proctor ended at least one part: the board says so, not plain 已交卷
        rows.append({
            "candidateId": cid, "username": e.username, "name": e.display_name, "ticket": e.ticket_number or "",
            "seat": _seat(e.room, e.seat_no), "status": status, "statusLabel": label, "parts": parts,
            "signals": _signals(signal_counts.get(cid, {}), typing_events.get(cid, {}), typing.get(cid)),
            "flags": flags.get(cid, []), "signinWait": waits.get(e.username, 0),
            **_take_overs(parts, tz),
        })
    names = {e.candidate_id: e.display_name for e in enrolled}
    return {
        "session": {"id": session.id, "name": session.name, "endsAt": epoch_ms(ends_at)},
        "serverNow": epoch_ms(now),
        "summary": summary, "signalNames": KINDS,
        # once every window has closed, nobody is still to come: the summary says 缺考, not 未签到
        "statusNames": {**STATUS_NAMES, "absent": ABSENT_AFTER_CLOSE} if now >= ends_at else STATUS_NAMES,
        "rows": rows, "incidents": _incidents(conn, session_id, names, tz),
    }


# ---------------------------------------------------------------- the queries

def _enrolments(conn: Connection, session_id: int) -> list:
    e, u, r = Enrollment.__table__, User.__table__, Room.__table__
    rows = conn.execute(
        select(e.c.candidate_id, e.c.ticket_number, e.c.seat_no, e.c.signed_in_at, r.c.name.label("room"),
               u.c.username, u.c.display_name)
        .select_from(e.join(u, u.c.id == e.c.candidate_id).outerjoin(r, r.c.id == e.c.room_id))
        .where(e.c.session_id == session_id)).all()
    return sorted(rows, key=lambda x: (x.room is None, x.room or "", x.seat_no is None, x.seat_no or 0,
                                       x.ticket_number or "", x.username))


def _attempt_columns(t) -> list:
    return [t.c.id, t.c.candidate_id, t.c.status, t.c.deadline, t.c.paused_at, t.c.extra_seconds, t.c.submit_reason,
            t.c.page_takeovers, t.c.page_taken_over_at]


def _theory(conn: Connection, session_id: int) -> dict:
    a, slot, answer = Attempt.__table__, PaperSlot.__table__, Answer.__table__
    total = select(func.count()).select_from(slot).where(slot.c.attempt_id == a.c.id).scalar_subquery()
    done = (select(func.count()).select_from(answer)
            .where(answer.c.attempt_id == a.c.id, answer.c.value != "").scalar_subquery())
    last = select(func.max(answer.c.saved_at)).where(answer.c.attempt_id == a.c.id).scalar_subquery()
    rows = conn.execute(select(*_attempt_columns(a), done.label("done"), total.label("total"), last.label("last_save"))
                        .where(a.c.session_id == session_id)).all()
    return {r.candidate_id: r for r in rows}


def _chars(column):
    """Characters as the typing test counts them (``typing_test.normalise``): whitespace is not text."""
    for blank in (" ", "\n", "\r", "\t", "\u3000"):
        column = func.replace(column, blank, "")
    return func.length(column)


def _typing(conn: Connection, session_id: int) -> dict:
    t = TypingAttempt.__table__
    rows = conn.execute(select(*_attempt_columns(t), _chars(t.c.typed).label("done"),
                               _chars(t.c.reference).label("total"), t.c.saved_at.label("last_save"), t.c.signals)
                        .where(t.c.session_id == session_id)).all()
    return {r.candidate_id: r for r in rows}


def _practical(conn: Connection, session_id: int) -> dict:
    p, task = PracticalAttempt.__table__, PracticalTask.__table__
    total = select(func.count()).select_from(task).where(task.c.attempt_id == p.c.id).scalar_subquery()
    done = (select(func.count()).select_from(task)
            .where(task.c.attempt_id == p.c.id, task.c.answer_seq > 0).scalar_subquery())
    last = select(func.max(task.c.saved_at)).where(task.c.attempt_id == p.c.id).scalar_subquery()
    rows = conn.execute(select(*_attempt_columns(p), done.label("done"), total.label("total"), last.label("last_save"))
                        .where(p.c.session_id == session_id)).all()
    return {r.candidate_id: r for r in rows}


def _grouped(conn: Connection, stmt) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = {}
    for candidate_id, kind, n in conn.execute(stmt):
        out.setdefault(candidate_id, {})[kind] = int(n)
    return out


def _station_flags(conn: Connection, session_id: int, theory: dict, typing: dict) -> dict[int, list[str]]:
    """Each candidate's exam-station flags, by the rules of ``typing_test.crosscheck`` (as the typing
    review and the theory evidence show them), from summaries added up per attempt in one query."""
    st = Station.__table__
    labels = dict(conn.execute(select(st.c.candidate_id, st.c.label)
                               .where(st.c.session_id == session_id, st.c.candidate_id.is_not(None))).all())
    if not labels:
        return {}
    ss, a, t = StationSummary.__table__, Attempt.__table__, TypingAttempt.__table__
    keys = list(crosscheck.SHORTCUT_NAMES)
    totals = {}
    for row in conn.execute(
        select(ss.c.activity, ss.c.attempt_id, func.count(), func.sum(ss.c.keystrokes), func.sum(ss.c.char_keys),
               func.sum(ss.c.injected), *[func.sum(ss.c.shortcuts[key].as_integer()) for key in keys])
        .where(or_(and_(ss.c.activity == "typing", ss.c.attempt_id.in_(select(t.c.id).where(t.c.session_id == session_id))),
                   and_(ss.c.activity == "theory", ss.c.attempt_id.in_(select(a.c.id).where(a.c.session_id == session_id)))))
        .group_by(ss.c.activity, ss.c.attempt_id)
    ):
        activity, attempt_id, windows, keystrokes, char_keys, injected, *shortcuts = row
        totals[(activity, attempt_id)] = crosscheck.StationTotals(
            windows=int(windows), keystrokes=int(keystrokes or 0), char_keys=int(char_keys or 0),
            injected=int(injected or 0), shortcuts={k: int(n or 0) for k, n in zip(keys, shortcuts)},
            median_interval_ms=None)
    none = crosscheck.StationTotals(0, 0, 0, 0, {k: 0 for k in keys}, None)
    out: dict[int, list[str]] = {}
    for candidate_id, label in labels.items():
        found = []
        if candidate_id in theory:
            found += ["理论：" + f for f in crosscheck.station_flags(
                label, totals.get(("theory", theory[candidate_id].id), none), None)]
        if candidate_id in typing:
            browser = typing_signals.totals(typing[candidate_id].signals or {})
            found += ["打字：" + f for f in crosscheck.station_flags(
                label, totals.get(("typing", typing[candidate_id].id), none), browser)]
        if found:
            out[candidate_id] = found
    return out


def _incidents(conn: Connection, session_id: int, names: dict[int, str], tz: str) -> list[dict]:
    i, u = Incident.__table__, User.__table__
    rows = conn.execute(
        select(i.c.id, i.c.at, i.c.kind, i.c.description, i.c.candidate_id, u.c.display_name.label("reporter"))
        .select_from(i.outerjoin(u, u.c.id == i.c.reported_by)).where(i.c.session_id == session_id)
        .order_by(i.c.at.desc(), i.c.id.desc()).limit(INCIDENT_LIMIT)).all()
    return [{
        "id": r.id, "at": _clock(r.at, tz, "%m-%d %H:%M:%S"), "kind": r.kind, "description": r.description,
        "candidate": (names.get(r.candidate_id) or f"考生 #{r.candidate_id}") if r.candidate_id else "全场",
        "reporter": r.reporter or "",
    } for r in rows]


# ---------------------------------------------------------------- shaping

def _state(code: str, row, now: dt.datetime, tz: str, unit: str) -> dict | None:
    if row is None:
        return None
    paused = row.status == OPEN and row.paused_at is not None
    deadline = as_utc(row.deadline)
    left = deadline - (as_utc(row.paused_at) if paused else now)
    done, total = int(row.done or 0), int(row.total or 0)
    return {
        "part": code, "label": part(code).short, "attemptId": row.id, "status": row.status, "paused": paused,
        "statusLabel": SUBMIT_LABELS.get(row.submit_reason, status_label(row.status, paused))
        if row.status == SUBMITTED else status_label(row.status, paused),
        "submitReason": row.submit_reason,
        "done": done, "total": total, "progress": f"{done}/{total} {unit}",
        "deadline": epoch_ms(deadline),
        "remainingMs": max(int(left.total_seconds() * 1000), 0) if row.status == OPEN else None,
        "lastSave": _clock(row.last_save, tz, "%H:%M:%S"),
        "extraMinutes": int(row.extra_seconds or 0) // 60,
        "takeOvers": int(row.page_takeovers or 0),
        "takenOverAt": as_utc(row.page_taken_over_at) if row.page_taken_over_at is not None else None,
    }


def _take_overs(parts: list[dict], tz: str) -> dict:
    """How often one of the candidate's parts was open in two windows at once (a page another tab or
    device had taken over was still open and asked the server: ``exam.access.live_page``), and the
    latest time that was seen, local "HH:MM"."""
    count = sum(p["takeOvers"] for p in parts)
    times = [p.pop("takenOverAt") for p in parts]
    latest = max((t for t in times if t is not None), default=None)
    return {"takeOvers": count, "lastTakeOver": _clock(latest, tz, "%H:%M") if latest else ""}


def _overall(parts: list[dict], signed_in_at) -> str:
    if any(p["paused"] for p in parts):
        return "paused"
    if any(p["status"] == OPEN for p in parts):
        return "in_progress"
    if parts:
        return "void" if all(p["status"] == VOID for p in parts) else "submitted"
    return "signed_in" if signed_in_at is not None else "absent"


def _signals(counted: dict[str, int], typing_events: dict[str, int], typing_row) -> dict[str, int]:
    """Page-reported signals of every part; the typing test's focus losses and pastes are its own
    counters (kept per page load, merged by maximum) or its logged events, whichever saw more."""
    out = {kind: counted.get(kind, 0) for kind in KINDS}
    if typing_row is not None:
        counters = typing_signals.totals(typing_row.signals or {})
        out["focus_loss"] += max(counters["focus_losses"], typing_events.get("focus_loss", 0))
        out["paste"] += max(counters["pastes"], typing_events.get("paste", 0))
    return out


def _seat(room: str | None, seat_no: int | None) -> str:
    if room and seat_no is not None:
        return f"{room} {seat_no} 号"
    return room or (f"{seat_no} 号" if seat_no is not None else "")


def _clock(value, tz: str, fmt: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):  # an aggregate SQLite hands back as text
        value = dt.datetime.fromisoformat(value)
    return to_local(value, tz).strftime(fmt)
