"""What every view shares: the engine, a per-request ORM session, the signed-in user, role checks.

The signed-in user is loaded with one Core query into a small immutable object instead of an ORM
instance: the autosave endpoint runs this on every request and must stay close to bare Flask.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from flask import abort, current_app, g
from flask_login import LoginManager, current_user
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from exam.accounts.models import ROLES
from exam.timeutil import utcnow

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = "请先登录"
login_manager.session_protection = "basic"

ENGINE_KEY = "callexam.engine"


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


@login_manager.user_loader
def _load_user(user_id: str) -> CurrentUser | None:
    try:
        uid = int(user_id)
    except ValueError:
        return None
    with engine().connect() as conn:
        row = conn.execute(_USER_BY_ID, {"id": uid}).first()
    if row is None or not row.active:
        return None
    return CurrentUser(row.id, row.username, row.display_name, row.role)


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
