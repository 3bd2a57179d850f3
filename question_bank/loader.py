"""Loads items from JSON files, all or nothing.

Every item of every file is validated before anything is written; the first problem found anywhere
is reported with file, item number and field, and the database is left as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from question_bank import enemies, service
from question_bank.models import APPROVED, DRAFT
from question_bank.validation import ItemData, ItemError, validate

DEMO_BANK = Path(__file__).resolve().parent / "demo_bank"


class LoadError(ValueError):
    pass


@dataclass
class LoadReport:
    created: int
    skipped: int


def parse_files(paths: list[Path]) -> list[ItemData]:
    items: list[ItemData] = []
    errors: list[str] = []
    refs: dict[str, str] = {}
    for path in paths:
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            errors.append(f"{path}：不是 UTF-8 编码的文本")
            continue
        except json.JSONDecodeError as exc:
            errors.append(f"{path} 第 {exc.lineno} 行第 {exc.colno} 列：JSON 格式错误（{exc.msg}）")
            continue
        if not isinstance(raw, list):
            errors.append(f"{path}：顶层应为题目列表")
            continue
        for number, entry in enumerate(raw, start=1):
            try:
                data = validate(entry)
            except ItemError as exc:
                errors.append(f"{path} 第 {number} 题，{exc}")
                continue
            if data.ref:
                if data.ref in refs:
                    errors.append(f"{path} 第 {number} 题，字段 ref：编号 {data.ref} 与 {refs[data.ref]} 重复")
                    continue
                refs[data.ref] = f"{path} 第 {number} 题"
            items.append(data)
    if errors:
        raise LoadError("\n".join(errors))
    return items


def load(session: Session, paths: list[Path], author_id: int | None = None, skip_existing: bool = True,
         status: str = DRAFT) -> LoadReport:
    """Validate all files, then add their items; items whose ref already exists are skipped.

    Items arrive as drafts for review; the demo bank, which was reviewed before it shipped, is
    loaded as approved (``status``)."""
    return add_items(session, parse_files(paths), author_id, skip_existing, status)


def add_items(session: Session, items: list[ItemData], author_id: int | None = None, skip_existing: bool = True,
              status: str = DRAFT) -> LoadReport:
    existing = service.existing_refs(session, [i.ref for i in items if i.ref])
    if existing and not skip_existing:
        raise LoadError("以下编号已在题库中：" + "、".join(sorted(existing)))
    created = 0
    for data in items:
        if data.ref in existing:
            continue
        try:
            service.add_item(session, data, author_id, status=status)
        except ItemError as exc:          # a stem showing a picture the bank does not hold
            raise LoadError(f"编号 {data.ref or '（无编号）'}，{exc}") from None
        created += 1
    enemies.store_declared(session, items, author_id)
    return LoadReport(created=created, skipped=len(items) - created)


def demo_files() -> list[Path]:
    return sorted(DEMO_BANK.glob("*.json"))


def load_demo(session: Session, author_id: int | None = None) -> LoadReport:
    """Add the shipped demo bank; where an earlier demo bank is installed, carry it forward too
    (new versions for changed items, dropped ones retired: ``demo_sync``)."""
    from question_bank import demo_sync
    items = parse_files(demo_files())
    report = add_items(session, items, author_id, status=APPROVED)
    if report.skipped:
        demo_sync.carry_forward(session, items, author_id=author_id)
    return report
