"""Signing in by admission ticket number (准考证号): the roster's answers to the core's sign-in
(``exam.signals``), connected by ``exam.sessions.connect_signals``. ``exam.accounts`` asks "whose is
this ticket?" and says "this candidate has signed in" without importing the roster.

A ticket is accepted as the candidate reads it off the 准考证 (``tickets.sign_in_text``: printed
groups, dashes, full-width digits). Its session's ``signin_mode`` says what proves it: the account's
own password, or the last six characters of the candidate's ID-card number (``id_last6``), which
opens only that session.
"""

from __future__ import annotations

import hmac

from sqlmodel import select

from exam import signals
from exam.accounts.credentials import Credential
from exam.accounts.models import CandidateProfile, User
from exam.sessions.models import Enrollment, ExamSession
from exam.sessions.roster import idcard, tickets

KIND = "准考证号"


def _id_last6_check(last6: str):
    def check(password: str) -> bool:
        typed = idcard.normalise(password)      # NFKC: full-width digits from a Chinese IME; x → X
        return hmac.compare_digest(typed.encode(), last6.upper().encode())
    return check


def whose_ticket(_sender, *, db, text: str, **_kw) -> Credential | None:
    """The ticket's candidate for text that reads as a ticket number (None: it does not). A number
    no enrolment holds is still answered, with no user: the sign-in then tries its plain digits as
    a username, as it always has."""
    number = tickets.sign_in_text(text)
    if not tickets.looks_like_ticket(number):
        return None
    row = db.exec(select(User, ExamSession.signin_mode, CandidateProfile.id_number, ExamSession.id)
                  .join(Enrollment, Enrollment.candidate_id == User.id)
                  .join(ExamSession, ExamSession.id == Enrollment.session_id)
                  .join(CandidateProfile, CandidateProfile.user_id == User.id, isouter=True)
                  .where(Enrollment.ticket_number == number)).first()
    if row is None:
        return Credential(KIND, number)
    user, mode, id_number, session_id = row
    if mode == "id_last6" and id_number:
        return Credential(KIND, number, user, check=_id_last6_check(id_number[-6:]), scope_session_id=session_id)
    return Credential(KIND, number, user)


def record_arrival(_sender, *, engine, user_id: int, role: str, now, config, **_kw) -> None:
    """A candidate's first sign-in on the day of a session is their 签到 (``tickets.mark_signed_in``)."""
    if role == "candidate":
        tickets.mark_signed_in(engine, user_id, now, config["TIMEZONE"])


def connect() -> None:
    signals.sign_in_name.connect(whose_ticket)
    signals.signed_in.connect(record_arrival)
