"""The trainer's forms: author an item, search the bank, act on many items, review.

The item form is laid out the way trainers write questions on paper (options one per line, the key
as letters, accepted answers and scoring points one per line) and turns into the same plain dict
every other door into the bank produces, so ``validation.validate`` judges it like an import.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from exam import standard
from question_bank.models import DIFFICULTIES, ITEM_KINDS, SCORING, STATUSES
from question_bank.sanitise import for_editing
from question_bank.validation import OPTION_LETTERS

TRUE_FALSE = [("true", "正确"), ("false", "错误")]


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, with an optional empty first option labelled ``blank``."""
    out = [SelectChoice("", blank)] if blank else []
    return out + [SelectChoice(str(value), label) for value, label in pairs]


def level_choices(blank: str | None = None) -> list[SelectChoice]:
    return choices([(code, lvl.name) for code, lvl in standard.LEVELS.items()], blank)


def area_choices(blank: str | None = None) -> list[SelectChoice]:
    return choices(standard.AREA_NAMES.items(), blank)


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ItemForm(FlaskForm):
    ref = StringField("编号", validators=[Optional(), Length(max=64)])
    title = StringField("标题", validators=[Optional(), Length(max=200)])
    levels = CheckboxesField("适用等级", choices=level_choices())
    area = SelectField("职业功能", choices=area_choices())
    kind = SelectField("题型", choices=choices(ITEM_KINDS.items()))
    stem = TextAreaField("题干", render_kw={"rows": 4})
    options = TextAreaField("选项（每行一个）", render_kw={"rows": 5})
    choice_key = StringField("正确选项（字母，如 B 或 ACD）", validators=[Length(max=8)])
    scoring = SelectField("多选题计分", choices=choices(SCORING.items()))
    truefalse_key = SelectField("判断题答案", choices=choices(TRUE_FALSE))
    answers = TextAreaField("填空题可接受的答案（每行一个）", render_kw={"rows": 3})
    reference = TextAreaField("简答题参考答案", render_kw={"rows": 4})
    points = TextAreaField("简答题评分要点（每行一个）", render_kw={"rows": 3})
    explanation = TextAreaField("解析", render_kw={"rows": 3})
    knowledge_point = StringField("知识点", validators=[Length(max=100)])
    difficulty = SelectField("难度", coerce=int, choices=choices(DIFFICULTIES.items()), default=2)
    tags = StringField("标签（逗号分隔）", validators=[Length(max=400)])
    source = StringField("来源", validators=[Length(max=200)])
    category = StringField("分类（如 服务用语/开篇语）", validators=[Length(max=255)])
    confirm_similar = BooleanField("我已核对相似题目，仍要保存")

    def raw(self) -> dict:
        """The plain dict ``validate`` expects; the kind decides which answer fields count."""
        kind = self.kind.data
        raw = {
            "ref": self.ref.data or None, "title": self.title.data or "", "levels": self.levels.data or [], "area": self.area.data,
            "type": kind, "stem": self.stem.data or "", "explanation": self.explanation.data or "",
            "knowledge_point": self.knowledge_point.data or "", "difficulty": self.difficulty.data,
            "tags": self.tags.data or "", "source": self.source.data or "", "category": self.category.data or "",
        }
        if kind in ("single", "multiple"):
            raw["options"] = _lines(self.options.data)
            letters = (self.choice_key.data or "").upper().replace(",", "").replace("，", "").replace(" ", "")
            raw["key"] = [OPTION_LETTERS.index(c) if c in OPTION_LETTERS else len(OPTION_LETTERS) for c in letters]
            raw["scoring"] = self.scoring.data
        elif kind == "truefalse":
            raw["key"] = self.truefalse_key.data == "true"
        elif kind == "fill":
            raw["answers"] = _lines(self.answers.data)
        else:
            raw["reference"] = self.reference.data or ""
            raw["points"] = _lines(self.points.data)
        return raw

    def load(self, data) -> None:
        """Fill the form from an ItemData (editing)."""
        self.ref.data = data.ref or ""
        self.title.data = data.title
        self.levels.data = list(data.levels)
        # authored text as the trainer wrote it (``若 A<B``, not the stored ``若 A&lt;B``)
        self.area.data, self.kind.data, self.stem.data = data.area, data.kind, for_editing(data.stem, images=True)
        self.explanation.data, self.knowledge_point.data = for_editing(data.explanation), data.knowledge_point
        self.difficulty.data, self.source.data, self.category.data = data.difficulty, data.source, data.category
        self.tags.data = ", ".join(data.tags)
        self.scoring.data = data.scoring
        if data.kind in ("single", "multiple"):
            self.options.data = "\n".join(for_editing(o) for o in data.options)
            self.choice_key.data = "".join(OPTION_LETTERS[i] for i in data.key)
        elif data.kind == "truefalse":
            self.truefalse_key.data = "true" if data.key else "false"
        elif data.kind == "fill":
            self.answers.data = "\n".join(data.key)
        else:
            self.reference.data = for_editing(data.key["reference"])
            self.points.data = "\n".join(for_editing(p) for p in data.key["points"])

    def field_for(self, name: str):
        """The form field an ``ItemError`` about ``name`` belongs to."""
        mapping = {"level": "levels", "type": "kind", "key": None}
        if name == "key":
            return {"truefalse": self.truefalse_key}.get(self.kind.data, self.choice_key)
        return getattr(self, mapping.get(name, name), None) or self.stem


class SearchForm(FlaskForm):
    """GET filters of the item list; every field of an item can be searched."""

    class Meta:
        csrf = False

    q = StringField("题干/选项/解析/标题包含")
    level = SelectField("等级", choices=level_choices("全部"))
    area = SelectField("职业功能", choices=area_choices("全部"))
    kind = SelectField("题型", choices=choices(ITEM_KINDS.items(), "全部"))
    status = SelectField("状态", choices=choices(STATUSES.items(), "全部（不含停用）"))
    difficulty = SelectField("难度", choices=choices(DIFFICULTIES.items(), "全部"))
    tag = StringField("标签")
    category = StringField("分类")
    knowledge_point = StringField("知识点")
    source = StringField("来源")
    ref = StringField("编号")
    page = IntegerField("页", default=1, validators=[Optional()])


BULK_ACTIONS = {"tag": "添加标签", "untag": "移除标签", "move": "移动到分类", "submit": "提交审核", "retire": "停用"}


class BulkForm(FlaskForm):
    ids = SelectMultipleField("题目", coerce=int, validate_choice=False)
    action = SelectField("批量操作", choices=choices(BULK_ACTIONS.items()))
    value = StringField("标签或分类", validators=[Length(max=255)])
    comment = StringField("理由（停用时必填）", validators=[Length(max=500)])
    next = HiddenField()


class ReviewForm(FlaskForm):
    action = HiddenField()
    comment = TextAreaField("意见", validators=[Length(max=2000)], render_kw={"rows": 2})


class CommentForm(FlaskForm):
    body = TextAreaField("评论", validators=[Length(max=2000)], render_kw={"rows": 2})


class BlueprintForm(FlaskForm):
    """A 组卷规则: per type how many items and points each, a difficulty mix, a mode. The areas'
    points are not asked: they are the standard's weights, and the plan fits the types to them."""

    name = StringField("名称", validators=[Length(max=200)])
    level = SelectField("等级", choices=level_choices())
    mode = SelectField("组卷方式", choices=choices([
        ("per_candidate", "每人随机（平行试卷）"), ("drawn", "按规则抽题（每场一卷）"), ("fixed", "固定试卷")]))
    mix_1 = IntegerField("易（%）", validators=[Optional()])
    mix_2 = IntegerField("中（%）", validators=[Optional()])
    mix_3 = IntegerField("难（%）", validators=[Optional()])
    tolerance = StringField("平均难度允许偏差", default="0.15", validators=[Length(max=10)])


for _kind, _label in ITEM_KINDS.items():
    setattr(BlueprintForm, f"count_{_kind}", IntegerField(f"{_label}题数", validators=[Optional()]))
    setattr(BlueprintForm, f"points_{_kind}", StringField(f"{_label}每题分值", validators=[Length(max=10)]))


class EnemyForm(FlaskForm):
    """A trainer's decision on a suggested enemy pair (or withdrawing one)."""

    other = HiddenField()
    decision = HiddenField()
    reason = HiddenField()
