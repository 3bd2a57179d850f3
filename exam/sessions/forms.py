from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError

from exam import standard


class SessionForm(FlaskForm):
    name = StringField("场次名称", validators=[DataRequired("请输入场次名称"), Length(max=200)])
    level = SelectField("等级", choices=[SelectChoice(lvl.code, lvl.name) for lvl in standard.LEVELS.values()])
    opens_at = DateTimeLocalField("开考时间", format="%Y-%m-%dT%H:%M",
                                  validators=[DataRequired("请填写开考时间（年-月-日 时:分）")])
    closes_at = DateTimeLocalField("关闭时间", format="%Y-%m-%dT%H:%M",
                                   validators=[DataRequired("请填写关闭时间（年-月-日 时:分）")])
    duration_minutes = IntegerField("考试时长（分钟）", default=90, validators=[
        DataRequired("请填写考试时长"), NumberRange(1, 600, "考试时长应在 1 至 600 分钟之间")])
    item_count = IntegerField("题量", default=50, validators=[
        DataRequired("请填写题量"), NumberRange(5, 200, "题量应在 5 至 200 之间")])
    blueprint_id = SelectField("组卷规则", coerce=int, default=0)
    candidates = SelectMultipleField("报名考生", coerce=int)

    def validate_closes_at(self, field):
        if self.opens_at.data and field.data and field.data <= self.opens_at.data:
            raise ValidationError("关闭时间应晚于开考时间")
