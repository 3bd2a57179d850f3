"""Maps spreadsheet rows (``formats.sheet.SheetItem``, CSV and XLSX alike) to raw item dicts and back.

Pure, like ``transfer``. The sheet has a column for nearly every field; what it lacks travels in
cells it already has, by the conventions of ``transfer``:

* category → a ``分类:a/b`` tag in the 标签 column;
* scoring of a multiple-choice item → the tag ``少选得分`` (partial); without it the item scores
  ``all`` (全对才得分), the bank's default, and ``全对得分`` may be written to say so;
* a short-answer item's scoring points → lines of the 答案 cell starting with ``- `` or ``要点：``
  after the reference answer (the sheet's own 解析 column holds the explanation).
"""

from __future__ import annotations

import re

from question_bank.formats.sheet import SheetItem
from question_bank.sanitise import from_text, to_text
from question_bank.transfer import (
    DEFAULT_SCORING, MappingError, check_essay, check_plain_tags, control_tags, join_essay, normalise_category, read_tags,
    split_essay,
)

_TAG_SEPARATORS = re.compile(r"[、,，;；]")


def from_sheet(item: SheetItem) -> dict:
    """The raw dict of one spreadsheet row, ready for ``validate``; raises MappingError."""
    errors: list[tuple[int, str]] = []
    ctl = read_tags(item.tags, item.line, errors, spreadsheet=True)
    raw: dict = {
        "ref": item.ref or None, "levels": list(item.levels), "area": item.area, "type": item.kind,
        "stem": from_text(item.stem), "explanation": from_text(item.explanation), "knowledge_point": item.knowledge_point,
        "difficulty": item.difficulty, "tags": ctl.tags, "source": item.source,
        "category": normalise_category(ctl.values.get("category", "")), "title": item.title,
    }
    if item.kind in ("single", "multiple"):
        raw.update(options=[from_text(o) for o in item.options], key=list(item.key or ()))
        if item.kind == "multiple":
            raw["scoring"] = ctl.scoring or DEFAULT_SCORING
    elif item.kind == "truefalse":
        raw["key"] = item.key
    elif item.kind == "fill":
        raw["answers"] = list(item.answers)
    else:
        reference, points, _ = split_essay(item.reference_answer, with_explanation=False)
        raw.update(reference=from_text(reference), points=[from_text(p) for p in points])
        if not reference and not points:
            raw["incomplete"] = True        # imported as a draft that review refuses until completed
        else:
            check_essay(raw, item.line, errors, "在“答案”列（第一行起）")
    if errors:
        raise MappingError(errors)
    return raw


def _text(markup: str) -> str:
    """A cell's plain text: ``&`` as ``&``, line breaks as new lines; formatting (bold, tables) stays markup."""
    text = to_text(markup)
    return markup if text is None else text


def to_sheet(data) -> SheetItem:
    """The SheetItem that ``write_csv``/``write_xlsx`` write so that ``from_sheet`` gives ``data`` back;
    raises ValueError for what a row cannot carry."""
    check_plain_tags(data, spreadsheet=True)
    tags = tuple(control_tags(data, spreadsheet=True)) + tuple(data.tags)
    for tag in tags:
        if _TAG_SEPARATORS.search(tag):
            raise ValueError(f"标签“{tag}”含分隔符（、，；），表格的“标签”列无法表示")
    key = None
    if data.kind in ("single", "multiple"):
        key = tuple(data.key)
    elif data.kind == "truefalse":
        key = bool(data.key)
    return SheetItem(
        line=0, ref=data.ref or "", levels=tuple(data.levels), area=data.area, kind=data.kind, stem=_text(data.stem),
        options=tuple(_text(o) for o in data.options), key=key, answers=tuple(data.answers),
        reference_answer=join_essay(_text(data.reference), [_text(p) for p in data.points]) if data.kind == "short" else "",
        explanation=_text(data.explanation), knowledge_point=data.knowledge_point, difficulty=data.difficulty,
        tags=tags, source=data.source, title=data.title)
