"""The session this user may manage: one rule, one loader, used by every examiner view and API.

Examiners act only on the exam sessions they are assigned to (``SessionExaminer``); a chief examiner
(考务主管) schedules sessions, assigns examiners and acts on every session; nobody else manages
sessions. Every view that takes a ``session_id`` — or an object that belongs to a session: an
enrolment, an attempt, an incident, a certificate — loads it through here, after flaskr's
``get_post(id, check_author)`` and Indico's ``_check_access``: a session that does not exist is 404,
one the user may not manage is 403. Role decorators still say which *kind* of user a view is for;
this says which *objects*.
"""

from __future__ import annotations

import functools
from typing import Optional

from flask import abort
from flask_login import current_user
from sqlmodel import Session, select

from exam.sessions.models import ExamSession, SessionExaminer

#: Roles that manage exam sessions, and the one among them that sees every session.
MANAGER_ROLES = ("examiner", "chief")
CHIEF = "chief"


def may_manage(db: Session, user_id: int, role: str, session_id: int) -> bool:
    if role == CHIEF:
        return True
    if role != "examiner":
        return False
    return db.exec(select(SessionExaminer.session_id).where(
        SessionExaminer.session_id == session_id, SessionExaminer.examiner_id == user_id)).first() is not None


def managed_ids(db: Session, user_id: int, role: str) -> Optional[set[int]]:
    """The sessions the user manages: None means every session (a chief examiner)."""
    if role == CHIEF:
        return None
    if role != "examiner":
        return set()
    return set(db.exec(select(SessionExaminer.session_id).where(SessionExaminer.examiner_id == user_id)))


def visible(db: Session, query, user_id: int, role: str, column=ExamSession.id):
    """Narrow a query over sessions (or rows with a session id ``column``) to the managed ones."""
    if role == CHIEF:
        return query
    if role != "examiner":
        return query.where(column == -1)
    return query.where(column.in_(select(SessionExaminer.session_id).where(SessionExaminer.examiner_id == user_id)))


def check(db: Session, session_id: Optional[int]) -> None:
    """Abort 403 unless the signed-in user manages ``session_id`` (None: only a chief examiner)."""
    if session_id is None:
        if current_user.role != CHIEF:
            abort(403)
        return
    if not may_manage(db, current_user.id, current_user.role, session_id):
        abort(403)


def managed_session(session_id: int) -> ExamSession:
    """The exam session with this id, if the signed-in user may manage it: 404 if there is none,
    403 if it is not theirs."""
    from exam import web
    db = web.db()
    exam_session = db.get(ExamSession, session_id)
    if exam_session is None:
        abort(404)
    check(db, session_id)
    return exam_session


def managed_attempt(part: str, attempt_id: int):
    """An attempt of any part (``exam.parts`` code: theory, typing, practical) whose session the
    signed-in user may manage: 404 if there is none, 403 if its session is not theirs. Views that
    name an attempt without its session in the URL (the typing evidence review) load it here."""
    from exam import parts, web
    try:
        model = parts.get(part).model
    except parts.UnknownPart:
        abort(404)
    attempt = web.db().get(model, attempt_id)
    if attempt is None:
        abort(404)
    check(web.db(), attempt.session_id)
    return attempt


def manages_session(view):
    """For a view of one exam session (``session_id`` in its URL): an examiner or a chief examiner,
    and the session must be one they manage — checked by ``managed_session`` before the view runs,
    so no session-bound view can forget it. The view loads the session again through the same
    loader (the ORM session's identity map answers without a query)."""
    from exam import web

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        managed_session(kwargs["session_id"])
        return view(*args, **kwargs)
    wrapped.manages_session = True
    return web.roles_required(*MANAGER_ROLES)(wrapped)
