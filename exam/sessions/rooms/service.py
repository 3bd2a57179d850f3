"""Exam rooms (考场): the seats a session can offer. A room is deactivated rather than deleted, because
past sessions and seat assignments still name it; a deactivated room is no longer offered for new
sessions. Every change is audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from exam.audit.service import record
from exam.sessions.models import Enrollment, ExamSession, Room, SessionRoom

MIN_SEATS, MAX_SEATS = 1, 500


class RoomError(ValueError):
    """A room change was refused; the message says why, in Chinese."""


@dataclass(frozen=True)
class RoomData:
    name: str
    seats: int
    location: str = ""


@dataclass(frozen=True)
class RoomRow:
    room: Room
    session_count: int


def rooms(db: Session, include_inactive: bool = True) -> list[Room]:
    query = select(Room).order_by(Room.active.desc(), Room.name)
    if not include_inactive:
        query = query.where(Room.active == True)  # noqa: E712
    return list(db.exec(query))


def room_rows(db: Session) -> list[RoomRow]:
    """Each room with the number of sessions that have used it (the list page shows it)."""
    used = dict(db.exec(select(SessionRoom.room_id, func.count()).group_by(SessionRoom.room_id)).all())
    return [RoomRow(room, int(used.get(room.id, 0))) for room in rooms(db)]


def get(db: Session, room_id: int) -> Room | None:
    return db.get(Room, room_id)


def _check(db: Session, data: RoomData, room_id: int | None) -> RoomData:
    name = data.name.strip()
    if not name:
        raise RoomError("请填写考场名称")
    if not MIN_SEATS <= data.seats <= MAX_SEATS:
        raise RoomError(f"座位数应在 {MIN_SEATS} 至 {MAX_SEATS} 之间")
    same = db.exec(select(Room).where(Room.name == name)).first()
    if same is not None and same.id != room_id:
        raise RoomError(f"已有名为“{name}”的考场{'' if same.active else '（已停用，可在列表中重新启用）'}")
    return RoomData(name=name, seats=data.seats, location=data.location.strip())


def create(db: Session, data: RoomData, actor_id: int | None) -> Room:
    data = _check(db, data, None)
    room = Room(name=data.name, seats=data.seats, location=data.location)
    db.add(room)
    db.flush()
    record(db.connection(), "room.create", "room", room.id, actor_id=actor_id,
           name=room.name, seats=room.seats, location=room.location)
    return room


def _seat_shortfalls(db: Session, room: Room, seats: int, now: dt.datetime) -> list[str]:
    """Sessions not yet over that use this room and would have more candidates than seats."""
    out = []
    sessions = db.exec(select(ExamSession).join(SessionRoom, SessionRoom.session_id == ExamSession.id)
                       .where(SessionRoom.room_id == room.id)).all()
    for s in sessions:
        if s.ends_at <= now:
            continue
        room_seats = dict(db.exec(select(Room.id, Room.seats).join(SessionRoom, SessionRoom.room_id == Room.id)
                                  .where(SessionRoom.session_id == s.id)).all())
        room_seats[room.id] = seats
        enrolled = db.exec(select(func.count()).select_from(Enrollment).where(Enrollment.session_id == s.id)).one()
        if enrolled > sum(room_seats.values()):
            out.append(f"场次《{s.name}》报名 {enrolled} 人，改后其考场共 {sum(room_seats.values())} 个座位，不够坐")
        highest = db.exec(select(func.max(Enrollment.seat_no)).where(Enrollment.session_id == s.id,
                                                                      Enrollment.room_id == room.id)).one()
        if highest is not None and highest > seats:
            out.append(f"场次《{s.name}》已安排到本考场第 {highest} 号座位")
    return out


def update(db: Session, room: Room, data: RoomData, actor_id: int | None, now: dt.datetime) -> dict:
    """Returns the changed fields as {field: [old, new]} (also what the audit entry records). Fewer
    seats are refused while a session not yet over would be left with more candidates than seats."""
    data = _check(db, data, room.id)
    if data.seats < room.seats:
        short = _seat_shortfalls(db, room, data.seats, now)
        if short:
            raise RoomError("座位数不能减少到 {}：{}".format(data.seats, "；".join(short)))
    changes = {f: [getattr(room, f), getattr(data, f)] for f in ("name", "seats", "location")
               if getattr(room, f) != getattr(data, f)}
    for f, (_old, new) in changes.items():
        setattr(room, f, new)
    db.add(room)
    db.flush()
    if changes:
        record(db.connection(), "room.update", "room", room.id, actor_id=actor_id, changes=changes)
    return changes


def set_active(db: Session, room: Room, active: bool, actor_id: int | None) -> bool:
    """Returns whether anything changed; a second click changes nothing and records nothing."""
    if room.active == active:
        return False
    room.active = active
    db.add(room)
    db.flush()
    record(db.connection(), "room.activate" if active else "room.deactivate", "room", room.id,
           actor_id=actor_id, name=room.name)
    return True


def delete(db: Session, room: Room, actor_id: int | None) -> None:
    """Only a room no session has ever used may go; any other is deactivated instead, so past
    sessions, seats and admission tickets keep naming it."""
    used = db.exec(select(func.count()).select_from(SessionRoom).where(SessionRoom.room_id == room.id)).one()
    seated = db.exec(select(func.count()).select_from(Enrollment).where(Enrollment.room_id == room.id)).one()
    if used or seated:
        raise RoomError(f"考场 {room.name} 已被 {max(used, 1)} 个场次使用，不能删除；如不再使用请停用")
    record(db.connection(), "room.delete", "room", room.id, actor_id=actor_id,
           name=room.name, seats=room.seats, location=room.location)
    db.delete(room)
    db.flush()
