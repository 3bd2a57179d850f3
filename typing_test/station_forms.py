"""Forms of the examiner's station page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SubmitField
from wtforms.validators import InputRequired, NumberRange

from typing_test.station_service import MAX_STATIONS_PER_REQUEST


class CreateStationsForm(FlaskForm):
    count = IntegerField("添加考试机（台）", default=1, validators=[
        InputRequired("请填写台数"),
        NumberRange(1, MAX_STATIONS_PER_REQUEST, f"台数应在 1 至 {MAX_STATIONS_PER_REQUEST} 之间")])
    submit = SubmitField("添加")


class AssignForm(FlaskForm):
    candidate_id = SelectField("考生", coerce=int)
    submit = SubmitField("分配")


class ResetForm(FlaskForm):
    submit = SubmitField("重置登记")
