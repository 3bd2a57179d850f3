from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

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
