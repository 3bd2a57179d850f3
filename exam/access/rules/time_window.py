"""Time window (always on): the theory exam within the session's theory window, the typing test and
the practical within the practical window. Its reasons are the one explanation a candidate reads;
the part services repeat only a short refusal (via ``window``) as their last line of defence."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from exam.access.base import AccessContext, AccessRule
from exam.timeutil import as_utc, to_local


def window(session: Any, part: str) -> tuple[dt.datetime, dt.datetime]:
    """When ``part`` of ``session`` may be started: [opens, closes)."""
    if part == "theory":
        return session.opens_at, session.closes_at
    return session.practical_window


def is_open(session: Any, part: str, now: dt.datetime) -> bool:
    opens, closes = window(session, part)
    return as_utc(opens) <= as_utc(now) < as_utc(closes)


def _hm(value: dt.datetime, tz: str) -> str:
    return to_local(value, tz).strftime("%m-%d %H:%M")


def _span(opens: dt.datetime, closes: dt.datetime, tz: str) -> str:
    a, b = to_local(opens, tz), to_local(closes, tz)
    return f"{_hm(opens, tz)} 至 {b.strftime('%H:%M') if a.date() == b.date() else _hm(closes, tz)}"


class TimeWindowRule(AccessRule):
    code = "time_window"
    name = "开放时间"
    always_on = True

    def description(self, session, timezone):
        theory = window(session, "theory")
        practical = window(session, "practical")
        if theory == practical:
            return f"开放时间 {_span(*theory, timezone)}"
        return (f"理论考试 {_span(*theory, timezone)} 开放；"
                f"打字测试与实操考核 {_span(*practical, timezone)} 开放")

    def prevent_new_attempt(self, ctx: AccessContext) -> Optional[str]:
        if ctx.resuming:
            return None  # an open attempt has its own deadline
        opens, closes = window(ctx.session, ctx.part)
        now = as_utc(ctx.now)
        if now < as_utc(opens):
            return f"本场{ctx.part_name}将于 {_hm(opens, ctx.timezone)} 开始，请到时再进入"
        if now >= as_utc(closes):
            return f"本场{ctx.part_name}已于 {_hm(closes, ctx.timezone)} 结束，不能再开始作答"
        return None

    def end_time(self, ctx: AccessContext) -> Optional[dt.datetime]:
        return window(ctx.session, ctx.part)[1]
