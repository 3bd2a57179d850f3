"""Short answers waiting for an examiner, and the marks they give.

An examiner marks a short answer per 评分要点: each 要点 carries an equal share of the slot's points and
gets 0 up to that share in half points (the share itself is always allowed, since 5 points over 3 要点
is not a multiple of 0.5). With the session's double marking on, two examiners mark independently and
far-apart marks go to a third (``exam.marking.rounds``, the same rules as the practical). The agreed
mark is kept exactly (a fraction) in ``ManualMark``; saving regrades the attempt in the same
transaction and writes the change to the audit trail, so the attempt's score and pass decision are
never out of step with its marks. Changing one's saved mark needs a confirmation and a reason.

Marking is blind: the examiner sees an answer code (答卷码), never the candidate's name nor the
attempt's id — the proctoring board, open to the same examiners, lists attempt ids beside names, so
an id on the marking page or in its form URLs would name the candidate. The code is an HMAC of the
attempt id under the instance's secret key (stable, unguessable, nothing stored to join), and the
list is ordered by question and code, not by attempt id (which follows the order of starting).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Mapping, Optional

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam.audit.service import record
from exam.db import write_connection
from exam.delivery.models import OPEN, SUBMITTED, Answer, Attempt, ManualMark, PaperSlot, ShortMark
from exam.delivery.service import grade_attempts
from exam.marking import rounds
from exam.sessions.models import ExamSession
from exam.sessions.results import visibility
from exam.timeutil import utcnow
from question_bank.models import Item, ItemVersion


class MarkingError(ValueError):
    pass


class PointsMissing(MarkingError):
    """A mark for an item with 评分要点 that does not give every 要点 its points (a bare total, or a
    form without some ``p_N``): the page always posts one field per 要点, so only a crafted request
    meets it, and the page answers 400."""


def answer_code(secret: str | bytes, attempt_id: int) -> str:
    """The anonymous code an attempt's short answers are marked under (8 characters, A–Z and 2–7)."""
    key = secret.encode() if isinstance(secret, str) else secret
    digest = hmac.new(key, f"short-answer:{attempt_id}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest)[:8].decode()


def attempt_of_code(db: Session, session_id: int, code: str, secret: str | bytes) -> int | None:
    """The attempt of ``session_id`` marked under ``code``, if any (a session's attempts are few, so
    each one's code is computed rather than stored)."""
    code = (code or "").strip().upper()
    ids = db.exec(select(Attempt.id).where(Attempt.session_id == session_id)).all()
    return next((aid for aid in ids if hmac.compare_digest(answer_code(secret, aid), code)), None)


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
    mark: Fraction | None          # the agreed mark (what the grade uses)
    comment: str
    marks: list[ShortMark] = field(default_factory=list)   # every round's marking, by round
    state: str = rounds.PENDING
    code: str = ""                 # the 答卷码 pages show and post to (``answer_code``)

    @property
    def shares(self) -> list[Fraction]:
        """Each 评分要点's share of the points."""
        return point_shares(self.max_points, len(self.points_list))

    def mine(self, marker_id: int) -> Optional[ShortMark]:
        return next((m for m in reversed(self.marks) if m.marker_id == marker_id), None)


def point_shares(maximum: Fraction, count: int) -> list[Fraction]:
    return [maximum / count] * count if count else []


def short_answers(db: Session, session_id: int, secret: str | bytes | None = None) -> list[ShortAnswer]:
    """Every written short answer of the session's submitted attempts, in one fixed order (question,
    then 答卷码) that a save never changes: the examiner's place in the list stays put. Pages pass the
    instance's ``secret`` so that each answer carries its code."""
    double = bool(db.exec(select(ExamSession.double_marking).where(ExamSession.id == session_id)).first())
    rows = db.exec(
        select(PaperSlot.attempt_id, PaperSlot.position, PaperSlot.points, ItemVersion.stem, ItemVersion.key,
               Item.ref, Item.id, Answer.value)
        .join(Attempt, Attempt.id == PaperSlot.attempt_id)
        .join(ItemVersion, ItemVersion.id == PaperSlot.item_version_id)
        .join(Item, Item.id == ItemVersion.item_id)
        .join(Answer, (Answer.attempt_id == PaperSlot.attempt_id) & (Answer.position == PaperSlot.position))
        .where(Attempt.session_id == session_id, Attempt.status == SUBMITTED, PaperSlot.kind == "short",
               Answer.value != "")
        .order_by(Item.id, PaperSlot.attempt_id, PaperSlot.position)
    ).all()
    agreed = {(m.attempt_id, m.position): m for m in db.exec(
        select(ManualMark).join(Attempt, Attempt.id == ManualMark.attempt_id).where(Attempt.session_id == session_id))}
    by_answer: dict[tuple[int, int], list[ShortMark]] = {}
    for m in db.exec(select(ShortMark).join(Attempt, Attempt.id == ShortMark.attempt_id)
                     .where(Attempt.session_id == session_id).order_by(ShortMark.round)):
        by_answer.setdefault((m.attempt_id, m.position), []).append(m)
    def code(aid: int) -> str:
        return answer_code(secret, aid) if secret is not None else ""
    rows = sorted(rows, key=lambda r: (r.id, code(r.attempt_id), r.attempt_id, r.position))
    out = []
    for aid, position, points, stem, key, ref, item_id, value in rows:
        mark = agreed.get((aid, position))
        marks = by_answer.get((aid, position), [])
        top = Fraction(points)
        state = rounds.AGREED if mark else rounds.state(_by_round(marks), double, top)
        out.append(ShortAnswer(aid, position, ref or str(item_id), stem, key["reference"], key["points"], value,
                               top, Fraction(mark.points) if mark else None, mark.comment if mark else "",
                               marks, state, code(aid)))
    return out


def under_way(db: Session, session_id: int) -> bool:
    """Whether the session's short-answer marking is still under way: a candidate is still answering a
    paper that has a short answer, or a written short answer of a submitted attempt is not yet agreed.
    While it is, the appeal answer sheet (which names the candidate) shows no theory answers of anyone
    in the session (``exam.sessions.papers.answer_sheet.withheld``)."""
    still_answering = db.exec(
        select(PaperSlot.attempt_id).join(Attempt, Attempt.id == PaperSlot.attempt_id)
        .where(Attempt.session_id == session_id, Attempt.status == OPEN, PaperSlot.kind == "short").limit(1)).first()
    return still_answering is not None or any(a.state != rounds.AGREED for a in short_answers(db, session_id))


def _key_points(key) -> list[str]:
    """The 评分要点 of a short answer's key (none in an essay imported without grader information)."""
    return list((key or {}).get("points") or [])


def _by_round(marks) -> dict[int, Fraction]:
    return {m.round: Fraction(m.points) for m in marks}


def full_parts(maximum: Fraction, points_list: list[str]) -> dict[str, str]:
    """Every 要点 given its whole share, as ``save_mark``'s ``parts`` (the demo's marking)."""
    return {str(i): str(share) for i, share in enumerate(point_shares(maximum, len(points_list)))}


def parse_parts(maximum: Fraction, points_list: list[str], raw: Mapping[str, str]) -> dict[str, Fraction]:
    """The points per 评分要点 from the form (keys "0", "1", …), each 0 to its share in half points or
    the share itself; every problem named by its 要点."""
    shares = point_shares(maximum, len(points_list))
    out, problems = {}, []
    for index, share in enumerate(shares):
        text = (raw.get(str(index)) or "").strip()
        label = f"要点 {index + 1}"
        try:
            value = Fraction(text)
        except (ValueError, ZeroDivisionError):
            problems.append(f"{label}：请填写 0 至 {rounds.shown(share)} 之间的分数")
            continue
        if abs(value - share) <= Fraction(1, 200):   # the page shows the share rounded to two decimals
            value = share
        if not 0 <= value <= share or ((value * 2).denominator != 1 and value != share):
            problems.append(f"{label}：应在 0 至 {rounds.shown(share)} 之间（可用 0.5 分）")
            continue
        out[str(index)] = value
    if problems:
        raise MarkingError("；".join(problems))
    return out


def missing_points(points_list: list[str], parts: Mapping[str, str] | None) -> list[str]:
    """The 要点 of ``points_list`` that ``parts`` gives no points for, as the page labels them
    ("要点 2"); every 要点 when ``parts`` is None (a bare total)."""
    given = parts or {}
    return [f"要点 {i + 1}" for i in range(len(points_list)) if str(i) not in given]


def _per_point(points_list: list[str], parts: Mapping[str, str] | None) -> None:
    """An item with 评分要点 is marked per 要点, by every door and in every round: a bare total or a
    missing 要点 is refused by name, and so is a 要点 the item does not have."""
    if not points_list:
        if parts:
            raise MarkingError("本题没有评分要点，请直接填写得分")
        return
    missing = missing_points(points_list, parts)
    if missing:
        raise PointsMissing(f"本题有 {len(points_list)} 个评分要点，须逐项给分：缺少{'、'.join(missing)}的得分")
    unknown = sorted(set(parts) - {str(i) for i in range(len(points_list))}, key=lambda k: (len(k), k))
    if unknown:
        raise PointsMissing(f"本题只有 {len(points_list)} 个评分要点，没有"
                            + "、".join(f"要点 {int(k) + 1}" if k.isdigit() else f"“{k}”" for k in unknown))


def save_mark(engine: Engine, session_id: int, attempt_id: int, position: int, points: Fraction | None,
              comment: str, marker_id: int, *, parts: Mapping[str, str] | None = None, confirmed: bool = False,
              change_reason: str = "") -> Fraction:
    """Record (or, confirmed and with a reason, change) this examiner's marking in their round, store
    the agreed mark when the marking is complete and regrade the attempt; returns the attempt's score.
    ``parts`` gives the points per 评分要点 (their sum is the mark) and is required when the item has
    评分要点 (``PointsMissing`` otherwise, ``points`` ignored); only an item without 要点 takes ``points``."""
    with write_connection(engine) as conn:
        slot = conn.execute(
            select(PaperSlot.points, PaperSlot.kind, PaperSlot.item_version_id, Attempt.status, Attempt.session_id)
            .join(Attempt, Attempt.id == PaperSlot.attempt_id)
            .where(PaperSlot.attempt_id == attempt_id, PaperSlot.position == position)).first()
        if slot is None or slot.session_id != session_id or slot.kind != "short":
            raise MarkingError("没有这道简答题")
        if slot.status != SUBMITTED:
            raise MarkingError("考生尚未交卷，不能评分")
        publication = conn.execute(select(*visibility.COLUMNS).where(ExamSession.id == session_id)).one()
        if visibility.of(publication).published:  # published scores are final, as for the practical
            raise MarkingError("本场成绩已发布，评分不能再修改（如需更正，请先在场次成绩页撤回发布）")
        maximum = Fraction(slot.points)
        criteria: dict[str, Fraction] = {}
        key = conn.execute(select(ItemVersion.key).where(ItemVersion.id == slot.item_version_id)).scalar()
        points_list = list(_key_points(key))
        _per_point(points_list, parts)
        if points_list:
            criteria = parse_parts(maximum, points_list, parts)
            points = sum(criteria.values(), Fraction(0))
        if points is None or not 0 <= points <= maximum:
            raise MarkingError(f"得分应在 0 至 {rounds.shown(maximum)} 分之间")
        double = bool(conn.execute(select(ExamSession.double_marking)
                                   .where(ExamSession.id == session_id)).scalar())
        table = ShortMark.__table__
        marks = conn.execute(select(table).where(table.c.attempt_id == attempt_id, table.c.position == position)
                             .order_by(table.c.round)).all()
        try:
            number = rounds.round_for({m.round: m.marker_id for m in marks}, marker_id, double,
                                      _by_round(marks), maximum)
            mine = next((m for m in marks if m.round == number), None)
            reason = rounds.change_reason(Fraction(mine.points) if mine else None, points,
                                          (mine.criteria or None) if mine else None, criteria or None,
                                          confirmed, change_reason)
        except rounds.RoundError as exc:
            raise MarkingError(str(exc)) from None
        now = utcnow()
        values = {"points": str(points), "criteria": {k: str(v) for k, v in criteria.items()},
                  "comment": comment.strip()[:2000], "marker_id": marker_id, "marked_at": now}
        if mine is None:
            conn.execute(table.insert().values(attempt_id=attempt_id, position=position, round=number, **values))
        else:
            conn.execute(table.update().where(table.c.id == mine.id).values(**values))
        by_round = {**_by_round(marks), number: points}
        agreed = rounds.agreed(by_round, double, maximum)
        manual = ManualMark.__table__
        before = conn.execute(select(manual.c.points).where(
            manual.c.attempt_id == attempt_id, manual.c.position == position)).scalar()
        where = (manual.c.attempt_id == attempt_id, manual.c.position == position)
        if agreed is None:
            conn.execute(delete(manual).where(*where))
        else:
            agreed_values = {"points": str(agreed), "comment": values["comment"], "marker_id": marker_id,
                             "marked_at": now}
            if before is None:
                conn.execute(manual.insert().values(attempt_id=attempt_id, position=position, **agreed_values))
            else:
                conn.execute(manual.update().where(*where).values(**agreed_values))
        grade = grade_attempts(conn, [attempt_id])[attempt_id]
        conn.execute(update(Attempt).where(Attempt.id == attempt_id)
                     .values(score=grade.score_display, passed=grade.passed))
        record(conn, "attempt.marked", "attempt", attempt_id, marker_id, position=position, round=number,
               before=mine.points if mine else None, after=str(points), criteria=values["criteria"],
               criteria_before=mine.criteria if mine else None, change_reason=reason,
               agreed_before=before, agreed=None if agreed is None else str(agreed),
               score=str(grade.score), passed=grade.passed)
        return grade.score
