"""The trainer's forms for typing passages: write or edit one, and filter the list.

Fields carry no WTForms validators of their own: ``passages.validate`` judges every field and says
in Chinese what is wrong, the same for the form as for the stock file.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from exam import standard
from typing_test.models import PASSAGE_STATUSES


def _choices(pairs, blank: str | None = None) -> list[SelectChoice]:
    out = [SelectChoice("", blank)] if blank else []
    return out + [SelectChoice(value, label) for value, label in pairs]


def level_choices(blank: str | None = None) -> list[SelectChoice]:
    return _choices([(code, lvl.name) for code, lvl in standard.LEVELS.items()], blank)


class PassageForm(FlaskForm):
    title = StringField("标题", render_kw={"maxlength": 200})
    level = SelectField("等级", choices=level_choices(), validate_choice=False)
    ref = StringField("编号（可留空）", render_kw={"maxlength": 64})
    source = StringField("来源", render_kw={"maxlength": 200})
    text = TextAreaField("正文", render_kw={"rows": 18})

    def raw(self) -> dict:
        return {"title": self.title.data, "level": self.level.data, "ref": self.ref.data,
                "source": self.source.data, "text": self.text.data}

    def load(self, passage) -> None:
        self.title.data, self.level.data, self.ref.data = passage.title, passage.level, passage.ref or ""
        self.source.data, self.text.data = passage.source, passage.text


class PassageFilterForm(FlaskForm):
    """GET filters of the list; a bookmarkable query string, so no CSRF token."""

    class Meta:
        csrf = False

    q = StringField("标题、正文、编号或来源包含")
    level = SelectField("等级", choices=level_choices("全部"), validate_choice=False)
    status = SelectField("状态", choices=_choices(PASSAGE_STATUSES.items(), "全部"), validate_choice=False)
