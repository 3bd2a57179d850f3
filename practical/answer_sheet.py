"""The practical's part of a candidate's answer sheet for an appeal (``exam.sessions.papers.
answer_sheet``): the breakdown (typing included), then each task as the candidate answered it — a
call's transcript turn by turn, other kinds in their read-only form — with the machine's checks and
every examiner's marking round, comments, decisions on the machine's suggestions and change reasons.

The sheet names the candidate, so while the session's practical marking is under way
(``practical.marking.under_way``: a task of anyone's attempt waits for a marker, or a candidate is still
answering) and the results are not published, it shows none of the attempt — the scenarios drawn,
answers, transcripts, checks, points, marks, comments, 凭证号 — and says why; the rule is the sheet's
one rule (``exam.sessions.papers.answer_sheet.withheld``). Every task of an attempt is queued under the
same 凭证号 with its title and state, so any of it seen here beside the name names the candidate of every
task of that 凭证号 (audit #3); and not only while this candidate's tasks wait: an agreed mark can still
be changed until publication, so a fully marked sheet shown while others are still in the queue would
let a marker change that candidate's mark knowing whose it is. Everyone who may open the sheet is held
to it, the chief (考务主管) too: a chief may mark as well, and an appeal is lodged after publication, when
marking is over and the whole sheet is shown."""

from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlmodel import Session, select

from exam.marking import rounds
from exam.sessions.papers import answer_sheet
from practical import call_script, marking, results, service
from practical.kinds import kind
from practical.models import OPEN, PracticalAttempt, PracticalMark


def section(db: Session, session_id: int, candidate_id: int) -> Markup | None:
    attempt = db.exec(select(PracticalAttempt).where(PracticalAttempt.session_id == session_id,
                                                     PracticalAttempt.candidate_id == candidate_id)).first()
    if attempt is None:
        return None
    if attempt.status == OPEN or answer_sheet.withheld(db, session_id, marking.under_way):
        waiting = sum(e.attempt_id == attempt.id and e.state != rounds.AGREED for e in marking.queue(db, session_id))
        return Markup(render_template("practical/_answer_sheet.html", attempt=attempt, withheld=True,
                                      open=attempt.status == OPEN, waiting=waiting))
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
    return Markup(render_template("practical/_answer_sheet.html", attempt=attempt,
                                  b=results.breakdown(db, attempt), shown=shown))


def register() -> None:
    answer_sheet.register(20, "实操考核与打字测试", section)
