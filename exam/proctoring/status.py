"""What a candidate's page learns from its status poll: is the attempt paused, how long is left, has an
examiner added time, submitted or voided it — and why it was voided.

Every candidate's page asks every few seconds (``STATUS_POLL_SECONDS``), so the poll is one primary-key
read of the attempt row; the void reason, read from the audit entry that voided the attempt, is looked
up only for a voided attempt.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.engine import Connection

from exam.access import live_page
from exam.audit.models import AuditEvent
from exam.proctoring.parts import FORCE_REASON, OPEN, VOID, VOID_REASON, part
from exam.timeutil import epoch_ms


def attempt_status(conn: Connection, part_code: str, attempt_id: int, candidate_id: int,
                   now: dt.datetime, page: str | None = None) -> dict | None:
    """The candidate's own attempt's state, or None when there is no such attempt of theirs.
    ``takenOver``: a page that named itself (``page``) is no longer the live one (exam.access.live_page)."""
    p = part(part_code)
    t = p.table
    row = conn.execute(select(t.c.candidate_id, t.c.status, t.c.deadline, t.c.paused_at, t.c.extra_seconds,
                              t.c.page_token)
                       .where(t.c.id == attempt_id)).first()
    if row is None or row.candidate_id != candidate_id:
        return None
    void = void_reason(conn, part_code, attempt_id) if row.status == VOID else None
    return status_of(row, now, page, void)


def status_of(attempt, now: dt.datetime, page: str | None = None, void: str | None = None) -> dict:
    """The state ``attempt_status`` reports, from an attempt's own values (status, deadline,
    paused_at, extra_seconds, page_token) — as read, or as a start has just written them."""
    paused = attempt.status == OPEN and attempt.paused_at is not None
    left = attempt.deadline - (attempt.paused_at if paused else now)
    return {
        "status": attempt.status,
        "paused": paused,
        "deadline": epoch_ms(attempt.deadline),
        "serverNow": epoch_ms(now),
        # frozen at the moment of the pause while paused; counting down otherwise
        "remainingMs": max(int(left.total_seconds() * 1000), 0),
        "extraSeconds": int(attempt.extra_seconds or 0),
        "voidReason": void,
        "takenOver": bool(page) and attempt.status == OPEN and live_page.is_stale(attempt.page_token, page),
    }


def void_reason(conn: Connection, part_code: str, attempt_id: int) -> str:
    """The reason the examiner gave when voiding the attempt (the newest ``proctor.void`` entry)."""
    return proctor_reason(conn, part_code, attempt_id, "proctor.void")


def proctor_reason(conn: Connection, part_code: str, attempt_id: int, action: str) -> str:
    """The reason an examiner gave for an action on the attempt (its newest audit entry): the audit
    trail is where every proctor's reason is kept, so the candidate's pages read it from there."""
    p = part(part_code)
    detail = conn.execute(select(AuditEvent.detail).where(
        AuditEvent.action == action, AuditEvent.subject_type == p.subject_type,
        AuditEvent.subject_id == attempt_id).order_by(AuditEvent.id.desc()).limit(1)).scalar()
    if isinstance(detail, dict):
        return str(detail.get("reason") or "")
    return ""


#: How an attempt ended, by ``submit_reason``, as its result page says it.
SUBMIT_ACCOUNTS = {
    "candidate": "考生本人交卷",
    "deadline": "考试时间到，系统自动交卷",
    FORCE_REASON: "监考老师强制交卷",
    VOID_REASON: "监考老师已作废本次作答",
}


def submit_account(conn: Connection, part_code: str, attempt) -> dict | None:
    """Who ended a closed attempt and why, for the candidate's result page: ``{"code", "text",
    "reason"}`` where ``reason`` is the examiner's own words for a forced submission or voiding."""
    code = attempt.submit_reason
    if attempt.status == OPEN or code is None:
        return None
    reason = ""
    if code == FORCE_REASON:
        reason = proctor_reason(conn, part_code, attempt.id, "proctor.force_submit")
    elif code == VOID_REASON:
        reason = void_reason(conn, part_code, attempt.id)
    return {"code": code, "text": SUBMIT_ACCOUNTS.get(code, code), "reason": reason}
