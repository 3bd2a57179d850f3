"""The practical assessment as a timed part (``exam.parts``): machine checks run at submission with
the editable phrase lists, read before the write transaction."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from exam import parts
from practical import phrases_service, results, service
from practical.models import OPEN, PracticalAttempt


def _grace(config) -> dt.timedelta:
    return dt.timedelta(seconds=config["GRACE_SECONDS"])


def _lists(engine) -> dict:
    with Session(engine) as db:
        return phrases_service.lists(db)


def submit(engine, attempt_id, reason, now, config, *, actor_id=None, candidate_id=None) -> bool:
    return service.submit(engine, attempt_id, reason, now, _lists(engine), actor_id=actor_id,
                          candidate_id=candidate_id)


def submit_overdue(engine, now, config) -> int:
    """The phrase lists are read only when a practical assessment is actually overdue."""
    grace = _grace(config)
    with Session(engine) as db:
        if db.exec(select(PracticalAttempt.id).where(PracticalAttempt.status == OPEN,
                                                    PracticalAttempt.paused_at.is_(None),
                                                    PracticalAttempt.deadline < now - grace)
                   .limit(1)).first() is None:
            return 0
        lists = phrases_service.lists(db)
    return service.submit_overdue(engine, now, grace, lists)


def submit_closing(conn, session_id, now, config, prepared) -> list[int]:
    return service.submit_closing(conn, session_id, now, _grace(config), prepared)


def grade_claimed(conn, attempt_id, reason, actor_id, config, prepared) -> None:
    service.check_claimed(conn, attempt_id, reason, actor_id, prepared)


def minutes(exam_session) -> int:
    from exam import standard
    return standard.practical_paper(exam_session.level).minutes


def rules(exam_session) -> list[str]:
    """The practical assessment's instructions on its start page."""
    from exam import standard
    from practical.kinds import names
    paper, kind_names = standard.practical_paper(exam_session.level), names()
    tasks = "、".join(f"{kind_names.get(p.kind, p.kind)} {p.count} 题（每题 {p.points} 分）" for p in paper.parts)
    return [
        f"本部分共有：{tasks}；限时 {paper.minutes} 分钟，打字测试另行计时。实操考核满分 "
        f"{standard.FULL_MARKS} 分（含打字测试），{standard.PRACTICAL_PASS_MARK} 分合格。",
        "模拟通话时请按服务规范用语作答；每句回复发送后不能修改。",
        "计时以服务器时间为准，点击“确认开始”即开始计时；离开或关闭页面计时不会停止。",
        "作答内容自动保存；剩余 5 分钟和 1 分钟时页面会提醒；时间到系统自动交卷。",
        "同一场考试只能在一个页面作答：在另一个标签页或设备上打开后，原页面将停止保存。",
        "机器检查后由考评员评分，成绩在考评员发布后可见。",
    ]


PART = parts.register(parts.Part(
    code="practical", name="实操考核", short="实操", order=3, window="practical", model=PracticalAttempt,
    blueprint="practical", score_columns=("score", "passed"), submit=submit, submit_overdue=submit_overdue,
    submit_closing=submit_closing, grade_claimed=grade_claimed,
    prepare_closing=_lists, after_publication=True, finalise=results.finalise, minutes=minutes, rules=rules))
