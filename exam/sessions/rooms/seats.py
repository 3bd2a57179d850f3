"""Seats (座位) in the session's rooms: assigned automatically, moved one at a time by hand.

Automatic assignment fills the rooms in the order they were named (by room name), seat 1 upwards,
taking candidates in ticket order — or, when asked, in a shuffled order in which two colleagues from
the same employer never sit on neighbouring seats of one room when that can be avoided (people who
work together are the likeliest to help each other). Every change is audited; a seat beyond a
room's count, a seat already taken or a room that is not the session's is refused with the reason.
"""

from __future__ import annotations

import heapq
import random
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import update
from sqlmodel import Session, select

from exam.accounts.models import CandidateProfile, User
from exam.audit import service as audit
from exam.sessions.roster import tickets
from exam.sessions.models import Enrollment, Room, SessionRoom

ORDER_TICKET, ORDER_SPREAD = "ticket", "spread"
ORDERS = {ORDER_TICKET: "按准考证号顺序", ORDER_SPREAD: "随机打乱，同单位考生不相邻"}
NO_ROOMS = "本场次还没有安排考场：请先在场次设置中添加考场，再分配座位"


class SeatError(ValueError):
    """The seat change was refused; the message says why, in Chinese."""


@dataclass(frozen=True)
class Seat:
    room: Room
    seat_no: int

    @property
    def label(self) -> str:
        return f"{self.room.name} {self.seat_no} 号"


def rooms_of(db: Session, session_id: int) -> list[Room]:
    return list(db.exec(select(Room).join(SessionRoom, SessionRoom.room_id == Room.id)
                        .where(SessionRoom.session_id == session_id).order_by(Room.name, Room.id)))


def all_seats(rooms: list[Room]) -> list[Seat]:
    return [Seat(room, n) for room in rooms for n in range(1, room.seats + 1)]


def spread(items: list, key, rng: random.Random) -> list:
    """``items`` shuffled, then re-ordered so that no two neighbours share a non-empty ``key`` where
    possible: each step takes an item of the biggest group left whose key differs from the previous
    one (blank keys never clash). The classic greedy for "no two adjacent equal"; it only fails when
    one group is more than half of everything, and then places the rest as well as it can."""
    pool = list(items)
    rng.shuffle(pool)
    groups: dict[object, list] = defaultdict(list)
    for item in pool:
        groups[key(item) or object()].append(item)     # a blank key is a group of its own
    order = {k: i for i, k in enumerate(groups)}       # ties broken by the shuffle, not by the key
    heap = [(-len(v), order[k], k) for k, v in groups.items()]
    heapq.heapify(heap)
    out, held = [], None
    while heap or held:
        if not heap:                                   # only the previous group is left: unavoidable
            heap, held = [held], None
        size, tie, k = heapq.heappop(heap)
        out.append(groups[k].pop())
        if held is not None:
            heapq.heappush(heap, held)
        held = (size + 1, tie, k) if size + 1 < 0 else None
    return out


def assign(db: Session, session_id: int, actor_id: int | None, order: str = ORDER_TICKET,
           reseat_all: bool = False, seed: int | None = None) -> int:
    """Give a seat to every enrolment without one (or, with ``reseat_all``, re-seat everybody).
    Returns how many enrolments got a (new) seat."""
    rooms = rooms_of(db, session_id)
    if not rooms:
        raise SeatError(NO_ROOMS)
    tickets.issue(db, session_id)
    rows = db.exec(select(Enrollment, CandidateProfile.employer)
                   .join(CandidateProfile, CandidateProfile.user_id == Enrollment.candidate_id, isouter=True)
                   .where(Enrollment.session_id == session_id).order_by(Enrollment.ticket_number)).all()
    if reseat_all:
        db.execute(update(Enrollment).where(Enrollment.session_id == session_id).values(room_id=None, seat_no=None))
        db.expire_all()
        rows = [(db.get(Enrollment, e.id), emp) for e, emp in rows]
    room_ids = {r.id for r in rooms}
    taken = {(e.room_id, e.seat_no) for e, _ in rows if e.room_id is not None}
    waiting = [(e, emp) for e, emp in rows if e.room_id is None or e.room_id not in room_ids]
    free = [s for s in all_seats(rooms) if (s.room.id, s.seat_no) not in taken]
    if len(waiting) > len(free):
        total = sum(r.seats for r in rooms)
        raise SeatError(f"座位不足：本场次考场共 {total} 个座位，还有 {len(waiting)} 名考生待分配，"
                        f"空余座位只有 {len(free)} 个。请增加考场后再分配")
    if order == ORDER_SPREAD:
        waiting = spread(waiting, key=lambda pair: (pair[1] or "").strip(), rng=random.Random(seed))
    elif order != ORDER_TICKET:
        raise SeatError(f"未知的排座方式“{order}”")
    for (enrolment, _), seat in zip(waiting, free):
        enrolment.room_id, enrolment.seat_no = seat.room.id, seat.seat_no
        db.add(enrolment)
    db.flush()
    audit.record(db.connection(), "seat.assign", "exam_session", session_id, actor_id=actor_id,
                 order=order, reseat_all=reseat_all, assigned=len(waiting))
    return len(waiting)


def move(db: Session, session_id: int, enrollment_id: int, room_id: int, seat_no: int,
         actor_id: int | None) -> Seat:
    """Move one candidate to a free seat of one of the session's rooms."""
    enrolment = db.get(Enrollment, enrollment_id)
    if enrolment is None or enrolment.session_id != session_id:
        raise SeatError("该考生没有报名本场次")
    rooms = {r.id: r for r in rooms_of(db, session_id)}
    if not rooms:
        raise SeatError(NO_ROOMS)
    room = rooms.get(room_id)
    if room is None:
        raise SeatError("所选考场不属于本场次")
    if not 1 <= seat_no <= room.seats:
        raise SeatError(f"{room.name} 只有 {room.seats} 个座位（1–{room.seats} 号），没有 {seat_no} 号座位")
    holder = db.exec(select(Enrollment, User.display_name).join(User, User.id == Enrollment.candidate_id)
                     .where(Enrollment.session_id == session_id, Enrollment.room_id == room_id,
                            Enrollment.seat_no == seat_no)).first()
    if holder is not None and holder[0].id != enrolment.id:
        raise SeatError(f"{room.name} {seat_no} 号座位已安排给考生 {holder[1]}（{holder[0].ticket_number}）")
    before = (rooms[enrolment.room_id].name if enrolment.room_id in rooms else None, enrolment.seat_no)
    enrolment.room_id, enrolment.seat_no = room_id, seat_no
    db.add(enrolment)
    db.flush()
    audit.record(db.connection(), "seat.move", "enrollment", enrolment.id, actor_id=actor_id,
                 session_id=session_id, candidate_id=enrolment.candidate_id,
                 before=f"{before[0]} {before[1]} 号" if before[0] else None, after=f"{room.name} {seat_no} 号")
    return Seat(room, seat_no)


def free_seats(db: Session, session_id: int) -> dict[int, list[int]]:
    """Free seat numbers per room id, for the move form."""
    used = set(db.exec(select(Enrollment.room_id, Enrollment.seat_no).where(
        Enrollment.session_id == session_id, Enrollment.room_id.is_not(None))).all())
    return {r.id: [n for n in range(1, r.seats + 1) if (r.id, n) not in used] for r in rooms_of(db, session_id)}
