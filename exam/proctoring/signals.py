"""Integrity signals a candidate's page reports (focus lost, fullscreen left, paste attempted, idle
lock), stored as ``IntegritySignal`` rows for the live board.

The page is the candidate's own and could be made to report anything, so what comes in is checked
narrowly (a known part and kind, a small flat ``detail``) and capped per candidate and session: a
page stuck in a loop fills at most ``MAX_PER_CANDIDATE`` rows, not the disk. Signals inform the
examiner; they never change a score. The typing test keeps its own richer log
(``typing_test.signals``); the board adds both up.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from exam.db import write_connection
from exam.proctoring.models import IntegritySignal
from exam.proctoring.parts import ProctorError, is_part
from exam.sessions.models import Enrollment

KINDS = {
    "focus_loss": "离开考试页面",
    "fullscreen_exit": "退出全屏",
    "paste": "尝试粘贴",
    "idle_lock": "长时间无操作锁屏",
}

#: Reports that are states rather than incidents: the page returned to fullscreen. Stored so the
#: save path knows the page is uncovered again (exam.access.attempts), not counted on the board.
STATES = {"fullscreen_return": "返回全屏"}

MAX_PER_CANDIDATE = 1000
MAX_DETAIL_KEYS = 8
MAX_DETAIL_CHARS = 120


def parse(body: object) -> tuple[str, str, dict]:
    """(part, kind, detail) from the page's JSON, or a Chinese error naming the field."""
    if not isinstance(body, dict):
        raise ProctorError("诚信信号格式错误：请求体应为 JSON 对象")
    part, kind, detail = body.get("part"), body.get("kind"), body.get("detail") or {}
    if not is_part(part):
        raise ProctorError("诚信信号格式错误：part 应为 theory、typing 或 practical")
    if kind not in KINDS and kind not in STATES:
        raise ProctorError("诚信信号格式错误：kind 应为 " + "、".join(KINDS))
    if not isinstance(detail, dict) or len(detail) > MAX_DETAIL_KEYS or not all(
            isinstance(k, str) and len(k) <= 20 and _scalar(v) for k, v in detail.items()):
        raise ProctorError(f"诚信信号格式错误：detail 应为不超过 {MAX_DETAIL_KEYS} 项的简单键值"
                           f"（键不超过 20 字，文本值不超过 {MAX_DETAIL_CHARS} 字）")
    return part, kind, detail


def _scalar(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= MAX_DETAIL_CHARS
    return value is None or isinstance(value, (bool, int, float))


def record(engine: Engine, session_id: int, candidate_id: int, part: str, kind: str, detail: dict,
           now: dt.datetime) -> bool:
    """Store one signal; False when the candidate has reached the cap for this session (nothing stored).
    Refuses (403) a candidate not enrolled in the session."""
    signals, enrolments = IntegritySignal.__table__, Enrollment.__table__
    with write_connection(engine) as conn:
        if conn.execute(select(enrolments.c.id).where(enrolments.c.session_id == session_id,
                                                      enrolments.c.candidate_id == candidate_id)).first() is None:
            raise ProctorError("您未报名本场考试，不能上报诚信信号", 403)
        stored = conn.execute(select(func.count()).select_from(signals).where(
            signals.c.session_id == session_id, signals.c.candidate_id == candidate_id)).scalar_one()
        if stored >= MAX_PER_CANDIDATE:
            return False
        conn.execute(insert(signals).values(session_id=session_id, candidate_id=candidate_id, part=part, kind=kind,
                                            at=now, detail=detail))
    return True
