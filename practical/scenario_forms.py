"""The trainer's scenario form: the common fields, and the kind's content as JSON (each kind documents
its schema in its module; the kind's validator explains every problem by field)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from practical.scenarios import MAX_MINUTES


class ScenarioForm(FlaskForm):
    kind = SelectField("题型")
    level = SelectField("等级")
    title = StringField("标题", validators=[InputRequired("请填写标题"), Length(max=200, message="标题不超过 200 字")])
    minutes = IntegerField("建议用时（分钟）", default=15, validators=[
        InputRequired("请填写建议用时"), NumberRange(1, MAX_MINUTES, f"建议用时应为 1 至 {MAX_MINUTES} 分钟")])
    spec = TextAreaField("场景内容（JSON）", validators=[InputRequired("请填写场景内容")])
    rubric = TextAreaField("考评员评分细则（JSON，可留空使用该题型的默认细则）")
    submit = SubmitField("保存")


class StatusForm(FlaskForm):
    submit = SubmitField("确定")


class TryForm(FlaskForm):
    """A trainer's trial of a scenario: a call's replies one per line (or JSON), a form kind's fields as JSON."""

    replies = TextAreaField("试做作答", validators=[InputRequired("请填写作答：模拟通话每行一句回复，其他题型填写 JSON")])
    submit = SubmitField("试做并查看评分")
