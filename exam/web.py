"""What every view shares: the engine, a per-request ORM session, the signed-in user, role checks.

The signed-in user is loaded with one Core query into a small immutable object instead of an ORM
instance: the autosave endpoint runs this on every request and must stay close to bare Flask.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import time
from dataclasses import dataclass

from flask import abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_login import LoginManager, current_user
from sqlalchemy.engine import Engine
from sqlmodel import Session

from exam import db as db_module
from exam.accounts.models import ROLES
from exam.timeutil import local_today, utcnow

log = logging.getLogger(__name__)

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "请先登录"
login_manager.session_protection = "basic"

ENGINE_KEY = "callexam.engine"


@login_manager.unauthorized_handler
def _unauthorized():
    """Pages send the visitor to sign in; the JSON API answers 401, which the exam page understands
    (a redirect would hand its fetch the login page instead)."""
    if request.path.startswith("/api/"):
        return jsonify(error="登录已失效，请重新登录", signed_out=True), 401
    flash("长时间未操作，登录已失效，请重新登录" if g.get("session_expired") else login_manager.login_message)
    return redirect(url_for(login_manager.login_view, next=request.full_path.rstrip("?")))


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: str
    is_active: bool = True
    is_authenticated: bool = True
    is_anonymous: bool = False
    token: str = ""                       # the server-side session (exam.accounts.logins)
    must_change_password: bool = False
    scope_session_id: int | None = None   # a ticket sign-in opens only this exam session

    def get_id(self) -> str:
        # Flask-Login keeps this in the cookie: the account and the server-side session's token.
        return f"{self.id}:{self.token}" if self.token else str(self.id)

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


def idle_seconds(role: str) -> float:
    cfg = current_app.config
    minutes = cfg["CANDIDATE_IDLE_MINUTES"] if role == "candidate" else cfg["STAFF_IDLE_MINUTES"]
    return float(minutes) * 60


@login_manager.user_loader
def _load_user(user_id: str) -> CurrentUser | None:
    """The cookie names an account and a server-side session; both must be alive. A session idle for
    longer than its role allows, or older than SESSION_MAX_HOURS, is ended here."""
    from exam.accounts import logins
    uid, _, token = user_id.partition(":")
    if not token or not uid.isdigit():
        return None
    clock = time.monotonic()
    found = logins.memo_get(token, clock)
    if found is None:
        found = logins.load(engine(), token)
        if found is None or found.user_id != int(uid):
            return None
        logins.memo_put(token, found, clock)
    now_ = now()
    if logins.expired(found, now_, idle_seconds(found.role), current_app.config["SESSION_MAX_HOURS"] * 3600):
        if found.ended_at is None:
            logins.end(engine(), token, now_)
        logins.memo_drop(token)
        g.session_expired = True
        return None
    if logins.touch(engine(), found, now_):
        logins.memo_drop(token)
    return CurrentUser(found.user_id, found.username, found.display_name, found.role, token=token,
                       must_change_password=found.must_change_password,
                       scope_session_id=found.scope_session_id)


def sign_in(user_id: int, username: str, display_name: str, role: str, *, ip: str = "",
            scope_session_id: int | None = None, must_change_password: bool = False) -> CurrentUser:
    """Start a server-side session for the account and put it in this browser's cookie."""
    from flask import session
    from flask_login import login_user
    from exam.accounts import logins
    session.clear()  # a fresh cookie at every sign-in (no session fixation)
    token = logins.start(engine(), user_id, now(), ip=ip, scope_session_id=scope_session_id)
    user = CurrentUser(user_id, username, display_name, role, token=token,
                       must_change_password=must_change_password, scope_session_id=scope_session_id)
    login_user(user)
    return user


def sign_out_everywhere() -> None:
    """End every session of the signed-in account, this browser's included."""
    from flask_login import logout_user
    from exam.accounts import logins
    if current_user.is_authenticated:
        logins.end_all(engine(), current_user.id, now())
    logout_user()


#: What an account that must choose its own password may still open.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"accounts.change_password", "accounts.logout", "static", "health.healthz"})


def require_own_password():
    """before_request: an account signed in with a password someone else chose (a roster's initial
    password, an admin's reset) can do nothing but choose its own."""
    if (current_user.is_authenticated and getattr(current_user, "must_change_password", False)
            and request.endpoint is not None and request.endpoint not in PASSWORD_CHANGE_ENDPOINTS):
        if request.path.startswith("/api/"):
            return jsonify(error="请先修改初始密码", change_password=True), 403
        return redirect(url_for("accounts.change_password"))
    return None


def engine() -> Engine:
    return current_app.extensions[ENGINE_KEY]


def db() -> Session:
    """The request's ORM session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = Session(engine())
    return g.db


def fresh_reads() -> None:
    """Let the request's later reads see what other connections have committed since its first read.

    On SQLite a read transaction keeps the snapshot of its first read (WAL), so a page that reads
    the attempt, then takes it over on the write connection (``exam.access.live_page``), would read
    the answers — and its live-page status — as they were before the take-over, missing a save
    another page landed in between. Ending the read transaction (its loaded objects kept as read)
    starts the next read on a fresh snapshot. PostgreSQL's READ COMMITTED reads what is committed at
    each statement, so there it costs nothing and does nothing.
    """
    session = g.get("db")
    if session is None or not session.in_transaction() or session.get_bind().dialect.name != "sqlite":
        return
    if session.new or session.dirty or session.deleted:
        return  # never commits a view's pending changes early (no caller has any at these points)
    keep = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()  # nothing pending: only ends the read transaction
    finally:
        session.expire_on_commit = keep


def close_db(exc=None) -> None:
    session = g.pop("db", None)
    if session is None:
        return
    try:
        if exc is None:
            db_module.end_reads(session)  # PostgreSQL: a read-only request keeps its prepared statements
    except Exception:  # noqa: BLE001 — the page has been sent; the connection must still go back
        log.warning("结束只读事务失败，已回滚", exc_info=True)
    finally:
        session.close()


def now() -> dt.datetime:
    return utcnow()


def tz() -> str:
    """The exam centre's time zone: local days, times on pages and files, ticket and certificate dates."""
    return current_app.config["TIMEZONE"]


def today() -> dt.date:
    """The exam centre's date now."""
    return local_today(now(), tz())


def roles_required(*roles: str):
    """Allow the view to signed-in users whose role is one of ``roles`` (admin is not implied)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        wrapped.allowed_roles = roles
        return wrapped
    return decorator


def safe_next(target: str | None) -> str | None:
    """A ``next=`` target only if it is a path on this site, else None. Browsers drop tabs and
    newlines inside URLs and read a backslash as a slash, so ``/%09/evil.example/`` or ``/\\evil``
    would leave the site: anything with a control character, white space or a backslash is refused,
    and what remains must have no scheme and no host and start with exactly one slash."""
    from urllib.parse import unquote, urlsplit, urlunsplit
    if not target or len(target) > 2000:
        return None
    for text_ in (target, unquote(target)):     # also what a second decoding would make of it
        if any(ord(c) < 0x21 or ord(c) == 0x7F or c == "\\" or c.isspace() for c in text_):
            return None
        if not text_.startswith("/") or text_.startswith("//"):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def public(view):
    """Mark a view as open to everyone; the role-check test accepts only marked views without roles."""
    view.is_public = True
    return view
