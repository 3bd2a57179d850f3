"""Checks one item's fields and says in Chinese exactly which field is wrong.

Shared by every way items come in (seed files now, the authoring UI and imports later), so an item is
judged the same whichever door it uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from exam import standard
from question_bank.models import ITEM_KINDS


@dataclass(frozen=True)
class ItemData:
    level: str
    area: str
    kind: str
    stem: str
    options: list[str]
    key: Any
    explanation: str = ""
    knowledge_point: str = ""
    difficulty: int = 2
    ref: str | None = None


class ItemError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"字段 {field}：{message}")
        self.field = field


def _text(raw: dict, field: str, required: bool = True, max_len: int | None = None) -> str:
    value = raw.get(field, "")
    if not isinstance(value, str):
        raise ItemError(field, "应为文本")
    value = value.strip()
    if required and not value:
        raise ItemError(field, "不能为空")
    if max_len and len(value) > max_len:
        raise ItemError(field, f"超过 {max_len} 字")
    return value


def validate(raw: dict) -> ItemData:
    if not isinstance(raw, dict):
        raise ItemError("(整题)", "应为一个对象")
    level = raw.get("level")
    if level not in standard.LEVELS:
        raise ItemError("level", f"未知等级 {level!r}，应为 {'、'.join(standard.LEVELS)} 之一")
    lvl = standard.LEVELS[level]
    area = raw.get("area")
    if area not in lvl.area_codes:
        raise ItemError("area", f"{lvl.name}没有职业功能 {area!r}，应为 {'、'.join(lvl.area_codes)} 之一")
    kind = raw.get("type", raw.get("kind"))
    if kind not in ITEM_KINDS:
        raise ItemError("type", f"未知题型 {kind!r}，应为 {'、'.join(ITEM_KINDS)} 之一")
    stem = _text(raw, "stem", max_len=2000)
    key = raw.get("key")
    options: list[str] = []
    if kind == "truefalse":
        if "options" in raw and raw["options"]:
            raise ItemError("options", "判断题不应有选项")
        if not isinstance(key, bool):
            raise ItemError("key", "判断题答案应为 true 或 false")
    else:
        options = raw.get("options")
        if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
            raise ItemError("options", "应为非空文本的列表")
        options = [o.strip() for o in options]
        if not 2 <= len(options) <= 8:
            raise ItemError("options", f"选项数应为 2 至 8 个，现有 {len(options)} 个")
        if len(set(options)) != len(options):
            raise ItemError("options", "选项有重复")
        if not isinstance(key, list) or not all(isinstance(k, int) and not isinstance(k, bool) for k in key):
            raise ItemError("key", "应为选项序号（从 0 开始）的列表")
        if any(not 0 <= k < len(options) for k in key):
            raise ItemError("key", f"序号超出范围 0 至 {len(options) - 1}")
        if len(set(key)) != len(key):
            raise ItemError("key", "序号有重复")
        if kind == "single" and len(key) != 1:
            raise ItemError("key", "单选题应恰有一个正确选项")
        if kind == "multiple" and len(key) < 2:
            raise ItemError("key", "多选题应至少有两个正确选项")
        key = sorted(key)
    difficulty = raw.get("difficulty", 2)
    if difficulty not in (1, 2, 3):
        raise ItemError("difficulty", "难度应为 1、2 或 3")
    ref = raw.get("ref")
    if ref is not None and (not isinstance(ref, str) or not ref.strip() or len(ref) > 64):
        raise ItemError("ref", "编号应为 1 至 64 字的文本")
    return ItemData(
        level=level, area=area, kind=kind, stem=stem, options=options, key=key,
        explanation=_text(raw, "explanation", required=False, max_len=2000),
        knowledge_point=_text(raw, "knowledge_point", required=False, max_len=100),
        difficulty=difficulty, ref=ref.strip() if ref else None,
    )
