"""The examiner's access-rule form. Each rule checks its own settings (``clean_settings``); the form
only carries the fields, so a rule's error lands on the field it names."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField, TextAreaField


class AccessRulesForm(FlaskForm):
    access_code_on = BooleanField("要求进场码")
    code = StringField("进场码", render_kw={"autocomplete": "off", "maxlength": 12})
    ip_subnet_on = BooleanField("限定考场网络")
    subnets = TextAreaField("允许的网段", render_kw={"rows": 5, "placeholder": "10.1.0.0/16\n2001:db8:10::/64"})
    fullscreen_on = BooleanField("要求全屏作答")
    idle_timeout_on = BooleanField("无操作锁屏")
    idle_minutes = StringField("锁屏前无操作分钟数", render_kw={"inputmode": "numeric", "maxlength": 4})
    save = SubmitField("保存准入规则")
    regenerate = SubmitField("生成新的进场码")

    def fill(self, rules: dict) -> None:
        """Show a session's current settings."""
        self.access_code_on.data = "access_code" in rules
        self.code.data = (rules.get("access_code") or {}).get("code", "")
        self.ip_subnet_on.data = "ip_subnet" in rules
        self.subnets.data = "\n".join((rules.get("ip_subnet") or {}).get("subnets", []))
        self.fullscreen_on.data = "fullscreen" in rules
        self.idle_timeout_on.data = "idle_timeout" in rules
        self.idle_minutes.data = str((rules.get("idle_timeout") or {}).get("minutes", 10))

    def raw(self) -> dict:
        """The settings by rule code as entered (None: switched off); "生成新的进场码" switches the
        code on with an empty code, which the rule replaces by a fresh random one."""
        code_on = self.access_code_on.data or self.regenerate.data
        return {
            "access_code": {"code": "" if self.regenerate.data else self.code.data or ""} if code_on else None,
            "ip_subnet": {"subnets": self.subnets.data or ""} if self.ip_subnet_on.data else None,
            "fullscreen": {} if self.fullscreen_on.data else None,
            "idle_timeout": {"minutes": self.idle_minutes.data} if self.idle_timeout_on.data else None,
        }
