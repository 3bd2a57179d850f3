"""Forms of the roster page: upload, confirm, seats, photo."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import BooleanField, HiddenField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, NumberRange

from exam.sessions.roster import sheet as roster
from exam.sessions.roster.profiles import MAX_PHOTO_BYTES
from exam.sessions.rooms.seats import ORDERS


class UploadForm(FlaskForm):
    file = FileField("考生名单文件", validators=[
        FileRequired("请选择要导入的名单文件（.xlsx 或 .csv）"),
        FileSize(roster.MAX_BYTES, message=f"文件超过 {roster.MAX_BYTES // (1024 * 1024)} MB：请拆分后分批导入")])


class ConfirmForm(FlaskForm):
    """Carries only the token of the upload kept on the server; the file is parsed again from it."""

    token = HiddenField(validators=[DataRequired()])


class AssignForm(FlaskForm):
    order = SelectField("排座方式", choices=[SelectChoice(k, v) for k, v in ORDERS.items()])
    reseat_all = BooleanField("重新安排所有考生（已分配的座位也重排）")


class MoveForm(FlaskForm):
    enrollment_id = SelectField("考生", coerce=int, validate_choice=False)
    room_id = SelectField("考场", coerce=int, validate_choice=False)
    seat_no = IntegerField("座位号", validators=[DataRequired("请填写座位号"),
                                              NumberRange(1, 10000, "座位号应为正整数")])


class PhotoForm(FlaskForm):
    candidate_id = SelectField("考生", coerce=int, validate_choice=False)
    photo = FileField("照片", validators=[
        FileRequired("请选择照片文件（JPEG 或 PNG）"),
        FileSize(MAX_PHOTO_BYTES, message=f"照片超过 {MAX_PHOTO_BYTES // (1024 * 1024)} MB：请压缩或裁剪后再上传")])
