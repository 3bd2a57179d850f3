"""Fullscreen required: the start form says whether the browser can go fullscreen (a browser leaves
fullscreen on every page change, so the start page cannot enter it for the attempt page); the
attempt page covers the paper until the candidate clicks into fullscreen, covers it again whenever
fullscreen is left, and reports each exit as an integrity signal (static/js/access-guard.js)."""

from __future__ import annotations

from exam.access.base import AccessContext, AccessRule, PreflightError, PreflightField

FIELD = "fullscreen"


class FullscreenRule(AccessRule):
    code = "fullscreen"
    name = "全屏作答"

    @classmethod
    def make(cls, settings):
        return cls(settings) if settings is not None else None

    @classmethod
    def clean_settings(cls, raw):
        return {}

    def description(self, session, timezone):
        return "须全屏作答，离开全屏将被记录并暂时遮挡试卷"

    def is_preflight_check_required(self, ctx: AccessContext) -> bool:
        return not ctx.resuming

    def preflight_fields(self, part):
        return [PreflightField(FIELD, "全屏", kind="hidden")]

    def validate_preflight_check(self, ctx: AccessContext) -> list[PreflightError]:
        if ctx.preflight.get(FIELD) != "1":
            return [PreflightError(FIELD, "本场考试要求全屏作答，但当前浏览器不支持全屏或未启用脚本："
                                          "请在考场考试机的浏览器上点击开始按钮，或举手联系监考老师")]
        return []

    def setup_attempt_page(self, ctx: AccessContext) -> dict:
        return {"fullscreen": True}
