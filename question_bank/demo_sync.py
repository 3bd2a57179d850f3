"""Carrying an installed demo bank forward to the bank this release ships.

``callexam demo load`` adds demo items whose ref is new and leaves the others alone, so an
installation that loaded an earlier demo bank would keep its old wording for ever. This brings it to
the shipped bank, the way a trainer's edit would, so papers stay honest:

* a shipped item whose ref is installed with different content gets a **new version** (old versions
  stay: papers that froze them keep them); it stays approved, since the shipped bank was reviewed;
  tags and category follow the shipped file;
* a ref the release **dropped** (``demo_bank/retired.tsv``: ref, tab, reason) is **retired**, with the
  reason in the item's comment thread;
* a shipped ref not installed is **added** (approved), as ``demo load`` would;
* an item the installation has retired itself is left alone.

Nothing happens in an installation that never loaded the demo bank (no shipped or dropped ref is
installed): a production bank is never filled with demo items. It runs after every ``callexam db
upgrade`` (``exam.migrate`` calls each package's ``after_upgrade``) and in ``demo load``; it is
idempotent, and each run that changes something leaves one audit record.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from exam.audit.service import record
from question_bank import enemies, loader, service
from question_bank.models import APPROVED, RETIRED, Item, ItemComment, ItemVersion
from question_bank.validation import ItemData

RETIRED_LIST = loader.DEMO_BANK / "retired.tsv"


@dataclass
class SyncReport:
    added: int = 0
    revised: int = 0
    retired: int = 0
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.revised or self.retired)

    def lines(self) -> list[str]:
        """What ``callexam db upgrade`` prints for this step: the summary when something changed."""
        return [self.line()] if self.changed else []

    def line(self) -> str:
        return (f"演示题库：新增 {self.added} 题，更新 {self.revised} 题（生成新版本），停用 {self.retired} 题，"
                f"未变 {self.unchanged} 题")


def dropped(path: Path = RETIRED_LIST) -> dict[str, str]:
    """Refs the shipped bank no longer has, with the reason (lines "ref<TAB>reason"; # comments)."""
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            ref, _, reason = line.partition("\t")
            out[ref.strip()] = reason.strip() or "演示题库已删除此题"
    return out


def _current(session: Session, refs: list[str]) -> dict[str, tuple[Item, ItemVersion]]:
    rows = session.exec(service.latest_versions_query(Item, ItemVersion).where(Item.ref.in_(refs))).all()
    return {item.ref: (item, version) for item, version in rows}


def carry_forward(session: Session, items: list[ItemData] | None = None, retired: dict[str, str] | None = None,
                  author_id: int | None = None) -> SyncReport:
    """Bring an installed demo bank to ``items`` (default: the shipped files) and retire ``retired``."""
    items = loader.parse_files(loader.demo_files()) if items is None else [d for d in items if d.ref]
    retired = dropped() if retired is None else retired
    report = SyncReport()
    touched: dict[str, list[str]] = {"added": [], "revised": [], "retired": []}
    refs = [d.ref for d in items if d.ref]
    installed = _current(session, refs + list(retired))
    if not installed:
        return report
    levels = service.levels_of(session, [v.id for _i, v in installed.values()])
    for data in items:
        found = installed.get(data.ref)
        if found is None:
            service.add_item(session, data, author_id, status=APPROVED)
            report.added += 1
            touched["added"].append(data.ref)
            continue
        item, version = found
        if item.status == RETIRED:
            report.unchanged += 1
            continue
        if _content(version, levels[version.id]) == data.content():
            report.unchanged += 1
            continue
        service.revise_item(session, item, data, author_id)
        item.status = APPROVED          # the shipped wording was reviewed before release
        session.add(item)
        session.add(ItemComment(item_id=item.id, version=service.latest_version(session, item.id).version,
                                author_id=author_id, action="comment", body="随新版演示题库更新"))
        report.revised += 1
        touched["revised"].append(data.ref)
    for ref, reason in retired.items():
        found = installed.get(ref)
        if found is None or found[0].status == RETIRED or ref in refs:
            continue
        item, version = found
        item.status = RETIRED
        session.add(item)
        session.add(ItemComment(item_id=item.id, version=version.version, author_id=author_id, action="retire",
                                body=f"新版演示题库已删除此题：{reason}"))
        report.retired += 1
        touched["retired"].append(ref)
    session.flush()
    enemies.store_declared(session, items, author_id)
    if report.changed:
        record(session.connection(), "demo.bank_sync", "item", 0, author_id, **touched)
    return report


def _content(version: ItemVersion, levels: list[str]) -> dict:
    return ItemData(levels=tuple(levels), area=version.area, kind=version.kind, stem=version.stem,
                    options=tuple(version.options), key=version.key, scoring=version.scoring,
                    explanation=version.explanation, knowledge_point=version.knowledge_point,
                    difficulty=version.difficulty, source=version.source).content()


def after_upgrade(engine) -> SyncReport:
    """The data step of ``callexam db upgrade``: carry an installed demo bank forward."""
    from exam.db import write_session
    from exam.models_registry import load_all
    load_all()
    with write_session(engine) as session:
        return carry_forward(session)
