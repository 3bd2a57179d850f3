"""The questions of the paper page, rendered once per item version and put together per candidate.

Every candidate of a session sees the same item versions; what differs is which ones, their order,
their option order and points. So each version's question markup is rendered once per process from
the very templates the page and the trainers' preview use (``delivery/_question.html`` and
``delivery/_question_body.html``), with placeholders where the candidate's values go: the position,
the question number, the points, whether it starts hidden, its navigation buttons, and for each
displayed option slot the option text. A rendering is kept as a ``str.format`` template with a field
per placeholder, so a candidate's question is one ``format_map`` of this candidate's values — the
options in their frozen order, everything else from the frozen slot — with no search through the
markup (issue 23: filling by ``str.replace`` scanned every question's markup a dozen times; joining
the cut pieces in a Python loop was still 40 % of the page's questions). A version never changes (an edit
appends a new one), so a kept rendering never goes stale; the key is the database engine and the
version id. Only the stem, the options, the kind and the scoring rule are read from a version —
never its key or explanation, so nothing the cache holds can leak an answer.
"""

from __future__ import annotations

import functools
import re
import weakref
from dataclasses import dataclass
from fractions import Fraction

from flask import render_template
from markupsafe import Markup
from sqlalchemy import Integer, bindparam, select
from sqlalchemy.engine import Engine
from sqlmodel import Session

from exam.delivery.answers import MAX_FILL_CHARS, MAX_SHORT_CHARS
from exam.delivery.models import PaperSlot
from question_bank.models import ITEM_KINDS, ItemVersion

# Placeholders: NUL cannot occur in a page (the HTML parser replaces it), so they cannot collide with
# anything a template or an item writes; item content is stripped of NUL before rendering.
_POSITION, _NUMBER, _POINTS, _HIDDEN, _PREV, _NEXT = (f"\x00{c}\x00" for c in "PNSHBF")
_OPTION = "\x00O{}\x00"
#: Cuts a rendering at its placeholders, keeping each one's code (P, N, S, H, B, F or O<slot>).
_CUT = re.compile("\x00([PNSHBF]|O[0-9]+)\x00")

#: Renderings kept per database, at most this many versions each (a bank holds a few thousand).
_LIMIT = 20000
_kept: weakref.WeakKeyDictionary[Engine, dict[int, _Rendered]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Rendered:
    template: str             # the article as a ``str.format`` template, a field per placeholder code
    options: tuple[str, ...]  # option markup in the version's own order


class _Values(dict):
    """A candidate's values for one question; a placeholder it has no value for is left empty."""

    def __missing__(self, _code: str) -> str:
        return ""


def _as_template(html: str) -> str:
    """The rendering cut at its placeholders, text parts with their braces doubled, each placeholder
    a named field: the page is then one C-level ``format_map`` per question."""
    pieces = _CUT.split(html)
    for i in range(0, len(pieces), 2):
        pieces[i] = pieces[i].replace("{", "{{").replace("}", "}}")
    for i in range(1, len(pieces), 2):
        pieces[i] = "{" + pieces[i] + "}"
    return "".join(pieces)


@dataclass(frozen=True)
class _Placeholder:
    """What ``_question.html`` sees while a version is rendered once for everybody."""

    kind: str
    stem: str
    scoring: str
    options: list[str]
    position: str = _POSITION
    number: str = _NUMBER
    points_label: str = _POINTS
    hidden: str = _HIDDEN
    prev_disabled: str = _PREV
    next_disabled: str = _NEXT


def _clean(text: str) -> str:
    return text.replace("\x00", "\ufffd")


def _render(kind: str, stem: str, scoring: str, options: list[str]) -> _Rendered:
    slots = [_OPTION.format(i) for i in range(len(options))]
    q = _Placeholder(kind, _clean(stem), scoring, slots)
    html = render_template("delivery/_question.html", q=q, kinds=ITEM_KINDS, max_fill=MAX_FILL_CHARS,
                           max_short=MAX_SHORT_CHARS)
    return _Rendered(_as_template(html), tuple(_clean(o) for o in options))


def _renderings(db: Session, version_ids: set[int]) -> dict[int, _Rendered]:
    """The renderings of these versions, made for those not kept yet. Reads go through ``get``, so
    a worker thread clearing the kept renderings at the limit never fails another's page."""
    kept = _kept.setdefault(db.get_bind(), {})
    found: dict[int, _Rendered] = {}
    missing = []
    for vid in version_ids:
        done = kept.get(vid)
        if done is None:
            missing.append(vid)
        else:
            found[vid] = done
    if missing:
        if len(kept) + len(missing) > _LIMIT:
            kept.clear()
        for vid, kind, stem, scoring, options in db.connection().execute(
                select(ItemVersion.id, ItemVersion.kind, ItemVersion.stem, ItemVersion.scoring, ItemVersion.options)
                .where(ItemVersion.id.in_(missing))):
            found[vid] = kept[vid] = _render(kind, stem, scoring, list(options))
    return found


def render_ahead(db: Session, version_ids) -> None:
    """Render these versions now, as a worker does for every approved one when it starts
    (``exam.delivery.warm_up``), so no candidate's page waits for it."""
    _renderings(db, set(version_ids))


@functools.lru_cache(maxsize=256)
def points_label(points) -> str:
    """"15/2" → "7.5" (a paper holds a handful of distinct point values, so they are kept)."""
    return "%g" % round(float(Fraction(points)), 2)


@dataclass(frozen=True)
class Paper:
    positions: list[int]   # in the candidate's order
    html: Markup           # every question's article
    nav: Markup            # the question-number buttons of the side bar


#: One button of the side bar's question grid (numbers only: nothing to escape).
_NAV = '<button type="button" class="qnav" data-goto="{position}" aria-label="第 {number} 题">{number}</button>'


@functools.cache
def _slots_query():
    """Built once (the attempt is a bound parameter): every paper page runs it."""
    return (select(PaperSlot.position, PaperSlot.item_version_id, PaperSlot.option_order, PaperSlot.points)
            .where(PaperSlot.attempt_id == bindparam("attempt", type_=Integer)).order_by(PaperSlot.position))


def paper(db: Session, attempt_id: int) -> Paper:
    """The candidate's questions as the page shows them (one query for the frozen slots, plain columns
    on the session's connection: no ORM row loading)."""
    return paper_of(db, db.connection().execute(_slots_query(), {"attempt": attempt_id}).all())


def paper_of(db: Session, slots) -> Paper:
    """The page's questions from the frozen slots — ``(position, item_version_id, option_order, points)``
    in the candidate's order — as read back (``paper``) or as the start has just frozen them."""
    kept = _renderings(db, {s[1] for s in slots})
    out: list[str] = []
    last = len(slots) - 1
    for n, (position, vid, order, points) in enumerate(slots):
        done = kept[vid]
        values = _Values(P=position, N=n + 1, S=points_label(points), H=" hidden" if n else "",
                         B="" if n else " disabled", F=" disabled" if n == last else "")
        for shown, original in enumerate(order or ()):
            values[f"O{shown}"] = done.options[original]
        out.append(done.template.format_map(values))
    positions = [s[0] for s in slots]
    nav = "\n".join(_NAV.format(position=int(p), number=n + 1) for n, p in enumerate(positions))
    return Paper(positions, Markup("".join(out)), Markup(nav))
