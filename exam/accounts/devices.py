"""Device cookies (OWASP's "Slow down online guessing attacks with device cookies").

After a successful sign-in the browser receives a signed cookie naming a random device id and the
accounts that signed in on it (at most ``MAX_ACCOUNTS``, the latest kept). A later sign-in to one of
those accounts from this browser is throttled as this browser, not as its address, so guesses by
anyone else — the neighbour in the exam room behind the same NAT address included — never slow the
owner's own browser down. The cookie proves nothing by itself: the password is still checked.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "callexam_device"
MAX_ACCOUNTS = 8
MAX_AGE = 180 * 24 * 3600


@dataclass(frozen=True)
class Device:
    id: str | None
    accounts: frozenset


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="callexam-device-cookie")


def current() -> Device:
    raw = request.cookies.get(COOKIE)
    if raw:
        try:
            data = _serializer().loads(raw)
            return Device(str(data["d"]), frozenset(int(u) for u in data["u"]))
        except (BadSignature, KeyError, TypeError, ValueError):
            pass
    return Device(None, frozenset())


def remember(response, user_id: int) -> None:
    """Add the account to this browser's device cookie (a new device id the first time)."""
    device = current()
    ids = [u for u in device.accounts if u != user_id][-(MAX_ACCOUNTS - 1):] + [user_id]
    value = _serializer().dumps({"d": device.id or secrets.token_urlsafe(16), "u": ids})
    response.set_cookie(COOKIE, value, max_age=MAX_AGE, httponly=True, samesite="Lax",
                        secure=bool(current_app.config["SESSION_COOKIE_SECURE"] or request.is_secure))
