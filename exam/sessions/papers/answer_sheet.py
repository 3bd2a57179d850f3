"""One candidate's whole answer sheet, for an appeal (申诉复核): every theory question with the answer
given, the key, the points earned and the markers' rounds; then each other part's record, which
that part's package contributes (``register``) so the core never imports a domain package.

Only the session's examiners see it, and every opening is written to the audit trail (who looked at
whose answers, when): an appeal view shows names beside answers, which marking never does. So a part
that examiners mark anonymously shows nothing of anyone's answers while the session's marking of that
part is under way, unless the results are published (``withheld``: the one rule, which each part asks
with its own "marking under way" — the short answers' here, the practical's in ``practical.answer_sheet``),
and the page says why. Not only while this candidate's items wait: items are marked under a code
(答卷码, 凭证号) with their question, position or title, so any of them beside the name would tell a
marker whose code it is — and an agreed mark can still be changed until publication, so a marker who
learnt the names from a fully marked sheet could change that candidate's mark knowing whose it is while
the others are still in the queue. An appeal is lodged after publication, when marking is over; the
chief (考务主管) is held to it too, since a chief may mark.
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


def withheld(db: Session, session_id: int, under_way: Callable[[Session, int], bool]) -> bool:
    """Whether a part's answers are left off every candidate's sheet of the session: while the session's
    anonymous marking of that part is ``under_way`` and the results are not published (see the module
    docstring). The one place this is decided, for the theory and for the parts that register a section."""
    from exam.sessions.models import ExamSession
    from exam.sessions.results import visibility
    return not visibility.of(db.get(ExamSession, session_id)).published and under_way(db, session_id)


@dataclass(frozen=True)
class TheorySheet:
    attempt: Attempt | None
    lines: list[TheoryLine]
    withheld: bool = False  # the session's short answers are being marked: ``lines`` is empty
    pending: int = 0        # this attempt's own short answers not yet agreed (the note says how many)


def theory(db: Session, session_id: int, candidate_id: int) -> TheorySheet:
    attempt = db.exec(select(Attempt).where(Attempt.session_id == session_id,
                                            Attempt.candidate_id == candidate_id)).first()
    if attempt is None:
        return TheorySheet(None, [])
    from exam.delivery.service import grade_attempts
    from exam.marking import service as short_marking
    grade = grade_attempts(db.connection(), [attempt.id])[attempt.id]
    if withheld(db, session_id, short_marking.under_way):
        return TheorySheet(attempt, [], True, len(grade.pending))
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
