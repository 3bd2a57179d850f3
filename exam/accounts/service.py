"""Users, password hashes, sign-in (through the one throttle, ``exam.throttle``) and password changes.

Passwords are hashed with argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane):
about 25 ms a sign-in here, against 130 ms and 64 MiB for argon2-cffi's defaults — the difference
between a synchronised exam start of 2,000 candidates fitting on two cores or not. Older, stronger
hashes still verify; ``check_needs_rehash`` moves them to these parameters at the next sign-in.

Failures are counted per account *and* source (``exam.throttle``): the source is the address, or —
when this browser has signed in to the account before (``devices``) — the browser itself. So a
neighbour guessing a candidate's ticket slows only the neighbour, another account behind the same
exam-room address is never held up, and the right password from a new address is not refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam import throttle
from exam.accounts import credentials, logins
from exam.accounts.models import ROLES, User
from exam.db import write_connection, write_session

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: Verified against when the username is unknown, so timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("callexam-dummy-password")

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_problem(password: str, username: str = "") -> str | None:
    """Why a password chosen by a person may not be used (None: it may). Length is what counts
    (NIST SP 800-63B, ASVS 2.1): at least 12 characters, no composition rules."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少 {MIN_PASSWORD_LENGTH} 位"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"密码最多 {MAX_PASSWORD_LENGTH} 位"
    if username and password.strip().casefold() == username.strip().casefold():
        return "密码不能与用户名相同"
    if len(set(password)) < 4:
        return "密码过于简单：请勿使用重复的字符"
    return None


def create_user(db: Session, username: str, password: str, role: str, display_name: str = "", *,
                must_change_password: bool = False) -> User:
    username = username.strip()
    if role not in ROLES:
        raise AccountError(f"未知角色 {role!r}")
    if not username or len(username) > 64:
        raise AccountError("用户名应为 1 至 64 个字符")
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem)
    if db.exec(select(User.id).where(User.username == username)).first() is not None:
        raise AccountError(f"用户名 {username} 已存在")
    claimed = credentials.claim(db, username)
    if claimed is not None and claimed.user is not None:
        # Sign-in reads such text as the ticket first: this account could never be reached by name.
        raise AccountError(f"用户名 {username} 与已发放的{claimed.kind}相同，请换一个用户名")
    user = User(username=username, display_name=display_name.strip() or username, role=role,
                password_hash=hash_password(password), must_change_password=must_change_password)
    db.add(user)
    db.flush()
    return user


@dataclass(frozen=True)
class SignIn:
    user: User | None
    error: str | None
    throttled: bool = False
    scope_session_id: int | None = None


@dataclass(frozen=True)
class _Target:
    """Who a sign-in names. ``key`` is what failures are counted under: the account's username when
    the text names an account (by username or by ticket number, so both count together), else the
    text itself. ``check`` replaces the password hash when the issuer of the name says so (a ticket
    of an ``id_last6`` session), and ``scope_session_id`` comes with it."""

    user: User | None
    key: str
    check: Callable[[str], bool] | None = None
    scope_session_id: int | None = None


def _resolve(db: Session, text: str) -> _Target:
    """A name another package issued first (admission tickets are how candidates sign in on the day;
    ``credentials.claim`` asks the roster), then a username. Ticket numbers never equal another
    account's username (``tickets.issue`` skips them, ``create_user`` refuses them)."""
    claimed = credentials.claim(db, text)
    if claimed is not None and claimed.user is not None:
        return _Target(claimed.user, claimed.user.username, claimed.check,
                       claimed.scope_session_id if claimed.check is not None else None)
    name = claimed.name if claimed is not None else text
    user = db.exec(select(User).where(User.username == name)).first()
    return _Target(user, user.username if user else name)


def _check_password(target: _Target, password: str) -> bool:
    """Every path costs one argon2 verification, so timing tells nothing about which accounts or
    tickets exist or how their session signs in."""
    if target.check is not None:
        try:
            _hasher.verify(_DUMMY_HASH, "x")
        except VerificationError:
            pass
        return target.check(password)
    try:
        return _hasher.verify(target.user.password_hash if target.user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(engine: Engine, username: str, password: str, source: "Source", now: dt.datetime,
                 policy: throttle.Policy) -> SignIn:
    """Check a sign-in by username or admission ticket number (as typed: the roster reads a ticket
    number in its printed groups or full-width digits, ``credentials``). The password hash is verified
    outside any transaction: on SQLite a write transaction is the database's one writer, and 25 ms
    of argon2 inside it would queue every other sign-in and save of the exam room behind it. Writes
    happen only for a failure, or to clear earlier failures or upgrade an old hash.

    A pair (account, source) that failed too often waits before its next try is even checked; the
    wait is said in the message. ``SignIn.scope_session_id`` is set for a ticket sign-in with the last
    six ID characters: that sign-in opens only the ticket's session (``web.CurrentUser``)."""
    with Session(engine) as db:
        target = _resolve(db, (username or "").strip())
        if target.user is not None:
            db.expunge(target.user)
    who = source.for_account(target.user.id if target.user else None)
    verdict = throttle.check(engine, policy, target.key, who, now)
    if not verdict.allowed:
        return SignIn(None, f"登录失败次数过多，请 {verdict.wait_text}后再试；如忘记密码请联系考评员",
                      throttled=True)
    user = target.user
    ok = _check_password(target, password) and user is not None and user.active
    if not ok:
        throttle.failed(engine, policy, target.key, who, now)
        return SignIn(None, "用户名或密码错误")
    new_hash = (hash_password(password) if target.check is None and _hasher.check_needs_rehash(user.password_hash)
                else None)
    if verdict.failures:
        throttle.succeeded(engine, policy, target.key, who, now)
    if new_hash:
        with write_session(engine) as db:
            db.execute(update(User).where(User.id == user.id).values(password_hash=new_hash))
    return SignIn(user, None, scope_session_id=target.scope_session_id)


@dataclass(frozen=True)
class Source:
    """Who is signing in, for the throttle: the address, and the accounts this browser has signed in
    to before (``devices``). A known browser is counted as itself, so guesses from elsewhere behind
    the same address never slow the account's own browser down."""

    ip: str
    device: str | None = None
    known_accounts: frozenset = frozenset()

    def for_account(self, user_id: int | None) -> str:
        if self.device and user_id is not None and user_id in self.known_accounts:
            return f"device:{self.device}"
        return f"ip:{self.ip}"


def change_password(engine: Engine, user_id: int, current: str | None, new: str, now: dt.datetime,
                    actor_id: int | None = None) -> str | None:
    """Set a new password chosen by its owner (``current`` checked) or reset by an admin
    (``current`` None: the owner must choose their own at next sign-in). Every session of the
    account ends. Returns why not, in Chinese, or None."""
    from exam.audit.service import record
    with Session(engine) as db:
        user = db.get(User, user_id)
        if user is None:
            return "账号不存在"
        username, old_hash = user.username, user.password_hash
    if current is not None:
        try:
            ok = _hasher.verify(old_hash, current)
        except (VerificationError, InvalidHashError):
            ok = False
        if not ok:
            return "当前密码不正确"
        if new == current:
            return "新密码不能与当前密码相同"
    problem = password_problem(new, username)
    if problem:
        return problem
    new_hash = hash_password(new)
    with write_connection(engine) as conn:
        conn.execute(update(User.__table__).where(User.__table__.c.id == user_id).values(
            password_hash=new_hash, must_change_password=current is None))
        ended = logins.end_all(conn, user_id, now)
        record(conn, "account.password_reset" if current is None else "account.password_changed",
               "user", user_id, actor_id=actor_id if actor_id is not None else user_id, sessions_ended=ended)
    return None


def set_active(engine: Engine, user_id: int, active: bool, now: dt.datetime, actor_id: int) -> str | None:
    """Deactivate (every session ends at once) or reactivate an account; audited."""
    from exam.audit.service import record
    if user_id == actor_id and not active:
        return "不能停用自己的账号"
    with write_connection(engine) as conn:
        changed = conn.execute(update(User.__table__).where(User.__table__.c.id == user_id)
                               .values(active=active)).rowcount
        if not changed:
            return "账号不存在"
        ended = logins.end_all(conn, user_id, now) if not active else 0
        record(conn, "account.activated" if active else "account.deactivated", "user", user_id,
               actor_id=actor_id, sessions_ended=ended)
    return None


def list_users(db: Session) -> list[User]:
    return list(db.exec(select(User).order_by(User.role, User.username)))
