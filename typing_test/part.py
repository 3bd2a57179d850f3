"""The typing test as a timed part (``exam.parts``): scored at submission with the configured
minimum accuracy (``TYPING_MIN_ACCURACY``)."""

from __future__ import annotations

import datetime as dt

from exam import parts
from typing_test import service
from typing_test.models import TypingAttempt


def _grace(config) -> dt.timedelta:
    return dt.timedelta(seconds=config["GRACE_SECONDS"])


def submit(engine, attempt_id, reason, now, config, *, actor_id=None, candidate_id=None) -> bool:
    return service.submit(engine, attempt_id, reason, now, config["TYPING_MIN_ACCURACY"],
                          actor_id=actor_id, candidate_id=candidate_id)


def submit_overdue(engine, now, config) -> int:
    return service.submit_overdue(engine, now, _grace(config), config["TYPING_MIN_ACCURACY"])


def submit_closing(conn, session_id, now, config, prepared) -> list[int]:
    return service.submit_closing(conn, session_id, now, _grace(config), config["TYPING_MIN_ACCURACY"])


def grade_claimed(conn, attempt_id, reason, actor_id, config, prepared) -> None:
    service.score_claimed(conn, attempt_id, reason, actor_id, config["TYPING_MIN_ACCURACY"])


def minutes(exam_session) -> int:
    from exam import standard
    return standard.typing_rule(exam_session.level).minutes


def rules(exam_session) -> list[str]:
    """The typing test's instructions on its start page."""
    from exam import standard
    from flask import current_app
    accuracy = current_app.config.get("TYPING_MIN_ACCURACY", standard.DEFAULT_TYPING_MIN_ACCURACY)
    return [
        f"照屏幕上的文章录入汉字，限时 {minutes(exam_session)} 分钟；达标要求每分钟正确录入汉字不少于 "
        f"{standard.TYPING_CHARS_PER_MINUTE} 个，且准确率不低于 {accuracy:.0%}。",
        "速度按限时计算：提前交卷不会提高速度；只有录完全文才按实际用时计算。",
        "请使用本机输入法逐字录入，不得粘贴或使用其他录入工具；录入过程会记录，异常的成绩由考评员核查。",
        "计时以服务器时间为准，点击“确认开始”即开始计时；录入内容自动保存。",
        "剩余 5 分钟和 1 分钟时页面会提醒；时间到系统自动提交。",
        "同一场考试只能在一个页面作答：在另一个标签页或设备上打开后，原页面将停止保存。",
    ]


PART = parts.register(parts.Part(
    code="typing", name="打字测试", short="打字", order=2, window="practical", model=TypingAttempt,
    blueprint="typing", score_columns=("passed", "points"), submit=submit, submit_overdue=submit_overdue,
    submit_closing=submit_closing, grade_claimed=grade_claimed, minutes=minutes, rules=rules))
