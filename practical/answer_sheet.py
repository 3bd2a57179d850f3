"""The practical's part of a candidate's answer sheet for an appeal (``exam.sessions.papers.
answer_sheet``): the breakdown (typing included), then each task as the candidate answered it — a
call's transcript turn by turn, other kinds in their read-only form — with the machine's checks and
every examiner's marking round, comments, decisions on the machine's suggestions and change reasons."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlmodel import Session, select

from practical import call_script, marking, results, service
from practical.kinds import kind
from practical.models import PracticalAttempt, PracticalMark


def section(db: Session, session_id: int, candidate_id: int) -> Markup | None:
    attempt = db.exec(select(PracticalAttempt).where(PracticalAttempt.session_id == session_id,
                                                     PracticalAttempt.candidate_id == candidate_id)).first()
    if attempt is None:
        return None
    tasks = service.tasks_of(db, attempt.id)
    marks: dict[int, list[PracticalMark]] = {}
    for m in db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt.id).order_by(PracticalMark.round)):
        marks.setdefault(m.position, []).append(m)
    shown = []
    for task in tasks:
        turns = None
        if task.kind in ("call", "complaint"):
            played = call_script.replay(task.spec, call_script.replies_of(task.answer))
            turns = [(s.number, call_script.line_text(s.turn), s.reply) for s in played.steps]
        module = kind(task.kind)
        shown.append({"task": task, "module": module, "turns": turns, "marks": marks.get(task.position, []),
                      "checks": (task.auto or {}).get("checks", []),
                      "view": module.candidate_view(task.spec, task.answer, task.seed)})
    # While marking is under way the 凭证号 stays off this page: it names the candidate (issue 17.8).
    return Markup(render_template("practical/_answer_sheet.html", attempt=attempt,
                                  b=results.breakdown(db, attempt), shown=shown,
                                  ticket_hidden=marking.under_way(db, session_id)))


def register() -> None:
    from exam.sessions.papers import answer_sheet
    answer_sheet.register(20, "实操考核与打字测试", section)
