from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length

from exam.accounts.models import ROLES
from exam.accounts.service import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    username = StringField("用户名或准考证号", validators=[DataRequired("请输入用户名或准考证号"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请输入密码"), Length(max=256)])


class UserForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请输入用户名"), Length(max=64, message="用户名最多 64 个字符")])
    display_name = StringField("姓名", validators=[DataRequired("请输入姓名"), Length(max=100)])
    role = SelectField("角色", choices=[SelectChoice(code, name) for code, name in ROLES.items()])
    password = PasswordField("初始密码", validators=[
        DataRequired("请输入初始密码"),
        Length(min=MIN_PASSWORD_LENGTH, max=256, message=f"密码至少 {MIN_PASSWORD_LENGTH} 位")])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请输入当前密码"), Length(max=256)])
    new = PasswordField("新密码", validators=[
        DataRequired("请输入新密码"),
        Length(min=MIN_PASSWORD_LENGTH, max=256, message=f"密码至少 {MIN_PASSWORD_LENGTH} 位")],
        description=f"至少 {MIN_PASSWORD_LENGTH} 位；可用一句好记的话，不必混合符号")
    confirm = PasswordField("再次输入新密码", validators=[
        DataRequired("请再次输入新密码"), EqualTo("new", message="两次输入的新密码不一致")])


class ResetPasswordForm(FlaskForm):
    password = PasswordField("临时密码", validators=[
        DataRequired("请输入临时密码"),
        Length(min=MIN_PASSWORD_LENGTH, max=256, message=f"密码至少 {MIN_PASSWORD_LENGTH} 位")],
        description="用户下次登录时须改为自己的密码")


class ActiveForm(FlaskForm):
    active = HiddenField()
