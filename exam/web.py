"""What every view shares: the engine, a per-request ORM session, the signed-in user, role checks.

The signed-in user is loaded with one Core query into a small immutable object instead of an ORM
instance: the autosave endpoint runs this on every request and must stay close to bare Flask.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass

from flask import abort, current_app, flash, g, jsonify, redirect, request, url_for
from flask_login import LoginManager, current_user
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from exam.accounts.models import ROLES
from exam.timeutil import local_today, utcnow

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
    flash(login_manager.login_message)
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

    def get_id(self) -> str:
        return str(self.id)

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


_USER_BY_ID = text("SELECT id, username, display_name, role, active FROM user_account WHERE id = :id")

#: Signed-in users by id, per process: (user or None, monotonic expiry). A deactivated account or a
#: changed role takes effect within USER_CACHE_SECONDS on every worker.
_user_cache: dict[int, tuple[CurrentUser | None, float]] = {}


@login_manager.user_loader
def _load_user(user_id: str) -> CurrentUser | None:
    try:
        uid = int(user_id)
    except ValueError:
        return None
    cached = _user_cache.get(uid)
    clock = time.monotonic()
    if cached is not None and cached[1] > clock:
        return cached[0]
    with engine().connect() as conn:
        row = conn.execute(_USER_BY_ID, {"id": uid}).first()
    user = CurrentUser(row.id, row.username, row.display_name, row.role) if row is not None and row.active else None
    if len(_user_cache) > 50000:
        _user_cache.clear()
    _user_cache[uid] = (user, clock + current_app.config["USER_CACHE_SECONDS"])
    return user


def engine() -> Engine:
    return current_app.extensions[ENGINE_KEY]


def db() -> Session:
    """The request's ORM session, opened on first use and closed at teardown."""
    if "db" not in g:
        g.db = Session(engine())
    return g.db


def close_db(_exc=None) -> None:
    session = g.pop("db", None)
    if session is not None:
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


def public(view):
    """Mark a view as open to everyone; the role-check test accepts only marked views without roles."""
    view.is_public = True
    return view
