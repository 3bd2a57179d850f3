"""The session form (create and edit) and the room form.

The practical blueprint has one multi-select per part of each level's practical paper
(``standard.PRACTICAL_PAPERS``), named ``practical_<level>_<kind>``; the page shows the chosen
level's parts and the server reads only those.
"""

from __future__ import annotations

import datetime as dt

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from exam import standard
from exam.sessions.results.visibility import RELEASE_NAMES
from exam.sessions.rooms.service import MAX_SEATS, MIN_SEATS
from practical.kinds import kind

SIGNIN_MODES = {"password": "本人密码", "id_last6": "身份证号后六位"}
FORMAT = "%Y-%m-%dT%H:%M"


class LocalDateTimeField(DateTimeLocalField):
    """A wall-clock time from the browser's date-time input, with the format error in Chinese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("时间格式应为 年-月-日 时:分，例如 2026-05-20 09:00") from exc


class WholeNumberField(IntegerField):
    """An integer input whose format error is in Chinese."""

    def process_formdata(self, valuelist):
        if valuelist and not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError("请填写整数") from exc


def choice(label: str, **kwargs) -> SelectField:
    """A drop-down whose refusals are in Chinese (a value not offered, or not a number)."""
    return SelectField(label, invalid_choice_message="请从列表中选择", invalid_value_message="选项无效，请从列表中选择",
                       **kwargs)


def ids(label: str) -> SelectMultipleField:
    """A multi-select of database ids. The choices are not checked here: ``scheduling.plan_faults``
    checks each id against the database and names the room, account or scenario that cannot be
    chosen, which says more than "not a valid choice"."""
    return SelectMultipleField(label, coerce=int, validate_choice=False,
                               invalid_value_message="选项无效，请从列表中选择")


def practical_field_name(level: str, kind_code: str) -> str:
    return f"practical_{level}_{kind_code}"


class SessionForm(FlaskForm):
    name = StringField("场次名称", validators=[DataRequired("请输入场次名称"), Length(max=200, message="场次名称最多 200 字")])
    level = choice("等级", choices=[SelectChoice(lvl.code, lvl.name) for lvl in standard.LEVELS.values()])
    opens_at = LocalDateTimeField("理论考试开考时间", format=FORMAT,
                                  validators=[DataRequired("请填写开考时间（年-月-日 时:分）")])
    closes_at = LocalDateTimeField("理论考试关闭时间", format=FORMAT,
                                   validators=[DataRequired("请填写关闭时间（年-月-日 时:分）")])
    duration_minutes = IntegerField("理论考试时长（分钟）", default=90, validators=[
        DataRequired("请填写考试时长"), NumberRange(1, 600, "考试时长应在 1 至 600 分钟之间")])
    item_count = WholeNumberField("题量", default=50)
    blueprint_id = choice("组卷规则", coerce=int, default=0)
    practical_opens_at = LocalDateTimeField("实操考核开始时间", format=FORMAT, validators=[Optional()])
    practical_closes_at = LocalDateTimeField("实操考核结束时间", format=FORMAT, validators=[Optional()])
    rooms = ids("考场")
    examiners = ids("考评员")
    candidates = ids("报名考生")
    double_marking = BooleanField("双人评分（实操任务与简答题：两名考评员独立评分，分差过大时第三人复评）")
    signin_mode = choice("考生签到方式", choices=[SelectChoice(k, v) for k, v in SIGNIN_MODES.items()],
                              default="password")
    results_release = choice("成绩发布方式", choices=[SelectChoice(k, v) for k, v in RELEASE_NAMES.items()],
                                  default="immediate")
    notes = TextAreaField("备注", validators=[Length(max=2000, message="备注最多 2000 字")])

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError("关闭时间应晚于开考时间")

    def validate_item_count(self, field):
        """The item count matters only without a blueprint (a blueprint sets its own)."""
        if self.blueprint_id.data:
            return
        if field.data is None:
            raise ValidationError("不用组卷规则时请填写题量")
        if not 5 <= field.data <= 200:
            raise ValidationError("题量应在 5 至 200 之间")

    def validate_practical_opens_at(self, field):
        if field.data is None and self.practical_closes_at.data is not None:
            raise ValidationError("填写了实操结束时间，也请填写实操开始时间")

    def validate_practical_closes_at(self, field):
        opens, closes = self.practical_opens_at.data, field.data
        if closes is None:
            if opens is not None:
                raise ValidationError("填写了实操开始时间，也请填写实操结束时间")
            return
        if opens is None:
            return
        if closes <= opens:
            raise ValidationError("实操结束时间应晚于实操开始时间")
        if self.level.data in standard.LEVELS:
            needed = practical_minutes_needed(self.level.data)
            have = int((closes - opens) / dt.timedelta(minutes=1))
            if have < needed:
                paper, typing = standard.practical_paper(self.level.data), standard.typing_rule(self.level.data)
                raise ValidationError(
                    f"实操时段只有 {have} 分钟，{standard.level(self.level.data).name}至少需要 {needed} 分钟"
                    f"（实操试卷 {paper.minutes} 分钟 + 打字测试 {typing.minutes} 分钟）")

    def practical_fields(self, level: str) -> list[tuple[standard.PracticalPart, SelectMultipleField]]:
        return [(part, self[practical_field_name(level, part.kind)]) for part in standard.practical_paper(level).parts]


def practical_minutes_needed(level: str) -> int:
    """A candidate must be able to sit both the practical paper and the typing test in the window."""
    return standard.practical_paper(level).minutes + standard.typing_rule(level).minutes


for _level, _paper in standard.PRACTICAL_PAPERS.items():
    for _part in _paper.parts:
        setattr(SessionForm, practical_field_name(_level, _part.kind), ids(
            f"{standard.level(_level).name} · {kind(_part.kind).NAME}（每人抽 {_part.count} 个）"))


class RoomForm(FlaskForm):
    name = StringField("考场名称", validators=[DataRequired("请填写考场名称"), Length(max=100, message="考场名称最多 100 字")])
    seats = IntegerField("座位数", validators=[
        DataRequired(f"请填写座位数（{MIN_SEATS} 至 {MAX_SEATS} 的整数）"),
        NumberRange(MIN_SEATS, MAX_SEATS, f"座位数应在 {MIN_SEATS} 至 {MAX_SEATS} 之间")])
    location = StringField("位置", validators=[Length(max=200, message="位置最多 200 字")])
