"""The results page's forms: publish now, set the release and the publication time, withdraw."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from exam.sessions.forms import FORMAT, LocalDateTimeField, choice
from exam.sessions.results.visibility import IMMEDIATE, RELEASE_NAMES


class PublishForm(FlaskForm):
    """Publish now, deliberately: the examiner ticks that they have checked the figures shown beside the
    button (publication makes every score final and notifies every candidate)."""

    confirm = BooleanField("我已核对上述人数和成绩，确认发布（发布后成绩即为最终成绩）")


class ScheduleForm(FlaskForm):
    results_release = choice("成绩显示方式", choices=[SelectChoice(k, v) for k, v in RELEASE_NAMES.items()],
                             default=IMMEDIATE)
    publish_at = LocalDateTimeField("定时发布时间", format=FORMAT, validators=[Optional()])


class UnpublishForm(FlaskForm):
    reason = StringField("撤回原因", validators=[DataRequired("请填写撤回发布的原因"),
                                             Length(max=200, message="撤回原因最多 200 字")])
