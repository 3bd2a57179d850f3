"""What the papers an exam office files say, per room: the sign-in sheet (签到表), the seat plan
(座位表) and the room report (考场记录). Gathered from the database into plain values for the PDF
renderer (``papers.pdf``), which never sees a row.

The room report is the record a chief examiner signs: the session's times, who sat where and how each
part ended (candidate, time up, proctor — with the proctor's reason), who never came (缺考 once the
windows have closed), the incidents written down, and every proctor action with its time, who did
it and why. Proctor actions live in the audit trail (``exam.proctoring.actions`` records each one in
the transaction that makes it); this reads them from there, so the paper and the trail cannot differ.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, select

from exam import parts, standard
from exam.accounts.models import CandidateProfile, User
from exam.audit.models import AuditEvent
from exam.proctoring.models import Incident
from exam.sessions.models import Enrollment, ExamSession, Room, SessionExaminer
from exam.sessions.roster.idcard import mask
from exam.timeutil import as_utc, to_local

UNSEATED = 0     # the "room" of candidates who have no seat yet

SUBMIT_REASONS = {"candidate": "考生交卷", "deadline": "时间到自动交卷", "proctor": "考评员强制交卷",
                  "void": "已作废"}
ACTIONS = {"proctor.extra_time": "延长时间", "proctor.pause": "暂停", "proctor.resume": "恢复",
           "proctor.force_submit": "强制交卷", "proctor.void": "作废", "proctor.pause_all": "全场暂停",
           "proctor.resume_all": "全场恢复"}
ABSENT, NOT_YET, SIGNED_IN_ONLY = "缺考", "未签到", "已签到未作答"


@dataclass(frozen=True)
class Seat:
    seat_no: int | None
    name: str
    ticket: str
    masked_id: str
    employer: str
    photo: bytes | None
    candidate_id: int


@dataclass(frozen=True)
class RoomSheet:
    """One room of one session: its candidates in seat order (the sign-in sheet and the seat plan)."""

    session_name: str
    level_name: str
    room_id: int
    room_name: str
    location: str
    capacity: int
    windows: list[tuple[str, str]]          # (part of the day, "2026年12月07日 09:00 – 10:30")
    seats: list[Seat]


@dataclass(frozen=True)
class Line:
    """One line of the room report: a time, what happened, to whom, by whom, why."""

    at: str
    what: str
    who: str
    by: str
    reason: str


@dataclass(frozen=True)
class RoomReport:
    sheet: RoomSheet
    examiners: list[str]
    # 应考 = 实考 + 缺考 once closed; 应考 = 实考 + 已签到未作答 + 未签到 while open; then 强制交卷, 作废
    attendance: dict[str, int]
    outcomes: list[tuple[Seat, str, list[str]]]    # seat, attendance word, each part's ending
    incidents: list[Line] = field(default_factory=list)
    actions: list[Line] = field(default_factory=list)
    closed: bool = True


def _window(start: dt.datetime, end: dt.datetime, tz: str) -> str:
    """A window in local time, the end's date written whenever it is not the start's (a window
    crossing midnight must never read as ending before it starts)."""
    a, b = to_local(start, tz), to_local(end, tz)
    if a.date() == b.date():
        return f"{a:%Y年%m月%d日 %H:%M} – {b:%H:%M}"
    return f"{a:%Y年%m月%d日 %H:%M} – {b:%Y年%m月%d日 %H:%M}"


def rooms_of(db: Session, session_id: int) -> list[tuple[int, str, int]]:
    """The session's rooms with seated candidates, and the unseated as room 0: (id, name, count)."""
    counts: dict[int, int] = {}
    for room_id in db.exec(select(Enrollment.room_id).where(Enrollment.session_id == session_id)):
        counts[room_id or UNSEATED] = counts.get(room_id or UNSEATED, 0) + 1
    names = {r.id: r.name for r in db.exec(select(Room).where(Room.id.in_([k for k in counts if k])))} if counts else {}
    out = [(rid, names.get(rid, ""), n) for rid, n in counts.items() if rid]
    out.sort(key=lambda r: r[1])
    if UNSEATED in counts:
        out.append((UNSEATED, "未安排座位", counts[UNSEATED]))
    return out


def candidates_of(db: Session, session_id: int) -> list[tuple[int, str, str]]:
    """(candidate id, name, ticket) of the session, by ticket: the answer-sheet links."""
    rows = db.exec(select(User.id, User.display_name, Enrollment.ticket_number)
                   .join(Enrollment, Enrollment.candidate_id == User.id)
                   .where(Enrollment.session_id == session_id)).all()
    return sorted(((i, n, t or "") for i, n, t in rows), key=lambda r: (r[2], r[1]))


def sheet(db: Session, session_id: int, room_id: int, tz: str) -> RoomSheet | None:
    """The room's candidates of the session in seat order; None when the session or room has none.
    ``room_id`` 0 lists the candidates without a seat."""
    session = db.get(ExamSession, session_id)
    if session is None:
        return None
    room = db.get(Room, room_id) if room_id else None
    if room_id and room is None:
        return None
    query = (select(Enrollment, User, CandidateProfile)
             .join(User, User.id == Enrollment.candidate_id)
             .join(CandidateProfile, CandidateProfile.user_id == User.id, isouter=True)
             .where(Enrollment.session_id == session_id,
                    Enrollment.room_id == room_id if room_id else Enrollment.room_id.is_(None)))
    rows = db.exec(query).all()
    if not rows:
        return None
    rows.sort(key=lambda r: (r[0].seat_no is None, r[0].seat_no or 0, r[0].ticket_number or "", r[1].username))
    seats = [Seat(e.seat_no, u.display_name, e.ticket_number or "（未生成）",
                  mask(p.id_number) if p and p.id_number else "（未登记）", (p.employer if p else "") or "",
                  p.photo if p else None, u.id) for e, u, p in rows]
    windows = [("理论考试", _window(session.opens_at, session.closes_at, tz))]
    p_open, p_close = session.practical_window
    windows.append(("实操考核（含打字）", _window(p_open, p_close, tz)))
    return RoomSheet(session.name, standard.level(session.level).name, room_id,
                     room.name if room else "未安排座位", room.location if room else "",
                     room.seats if room else len(seats), windows, seats)


def _names(db: Session, ids) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {u.id: u.display_name for u in db.exec(select(User).where(User.id.in_(ids)))}


def report(db: Session, session_id: int, room_id: int, tz: str, now: dt.datetime) -> RoomReport | None:
    """The room report of one room (0: the unseated) in one session."""
    found = sheet(db, session_id, room_id, tz)
    if found is None:
        return None
    session = db.get(ExamSession, session_id)
    in_room = {s.candidate_id: s for s in found.seats}
    closed = as_utc(now) >= as_utc(session.ends_at)
    signed_in = dict(db.exec(select(Enrollment.candidate_id, Enrollment.signed_in_at)
                             .where(Enrollment.session_id == session_id)).all())
    endings: dict[int, list[str]] = {cid: [] for cid in in_room}
    sat, forced, voided = set(), 0, 0
    for part in parts.all_parts():
        model = part.model
        for a in db.exec(select(model).where(model.session_id == session_id,
                                             model.candidate_id.in_(list(in_room)))):
            sat.add(a.candidate_id)
            if a.status == parts.OPEN:
                word = "作答中"
            else:
                word = SUBMIT_REASONS.get(a.submit_reason or "", "已交卷")
                when = to_local(a.submitted_at, tz).strftime("%H:%M") if a.submitted_at else ""
                word = f"{word} {when}".strip()
                forced += a.submit_reason == "proctor"
                voided += a.status == parts.VOID
            endings[a.candidate_id].append(f"{part.short}：{word}")
    outcomes = []
    for seat in found.seats:
        if seat.candidate_id in sat:
            word = "实考"
        elif signed_in.get(seat.candidate_id):
            word = SIGNED_IN_ONLY if not closed else ABSENT
        else:
            word = ABSENT if closed else NOT_YET
        outcomes.append((seat, word, endings[seat.candidate_id]))
    attendance = {"应考": len(found.seats), **_attendance([w for _, w, _ in outcomes], closed),
                  "强制交卷（份）": forced, "作废（份）": voided}
    examiners = sorted(_names(db, db.exec(select(SessionExaminer.examiner_id)
                                          .where(SessionExaminer.session_id == session_id))).values())
    incidents_rows = list(db.exec(select(Incident).where(Incident.session_id == session_id).order_by(Incident.at)))
    events = _proctor_events(db, session)
    people = _names(db, [i.reported_by for i in incidents_rows] + [i.candidate_id for i in incidents_rows]
                    + [e.actor_id for e in events] + [(e.detail or {}).get("candidate_id") for e in events])
    incidents = [Line(to_local(i.at, tz).strftime("%m-%d %H:%M"), i.kind,
                      _who(i.candidate_id, in_room, people), people.get(i.reported_by, "—"), i.description)
                 for i in incidents_rows if i.candidate_id is None or i.candidate_id in in_room]
    actions = []
    for e in events:
        detail = e.detail or {}
        cid = detail.get("candidate_id")
        if cid is not None and cid not in in_room:
            continue
        what = ACTIONS.get(e.action, e.action)
        if detail.get("part"):
            what += f"（{parts.get(detail['part']).short}）" if detail["part"] in parts.codes() else ""
        if detail.get("minutes"):
            what += f" {detail['minutes']} 分钟"
        actions.append(Line(to_local(e.at, tz).strftime("%m-%d %H:%M"), what, _who(cid, in_room, people),
                            people.get(e.actor_id, "系统"), detail.get("reason") or ""))
    return RoomReport(found, examiners, attendance, outcomes, incidents, actions, closed)


def _attendance(words: list[str], closed: bool) -> dict[str, int]:
    """The attendance line's counts, one per outcome word, so that they add up to 应考: once every
    window has closed a candidate sat (实考) or is 缺考 (signed in or not); while one is open a
    candidate who signed in without starting a part is 已签到未作答, not yet absent."""
    order = ("实考", ABSENT) if closed else ("实考", SIGNED_IN_ONLY, NOT_YET)
    return {word: words.count(word) for word in order}


def _who(candidate_id, in_room: dict[int, Seat], people: dict[int, str]) -> str:
    if candidate_id is None:
        return "全场"
    seat = in_room.get(candidate_id)
    if seat is None:
        return people.get(candidate_id, "—")
    return f"{seat.name}（{seat.seat_no} 号）" if seat.seat_no else seat.name


def _proctor_events(db: Session, session: ExamSession) -> list[AuditEvent]:
    """Proctor actions on this session, from the audit trail, oldest first. The trail is read only
    over the session's days (from a day before it opens to a day after it ends) and filtered by the
    session id each action records."""
    since = as_utc(session.opens_at) - dt.timedelta(days=1)
    until = as_utc(session.ends_at) + dt.timedelta(days=1)
    rows = db.exec(select(AuditEvent).where(AuditEvent.action.in_(list(ACTIONS)), AuditEvent.at >= since,
                                            AuditEvent.at <= until).order_by(AuditEvent.id))
    out = []
    for e in rows:
        detail = e.detail or {}
        if detail.get("session_id") == session.id or (e.subject_type == "exam_session" and e.subject_id == session.id):
            if e.action in ("proctor.pause", "proctor.resume") and detail.get("scope") == "session":
                continue        # one line per whole-session pause, not one per candidate
            out.append(e)
    return out
