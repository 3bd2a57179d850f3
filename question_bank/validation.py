"""Checks one item's fields and says in Chinese exactly which field is wrong.

Every door into the bank (seed files, the authoring form, GIFT, Aiken, CSV and XLSX imports) turns
its input into the same plain dict and passes it here, so an item is judged the same whichever door
it uses. Authored text comes out sanitised (see ``sanitise``); typed answers stay plain text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from exam import standard
from question_bank import sanitise
from question_bank.formats import media
from question_bank.models import CHOICE_KINDS, DIFFICULTIES, ITEM_KINDS, SCORING

MAX_STEM = 4000
MAX_TEXT = 2000
MIN_OPTIONS, MAX_OPTIONS = 2, 8
OPTION_LETTERS = "ABCDEFGH"   # how people name options A… (one letter per option up to MAX_OPTIONS)
MAX_ANSWERS = 10
MAX_POINTS = 10
MAX_TAGS = 10
MAX_TAG_LEN = 32
MAX_TITLE = 200
FILL_BLANK = "____"


@dataclass(frozen=True)
class ItemData:
    levels: tuple[str, ...]
    area: str
    kind: str
    stem: str
    options: tuple[str, ...] = ()
    key: Any = None
    scoring: str = "all"
    explanation: str = ""
    knowledge_point: str = ""
    difficulty: int = 2
    tags: tuple[str, ...] = ()
    source: str = ""
    ref: str | None = None
    category: str = ""
    #: The trainers' name of the item (not its 编号); bookkeeping like tags, never on a candidate's page.
    title: str = ""
    #: Pictures the stem shows that arrived with an import (``formats.media.Picture``), for the bank to
    #: store; the stem refers to them by their hash, so they are not content of their own.
    pictures: tuple = field(default=(), compare=False, repr=False)
    extra: dict = field(default_factory=dict, compare=False)
    #: Refs of items this one must never share a paper with (confirmed enemy pairs shipped in a bank
    #: file); bookkeeping like tags, not content.
    enemies: tuple[str, ...] = field(default=(), compare=False)

    @property
    def answers(self) -> list[str]:
        return list(self.key) if self.kind == "fill" else []

    @property
    def reference(self) -> str:
        return self.key["reference"] if self.kind == "short" else ""

    @property
    def points(self) -> list[str]:
        return list(self.key["points"]) if self.kind == "short" else []

    def content(self) -> dict:
        """What a version stores; two items with equal content need no new version."""
        return {"levels": sorted(self.levels), "area": self.area, "kind": self.kind, "stem": self.stem,
                "options": list(self.options), "key": self.key, "scoring": self.scoring,
                "explanation": self.explanation, "knowledge_point": self.knowledge_point,
                "difficulty": self.difficulty, "source": self.source}


class ItemError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"字段 {field}：{message}")
        self.field = field


def _text(raw: dict, name: str, required: bool = True, max_len: int = MAX_TEXT, html: bool = False,
          images: bool = False) -> str:
    value = raw.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ItemError(name, "应为文本")
    value = sanitise.clean(value, images=images) if html else value.strip()
    if required and not value:
        raise ItemError(name, "不能为空")
    if len(value) > max_len:
        raise ItemError(name, f"超过 {max_len} 字")
    return value


def _text_list(raw: dict, name: str, max_items: int, html: bool = False) -> list[str]:
    values = raw.get(name)
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise ItemError(name, "应为文本的列表")
    cleaned = [sanitise.clean(v) if html else v.strip() for v in values]
    if not cleaned or not all(cleaned):
        raise ItemError(name, "不能为空，每一项也不能为空")
    if len(cleaned) > max_items:
        raise ItemError(name, f"最多 {max_items} 项，现有 {len(cleaned)} 项")
    if any(len(v) > MAX_TEXT for v in cleaned):
        raise ItemError(name, f"每一项不超过 {MAX_TEXT} 字")
    if len(set(cleaned)) != len(cleaned):
        raise ItemError(name, "有重复项")
    return cleaned


def _levels(raw: dict) -> tuple[str, ...]:
    name = "level" if "level" in raw and "levels" not in raw else "levels"
    value = raw.get(name)
    levels = [value] if isinstance(value, str) else value
    if not isinstance(levels, (list, tuple)) or not levels:
        raise ItemError(name, "至少选择一个等级")
    unknown = [v for v in levels if v not in standard.LEVELS]
    if unknown:
        raise ItemError(name, f"未知等级 {unknown[0]!r}，应为 {'、'.join(standard.LEVELS)} 之一")
    return tuple(code for code in standard.LEVELS if code in levels)


def _area(raw: dict, levels: tuple[str, ...]) -> str:
    area = raw.get("area")
    for code in levels:
        lvl = standard.LEVELS[code]
        if area not in lvl.area_codes:
            raise ItemError("area", f"{lvl.name}没有职业功能 {area!r}，应为 {'、'.join(lvl.area_codes)} 之一")
    return area


def _choice_key(raw: dict, kind: str, options: list[str]) -> list[int]:
    key = raw.get("key")
    if not isinstance(key, (list, tuple)) or not all(isinstance(k, int) and not isinstance(k, bool) for k in key):
        raise ItemError("key", "应为正确选项序号（从 0 开始）的列表")
    if any(not 0 <= k < len(options) for k in key):
        raise ItemError("key", f"序号超出范围 0 至 {len(options) - 1}")
    if len(set(key)) != len(key):
        raise ItemError("key", "序号有重复")
    if kind == "single" and len(key) != 1:
        raise ItemError("key", "单选题应恰有一个正确选项")
    if kind == "multiple" and len(key) < 2:
        raise ItemError("key", "多选题应至少有两个正确选项")
    return sorted(key)


def _content(raw: dict, kind: str) -> tuple[list[str], Any, str]:
    """Options, key and scoring rule for ``kind``."""
    options: list[str] = []
    scoring = "all"
    if kind in CHOICE_KINDS:
        options = _text_list(raw, "options", MAX_OPTIONS, html=True)
        if len(options) < MIN_OPTIONS:
            raise ItemError("options", f"选项数应为 {MIN_OPTIONS} 至 {MAX_OPTIONS} 个，现有 {len(options)} 个")
        key: Any = _choice_key(raw, kind, options)
        if kind == "multiple":
            scoring = raw.get("scoring") or "all"
            if scoring not in SCORING:
                raise ItemError("scoring", f"计分方式应为 {'、'.join(SCORING)} 之一")
        return options, key, scoring
    if raw.get("options"):
        raise ItemError("options", f"{ITEM_KINDS[kind]}不应有选项")
    if kind == "truefalse":
        key = raw.get("key")
        if not isinstance(key, bool):
            raise ItemError("key", "判断题答案应为 true 或 false")
        return options, key, scoring
    if kind == "fill":
        return options, _text_list(raw, "answers", MAX_ANSWERS), scoring
    if raw.get("incomplete") and not raw.get("reference") and not raw.get("points"):
        # an essay imported without grader information: kept as a draft that review refuses
        return options, {"reference": "", "points": []}, scoring
    reference = _text(raw, "reference", html=True)
    points = _text_list(raw, "points", MAX_POINTS, html=True)
    return options, {"reference": reference, "points": points}, scoring


def _tags(raw: dict) -> tuple[str, ...]:
    tags = raw.get("tags") or []
    if isinstance(tags, str):
        tags = [t for t in tags.replace("，", ",").split(",")]
    if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
        raise ItemError("tags", "应为文本的列表")
    cleaned = list(dict.fromkeys(t.strip() for t in tags if t.strip()))
    if len(cleaned) > MAX_TAGS:
        raise ItemError("tags", f"最多 {MAX_TAGS} 个标签")
    if any(len(t) > MAX_TAG_LEN or "<" in t for t in cleaned):
        raise ItemError("tags", f"每个标签不超过 {MAX_TAG_LEN} 字，且不含 <")
    return tuple(cleaned)


def _enemies(raw: dict) -> tuple[str, ...]:
    enemies = raw.get("enemies") or []
    if not isinstance(enemies, (list, tuple)) or not all(isinstance(e, str) and e.strip() for e in enemies):
        raise ItemError("enemies", "应为互斥题目编号（ref）的列表")
    if raw.get("ref") in enemies:
        raise ItemError("enemies", "不能把本题列为自己的互斥题")
    return tuple(dict.fromkeys(e.strip() for e in enemies))


def _pictures(raw: dict, stem: str) -> tuple:
    """The imported pictures the cleaned stem still shows, and their limits (``formats.media``)."""
    shown = set(media.refs(stem))
    pictures = tuple({p.sha256: p for p in raw.get("pictures") or () if p.sha256 in shown}.values())
    try:
        media.check_item(list(pictures))
    except media.MediaError as exc:
        raise ItemError("stem", str(exc)) from None
    return pictures


def _title(raw: dict) -> str:
    """One line of plain text (shown escaped); line breaks a format may carry become spaces. A title
    equal to the 编号 says nothing more and is not kept (GIFT's ``::FW-001::`` beside ``[id:FW-001]``)."""
    title = " ".join(_text(raw, "title", required=False, max_len=10 * MAX_TITLE).split())
    if len(title) > MAX_TITLE:
        raise ItemError("title", f"超过 {MAX_TITLE} 字")
    ref = raw.get("ref")
    return "" if isinstance(ref, str) and title == ref.strip() else title


#: The fields of a raw item that hold authored markup, cleaned by ``sanitise.clean`` (the stem may show pictures).
MARKUP_FIELDS = (("stem", True), ("options", False), ("explanation", False), ("reference", False), ("points", False))
_MEMBER = {"options": lambda i: f"选项{'ABCDEFGH'[i] if i < 8 else i + 1}", "points": lambda i: f"第 {i + 1} 条"}


def markup_changes(raw: dict) -> list[tuple[str, str]]:
    """(field, Chinese note) for every authored text of ``raw`` that ``validate`` would change beyond
    escaping (``sanitise.changes``): wrappers unwrapped, attributes dropped, words moved. An import
    preview and the authoring form show them, so nothing changes silently."""
    out = []
    for name, images in MARKUP_FIELDS:
        value = raw.get(name)
        values = list(enumerate(value)) if isinstance(value, (list, tuple)) else [(None, value)]
        for i, text in values:
            if not isinstance(text, str):
                continue
            for note in sanitise.changes(text, images=images):
                out.append((name, f"{_MEMBER[name](i)}：{note}" if i is not None else note))
    return out


def validate(raw: dict) -> ItemData:
    if not isinstance(raw, dict):
        raise ItemError("(整题)", "应为一个对象")
    levels = _levels(raw)
    area = _area(raw, levels)
    kind = raw.get("type", raw.get("kind"))
    if kind not in ITEM_KINDS:
        raise ItemError("type", f"未知题型 {kind!r}，应为 {'、'.join(ITEM_KINDS)} 之一")
    stem = _text(raw, "stem", max_len=MAX_STEM, html=True, images=True)
    options, key, scoring = _content(raw, kind)
    difficulty = raw.get("difficulty", 2)
    if isinstance(difficulty, bool) or difficulty not in DIFFICULTIES:
        raise ItemError("difficulty", "难度应为 1、2 或 3（易、中、难）")
    ref = raw.get("ref")
    if ref is not None and ref != "" and (not isinstance(ref, str) or not ref.strip() or len(ref) > 64):
        raise ItemError("ref", "编号应为 1 至 64 字的文本")
    return ItemData(
        levels=levels, area=area, kind=kind, stem=stem, options=tuple(options), key=key, scoring=scoring,
        explanation=_text(raw, "explanation", required=False, html=True),
        knowledge_point=_text(raw, "knowledge_point", required=False, max_len=100),
        difficulty=difficulty, tags=_tags(raw), source=_text(raw, "source", required=False, max_len=200),
        ref=ref.strip() if ref else None, category=_text(raw, "category", required=False, max_len=255),
        enemies=_enemies(raw), title=_title(raw), pictures=_pictures(raw, stem),
    )
