"""The rules every examiner marking follows, whatever is marked (a short answer, a practical task).

One copy of them, so the theory's short answers and the practical's tasks cannot drift apart:

- **Rounds.** Round 1 is the first marking. With double marking on, round 2 is a second, independent
  marking by another examiner; two marks further apart than ``standard.DOUBLE_MARK_TOLERANCE`` of the
  marked points wait for a round 3 that reconciles them (仲裁), and that third mark decides.
- **Agreement.** The agreed points are the single mark, the mean of two close marks, or the third.
- **Changing a saved mark.** An examiner may correct their own marking until results are published,
  but only deliberately: the change must be confirmed and carry a written reason, which the audit
  trail keeps beside the points before and after.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Mapping, Optional

from exam import standard

PENDING, SECOND, RECONCILE, AGREED = "待评分", "待二评", "待仲裁", "已评定"
MAX_CHANGE_REASON = 500


class RoundError(ValueError):
    """A marking that may not be recorded; the message is for the examiner, in Chinese."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def agreed(by_round: Mapping[int, Fraction], double: bool, top: Fraction) -> Optional[Fraction]:
    """The points that count, or None while the marking is incomplete."""
    if not double:
        return by_round.get(1)
    if 3 in by_round:
        return by_round[3]
    if 1 in by_round and 2 in by_round:
        if abs(by_round[1] - by_round[2]) <= standard.DOUBLE_MARK_TOLERANCE * top:
            return (by_round[1] + by_round[2]) / 2
    return None


def state(by_round: Mapping[int, Fraction], double: bool, top: Fraction) -> str:
    if agreed(by_round, double, top) is not None:
        return AGREED
    if 1 not in by_round:
        return PENDING
    if double and 2 not in by_round:
        return SECOND
    return RECONCILE


def round_for(markers: Mapping[int, int], marker_id: int, double: bool, by_round: Mapping[int, Fraction],
              top: Fraction) -> int:
    """The round this examiner marks in: their own (a correction), else the next one open to them.
    ``markers`` maps each recorded round to its examiner."""
    mine = [r for r, who in markers.items() if who == marker_id]
    if mine:
        return max(mine)
    if 1 not in markers:
        return 1
    if not double:
        raise RoundError("该题已由其他考评员评分（本场未开启双评）")
    if 2 not in markers:
        return 2
    if agreed(by_round, double, top) is not None:
        raise RoundError("两位考评员的评分已在允许差值内，无需仲裁")
    return 3


def change_reason(before: Optional[Fraction], after: Fraction, before_parts: Optional[Mapping] = None,
                  after_parts: Optional[Mapping] = None, confirmed: bool = False, reason: str = "") -> Optional[str]:
    """The reason for changing a saved mark, checked: None when nothing saved changes (a first marking,
    or the same points per part again). A change without the confirmation or without a reason is
    refused, naming what is missing."""
    if before is None:
        return None
    same_parts = before_parts is None or after_parts is None or \
        {str(k): Fraction(str(v)) for k, v in before_parts.items()} == \
        {str(k): Fraction(str(v)) for k, v in after_parts.items()}
    if before == after and same_parts:
        return None
    reason = (reason or "").strip()
    missing = []
    if not confirmed:
        missing.append("勾选“确认修改已保存的评分”")
    if not reason:
        missing.append("填写修改理由")
    if missing:
        raise RoundError(f"该题已评 {shown(before)} 分，改为 {shown(after)} 分须" + "并".join(missing), 400)
    if len(reason) > MAX_CHANGE_REASON:
        raise RoundError(f"修改理由不超过 {MAX_CHANGE_REASON} 字", 400)
    return reason


def shown(points: Fraction) -> str:
    """Points as the pages show them: 8.5, 3, 0.33."""
    return f"{round(float(points), 2):g}"
