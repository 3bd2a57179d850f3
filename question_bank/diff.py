"""A readable difference between two versions of an item, field by field.

Chinese has no spaces to split words on, so the comparison is by character (difflib's matcher on
the plain text); unchanged fields are left out so a reviewer sees only what moved.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from markupsafe import Markup, escape

from exam import standard
from question_bank import sanitise
from question_bank.models import DIFFICULTIES, ITEM_KINDS, SCORING
from question_bank.validation import OPTION_LETTERS, ItemData



@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str

    @property
    def marked(self) -> Markup:
        """``new`` against ``old`` with deletions and insertions marked up."""
        out = []
        matcher = difflib.SequenceMatcher(None, self.old, self.new, autojunk=False)
        for op, a0, a1, b0, b1 in matcher.get_opcodes():
            if op == "equal":
                out.append(escape(self.old[a0:a1]))
                continue
            if a1 > a0:
                out.append(Markup("<del>%s</del>") % self.old[a0:a1])
            if b1 > b0:
                out.append(Markup("<ins>%s</ins>") % self.new[b0:b1])
        return Markup("").join(out)


def _key_text(data: ItemData) -> str:
    if data.kind in ("single", "multiple"):
        return "".join(OPTION_LETTERS[i] for i in data.key)
    if data.kind == "truefalse":
        return "正确" if data.key else "错误"
    if data.kind == "fill":
        return "\n".join(data.key)
    return sanitise.plain(data.key["reference"]) + "\n要点：" + "；".join(sanitise.plain(p) for p in data.key["points"])


def describe(data: ItemData) -> dict[str, str]:
    """Every content field as one line of plain text, labelled in Chinese."""
    return {
        "适用等级": "、".join(standard.LEVELS[c].name for c in data.levels),
        "职业功能": standard.AREA_NAMES.get(data.area, data.area),
        "题型": ITEM_KINDS[data.kind],
        "题干": sanitise.plain(data.stem),
        "选项": "\n".join(f"{OPTION_LETTERS[i]}. {sanitise.plain(o)}" for i, o in enumerate(data.options)),
        "答案": _key_text(data),
        "计分方式": SCORING[data.scoring] if data.kind == "multiple" else "",
        "解析": sanitise.plain(data.explanation),
        "知识点": data.knowledge_point,
        "难度": DIFFICULTIES[data.difficulty],
        "来源": data.source,
    }


def compare(old: ItemData, new: ItemData) -> list[FieldChange]:
    before, after = describe(old), describe(new)
    return [FieldChange(label, before[label], after[label]) for label in before if before[label] != after[label]]
