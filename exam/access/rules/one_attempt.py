"""One attempt (always on): each part may be sat once. An open attempt is resumed, never restarted;
a submitted or voided one ends the part. Each attempt table's unique (session, candidate) key already
makes a second attempt impossible — this rule is the explanation. A voided attempt stays blocked
until an examiner intervenes (the proctoring side removes or reopens it)."""

from __future__ import annotations

from typing import Optional

from exam.access.base import OPEN, VOID_STATUSES, AccessContext, AccessRule


class OneAttemptRule(AccessRule):
    code = "one_attempt"
    name = "仅限作答一次"
    always_on = True

    def description(self, session, timezone):
        return "每部分仅限作答一次，交卷后不能重新开始"

    def prevent_new_attempt(self, ctx: AccessContext) -> Optional[str]:
        attempt = ctx.attempt
        if attempt is None or attempt.status == OPEN:
            return None
        if attempt.status in VOID_STATUSES:
            return (f"您本场的{ctx.part_name}作答已被考评员作废，每位考生仅限作答一次；"
                    "如需重新作答，请联系考评员处理")
        return "您已完成本部分考试，每位考生仅限作答一次"
