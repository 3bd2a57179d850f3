"""Forms of the verification pages: the public look-up, the PDF upload, the verifier's bulk file."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from certificates.bulk import MAX_BYTES as BULK_MAX_BYTES, NAME_MAX

PDF_MAX_BYTES = 10 * 1024 * 1024   # a phone photo of the certificate may be several MB
NUMBER_MAX = 40


class LookupForm(FlaskForm):
    """Both fields are required: a number alone must never tell whether a certificate exists."""

    number = StringField("证书编号", validators=[
        DataRequired("请填写证书编号，如 HJ-2026-C-000123"),
        Length(max=NUMBER_MAX, message=f"证书编号最多 {NUMBER_MAX} 个字符")])
    name = StringField("持证人姓名", validators=[
        DataRequired("请填写持证人姓名（与证书上的姓名一致）"),
        Length(max=NAME_MAX, message=f"姓名最多 {NAME_MAX} 个字")])


class PdfForm(FlaskForm):
    file = FileField("证书文件", validators=[
        FileRequired("请选择要核验的证书 PDF、电子徽章或证书照片"),
        FileSize(PDF_MAX_BYTES, message=f"文件超过 {PDF_MAX_BYTES // (1024 * 1024)} MB：证书 PDF 约 100 KB，照片请缩小后再上传")])


class BulkForm(FlaskForm):
    file = FileField("核验名单（XLSX 或 CSV）", validators=[
        FileRequired("请选择要核验的名单文件（.xlsx 或 .csv）"),
        FileSize(BULK_MAX_BYTES, message=f"文件超过 {BULK_MAX_BYTES // (1024 * 1024)} MB：请拆分为几个文件")])
