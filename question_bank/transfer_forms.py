"""Forms of the import and export pages (kept apart from the authoring forms in ``forms.py``)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, ValidationError

from exam import standard
from question_bank.forms import CheckboxesField, area_choices, choices, level_choices
from question_bank.importer import FORMATS, MAX_BYTES
from question_bank.models import STATUSES

FORMAT_CHOICES = choices(FORMATS.items())


class ImportForm(FlaskForm):
    file = FileField("题库文件", validators=[
        FileRequired("请选择要导入的文件"),
        FileSize(MAX_BYTES, message=f"文件超过 {MAX_BYTES // (1024 * 1024)} MB：请拆分后分批导入")])
    format = SelectField("文件格式", default="auto", choices=[
        SelectChoice("auto", "按扩展名识别（.gift、.txt（GIFT 或 Aiken）、.xml（Moodle）、.zip（QTI）、.csv、.xlsx）"), *FORMAT_CHOICES])
    levels = CheckboxesField("默认等级", choices=level_choices())
    area = SelectField("默认职业功能", default="", choices=area_choices("（不指定，由题目标签给出）"))

    def validate_area(self, field):
        for code in self.levels.data or []:
            if field.data and field.data not in standard.LEVELS[code].area_codes:
                raise ValidationError(f"{standard.LEVELS[code].name}没有职业功能“{standard.AREA_NAMES[field.data]}”")


class ConfirmForm(FlaskForm):
    """Carries only the token of the upload kept on the server; the items are parsed again from it."""

    token = HiddenField(validators=[DataRequired()])


class ExportForm(FlaskForm):
    """A GET form (no CSRF): exporting changes nothing."""

    format = SelectField("导出格式", default="xlsx", choices=FORMAT_CHOICES)
    level = SelectField("等级", default="", choices=level_choices("全部等级"))
    status = SelectField("状态", default="approved", choices=choices(STATUSES.items(), "全部状态"))
