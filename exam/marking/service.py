"""Short answers waiting for an examiner, and the marks they give.

A mark is points out of the slot's points, kept exactly (a fraction); saving one regrades the attempt
in the same transaction and writes the change to the audit trail, so the attempt's score and pass
decision are never out of step with its marks. Marking is blind: the examiner sees an answer
number, not the candidate's name.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam.audit.service import record
from exam.db import write_connection
from exam.delivery.models import SUBMITTED, Answer, Attempt, ManualMark, PaperSlot
from exam.delivery.service import grade_attempts
from exam.timeutil import utcnow
from question_bank.models import Item, ItemVersion


class MarkingError(ValueError):
    pass


@dataclass(frozen=True)
class ShortAnswer:
    attempt_id: int
    position: int
    item_ref: str
    stem: str
    reference: str
    points_list: list[str]
    answer: str
    max_points: Fraction
    mark: Fraction | None
    comment: str


def short_answers(db: Session, session_id: int) -> list[ShortAnswer]:
    """Every written short answer of the session's submitted attempts, unmarked first."""
    rows = db.exec(
        select(PaperSlot.attempt_id, PaperSlot.position, PaperSlot.points, ItemVersion.stem, ItemVersion.key,
               Item.ref, Item.id, Answer.value)
        .join(Attempt, Attempt.id == PaperSlot.attempt_id)
        .join(ItemVersion, ItemVersion.id == PaperSlot.item_version_id)
        .join(Item, Item.id == ItemVersion.item_id)
        .join(Answer, (Answer.attempt_id == PaperSlot.attempt_id) & (Answer.position == PaperSlot.position))
        .where(Attempt.session_id == session_id, Attempt.status == SUBMITTED, PaperSlot.kind == "short",
               Answer.value != "")
        .order_by(Item.id, PaperSlot.attempt_id)
    ).all()
    marks = {(m.attempt_id, m.position): m for m in db.exec(
        select(ManualMark).join(Attempt, Attempt.id == ManualMark.attempt_id).where(Attempt.session_id == session_id))}
    out = []
    for aid, position, points, stem, key, ref, item_id, value in rows:
        mark = marks.get((aid, position))
        out.append(ShortAnswer(aid, position, ref or str(item_id), stem, key["reference"], key["points"], value,
                               Fraction(points), Fraction(mark.points) if mark else None, mark.comment if mark else ""))
    return sorted(out, key=lambda s: s.mark is not None)


def save_mark(engine: Engine, session_id: int, attempt_id: int, position: int, points: Fraction,
              comment: str, marker_id: int) -> Fraction:
    """Record (or change) a mark and regrade the attempt; returns the attempt's new score."""
    with write_connection(engine) as conn:
        slot = conn.execute(
            select(PaperSlot.points, PaperSlot.kind, Attempt.status, Attempt.session_id)
            .join(Attempt, Attempt.id == PaperSlot.attempt_id)
            .where(PaperSlot.attempt_id == attempt_id, PaperSlot.position == position)).first()
        if slot is None or slot.session_id != session_id or slot.kind != "short":
            raise MarkingError("没有这道简答题")
        if slot.status != SUBMITTED:
            raise MarkingError("考生尚未交卷，不能评分")
        maximum = Fraction(slot.points)
        if not 0 <= points <= maximum:
            raise MarkingError(f"得分应在 0 至 {float(maximum):g} 分之间")
        table = ManualMark.__table__
        before = conn.execute(select(table.c.points).where(
            table.c.attempt_id == attempt_id, table.c.position == position)).scalar()
        values = {"points": str(points), "comment": comment.strip(), "marker_id": marker_id, "marked_at": utcnow()}
        if before is None:
            conn.execute(table.insert().values(attempt_id=attempt_id, position=position, **values))
        else:
            conn.execute(table.update().where(table.c.attempt_id == attempt_id, table.c.position == position)
                         .values(**values))
        grade = grade_attempts(conn, [attempt_id])[attempt_id]
        conn.execute(update(Attempt).where(Attempt.id == attempt_id)
                     .values(score=grade.score_display, passed=grade.passed))
        record(conn, "attempt.marked", "attempt", attempt_id, marker_id, position=position,
               before=before, after=str(points), score=str(grade.score), passed=grade.passed)
        return grade.score
