"""The phrase lists in force: the standard's (``exam.service_phrases``) unless a trainer has replaced one
(``PhraseList`` rows). Operations on a session, no Flask.

A trainer's list replaces the standard's whole, rather than adding to it, so that a wrong or too broad
entry of the standard (a false alarm in the taboo list) can be taken out. Saving exactly the
standard's list removes the row: "overridden" then means "differs from the standard".
"""

from __future__ import annotations

from sqlmodel import Session, select

from exam.audit.service import record
from exam.service_phrases import PHRASE_LISTS, default_lists
from exam.timeutil import utcnow
from practical import phrases
from practical.models import PhraseList

MAX_ENTRIES = 200
MAX_ENTRY_CHARS = 40


class PhraseListError(ValueError):
    """Everything wrong with a submitted list, one problem per item, in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def overrides(db: Session) -> dict[str, PhraseList]:
    return {row.key: row for row in db.exec(select(PhraseList)) if row.key in PHRASE_LISTS}


def lists(db: Session) -> dict[str, tuple[str, ...]]:
    """Every list in force, keyed as ``exam.service_phrases.PHRASE_LISTS``."""
    out = default_lists()
    for key, row in overrides(db).items():
        out[key] = tuple(row.entries)
    return out


def parse_entries(text: str) -> list[str]:
    """One entry a line; blank lines and surrounding spaces ignored."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def check_entries(key: str, entries: list[str]) -> list[str]:
    if key not in PHRASE_LISTS:
        return [f"没有名为 {key!r} 的用语列表"]
    problems = []
    if not entries:
        problems.append("至少要有 1 条")
    if len(entries) > MAX_ENTRIES:
        problems.append(f"共 {len(entries)} 条，最多 {MAX_ENTRIES} 条")
    seen: dict[str, int] = {}
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, str) or not entry.strip():
            problems.append(f"第 {n} 条：不能为空")
            continue
        if len(entry) > MAX_ENTRY_CHARS:
            problems.append(f"第 {n} 条“{entry[:12]}…”：有 {len(entry)} 字，每条最多 {MAX_ENTRY_CHARS} 字")
            continue
        if (problem := phrases.entry_problem(entry)):
            problems.append(f"第 {n} 条“{entry}”：{problem}")
            continue
        same = phrases.normalise(entry)
        if same in seen:
            problems.append(f"第 {n} 条“{entry}”：与第 {seen[same]} 条重复（比较时不计空格、标点和大小写）")
        else:
            seen[same] = n
    return problems


def save_list(db: Session, key: str, entries: list[str], user_id: int | None) -> bool:
    """Replace the list ``key`` by ``entries``; returns whether it now differs from the standard's."""
    entries = [e.strip() if isinstance(e, str) else e for e in entries]
    problems = check_entries(key, entries)
    if problems:
        raise PhraseListError(problems)
    standard = list(PHRASE_LISTS[key].entries)
    row = db.get(PhraseList, key)
    if entries == standard:
        if row is not None:
            db.delete(row)
    elif row is None:
        db.add(PhraseList(key=key, entries=entries, updated_by=user_id, updated_at=utcnow()))
    else:
        row.entries, row.updated_by, row.updated_at = entries, user_id, utcnow()
        db.add(row)
    db.flush()
    record(db.connection(), "phrases.update", "phrase_list", 0, actor_id=user_id, key=key, count=len(entries),
           standard=entries == standard)
    return entries != standard


def reset_list(db: Session, key: str, user_id: int | None) -> bool:
    """Back to the standard's list; returns whether there was a trainer's list to remove."""
    if key not in PHRASE_LISTS:
        raise PhraseListError([f"没有名为 {key!r} 的用语列表"])
    row = db.get(PhraseList, key)
    if row is None:
        return False
    db.delete(row)
    db.flush()
    record(db.connection(), "phrases.reset", "phrase_list", 0, actor_id=user_id, key=key)
    return True
