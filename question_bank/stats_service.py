"""Item statistics of one exam session: the database side of ``question_bank.stats``.

No Flask. It gathers the submitted attempts of a session, grades them again with the delivery
grader (so the marks are the ones the results came from, examiner marks included), and hands the
marks to the pure engine.

Papers differ per candidate (each draws its items), so the statistics are computed the way Moodle
computes them for the questions behind a random slot:

* whole test — mean, median, SD, skewness and kurtosis come from the attempts' totals. The CIC needs
  one column per question, so the columns are the paper's structure (the i-th question of each
  function area and point value, whichever item filled it), as Moodle uses the random slots. When
  every attempt had the same items those columns are exactly the items. Papers of different
  structure have no common columns, and the CIC (with error ratio and standard error) is left empty.
* each item — over the attempts that had it, each using that attempt's own total
  (``stats.item_statistics_by_key``). With one paper for all this is exactly ``stats.analyse``.

An attempt with a short answer still waiting for an examiner has no final marks: it is left out of
every figure and counted separately.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, select
from sqlmodel import Session

from exam import standard, tabular
from exam.delivery.models import SUBMITTED, Answer, Attempt, PaperSlot
from exam.delivery.service import grade_attempts
from exam.sessions.models import ExamSession
from question_bank import stats
from question_bank.models import ITEM_KINDS, Item, ItemVersion
from question_bank.responses import Choice, count_responses
from question_bank.sanitise import plain


@dataclass(frozen=True)
class ItemResult:
    """One item (one frozen version at one point value) of the session with its figures."""

    version_id: int
    item_id: int
    ref: str
    version: int
    kind: str
    area: str
    stem: str  # plain text, no markup
    points: Fraction
    attempts: int  # attempts that had this item
    stats: stats.ItemStats
    flags: tuple[str, ...]
    responses: tuple[Choice, ...]

    @property
    def kind_name(self) -> str:
        return ITEM_KINDS.get(self.kind, self.kind)

    @property
    def area_name(self) -> str:
        return standard.AREA_NAMES.get(self.area, self.area)

    @property
    def reliable(self) -> bool:
        """Enough responses (stats.MIN_RESPONSES) for the figures to mean something."""
        return stats.reliable(self.attempts)


@dataclass(frozen=True)
class SessionStats:
    session: ExamSession
    submitted: int  # submitted attempts, pending ones included
    pending: int  # left out: short answers not marked yet
    same_items: bool  # every counted attempt had the same items
    quiz: stats.QuizStats
    totals: tuple[float, ...]  # counted attempts' total marks, for the histogram
    items: tuple[ItemResult, ...]

    @property
    def counted(self) -> int:
        return self.quiz.attempts

    @property
    def reliable(self) -> bool:
        return stats.reliable(self.counted)

    @property
    def thin_items(self) -> int:
        """Items answered by fewer than stats.MIN_RESPONSES candidates (per-candidate forms)."""
        return sum(1 for r in self.items if not r.reliable)


@dataclass(frozen=True)
class _Slot:
    position: int
    version_id: int
    area: str
    points: Fraction
    option_order: list[int]


def sessions_overview(db: Session) -> list[tuple[ExamSession, int]]:
    """Every session, newest first, with its number of submitted attempts."""
    submitted = (select(Attempt.session_id, func.count().label("n")).where(Attempt.status == SUBMITTED)
                 .group_by(Attempt.session_id).subquery())
    rows = db.execute(select(ExamSession, submitted.c.n)
                      .outerjoin(submitted, submitted.c.session_id == ExamSession.id)
                      .order_by(ExamSession.opens_at.desc(), ExamSession.id.desc())).all()
    return [(session, n or 0) for session, n in rows]


def session_statistics(db: Session, exam_session_id: int) -> SessionStats | None:
    """The statistics page's figures for one session; None when there is no such session."""
    exam_session = db.get(ExamSession, exam_session_id)
    if exam_session is None:
        return None
    ids = list(db.execute(select(Attempt.id).where(Attempt.session_id == exam_session_id,
                                                   Attempt.status == SUBMITTED)
                          .order_by(Attempt.id)).scalars())
    grades = grade_attempts(db.connection(), ids) if ids else {}
    counted = [aid for aid in ids if not grades[aid].pending]
    papers = _papers(db, counted)
    marks = {aid: {s.position: float(grades[aid].marks[s.position]) for s in papers[aid]} for aid in counted}
    area_rank = {code: i for i, code in enumerate(standard.level(exam_session.level).area_codes)}
    item_keys = _item_order(db, papers, area_rank)
    rows = [{(s.version_id, s.points): marks[aid][s.position] for s in papers[aid]} for aid in counted]
    quiz = _whole_test(papers, marks, counted, area_rank)
    items = _items(db, item_keys, rows, papers, counted) if counted else ()
    return SessionStats(
        session=exam_session, submitted=len(ids), pending=len(ids) - len(counted),
        same_items=len({frozenset(r) for r in rows}) <= 1, quiz=quiz,
        totals=tuple(math.fsum(r.values()) for r in rows), items=tuple(items))


def _papers(db: Session, attempt_ids: list[int]) -> dict[int, list[_Slot]]:
    papers: dict[int, list[_Slot]] = {aid: [] for aid in attempt_ids}
    if attempt_ids:
        for r in db.execute(select(PaperSlot.attempt_id, PaperSlot.position, PaperSlot.item_version_id,
                                   PaperSlot.area, PaperSlot.points, PaperSlot.option_order)
                            .where(PaperSlot.attempt_id.in_(attempt_ids)).order_by(PaperSlot.position)):
            papers[r.attempt_id].append(_Slot(r.position, r.item_version_id, r.area, Fraction(r.points),
                                              list(r.option_order or [])))
    return papers


def _canonical(paper: list[_Slot], area_rank: dict[str, int]) -> list[_Slot]:
    """A paper's questions in an order that does not depend on the candidate's shuffle."""
    return sorted(paper, key=lambda s: (area_rank.get(s.area, len(area_rank)), s.area, s.points, s.version_id))


def _item_order(db: Session, papers: dict[int, list[_Slot]], area_rank: dict[str, int]) -> list[tuple[int, Fraction]]:
    keys = {(s.version_id, s.points): s for paper in papers.values() for s in paper}
    return [(s.version_id, s.points) for s in _canonical(list(keys.values()), area_rank)]


def _whole_test(papers, marks, counted, area_rank) -> stats.QuizStats:
    """quiz_statistics on a matrix whose columns are the paper's structure (see the module's notes)."""
    if not counted:
        return stats.quiz_statistics([], [standard.FULL_MARKS])
    ordered = {aid: _canonical(papers[aid], area_rank) for aid in counted}
    shapes = {tuple((s.area, s.points) for s in paper) for paper in ordered.values()}
    if len(shapes) == 1 and ordered[counted[0]]:
        max_marks = [float(s.points) for s in ordered[counted[0]]]
        matrix = [[marks[aid][s.position] for s in ordered[aid]] for aid in counted]
    else:  # no common columns: totals only, so the CIC stays empty
        max_marks = [float(standard.FULL_MARKS)]
        matrix = [[math.fsum(marks[aid].values())] for aid in counted]
    return stats.quiz_statistics(matrix, max_marks)


def _items(db: Session, keys: list[tuple[int, Fraction]], rows: list[dict], papers, counted) -> list[ItemResult]:
    figures = stats.item_statistics_by_key(rows, {k: float(k[1]) for k in keys})
    versions = {r.id: r for r in db.execute(
        select(ItemVersion.id, ItemVersion.item_id, ItemVersion.version, ItemVersion.kind, ItemVersion.area,
               ItemVersion.stem, ItemVersion.options, ItemVersion.key, Item.ref)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(ItemVersion.id.in_(sorted({vid for vid, _ in keys}))))}
    answers: dict[tuple[int, int], str] = {}
    for aid, position, value in db.execute(select(Answer.attempt_id, Answer.position, Answer.value)
                                           .where(Answer.attempt_id.in_(counted))):
        answers[aid, position] = value
    seen: dict[tuple[int, Fraction], list[tuple[str, list[int]]]] = defaultdict(list)
    for aid in counted:
        for s in papers[aid]:
            seen[s.version_id, s.points].append((answers.get((aid, s.position), ""), s.option_order))
    results = []
    for key in keys:
        v, item = versions[key[0]], figures[key]
        results.append(ItemResult(
            version_id=v.id, item_id=v.item_id, ref=v.ref or f"#{v.item_id}", version=v.version, kind=v.kind,
            area=v.area, stem=plain(v.stem), points=key[1], attempts=len(seen[key]), stats=item,
            flags=tuple(stats.flags(item, len(seen[key]))),
            responses=tuple(count_responses(v.kind, v.options, v.key, seen[key]))))
    return results


# ---------------------------------------------------------------- sorting and export

#: Columns of the per-item table a trainer may sort by: query value -> (label, sort key).
SORTS = {
    "order": ("默认顺序", None),
    "ref": ("题号", lambda r: r.ref),
    "kind": ("题型", lambda r: r.kind_name),
    "n": ("作答人数", lambda r: r.attempts),
    "facility": ("通过率", lambda r: r.stats.facility),
    "sd": ("标准差", lambda r: r.stats.sd),
    "discrimination": ("区分度", lambda r: r.stats.discrimination_index),
    "efficiency": ("区分效率", lambda r: r.stats.discriminative_efficiency),
    "flags": ("提示", lambda r: len(r.flags)),
}


def sort_items(items: tuple[ItemResult, ...], sort: str) -> tuple[list[ItemResult], str]:
    """Items sorted by ``sort`` ("facility", or "-facility" for descending); unknown values fall
    back to the default order. Empty figures go last either way. Returns the sort actually used."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    if name not in SORTS or SORTS[name][1] is None:
        return list(items), "order"
    key = SORTS[name][1]
    known = [r for r in items if key(r) is not None]
    unknown = [r for r in items if key(r) is None]
    return sorted(known, key=key, reverse=descending) + unknown, ("-" if descending else "") + name


def percent(value: float | None, scale: float = 1.0) -> str:
    """A figure as Moodle prints it: a percentage with two decimals, or "—" when undefined."""
    return "—" if value is None else f"{value * scale:.2f}%"


def of_full_marks(value: float | None) -> str:
    """Mean, median, SD and standard error: Moodle prints them as a percentage of the full marks."""
    return percent(value, 100 / standard.FULL_MARKS)


def number(value: float | None) -> str:
    """Skewness and kurtosis: Moodle gives them two more decimals, as they are not percentages."""
    return "—" if value is None else f"{value:.4f}"


CSV_COLUMNS = ("题号", "版本", "题型", "职业功能", "分值", "题干", "作答人数",
               "通过率", "标准差", "区分度", "区分效率", "提示")


def items_csv(result: SessionStats, sort: str = "order") -> str:
    """The per-item table as CSV text (exam.tabular: a BOM so that Excel opens it as UTF-8, and
    authored text a spreadsheet would run as a formula neutralised)."""
    items, _ = sort_items(result.items, sort)
    rows = ([r.ref, r.version, r.kind_name, r.area_name, _points(r.points), r.stem, r.attempts,
             percent(r.stats.facility), percent(r.stats.sd, 100), percent(r.stats.discrimination_index),
             percent(r.stats.discriminative_efficiency), "；".join(r.flags)] for r in items)
    return tabular.csv_bytes(CSV_COLUMNS, rows).decode("utf-8")


def _points(points: Fraction) -> str:
    return str(points.numerator) if points.denominator == 1 else f"{float(points):.2f}"


