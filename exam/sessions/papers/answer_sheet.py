"""One candidate's whole answer sheet, for an appeal (申诉复核): every theory question with the answer
given, the key, the points earned and the markers' rounds; then each other part's record, which
that part's package contributes (``register``) so the core never imports a domain package.

Only the session's examiners see it, and every opening is written to the audit trail (who looked at
whose answers, when): an appeal view shows names beside answers, which marking never does. So while a
short answer of the attempt is still being marked (not yet agreed), the theory answers are left out and
the page says why (``TheorySheet.withheld``): the short answers are marked under the attempt's 答卷码
with their question and position, and any of them seen here beside the name — or the other questions,
whose positions leave theirs — would tell a marker whose 答卷码 it is. An appeal is lodged after
publication, when marking is over; the chief (考务主管) is held to it too, since a chief may mark.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Optional

from markupsafe import Markup
from sqlmodel import Session, select

from exam.delivery.models import Answer, Attempt, PaperSlot, ShortMark
from question_bank.models import ITEM_KINDS, Item, ItemVersion

LETTERS = "ABCDEFGHIJ"

#: (order, name, section(db, session_id, candidate_id) -> HTML or None) registered by part packages.
_SECTIONS: list[tuple[int, str, Callable[[Session, int, int], Optional[Markup]]]] = []


def register(order: int, name: str, section: Callable[[Session, int, int], Optional[Markup]]) -> None:
    """A part's contribution to the answer sheet; registering the same name again replaces it."""
    _SECTIONS[:] = [s for s in _SECTIONS if s[1] != name] + [(order, name, section)]
    _SECTIONS.sort(key=lambda s: s[0])


def sections(db: Session, session_id: int, candidate_id: int) -> list[tuple[str, Markup]]:
    out = []
    for _order, name, section in _SECTIONS:
        html = section(db, session_id, candidate_id)
        if html is not None:
            out.append((name, html))
    return out


@dataclass(frozen=True)
class TheoryLine:
    position: int
    item_ref: str
    kind: str
    stem: str
    options: list[str]          # in the order the candidate saw them, lettered A, B, …
    given: str                  # the answer as the candidate gave it (letters, 对/错, text)
    key: str                    # the key the same way (for a short answer: the reference)
    points: Fraction
    earned: Fraction | None     # None: a short answer not yet agreed
    flagged: bool
    marks: list[ShortMark]


def _letters(value: str, order: list[int]) -> str:
    return "".join(LETTERS[int(p)] for p in value.split(",") if p.strip().isdigit()) if value else ""


def _key(kind: str, key, order: list[int]) -> str:
    if kind in ("single", "multiple"):
        return "".join(LETTERS[order.index(i)] for i in sorted(key, key=order.index))
    if kind == "truefalse":
        return "对" if key else "错"
    if kind == "fill":
        return " ／ ".join(key)
    return key.get("reference", "") if isinstance(key, dict) else str(key)


def _given(kind: str, value: str, order: list[int]) -> str:
    if kind in ("single", "multiple"):
        return _letters(value, order)
    if kind == "truefalse":
        return {"T": "对", "F": "错"}.get(value, "")
    return value


@dataclass(frozen=True)
class TheorySheet:
    attempt: Attempt | None
    lines: list[TheoryLine]
    withheld: int = 0  # short answers still being marked: while any is, ``lines`` is empty


def theory(db: Session, session_id: int, candidate_id: int) -> TheorySheet:
    attempt = db.exec(select(Attempt).where(Attempt.session_id == session_id,
                                            Attempt.candidate_id == candidate_id)).first()
    if attempt is None:
        return TheorySheet(None, [])
    from exam.delivery.service import grade_attempts
    grade = grade_attempts(db.connection(), [attempt.id])[attempt.id]
    if grade.pending:
        return TheorySheet(attempt, [], len(grade.pending))
    rows = db.exec(select(PaperSlot, ItemVersion, Item.ref)
                   .join(ItemVersion, ItemVersion.id == PaperSlot.item_version_id)
                   .join(Item, Item.id == ItemVersion.item_id)
                   .where(PaperSlot.attempt_id == attempt.id).order_by(PaperSlot.position)).all()
    answers = {a.position: a for a in db.exec(select(Answer).where(Answer.attempt_id == attempt.id))}
    marks: dict[int, list[ShortMark]] = {}
    for m in db.exec(select(ShortMark).where(ShortMark.attempt_id == attempt.id).order_by(ShortMark.round)):
        marks.setdefault(m.position, []).append(m)
    out = []
    for slot, version, ref in rows:
        answer = answers.get(slot.position)
        value = answer.value if answer else ""
        order = list(slot.option_order)
        earned = None if slot.position in grade.pending else grade.marks.get(slot.position, Fraction(0))
        out.append(TheoryLine(slot.position, ref or str(version.item_id), ITEM_KINDS.get(slot.kind, slot.kind),
                              version.stem, [version.options[i] for i in order] if version.options else [],
                              _given(slot.kind, value, order), _key(slot.kind, version.key, order),
                              Fraction(slot.points), earned, bool(answer and answer.flagged),
                              marks.get(slot.position, [])))
    return TheorySheet(attempt, out)
