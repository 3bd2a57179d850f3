"""What the candidate's pages ask the access rules: the sentences and refusals on the home page, the
start form's preflight fields, the attempt page's guard settings, and — before any attempt page is
shown — whether the candidate may use it from where they are (``prevent_access``, as Moodle asks on
every attempt page, so resuming from outside the room's network is refused like starting).

The attempt-page check runs before the part's own view and loads the attempt and the session through
the request's ORM session; the view then finds both in that session's identity map, so the check
costs no query the page would not make anyway. The identity map holds its objects weakly, so the
check keeps both on ``flask.g`` for the rest of the request (without that, each was read twice).
"""

from __future__ import annotations

from flask import Blueprint, g, render_template, request, url_for
from flask_login import current_user

from exam import parts, web
from exam.access import gate, service
from exam.access.base import AccessContext
from exam.access.manager import AccessManager
from exam.sessions.models import ExamSession

#: The proctoring endpoint the guard script reports fullscreen exits to (ignored when absent).
SIGNALS_PATH = "/api/sessions/{session_id}/signals"



def install(bp: Blueprint) -> None:
    bp.before_app_request(_guard_attempt_page)
    for helper in (access_descriptions, access_refusals, access_preflight_fields, access_guard):
        bp.app_template_global(helper.__name__)(helper)


def _guard_attempt_page():
    registered = parts.by_page(request.endpoint or "")  # an attempt page of a part (exam.parts)
    if registered is None or not current_user.is_authenticated or current_user.role != "candidate":
        return None
    part = registered.code
    attempt = web.db().get(registered.model, (request.view_args or {}).get("attempt_id"))
    g.attempt_page_rows = (attempt,)  # kept alive for the view's loader (see the module's docstring)
    if attempt is None or attempt.candidate_id != current_user.id or attempt.status != "open":
        return None  # the view answers 404, or shows the result
    exam_session = web.db().get(ExamSession, attempt.session_id)
    g.attempt_page_rows = (attempt, exam_session)
    if exam_session is None or not exam_session.access_rules:
        return None
    reasons = service.page_refusals(exam_session, part, attempt, web.now(), ip=gate.client_ip(),
                                    timezone=web.tz())
    if not reasons:
        return None
    return render_template("access/refused.html", exam_session=exam_session, reasons=reasons), 403


def access_descriptions(exam_session: ExamSession) -> list[str]:
    """Each switched-on rule's sentence for the candidate's home (the window and the one attempt are
    shown by the page itself)."""
    return AccessManager.for_session(exam_session).requirements(exam_session, web.tz())


def access_refusals(exam_session: ExamSession, part: str, attempt) -> list[str]:
    """Why there is no start button for ``part`` right now; empty when the candidate may start."""
    return service.refusals(exam_session, part, attempt, current_user.id, web.now(), ip=gate.client_ip(),
                            timezone=web.tz())


def access_preflight_fields(exam_session: ExamSession, part: str) -> list:
    return AccessManager.for_session(exam_session).preflight_fields(part)


def access_guard(exam_session: ExamSession, part: str, attempt) -> dict | None:
    """The attempt page guard's settings, or None when no rule needs the page guarded."""
    if exam_session is None or attempt is None:
        return None
    ctx = AccessContext(session=exam_session, part=part, candidate_id=attempt.candidate_id, now=web.now(),
                        attempt=attempt, timezone=web.tz())
    setup = AccessManager.for_session(exam_session).setup_attempt_page(ctx)
    if not setup:
        return None
    setup.update(sessionId=exam_session.id, part=part,
                 signalsUrl=SIGNALS_PATH.format(session_id=exam_session.id),
                 lockUrl=url_for("access.lock", session_id=exam_session.id),
                 unlockUrl=url_for("access.unlock", session_id=exam_session.id))
    if setup.get("idleMinutes"):
        setup["locked"] = service.is_locked(web.db(), exam_session.id, attempt.candidate_id, part)
    return setup
