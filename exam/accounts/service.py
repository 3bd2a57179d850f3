"""Users, password hashes and the sign-in throttle.

Passwords are hashed with argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane):
about 25 ms a sign-in here, against 130 ms and 64 MiB for argon2-cffi's defaults — the difference
between a synchronised exam start of 2,000 candidates fitting on two cores or not. Older, stronger
hashes still verify; ``check_needs_rehash`` moves them to these parameters at the next sign-in. The throttle counts failures in the
database, not in process memory, so it holds across server workers and machines: an account is
locked for a window after a few failures, and an address after many (exam rooms share one NAT
address, so that limit is high).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam.accounts.models import ROLES, LoginFailure, User
from exam.db import write_session

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: Verified against when the username is unknown, so timing does not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash("callexam-dummy-password")

MIN_PASSWORD_LENGTH = 8


class AccountError(ValueError):
    pass


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def create_user(db: Session, username: str, password: str, role: str, display_name: str = "") -> User:
    username = username.strip()
    if role not in ROLES:
        raise AccountError(f"未知角色 {role!r}")
    if not username or len(username) > 64:
        raise AccountError("用户名应为 1 至 64 个字符")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"密码至少 {MIN_PASSWORD_LENGTH} 位")
    if db.exec(select(User.id).where(User.username == username)).first() is not None:
        raise AccountError(f"用户名 {username} 已存在")
    user = User(username=username, display_name=display_name.strip() or username, role=role,
                password_hash=hash_password(password))
    db.add(user)
    db.flush()
    return user


@dataclass(frozen=True)
class SignIn:
    user: User | None
    error: str | None
    throttled: bool = False


def authenticate(engine: Engine, username: str, password: str, ip: str, now: dt.datetime,
                 max_failures: int, max_per_ip: int, window_seconds: int) -> SignIn:
    """Check a sign-in. The password hash is verified outside any transaction: on SQLite a write
    transaction is the database's one writer, and 25 ms of argon2 inside it would queue every
    other sign-in and save of the exam room behind it. Writes happen only for a failure, or to
    clear earlier failures or upgrade an old hash."""
    since = now - dt.timedelta(seconds=window_seconds)
    with Session(engine) as db:
        user_failures = db.exec(select(func.count()).select_from(LoginFailure)
                                .where(LoginFailure.username == username, LoginFailure.at >= since)).one()
        ip_failures = db.exec(select(func.count()).select_from(LoginFailure)
                              .where(LoginFailure.ip == ip, LoginFailure.at >= since)).one()
        user = db.exec(select(User).where(User.username == username)).first()
        if user is not None:
            db.expunge(user)
    if user_failures >= max_failures or ip_failures >= max_per_ip:
        minutes = max(1, window_seconds // 60)
        return SignIn(None, f"登录失败次数过多，请 {minutes} 分钟后再试，或联系考评员", throttled=True)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        with write_session(engine) as db:
            db.add(LoginFailure(username=username, ip=ip, at=now))
        return SignIn(None, "用户名或密码错误")
    new_hash = hash_password(password) if _hasher.check_needs_rehash(user.password_hash) else None
    if user_failures or new_hash:
        with write_session(engine) as db:
            db.execute(delete(LoginFailure).where(LoginFailure.username == username))
            if new_hash:
                db.execute(update(User).where(User.id == user.id).values(password_hash=new_hash))
    return SignIn(user, None)


def list_users(db: Session) -> list[User]:
    return list(db.exec(select(User).order_by(User.role, User.username)))
