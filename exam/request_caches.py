"""Memoised signature checks for the two signed values every request carries.

Each request decodes the signed session cookie, and each POST checks a signed CSRF token: two HMACs
plus JSON and base64 work that repeat identically for every autosave of the same candidate. A
signed string's verdict never changes for a given secret, so both are remembered per process for a
short time. Semantics stay the library's: a miss goes through Flask's and Flask-WTF's own code, a hit
only skips re-deriving what that code already established for exactly the same string.
"""

from __future__ import annotations

import hmac
import time

from flask import current_app, g, has_request_context, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

#: How long a verdict is reused; the session's own lifetime (31 days) is checked on every miss.
TTL_SECONDS = 60.0
MAX_ENTRIES = 50000


class _TTLCache:
    def __init__(self):
        self.entries: dict[str, tuple[object, float]] = {}

    def get(self, key: str):
        hit = self.entries.get(key)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0]
        return None

    def put(self, key: str, value) -> None:
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        self.entries[key] = (value, time.monotonic() + TTL_SECONDS)


class CachingSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the decoding of an unchanged cookie remembered."""

    def __init__(self):
        self._decoded = _TTLCache()

    def get_cookie_secure(self, app) -> bool:
        """Secure whenever the browser reached us over HTTPS (directly, or through a proxy that
        ProxyFix is told to trust), whatever SESSION_COOKIE_SECURE says; always when it says so."""
        return bool(app.config["SESSION_COOKIE_SECURE"] or (has_request_context() and request.is_secure))

    def open_session(self, app, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if value:
            data = self._decoded.get(value)
            if data is not None:
                return self.session_class(dict(data))
        opened = super().open_session(app, request)
        if value and opened is not None and opened:  # an empty session means a bad or expired cookie
            self._decoded.put(value, dict(opened))
        return opened


class CachingCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF protection; a token already validated against this session's secret value
    is accepted again without re-verifying its signature."""

    def __init__(self, app=None):
        self._validated = _TTLCache()
        super().__init__(app)

    def protect(self, apply_exemptions=False):
        if request.method not in current_app.config["WTF_CSRF_METHODS"] or request.is_secure:
            return super().protect(apply_exemptions)
        # JSON requests carry the token in a header; skip parsing a form that is not there.
        token = request.headers.get("X-CSRFToken") if request.is_json else self._get_csrf_token()
        field = current_app.config["WTF_CSRF_FIELD_NAME"]
        raw = session.get(field)
        if token and raw:
            known = self._validated.get(token)
            if known is not None and hmac.compare_digest(known, raw):
                g.csrf_valid = True
                return None
        result = super().protect(apply_exemptions)  # aborts with 400 when invalid
        if token and raw:
            self._validated.put(token, raw)
        return result
