"""What the three start views (theory, typing, practical) call before their service starts an
attempt: run the session's access rules for the signed-in candidate with the start form's preflight
data, and on refusal flash every reason and send the candidate back to their home page."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from exam import throttle as throttles
from exam import web
from exam.access import service


def throttle(name: str = "access_code") -> throttles.Policy:
    """The instance's policy for access-code guesses (or ``unlock`` for the idle lock's secret)."""
    return throttles.policy(current_app.config, name)


def client_ip() -> str | None:
    """The address the rules check: the peer's address, or behind a reverse proxy the browser's as
    werkzeug's ProxyFix reads it from X-Forwarded-For (``CALLEXAM_PROXY_FIX``, exam.app)."""
    return request.remote_addr


#: The start page's confirmation box (delivery/begin.html): without it no part's clock starts.
CONFIRM_FIELD = "confirm"


def refuse_start(session_id: int, part: str, read=None):
    """None when the candidate may go on to start ``part``; else a redirect with the reasons flashed.
    A start must carry the start page's confirmation: one click on the home page, an old bookmark or
    a script never starts the clock before the candidate has seen the rules and the time available.
    ``read``: the session, enrolment and attempt as the start view has read them through the
    request's session (``service.check_start``), else they are read here."""
    if request.form.get(CONFIRM_FIELD) != "1":
        flash("请先阅读考试须知并勾选“我已阅读并同意”，再点击“确认开始”", "error")
        return redirect(url_for("delivery.begin", session_id=session_id, part=part))
    decision = service.check_start(
        web.engine(), session_id, part, current_user.id, web.now(), ip=client_ip(),
        preflight={k: v for k, v in request.form.items() if k not in ("csrf_token", CONFIRM_FIELD)},
        timezone=web.tz(), throttle=throttle(), db=web.db(), read=read)
    if decision.allowed:
        return None
    for message in decision.messages:
        flash(message, "error")
    return redirect(url_for("delivery.begin", session_id=session_id, part=part))
