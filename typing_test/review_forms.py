"""The examiner's decision on a typing result held for review (待核查)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice

from typing_test.service import MAX_REVIEW_NOTE


class ReviewForm(FlaskForm):
    """No WTForms validators: ``service.decide`` judges decision and reason and says what is wrong in
    Chinese, the same for this form as for any other caller."""

    decision = RadioField("核查结论", choices=[SelectChoice("confirm", "确认成绩有效：录入确为考生本人完成，按计算结果计分"),
                                               SelectChoice("void", "判定无效：不达标，打字部分不得分")],
                          validate_choice=False)
    note = TextAreaField("核查理由（必填，将记入审计日志）", render_kw={"rows": 3, "maxlength": MAX_REVIEW_NOTE})
