"""Near-duplicate stems: warn a trainer before the bank holds the same question twice.

Two items that ask the same thing under different ids skew a paper (a candidate may get both) and
the statistics. rapidfuzz compares the plain text of the new stem with the current stem of every
other item; a ratio at or above the threshold is worth a look. It is a warning, never a refusal:
"开篇语包含哪些要素" and "结束语包含哪些要素" are close in letters and different questions.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from sqlmodel import Session

from question_bank import sanitise, service
from question_bank.models import RETIRED, Item, ItemVersion

THRESHOLD = 85.0
LIMIT = 5


@dataclass(frozen=True)
class Similar:
    item_id: int
    ref: str | None
    stem: str
    score: float


def similar_stems(session: Session, stem: str, exclude_item_id: int | None = None,
                  threshold: float = THRESHOLD) -> list[Similar]:
    wanted = sanitise.plain(stem)
    if not wanted:
        return []
    rows = session.exec(service.latest_versions_query(Item.id, Item.ref, ItemVersion.stem)
                        .where(Item.status != RETIRED)).all()
    choices = {item_id: sanitise.plain(text) for item_id, _ref, text in rows if item_id != exclude_item_id}
    refs = {item_id: ref for item_id, ref, _text in rows}
    found = process.extract(wanted, choices, scorer=fuzz.ratio, processor=utils.default_process,
                            score_cutoff=threshold, limit=LIMIT)
    return [Similar(item_id=key, ref=refs[key], stem=text, score=round(score, 1)) for text, score, key in found]
