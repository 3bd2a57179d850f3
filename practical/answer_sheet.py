"""The practical's part of a candidate's answer sheet for an appeal (``exam.sessions.papers.
answer_sheet``): the breakdown (typing included), then each task as the candidate answered it — a
call's transcript turn by turn, other kinds in their read-only form — with the machine's checks and
every examiner's marking round, comments, decisions on the machine's suggestions and change reasons.

The sheet names the candidate, so while any task of the attempt is still being marked (or the attempt
is still open) it shows none of the attempt — the scenarios drawn, answers, transcripts, checks, points,
marks, comments — and says why: every task of an attempt is queued under the same 凭证号 with its
title and state, so any of it seen here beside the name would name the candidate of every task still
waiting in the anonymous queue (audit #3). Everyone who may open the sheet is held to
it, the chief (考务主管) too: a chief may mark as well, and an appeal is lodged after publication, when
marking is over and the whole sheet is shown."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlmodel import Session, select

from exam.marking import rounds
from practical import call_script, marking, results, service
from practical.kinds import kind
from practical.models import OPEN, PracticalAttempt, PracticalMark


def section(db: Session, session_id: int, candidate_id: int) -> Markup | None:
    attempt = db.exec(select(PracticalAttempt).where(PracticalAttempt.session_id == session_id,
                                                     PracticalAttempt.candidate_id == candidate_id)).first()
    if attempt is None:
        return None
    tasks = service.tasks_of(db, attempt.id)
    waiting = [e for e in marking.queue(db, session_id) if e.attempt_id == attempt.id and e.state != rounds.AGREED]
    if attempt.status == OPEN or waiting:
        return Markup(render_template("practical/_answer_sheet.html", attempt=attempt, withheld=True,
                                      open=attempt.status == OPEN))
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
