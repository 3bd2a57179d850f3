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
import hmac
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam.accounts.models import ROLES, CandidateProfile, LoginFailure, User
from exam.db import write_session
from exam.sessions.roster import idcard
from exam.sessions.models import Enrollment, ExamSession
from exam.sessions.roster.tickets import looks_like_ticket

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
    if looks_like_ticket(username) and db.exec(select(Enrollment.id).where(
            Enrollment.ticket_number == username)).first() is not None:
        # Sign-in reads such text as the ticket first: this account could never be reached by name.
        raise AccountError(f"用户名 {username} 与已发放的准考证号相同，请换一个用户名")
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


@dataclass(frozen=True)
class _Target:
    """Who a sign-in names. ``key`` is what failures are counted under: the account's username when
    the text names an account (by username or by ticket number, so both count together), else the
    text itself. ``id_last6`` is set when a ticket of an ``id_last6`` session was given."""

    user: User | None
    key: str
    id_last6: str | None = None


def _resolve(db: Session, identifier: str) -> _Target:
    """A ticket number first (admission tickets are how candidates sign in on the day), then a
    username. Ticket numbers never equal another account's username (``tickets.issue`` skips them)."""
    if looks_like_ticket(identifier):
        row = db.exec(select(User, ExamSession.signin_mode, CandidateProfile.id_number)
                      .join(Enrollment, Enrollment.candidate_id == User.id)
                      .join(ExamSession, ExamSession.id == Enrollment.session_id)
                      .join(CandidateProfile, CandidateProfile.user_id == User.id, isouter=True)
                      .where(Enrollment.ticket_number == identifier)).first()
        if row is not None:
            user, mode, id_number = row
            last6 = id_number[-6:] if mode == "id_last6" and id_number else None
            return _Target(user, user.username, last6)
    user = db.exec(select(User).where(User.username == identifier)).first()
    return _Target(user, user.username if user else identifier)


def _check_password(target: _Target, password: str) -> bool:
    """Every path costs one argon2 verification, so timing tells nothing about which accounts or
    tickets exist or how their session signs in."""
    if target.id_last6 is not None:
        try:
            _hasher.verify(_DUMMY_HASH, "x")
        except VerificationError:
            pass
        typed = idcard.normalise(password)      # NFKC: full-width digits from a Chinese IME; x → X
        return hmac.compare_digest(typed.encode(), target.id_last6.upper().encode())
    try:
        return _hasher.verify(target.user.password_hash if target.user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(engine: Engine, username: str, password: str, ip: str, now: dt.datetime,
                 max_failures: int, max_per_ip: int, window_seconds: int) -> SignIn:
    """Check a sign-in by username or admission ticket number. The password hash is verified
    outside any transaction: on SQLite a write transaction is the database's one writer, and 25 ms
    of argon2 inside it would queue every other sign-in and save of the exam room behind it. Writes
    happen only for a failure, or to clear earlier failures or upgrade an old hash."""
    since = now - dt.timedelta(seconds=window_seconds)
    with Session(engine) as db:
        target = _resolve(db, username)
        if target.user is not None:
            db.expunge(target.user)
        user_failures = db.exec(select(func.count()).select_from(LoginFailure)
                                .where(LoginFailure.username == target.key, LoginFailure.at >= since)).one()
        ip_failures = db.exec(select(func.count()).select_from(LoginFailure)
                              .where(LoginFailure.ip == ip, LoginFailure.at >= since)).one()
    if user_failures >= max_failures or ip_failures >= max_per_ip:
        minutes = max(1, window_seconds // 60)
        return SignIn(None, f"登录失败次数过多，请 {minutes} 分钟后再试，或联系考评员", throttled=True)
    user = target.user
    ok = _check_password(target, password) and user is not None and user.active
    if not ok:
        with write_session(engine) as db:
            db.add(LoginFailure(username=target.key[:64], ip=ip, at=now))
        return SignIn(None, "用户名或密码错误")
    new_hash = (hash_password(password) if target.id_last6 is None and _hasher.check_needs_rehash(user.password_hash)
                else None)
    if user_failures or new_hash:
        with write_session(engine) as db:
            db.execute(delete(LoginFailure).where(LoginFailure.username == target.key))
            if new_hash:
                db.execute(update(User).where(User.id == user.id).values(password_hash=new_hash))
    return SignIn(user, None)


def list_users(db: Session) -> list[User]:
    return list(db.exec(select(User).order_by(User.role, User.username)))
