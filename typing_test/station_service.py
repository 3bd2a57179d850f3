"""Exam stations on the server: codes the examiner hands out, the agent's registration and signed
requests, what the agent should watch, and the summaries it reports.

The code is only a ticket to register once: registration returns a fresh key and after that every
request must carry an HMAC of its method, path, sequence number and body. Sequence numbers only go
up, so a captured request cannot be replayed; a stolen code is useless once its station registered
(the examiner resets a station to let a reinstalled agent register again).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import and_, select, update
from sqlalchemy.engine import Engine
from sqlmodel import Session
from sqlmodel import select as sm_select

from exam.audit.service import record
from exam.db import write_connection, write_session
from exam.delivery.models import OPEN as THEORY_OPEN
from exam.delivery.models import Attempt
from exam.sessions.models import Enrollment
from typing_test import station_protocol
from typing_test.models import OPEN as TYPING_OPEN
from typing_test.models import Station, StationSummary, TypingAttempt

#: No 0/O, 1/I/L: codes are read aloud and typed by hand in the exam room.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_STATIONS_PER_REQUEST = 200


class StationError(Exception):
    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def new_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


# ---------------------------------------------------------------- examiner side

def stations_of_session(db: Session, session_id: int) -> list[Station]:
    return list(db.exec(sm_select(Station).where(Station.session_id == session_id).order_by(Station.label)))


def create_stations(db: Session, session_id: int, count: int, actor_id: int) -> list[Station]:
    if not 1 <= count <= MAX_STATIONS_PER_REQUEST:
        raise StationError(f"一次可添加 1 至 {MAX_STATIONS_PER_REQUEST} 台考试机")
    existing = stations_of_session(db, session_id)
    start = len(existing) + 1
    created = [Station(session_id=session_id, code=new_code(), label=f"{n:02d}") for n in range(start, start + count)]
    db.add_all(created)
    db.flush()
    record(db.connection(), "station.create", "exam_session", session_id, actor_id=actor_id, count=count)
    return created


def assign(db: Session, session_id: int, station_id: int, candidate_id: int | None, actor_id: int) -> Station:
    station = db.get(Station, station_id)
    if station is None or station.session_id != session_id:
        raise StationError("找不到该考试机", 404)
    if candidate_id is not None:
        enrolled = db.exec(sm_select(Enrollment.id).where(Enrollment.session_id == session_id,
                                                          Enrollment.candidate_id == candidate_id)).first()
        if enrolled is None:
            raise StationError("该考生未报名本场考试")
        taken = db.exec(sm_select(Station).where(Station.session_id == session_id, Station.id != station_id,
                                                 Station.candidate_id == candidate_id)).first()
        if taken is not None:
            raise StationError(f"该考生已分配到考试机 {taken.label}")
    station.candidate_id = candidate_id
    db.add(station)
    record(db.connection(), "station.assign", "station", station_id, actor_id=actor_id, candidate_id=candidate_id)
    return station


def reset(db: Session, session_id: int, station_id: int, actor_id: int) -> Station:
    """Forget the agent's key so a reinstalled agent can register with the same code."""
    station = db.get(Station, station_id)
    if station is None or station.session_id != session_id:
        raise StationError("找不到该考试机", 404)
    # The sequence starts afresh too: a station bricked by a sequence number far ahead (a clock that
    # jumped, a tampered agent) is mended by a reset and a new registration.
    station.key, station.registered_at, station.hostname, station.last_seq = None, None, "", 0
    db.add(station)
    record(db.connection(), "station.reset", "station", station_id, actor_id=actor_id)
    return station


def station_for_candidate(db: Session, session_id: int, candidate_id: int) -> Station | None:
    return db.exec(sm_select(Station).where(Station.session_id == session_id,
                                            Station.candidate_id == candidate_id)).first()


def summaries_for(db: Session, activity: str, attempt_id: int) -> list[StationSummary]:
    return list(db.exec(sm_select(StationSummary).where(StationSummary.activity == activity,
                                                        StationSummary.attempt_id == attempt_id)
                        .order_by(StationSummary.window_start)))


# ---------------------------------------------------------------- agent side

def register(engine: Engine, code: str, hostname: str, now: dt.datetime) -> tuple[str, str]:
    """The station's label and its new key; refuses an unknown code or one already registered."""
    code = (code or "").strip().upper()
    with write_session(engine) as db:
        station = db.exec(sm_select(Station).where(Station.code == code)).first()
        if station is None:
            raise StationError("考试机编码不存在，请核对考评员发放的编码", 404)
        if station.key is not None:
            raise StationError("该考试机编码已登记；如需在本机重新登记，请考评员先在考试机页面“重置”", 409)
        station.key = secrets.token_hex(32)
        station.hostname = (hostname or "")[:200]
        station.registered_at = station.last_seen_at = now
        db.add(station)
        record(db.connection(), "station.register", "station", station.id, hostname=station.hostname)
        return station.label, station.key


#: How far ahead of the server's clock a sequence number may be. The agent counts microseconds since
#: the epoch (``station_agent.next_seq``); a number further ahead would refuse every later request
#: until that time, so it is refused itself (a PC clock a day wrong is told so).
SEQ_AHEAD_SECONDS = 24 * 3600
SEQ_MAX = 2 ** 63 - 1   # the column is a BIGINT


def parse_seq(header: str | None, now: dt.datetime) -> int:
    """The request's sequence number: 1 to SEQ_MAX digits only, and not far ahead of the clock (400)."""
    text = (header or "").strip()
    if not text:
        raise StationError("请求缺少有效的序号（X-Station-Seq）", 401)
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise StationError("序号（X-Station-Seq）应为不超过 19 位的正整数", 400)
    seq = int(text)
    ceiling = min(SEQ_MAX, int((now.timestamp() + SEQ_AHEAD_SECONDS) * 1_000_000))
    if seq < 1 or seq > ceiling:
        raise StationError("序号（X-Station-Seq）超出允许范围：请核对考试机的系统时间后重启监控程序", 400)
    return seq


def authenticate(engine: Engine, code: str | None, seq_header: str | None, signature: str | None,
                 method: str, path: str, body: bytes, now: dt.datetime) -> Station:
    """The station a signed request comes from; advances its sequence number, so each request counts once."""
    seq = parse_seq(seq_header, now)
    with Session(engine) as db:
        station = db.exec(sm_select(Station).where(Station.code == (code or "").strip().upper())).first()
    if station is None:
        raise StationError("考试机编码不存在", 404)
    if station.key is None:
        raise StationError("该考试机尚未登记或已被考评员重置：请删除本机保存的考试机密钥文件后重新启动监控程序", 401)
    if not signature or not station_protocol.verify(station.key, method, path, seq, body, signature):
        raise StationError("签名校验失败：请求不是由已登记的监控程序发出", 401)
    table = Station.__table__
    with write_connection(engine) as conn:
        moved = conn.execute(update(table).where(and_(table.c.id == station.id, table.c.last_seq < seq))
                             .values(last_seq=seq, last_seen_at=now)).rowcount
    if not moved:
        raise StationError("序号已用过：重放的请求被拒绝", 409)
    return station


@dataclass(frozen=True)
class Activity:
    kind: str  # "typing" or "theory"
    attempt_id: int
    deadline: dt.datetime


def current_activity(db: Session, station: Station, now: dt.datetime) -> Activity | None:
    """What the station's candidate has open right now: the typing test first, else the theory exam."""
    if station.candidate_id is None:
        return None
    typing = db.exec(sm_select(TypingAttempt).where(
        TypingAttempt.session_id == station.session_id, TypingAttempt.candidate_id == station.candidate_id,
        TypingAttempt.status == TYPING_OPEN, TypingAttempt.deadline > now)).first()
    if typing is not None:
        return Activity("typing", typing.id, typing.deadline)
    theory = db.exec(sm_select(Attempt).where(
        Attempt.session_id == station.session_id, Attempt.candidate_id == station.candidate_id,
        Attempt.status == THEORY_OPEN, Attempt.deadline > now)).first()
    if theory is not None:
        return Activity("theory", theory.id, theory.deadline)
    return None


_INTERVAL_KEYS = ("count", "median_ms", "p10_ms", "p90_ms", "under_30ms")
_SHORTCUT_KEYS = ("alt_tab", "win", "ctrl_c", "ctrl_v", "print_screen")
_MAX_COUNT = 1_000_000


def parse_summary(raw: object) -> dict:
    if not isinstance(raw, dict):
        raise StationError("摘要应为 JSON 对象")
    if raw.get("activity") not in ("typing", "theory"):
        raise StationError("activity 应为 typing 或 theory")
    out: dict = {"activity": raw["activity"]}
    for key in ("attempt_id", "keystrokes", "char_keys", "injected"):
        out[key] = _count(raw.get(key), key)
    for key in ("window_start", "window_end"):
        try:
            value = dt.datetime.fromisoformat(str(raw.get(key)).replace("Z", "+00:00"))
        except ValueError:
            raise StationError(f"{key} 应为 ISO 8601 时间") from None
        if value.tzinfo is None:
            raise StationError(f"{key} 应带时区（UTC）")
        out[key] = value.astimezone(dt.timezone.utc)
    if out["window_end"] < out["window_start"]:
        raise StationError("window_end 早于 window_start")
    intervals, shortcuts = raw.get("intervals") or {}, raw.get("shortcuts") or {}
    if not isinstance(intervals, dict) or not isinstance(shortcuts, dict):
        raise StationError("intervals 与 shortcuts 应为对象")
    out["intervals"] = {k: _number(intervals.get(k), f"intervals.{k}") for k in _INTERVAL_KEYS}
    out["shortcuts"] = {k: _count(shortcuts.get(k, 0), f"shortcuts.{k}") for k in _SHORTCUT_KEYS}
    return out


def _count(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= _MAX_COUNT:
        raise StationError(f"{name} 应为 0 至 {_MAX_COUNT} 的整数")
    return value


def _number(value: object, name: str) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 10**9:
        raise StationError(f"{name} 应为非负数或 null")
    return value


def add_summary(engine: Engine, station: Station, summary: dict, now: dt.datetime) -> bool:
    """Store a summary of an attempt of the station's candidate; False when it was already stored."""
    model = TypingAttempt if summary["activity"] == "typing" else Attempt
    with write_session(engine) as db:
        attempt = db.get(model, summary["attempt_id"])
        if (attempt is None or station.candidate_id is None or attempt.candidate_id != station.candidate_id
                or attempt.session_id != station.session_id):
            raise StationError("该考试记录不属于本考试机的考生", 403)
        table = StationSummary.__table__
        seen = db.connection().execute(select(table.c.id).where(
            table.c.station_id == station.id, table.c.activity == summary["activity"],
            table.c.attempt_id == summary["attempt_id"], table.c.window_start == summary["window_start"])).first()
        if seen is not None:
            return False
        db.add(StationSummary(station_id=station.id, candidate_id=station.candidate_id, received_at=now, **summary))
        return True
