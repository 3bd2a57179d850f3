"""An uploaded file held on the server between its preview and its confirmation.

Imports are two requests (the question-bank import, a session's roster): the upload is previewed and
nothing written, then confirmed. The bytes wait in the instance folder (``pending_uploads``) under a
random token that only the signed session of the user who uploaded knows, so the confirmation re-reads
exactly what was previewed and the browser never sends the content back. One held upload per kind
(``key``) and user: a new one replaces the last.
"""

from __future__ import annotations

from pathlib import PureWindowsPath

from flask import current_app, session
from flask_login import current_user

from question_bank import pending_uploads


def client_filename(name: str | None) -> str:
    """The file's own name, without any folder a browser may send (Windows ones included)."""
    return PureWindowsPath(name or "").name[-120:] or "未命名文件"


def hold(key: str, data: bytes, **meta) -> str:
    """Keep ``data`` for the signed-in user under ``key`` with ``meta``; the token the confirm form carries."""
    drop(key)
    pending_uploads.sweep(current_app.instance_path)
    token = pending_uploads.save(current_app.instance_path, data)
    session[key] = {"token": token, "user": current_user.id, **meta}
    return token


def held(key: str, form, **expected) -> tuple[dict, bytes | None]:
    """(meta, bytes) of the upload the confirm ``form`` names, when it is this user's and matches
    ``expected`` (e.g. the session it was for); bytes None when it is not, or was confirmed,
    cancelled or swept meanwhile (then its entry goes too)."""
    pending = session.get(key) or {}
    ours = (form.validate_on_submit() and pending.get("token") == form.token.data
            and pending.get("user") == current_user.id
            and all(pending.get(name) == value for name, value in expected.items()))
    data = pending_uploads.load(current_app.instance_path, pending["token"]) if ours else None
    if ours and data is None:
        drop(key)
    return pending, data


def drop(key: str) -> None:
    pending = session.pop(key, None)
    if pending:
        pending_uploads.discard(current_app.instance_path, pending.get("token"))
