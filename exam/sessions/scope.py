"""A ticket sign-in opens only that ticket's session.

Signing in with an admission ticket and the last six ID characters proves the person holds that
ticket, not that they own the account: the ID characters are printed on paperwork and known to
colleagues and family. Such a sign-in (``login_session.scope_session_id``, ``web.CurrentUser``)
reaches the pages and APIs of the ticket's session only — its attempts of every part, its admission
ticket, its access and proctoring calls — and none of the account-wide pages (certificates of other
sessions, notifications, the password). Checked once per request, before any view, so no candidate
view can forget it; the candidate's home lists only that session (``delivery.views.home``).
"""

from __future__ import annotations

from flask import abort, request
from flask_login import current_user

#: Candidate pages that belong to the account rather than to one session.
ACCOUNT_WIDE = frozenset({
    "certificates.mine", "certificates.candidate_pdf", "certificates.candidate_badge",
    "notifications.index", "notifications.mark_read", "accounts.change_password",
})


def scope() -> int | None:
    return getattr(current_user, "scope_session_id", None) if current_user.is_authenticated else None


def session_of_request() -> int | None:
    """The exam session the request is about, when its URL names one (directly or by an attempt)."""
    from exam import parts, web
    args = request.view_args or {}
    if "session_id" in args:
        return args["session_id"]
    if "attempt_id" in args:
        # The part's own pages and APIs live in its blueprint; proctoring names the part in the URL.
        part = next((p for p in parts.all_parts()
                     if p.code == args.get("part") or ("part" not in args and p.blueprint == request.blueprint)),
                    None)
        if part is None:
            return -1 if "part" in args else None
        with web.engine().connect() as conn:
            found = conn.execute(part.table.select().with_only_columns(part.table.c.session_id)
                                 .where(part.table.c.id == args["attempt_id"])).scalar()
        return -1 if found is None else found
    return None


def enforce():
    """before_request: refuse (403) what a scoped sign-in may not open."""
    scoped = scope()
    if not scoped or request.endpoint in (None, "static", "accounts.logout", "accounts.home", "delivery.home"):
        return None
    if request.endpoint in ACCOUNT_WIDE:
        abort(403)
    found = session_of_request()
    if found is not None and found != scoped:
        abort(403)
    return None
