"""The certificate forms: request a revocation with a reason, a reissue with a corrected name (and
the correction's grounds when it differs from the candidate's profile), and a chief examiner's decision."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from certificates.service import MAX_NAME, MAX_REASON


class RevokeForm(FlaskForm):
    reason = TextAreaField("撤销原因", validators=[
        DataRequired("请填写撤销原因（将记录在证书登记簿和审计日志中）"),
        Length(max=MAX_REASON, message=f"最多 {MAX_REASON} 字")])


class ReissueForm(FlaskForm):
    holder_name = StringField("持证人姓名（更正后）", validators=[
        DataRequired("请填写新证书上的持证人姓名"), Length(max=MAX_NAME, message=f"最多 {MAX_NAME} 字")])
    reason = TextAreaField("重新颁发原因", validators=[
        DataRequired("请填写重新颁发的原因，例如“姓名录入错误”"),
        Length(max=MAX_REASON, message=f"最多 {MAX_REASON} 字")])
    correction_reason = TextAreaField("姓名更正依据（新姓名与考生档案不同时必填）", validators=[
        Optional(), Length(max=MAX_REASON, message=f"最多 {MAX_REASON} 字")])


class DecisionForm(FlaskForm):
    note = TextAreaField("审批意见（驳回时必填）", validators=[
        Optional(), Length(max=MAX_REASON, message=f"最多 {MAX_REASON} 字")])
