"""What may still change in a session that has started.

Candidates already sitting hold papers, deadlines and marks made under the session's settings, so
once a part has started (its window has opened or someone has an attempt in it):
- its opening time stays and its closing time may only move later;
- the theory paper (level, blueprint, item count, duration) stays once the theory part has started;
- the practical blueprint and double marking stay once the practical part (typing or scenarios) has;
- a candidate who has an attempt stays enrolled;
and at any time a room where candidates already have seats stays on the session.
Name, notes, examiners, rooms, sign-in and release modes, and new candidates remain editable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from exam import parts
from exam.accounts.models import User
from exam.sessions.models import Enrollment, ExamSession, Room
from exam.timeutil import to_local


@dataclass(frozen=True)
class Started:
    """Why each part counts as started ("" when it has not): shown on the edit page and in refusals."""

    theory: str
    practical: str

    @property
    def any(self) -> bool:
        return bool(self.theory or self.practical)


def _count(db: Session, model, session_id: int) -> int:
    return int(db.exec(select(func.count()).select_from(model).where(model.session_id == session_id)).one())


def started(db: Session, session: ExamSession, now: dt.datetime, tz: str = "UTC") -> Started:
    def why(opens: dt.datetime, attempts: int, what: str) -> str:
        if attempts:
            return f"已有 {attempts} 名考生开始{what}"
        if now >= opens:
            return f"{what}已于 {to_local(opens, tz):%Y-%m-%d %H:%M} 开始"
        return ""
    counts = {window: sum(_count(db, p.model, session.id) for p in parts.in_window(window))
              for window in ("theory", "practical")}
    return Started(theory=why(session.opens_at, counts["theory"], "理论考试"),
                   practical=why(session.practical_window[0], counts["practical"], "实操考核"))


def candidates_with_attempts(db: Session, session_id: int) -> set[int]:
    out: set[int] = set()
    for p in parts.all_parts():
        out |= set(db.exec(select(p.model.candidate_id).where(p.model.session_id == session_id)))
    return out


def edit_limits(db: Session, session: ExamSession, before, plan, now: dt.datetime, tz: str = "UTC") -> list[str]:
    """Reasons the plan cannot replace ``before`` (both ``scheduling.SessionPlan``), in Chinese."""
    state = started(db, session, now, tz)
    out: list[str] = []
    if state.theory:
        why = f"理论考试已开始（{state.theory}）"
        for f, label in (("level", "等级"), ("blueprint_id", "组卷规则"), ("duration_minutes", "考试时长")):
            if getattr(plan, f) != getattr(before, f):
                out.append(f"{why}，不能更改{label}")
        if plan.blueprint_id is None and before.blueprint_id is None and plan.item_count != before.item_count:
            out.append(f"{why}，不能更改题量")
        out += _window(why, "理论考试", (before.opens_at, before.closes_at), (plan.opens_at, plan.closes_at), tz)
    if state.practical:
        why = f"实操考核已开始（{state.practical}）"
        if plan.level != before.level and not state.theory:
            out.append(f"{why}，不能更改等级")
        if _restriction(plan.practical_scenarios) != _restriction(before.practical_scenarios):
            out.append(f"{why}，不能更改实操组卷")
        if plan.double_marking != before.double_marking:
            out.append(f"{why}，不能更改双人评分设置")
        out += _window(why, "实操考核", before.practical_window, plan.practical_window, tz)
    sitting = candidates_with_attempts(db, session.id) & (set(before.candidate_ids) - set(plan.candidate_ids))
    if sitting:
        names = db.exec(select(User.display_name, User.username).where(User.id.in_(sitting))
                        .order_by(User.username)).all()
        out += [f"考生 {name}（{username}）已开始作答，不能取消报名" for name, username in names]
    dropped = set(before.room_ids) - set(plan.room_ids)
    if dropped:
        rows = db.exec(select(Room.name, func.count()).join(Enrollment, Enrollment.room_id == Room.id)
                       .where(Enrollment.session_id == session.id, Room.id.in_(dropped))
                       .group_by(Room.name)).all()
        out += [f"考场 {name} 已安排 {n} 名考生座位，请先调整座位再移除该考场" for name, n in rows]
    return out


def _restriction(chosen: dict | None) -> dict:
    return {k: sorted(v) for k, v in (chosen or {}).items() if v}


def _window(why: str, what: str, old: tuple[dt.datetime, dt.datetime], new: tuple[dt.datetime, dt.datetime],
            tz: str) -> list[str]:
    out = []
    if new[0] != old[0]:
        out.append(f"{why}，{what}开始时间不能更改（仍为 {to_local(old[0], tz):%Y-%m-%d %H:%M}）")
    if new[1] < old[1]:
        out.append(f"{why}，{what}结束时间只能延后，不能早于原定的 {to_local(old[1], tz):%Y-%m-%d %H:%M}")
    return out
