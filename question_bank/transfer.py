"""Maps import/export format objects to the raw dicts ``validation.validate`` judges, and ItemData back.

Pure: no database, no Flask. The format modules (``formats.gift``, ``formats.aiken``, ``formats.sheet``)
only know their syntax; this module knows what the syntax *means* for our items, so every door into
the bank ends in the same ``validate`` and an export re-imports as the same ItemData.

Conventions (the user-facing help in the import page repeats them):

* **Control tags** (GIFT ``[tag:…]``): GIFT and Aiken have no level, function area, difficulty …, so
  the trainer picks default level(s) and area at import, and a tag on an item overrides them. A tag
  equal to a level code or name (``junior``/``初级`` …) sets the level(s); a tag equal to an area code
  or name (``service``/``服务技能运用`` …) sets the area; ``难度:2``/``difficulty:2``, ``知识点:…``,
  ``来源:…`` and ``分类:a/b`` set those fields; ``全对得分``/``all-or-nothing`` and
  ``少选得分``/``partial-credit`` set a multiple-choice item's scoring. Control tags are not kept as
  tags. In spreadsheets, which have columns for the rest, only ``分类:`` and the scoring tags are
  control tags.
* **Multiple choice**: the options with positive weight are the key; every positive weight must be
  equal and every other weight -100 % or 0. Without a scoring tag an item of any format scores
  ``all`` (全对才得分, ``DEFAULT_SCORING``), even where Moodle would give partial credit for the
  weights; the tag ``少选得分`` asks for partial credit. Unequal weights and partial credit on single choice cannot be represented and
  are reported as errors.
* **Short answer (essay ``{}``)**: the text (GIFT general feedback ``####…``, or the spreadsheet's
  答案 cell) holds the reference answer; each line starting with ``- `` or ``要点：`` (also
  ``要点1：``, ``•``) is one scoring point; in GIFT a line starting with ``解析：`` begins the
  explanation. On export a reference/explanation line that would read as a marker gets its first
  character written as an HTML character reference (``&#45;``), which the sanitiser turns back.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from exam import standard
from question_bank.formats.gift import FULL_WEIGHT, WEIGHT_TOLERANCE, ParsedItem
from question_bank import sanitise
from question_bank.formats import at, made_ref
from question_bank.models import ITEM_KINDS
from question_bank.normalise import normalise_answer

DEFAULT_DIFFICULTY = 2
OPTION_LETTERS = "ABCDEFGH"
#: One default for multiple choice in every format (GIFT, Aiken, Moodle XML, QTI, CSV, XLSX): 全对才得分,
#: as certification papers score 多选题; the tag 少选得分 (partial-credit) asks for partial credit.
DEFAULT_SCORING = "all"
#: Text formats whose text is literal, not markup: escaped on import so nothing in it is lost.
LITERAL_FORMATS = ("plain", "markdown")

FIELD_LABELS = {
    "levels": "等级", "level": "等级", "area": "职业功能", "type": "题型", "kind": "题型", "stem": "题干",
    "options": "选项", "key": "答案", "answers": "答案", "reference": "参考答案", "points": "评分要点",
    "scoring": "计分方式", "explanation": "解析", "knowledge_point": "知识点", "difficulty": "难度",
    "tags": "标签", "source": "来源", "ref": "编号", "category": "分类", "title": "标题", "(整题)": "整题",
}

ALL_TAGS = ("全对得分", "all-or-nothing")
PARTIAL_TAGS = ("少选得分", "partial-credit")
_PREFIXES = {"难度": "difficulty", "difficulty": "difficulty", "知识点": "knowledge_point",
             "knowledge_point": "knowledge_point", "来源": "source", "source": "source",
             "分类": "category", "category": "category"}
_PREFIX_OUT = {"difficulty": "难度", "knowledge_point": "知识点", "source": "来源", "category": "分类"}


# Essay feedback: a scoring point line, and the line that starts the explanation.
POINT_RE = re.compile(r"^(?:[-－•]|要点\s*[0-9一二三四五六七八九十]*\s*[:：、.．])\s*(.*)$")
EXPLANATION_RE = re.compile(r"^解析\s*[:：]\s*(.*)$")
POINT_MARK = "- "
EXPLANATION_MARK = "解析："


@dataclass(frozen=True)
class Defaults:
    """What the trainer chose for items whose format cannot say it (GIFT, Aiken)."""

    levels: tuple[str, ...] = ()
    area: str | None = None


class MappingError(ValueError):
    """One item cannot become an ItemData; ``errors`` lists (line, Chinese message naming the field)."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = errors
        super().__init__("\n".join(f"{at(n)}：{m}" for n, m in errors))


def field_message(name: str, message: str) -> str:
    return f"字段“{FIELD_LABELS.get(name, name)}”：{message}"


def normalise_category(path: str) -> str:
    """The category path as ``service.category_id`` stores it, so comparisons see no false change."""
    return "/".join(part.strip() for part in (path or "").split("/") if part.strip())


# ---------------------------------------------------------------- control tags

@dataclass
class Control:
    levels: list[str] = field(default_factory=list)
    area: str | None = None
    scoring: str | None = None
    tags: list[str] = field(default_factory=list)
    values: dict[str, str] = field(default_factory=dict)   # difficulty, knowledge_point, source, category


def _split_prefixed(tag: str) -> tuple[str, str] | None:
    m = re.match(r"^([^:：]+)[:：](.*)$", tag)
    if m and m.group(1).strip().lower() in _PREFIXES:
        return _PREFIXES[m.group(1).strip().lower()], m.group(2).strip()
    return None


def read_tags(tags, line: int, errors: list, spreadsheet: bool = False) -> Control:
    """Separate control tags from plain tags (see the module docstring)."""
    ctl = Control()
    for tag in tags:
        tag = tag.strip()
        prefixed = _split_prefixed(tag)
        if tag in ALL_TAGS or tag in PARTIAL_TAGS:
            scoring = "all" if tag in ALL_TAGS else "partial"
            if ctl.scoring not in (None, scoring):
                errors.append((line, field_message("scoring", "同时标注了“全对得分”和“少选得分”，只能选一种")))
            ctl.scoring = scoring
        elif prefixed and (not spreadsheet or prefixed[0] == "category"):
            name, value = prefixed
            if name in ctl.values and ctl.values[name] != value:
                errors.append((line, field_message(name, f"有两个不同的“{_PREFIX_OUT[name]}:”标签")))
            ctl.values[name] = value
        elif not spreadsheet and standard.level_code(tag):
            if standard.level_code(tag) not in ctl.levels:
                ctl.levels.append(standard.level_code(tag))
        elif not spreadsheet and standard.area_code(tag):
            if ctl.area not in (None, standard.area_code(tag)):
                errors.append((line, field_message("area", f"有两个不同的职业功能标签（“{tag}”等），一道题只属于一个职业功能")))
            ctl.area = standard.area_code(tag)
        elif tag:
            ctl.tags.append(tag)
    return ctl


def _difficulty(ctl: Control, line: int, errors: list) -> int:
    text = ctl.values.get("difficulty")
    if text is None:
        return DEFAULT_DIFFICULTY
    if text in ("1", "2", "3"):
        return int(text)
    errors.append((line, field_message("difficulty", f"难度标签的值“{text}”无效，应为 1、2 或 3（易、中、难），如 [tag:难度:2]")))
    return DEFAULT_DIFFICULTY


def control_tags(data, spreadsheet: bool = False) -> list[str]:
    """The control tags that carry ``data``'s fields a format has no place for."""
    tags: list[str] = []
    if not spreadsheet:
        tags += [standard.LEVELS[code].name for code in data.levels]
        tags.append(standard.AREA_NAMES[data.area])
        tags.append(f"难度:{data.difficulty}")
        if data.knowledge_point:
            tags.append(f"知识点:{data.knowledge_point}")
        if data.source:
            tags.append(f"来源:{data.source}")
    if spreadsheet and data.category:          # GIFT has $CATEGORY for it
        tags.append(f"分类:{data.category}")
    if data.kind == "multiple" and data.scoring != DEFAULT_SCORING:
        tags.append(PARTIAL_TAGS[0] if data.scoring == "partial" else ALL_TAGS[0])
    return tags


def check_plain_tags(data, spreadsheet: bool = False) -> None:
    """A plain tag that reads as a control tag would not come back as a tag: refuse to export it."""
    for tag in data.tags:
        if read_tags([tag], 0, [], spreadsheet).tags != [tag]:
            raise ValueError(f"标签“{tag}”与控制标签同名（等级、职业功能、难度:、分类: 等），导出后无法区分")


# ---------------------------------------------------------------- essay text

def split_essay(text: str, with_explanation: bool = True) -> tuple[str, list[str], str]:
    """(reference, points, explanation) of an essay's feedback text; see the module docstring."""
    reference: list[str] = []
    explanation: list[str] = []
    points: list[str] = []
    current = reference
    for line in (text or "").split("\n"):
        stripped = line.strip()
        point = POINT_RE.match(stripped)
        expl = EXPLANATION_RE.match(stripped) if with_explanation else None
        if point:
            if point.group(1).strip():
                points.append(point.group(1).strip())
        elif expl:
            current = explanation
            if expl.group(1):
                current.append(expl.group(1))
        else:
            current.append(line)
    return "\n".join(reference).strip(), points, "\n".join(explanation).strip()


def _guard(line: str) -> str:
    """Write a line's first character as a character reference when the line would read as a marker."""
    stripped = line.lstrip()
    if POINT_RE.match(stripped) or EXPLANATION_RE.match(stripped):
        pad = line[: len(line) - len(stripped)]
        return f"{pad}&#{ord(stripped[0])};{stripped[1:]}"
    return line


def join_essay(reference: str, points, explanation: str = "") -> str:
    """The inverse of ``split_essay``."""
    if any("\n" in p for p in points):
        raise ValueError("评分要点含换行，无法导出（每条要点须为一行）")
    lines = [_guard(line) for line in reference.split("\n")]
    lines += [POINT_MARK + p for p in points]
    if explanation:
        first, *rest = explanation.split("\n")
        lines.append(EXPLANATION_MARK + first)
        lines += [_guard(line) for line in rest]
    return "\n".join(lines)


# ---------------------------------------------------------------- GIFT / Aiken

def _weight(w: float) -> str:
    return f"{w:g}%"


def _choice(item: ParsedItem, scoring: str | None, errors: list) -> dict:
    line, weights, options = item.line, list(item.weights), list(item.options)
    positive = [i for i, w in enumerate(weights) if w > 0]
    if item.kind == "single":
        for i, w in enumerate(weights):
            if w < 0:
                errors.append((line, field_message("key", f"单选题不支持错选扣分：选项“{options[i]}”的权重为 {_weight(w)}；"
                                                          "错误选项请直接写 ~选项（不带权重）")))
            elif 0 < w < FULL_WEIGHT:
                errors.append((line, field_message("key", f"单选题不支持部分得分：选项“{options[i]}”的权重为 {_weight(w)}。"
                                                          "本系统的单选题只有一个满分答案；如需按比例给分，请改为多选题"
                                                          "（各正确选项写相同的 ~%权重%，错误选项写 ~%-100%）")))
        return {"options": options, "key": [i for i, w in enumerate(weights) if w >= FULL_WEIGHT]}
    pos = [weights[i] for i in positive]
    if pos and max(pos) - min(pos) > WEIGHT_TOLERANCE:
        errors.append((line, field_message("scoring", f"多选题各正确选项的权重不相同（{'、'.join(map(_weight, pos))}）。"
                                                      "本系统的多选题按“全对才得分”或“少选按比例得分”计分，正确选项须同权重")))
    for i, w in enumerate(weights):
        if w < 0 and abs(w + FULL_WEIGHT) > WEIGHT_TOLERANCE:
            errors.append((line, field_message("scoring", f"多选题错误选项“{options[i]}”的权重为 {_weight(w)}，"
                                                          "应为 -100%（错选不得分）或不写权重")))
    return {"options": options, "key": positive, "scoring": scoring or DEFAULT_SCORING}


def stable_ref(item: ParsedItem) -> str | None:
    """The 编号 of an imported item: its GIFT ``[id:]`` / Moodle ``idnumber``, else its name (``::Q2::``);
    an item with neither is numbered by the importer (``formats.made_ref``). A name that did not become
    the 编号 is kept as the item's title (``from_parsed``)."""
    if item.ref:
        return item.ref
    if item.title and len(item.title) <= 64:
        return item.title
    return None


_TF_FEEDBACK = ("答错时", "答对时")


def feedback_text(item: ParsedItem, markup) -> str:
    """Per-answer feedback, which the bank has no field for, as lines of the explanation (kept, not dropped)."""
    lines = []
    fbs = list(item.option_feedback)
    if item.kind == "truefalse":
        lines = [f"{_TF_FEEDBACK[i]}：{markup(f)}" for i, f in enumerate(fbs[:2]) if f]
    else:
        texts = item.options if item.kind in ("single", "multiple") else item.answers
        for i, (text, fb) in enumerate(zip(texts, fbs)):
            if fb:
                label = f"选项{OPTION_LETTERS[i]}" if item.kind in ("single", "multiple") and i < len(OPTION_LETTERS) \
                    else f"答案“{html.escape(text, quote=False)}”"
                lines.append(f"{label}：{markup(fb)}")
    return ("\n".join(["选项反馈："] + lines)) if lines else ""


def from_parsed(item: ParsedItem, defaults: Defaults, auto_ref: bool = False) -> dict:
    """The raw dict of a GIFT, Aiken or Moodle XML item, ready for ``validate``; raises MappingError.

    ``auto_ref`` gives an item without ``[id:]`` a stable 编号 (see ``stable_ref``): imports do, the
    round-trip check of an export does not."""
    errors: list[tuple[int, str]] = []
    line = item.line
    ctl = read_tags(item.tags, line, errors)

    def markup(text: str, fmt: str = "") -> str:
        """[plain]/[markdown]/[moodle] text is literal, so it is escaped; [html] and unmarked text is markup."""
        fmt = fmt or item.text_format
        return sanitise.from_text(html.escape(text, quote=False)) if fmt in LITERAL_FORMATS else text

    formats = list(item.option_formats) + [""] * len(item.options or item.answers)
    levels = ctl.levels or list(defaults.levels)
    area = ctl.area or defaults.area
    if not levels:
        errors.append((line, field_message("levels", "没有等级：请在导入时选择默认等级，或给题目加等级标签，如 [tag:初级]")))
    if not area:
        errors.append((line, field_message("area", "没有职业功能：请在导入时选择默认职业功能，或给题目加标签，如 [tag:服务技能运用]")))
    explanation = markup(item.general_feedback)
    extra = feedback_text(item, markup)
    raw: dict = {
        "ref": stable_ref(item) if auto_ref else item.ref, "levels": levels, "area": area, "type": item.kind,
        "stem": markup(item.stem),
        "difficulty": _difficulty(ctl, line, errors), "tags": ctl.tags,
        "knowledge_point": ctl.values.get("knowledge_point", ""), "source": ctl.values.get("source", ""),
        "category": normalise_category(ctl.values.get("category", item.category)),
        "explanation": "\n".join(p for p in (explanation, extra) if p),
        "title": item.title,          # ``validate`` drops it when it became the 编号
        "pictures": tuple(item.pictures),
    }
    if item.kind in ("single", "multiple"):
        content = _choice(item, ctl.scoring, errors)
        content["options"] = [markup(o, formats[i]) for i, o in enumerate(content["options"])]
        raw.update(content)
    elif item.kind == "truefalse":
        raw["key"] = item.key
    elif item.kind == "fill":
        raw["answers"], raw["warnings"] = _fill_answers(item, errors)
    else:
        reference, points, explanation = split_essay(item.general_feedback)
        raw.update(reference=markup(reference), points=[markup(p) for p in points], explanation=markup(explanation))
        if not reference and not points:
            raw["incomplete"] = True        # imported as a draft that review refuses until completed
        else:
            check_essay(raw, line, errors, "在答案块的总体反馈中（{####参考答案 …}）")
    if errors:
        raise MappingError(errors)
    return raw


def _fill_answers(item: ParsedItem, errors: list) -> tuple[list[str], list[str]]:
    """(accepted answers, warnings) of a fill-in. The bank's fill-in has only full-mark answers, so the
    100 % answers are the accepted ones; a partial-credit answer (Moodle's toad at 80 %) is left out and
    named in a warning, so the loss is said; a 0 % answer (Moodle's ``*`` catch-all) is a wrong answer
    either way and its feedback stays in the explanation (``feedback_text``)."""
    weights = list(item.weights) or [FULL_WEIGHT] * len(item.answers)
    full = [a for a, w in zip(item.answers, weights) if w >= FULL_WEIGHT - WEIGHT_TOLERANCE]
    partial = [(a, w) for a, w in zip(item.answers, weights) if WEIGHT_TOLERANCE < w < FULL_WEIGHT - WEIGHT_TOLERANCE]
    if not full:
        errors.append((item.line, field_message("answers", "填空题没有满分（100%）的答案：至少要有一个满分答案"
                                                           "（GIFT 写作 =答案，Moodle XML 为 fraction=\"100\"）")))
    warnings = []
    for answer, weight in partial:
        same = next((f for f in full if normalise_answer(f) == normalise_answer(answer)), None)
        warnings.append(field_message("answers", f"部分得分的答案“{answer}”（{_weight(weight)}）没有导入：填空题只有满分答案，"
                                                 + (f"它与满分答案“{same}”只差大小写或空格，考生这样作答将得满分"
                                                    if same else "答对即得满分；如果它也应算对，请在题目中把它加为答案")))
    return full, warnings


def check_essay(raw: dict, line: int, errors: list, where: str) -> None:
    if not raw["reference"]:
        errors.append((line, field_message("reference", f"简答题缺少参考答案：请写{where}")))
    if not raw["points"]:
        errors.append((line, field_message("points", "简答题至少需要一条评分要点：在参考答案之后另起一行，"
                                                     "以“- ”或“要点：”开头，每行一条")))


def _meta_safe(value: str, what: str) -> str:
    if "]" in value or "\n" in value:
        raise ValueError(f"{what}“{value}”含 ] 或换行，GIFT 的 [id:]/[tag:] 注释无法表示")
    return value


def to_parsed(data) -> ParsedItem:
    """The ParsedItem that GIFT ``dump`` writes so that ``from_parsed`` gives ``data`` back.

    Stems are our sanitised markup, so the item is marked ``[html]``; raises ValueError for what GIFT
    cannot carry (say, a tag containing ``]``)."""
    check_plain_tags(data)
    tags = [_meta_safe(t, "标签") for t in control_tags(data) + list(data.tags)]
    ref = _meta_safe(data.ref, "编号") if data.ref else None
    if ref is None and data.title:      # the name would become the 编号 on import: number it as imports do
        ref = made_ref(data.category, data.kind, data.stem)
    options, weights, answers, key, feedback = [], [], [], None, data.explanation
    if data.kind == "single":
        options, key = list(data.options), list(data.key)
        weights = [FULL_WEIGHT if i in key else 0.0 for i in range(len(options))]
    elif data.kind == "multiple":
        options, key = list(data.options), list(data.key)
        share = round(FULL_WEIGHT / len(key), 5)
        weights = [share if i in key else -FULL_WEIGHT for i in range(len(options))]
    elif data.kind == "truefalse":
        key = bool(data.key)
    elif data.kind == "fill":
        answers = list(data.answers)
        weights = [FULL_WEIGHT] * len(answers)
    else:
        feedback = join_essay(data.reference, data.points, data.explanation)
    return ParsedItem(
        line=0, kind=data.kind, stem=data.stem, options=options, weights=weights, answers=answers, key=key,
        general_feedback=feedback, option_feedback=[""] * len(options or answers), category=data.category,
        tags=tags, ref=ref, title=data.title or data.ref or "", text_format="html")


def to_aiken(data) -> ParsedItem:
    """An Aiken item holds a single-choice stem, options and key, nothing else."""
    if data.kind != "single":
        raise ValueError(f"Aiken 格式只能容纳单选题，这道题是{ITEM_KINDS[data.kind]}")
    texts = [sanitise.to_text(t) for t in (data.stem, *data.options)]
    if any(t is None for t in texts):
        raise ValueError("题干或选项含加粗、表格等格式，Aiken 是纯文本格式，无法表示")
    stem, *options = texts
    return ParsedItem(
        line=0, kind="single", stem=stem, options=options, answers=[], key=list(data.key),
        weights=[FULL_WEIGHT if i in data.key else 0.0 for i in range(len(options))], general_feedback="",
        option_feedback=[""] * len(options), category="", tags=[], ref=None, title="", text_format="plain")
