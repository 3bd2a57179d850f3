"""Creating sessions and reading their enrolments and results."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import Integer, bindparam
from sqlmodel import Session, select

from exam.accounts.models import User
from exam.delivery.models import Attempt
from exam.sessions.roster import tickets
from exam.sessions.models import Enrollment, ExamSession, SessionExaminer, SessionRoom
from question_bank import assembly
from question_bank import blueprint_service as blueprints
from question_bank import service as bank
from question_bank.blueprint import BlueprintError
from question_bank.models import PaperBlueprint
from practical.models import PracticalAttempt
from typing_test.models import TypingAttempt


def candidates(db: Session) -> list[User]:
    return list(db.exec(select(User).where(User.role == "candidate", User.active == True)  # noqa: E712
                        .order_by(User.username)))


def candidate(db: Session, candidate_id: int) -> User | None:
    return db.get(User, candidate_id)


def enrolled_candidates(db: Session, session_id: int) -> list[User]:
    return list(db.exec(select(User).join(Enrollment, Enrollment.candidate_id == User.id)
                        .where(Enrollment.session_id == session_id).order_by(User.username)))


def create_session(db: Session, *, name: str, level: str, opens_at: dt.datetime, closes_at: dt.datetime,
                   duration_minutes: int, item_count: int, candidate_ids: list[int],
                   created_by: int | None, blueprint_id: int | None = None,
                   practical_opens_at: dt.datetime | None = None, practical_closes_at: dt.datetime | None = None,
                   practical_scenarios: dict | None = None, room_ids: list[int] = (), examiner_ids: list[int] = (),
                   double_marking: bool = False, signin_mode: str = "password", results_release: str = "immediate",
                   notes: str = "") -> ExamSession:
    """Refuses a session whose papers the current approved bank could not fill (AssemblyError, or
    BlueprintError naming the blueprint cells that lack items). With a blueprint, a "fixed" or
    "drawn" paper is frozen here, so every candidate of the session gets the same items.
    Conflicts (people or rooms in two places, seats) are the scheduling form's business
    (``exam.sessions.scheduling``), not checked here."""
    paper, item_count = theory_paper(db, level, blueprint_id, item_count)
    session = ExamSession(name=name.strip(), level=level, opens_at=opens_at, closes_at=closes_at,
                          duration_minutes=duration_minutes, item_count=item_count, created_by=created_by,
                          blueprint_id=blueprint_id, paper=paper, practical_opens_at=practical_opens_at,
                          practical_closes_at=practical_closes_at, practical_scenarios=practical_scenarios or None,
                          double_marking=double_marking, signin_mode=signin_mode, results_release=results_release,
                          notes=notes)
    db.add(session)
    db.flush()
    for room_id in dict.fromkeys(room_ids):
        db.add(SessionRoom(session_id=session.id, room_id=room_id))
    assigned = list(examiner_ids)
    if created_by is not None and created_by not in assigned:
        # An examiner who schedules a session is one of its examiners (exam.sessions.managed): they
        # could not open it otherwise. A chief examiner sees every session without being assigned.
        creator = db.get(User, created_by)
        if creator is not None and creator.role == "examiner":
            assigned.append(created_by)
    for examiner_id in dict.fromkeys(assigned):
        db.add(SessionExaminer(session_id=session.id, examiner_id=examiner_id))
    enrol(db, session.id, candidate_ids)
    return session


def theory_paper(db: Session, level: str, blueprint_id: int | None, item_count: int) -> tuple[list | None, int]:
    """The theory paper a session freezes (None: drawn per candidate) and its item count; raises
    AssemblyError or BlueprintError when the approved bank cannot fill it."""
    if blueprint_id is None:
        assembly.check_pool(level, item_count, bank.pool_for_level(db, level))
        return None, item_count
    rule = db.get(PaperBlueprint, blueprint_id)
    if rule is None or rule.level != level:
        raise BlueprintError("所选组卷规则不属于该等级")
    return blueprints.session_paper(db, rule), sum(cell.count for cell in blueprints.plan_of(rule).cells)


def enrol(db: Session, session_id: int, candidate_ids: list[int]) -> int:
    already = set(db.exec(select(Enrollment.candidate_id).where(Enrollment.session_id == session_id)))
    new = [cid for cid in dict.fromkeys(candidate_ids) if cid not in already]
    for cid in new:
        db.add(Enrollment(session_id=session_id, candidate_id=cid))
    db.flush()
    tickets.issue(db, session_id)    # every enrolment has its admission ticket number from the start
    return len(new)


def list_sessions(db: Session) -> list[ExamSession]:
    return list(db.exec(select(ExamSession).order_by(ExamSession.opens_at.desc())))


@dataclass(frozen=True)
class ResultRow:
    candidate: User
    attempt: Attempt | None
    typing: TypingAttempt | None = None


def results(db: Session, session_id: int) -> list[ResultRow]:
    rows = db.exec(
        select(User, Attempt, TypingAttempt)
        .join(Enrollment, Enrollment.candidate_id == User.id)
        .join(Attempt, (Attempt.candidate_id == User.id) & (Attempt.session_id == session_id), isouter=True)
        .join(TypingAttempt, (TypingAttempt.candidate_id == User.id) & (TypingAttempt.session_id == session_id),
              isouter=True)
        .where(Enrollment.session_id == session_id)
        .order_by(User.username)
    ).all()
    return [ResultRow(user, attempt, typing) for user, attempt, typing in rows]


@dataclass(frozen=True)
class CandidateSession:
    session: ExamSession
    attempt: Attempt | None
    typing: TypingAttempt | None = None
    practical: PracticalAttempt | None = None


@functools.cache
def _sessions_of_candidate_query():
    """Built once (the candidate is a bound parameter): every candidate's home page runs it."""
    candidate_id = bindparam("candidate", type_=Integer)
    return (
        select(ExamSession, Attempt, TypingAttempt, PracticalAttempt)
        .join(Enrollment, Enrollment.session_id == ExamSession.id)
        .join(Attempt, (Attempt.session_id == ExamSession.id) & (Attempt.candidate_id == candidate_id),
              isouter=True)
        .join(TypingAttempt, (TypingAttempt.session_id == ExamSession.id)
              & (TypingAttempt.candidate_id == candidate_id), isouter=True)
        .join(PracticalAttempt, (PracticalAttempt.session_id == ExamSession.id)
              & (PracticalAttempt.candidate_id == candidate_id), isouter=True)
        .where(Enrollment.candidate_id == candidate_id)
        .order_by(ExamSession.opens_at)
    )


def sessions_of_candidate(db: Session, candidate_id: int) -> list[CandidateSession]:
    rows = db.exec(_sessions_of_candidate_query(), params={"candidate": candidate_id}).all()
    return [CandidateSession(s, a, t, p) for s, a, t, p in rows]


def blueprint_choices(db: Session) -> list[PaperBlueprint]:
    return blueprints.blueprints(db)
