"""The theory exam as a timed part (``exam.parts``)."""

from __future__ import annotations

import datetime as dt

from exam import parts
from exam.delivery import service
from exam.delivery.models import Attempt


def _grace(config) -> dt.timedelta:
    return dt.timedelta(seconds=config["GRACE_SECONDS"])


def submit(engine, attempt_id, reason, now, config, *, actor_id=None, candidate_id=None) -> bool:
    return service.submit(engine, attempt_id, reason, now, actor_id=actor_id, candidate_id=candidate_id)


def submit_overdue(engine, now, config) -> int:
    return service.submit_overdue(engine, now, _grace(config))


def submit_closing(conn, session_id, now, config, prepared) -> list[int]:
    return service.submit_closing(conn, session_id, now, _grace(config))


def grade_claimed(conn, attempt_id, reason, actor_id, config, prepared) -> None:
    service.grade_claimed(conn, [attempt_id], reason, actor_id)


def minutes(exam_session) -> int:
    return exam_session.duration_minutes


def rules(exam_session) -> list[str]:
    """The theory exam's instructions on its start page."""
    from exam import standard
    return [
        "本部分为闭卷考试：作答期间不得查阅书籍、资料，不得使用其他软件或设备，不得交谈。",
        f"共 {exam_session.item_count} 题，满分 {standard.FULL_MARKS} 分，{standard.THEORY_PASS_MARK} 分合格；"
        "多选题少选按比例得分或不得分（见题目说明），错选不得分。",
        "计时以服务器时间为准，点击“确认开始”即开始计时；离开或关闭页面计时不会停止。",
        "答案随作答自动保存；网络中断时答案暂存在本机，恢复后自动补存，状态显示在左侧。",
        "剩余 5 分钟和 1 分钟时页面会提醒；时间到系统自动交卷，已保存的答案照常评分。",
        "同一场考试只能在一个页面作答：在另一个标签页或设备上打开后，原页面将停止保存。",
        "交卷后不能再修改答案。如遇设备故障等情况，请举手示意监考老师。",
    ]


PART = parts.register(parts.Part(
    code="theory", name="理论考试", short="理论", order=1, window="theory", model=Attempt,
    blueprint="delivery", score_columns=("score", "passed"), submit=submit, submit_overdue=submit_overdue,
    submit_closing=submit_closing, grade_claimed=grade_claimed, extra_pages=("review",),
    minutes=minutes, rules=rules))
