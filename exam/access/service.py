"""The database side of the access rules: load what the rules look at, record wrong guesses, save
the examiner's settings (audited), and check the idle lock's unlock secret.

Wrong guesses (access code, unlock secret) are counted by the one throttle (``exam.throttle``),
per candidate and session and address, with scopes of their own (signing in again resets nothing
here). Each wrong guess is also an IntegritySignal, so the proctoring board shows the examiner who
is guessing; the board reads the signals, the throttle counts its own events.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hmac
from typing import Any, Mapping, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Integer, bindparam, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam import parts
from exam import throttle as throttles
from exam.access.base import AccessContext
from exam.access.manager import AccessManager, Decision, clean_settings
from exam.access.rules.access_code import AccessCodeRule
from exam.access.rules.idle_timeout import unlock_secret_name
from exam.accounts.models import CandidateProfile, User
from exam.audit.service import record
from exam.db import write_connection
from exam.proctoring.models import IntegritySignal
from exam.sessions.roster import idcard
from exam.sessions.models import Enrollment, ExamSession


#: IntegritySignal kinds written here (the page's own idle_lock / fullscreen_exit go through proctoring).
CODE_FAILURE = "access_code_failure"
UNLOCK_FAILURE = "idle_unlock_failure"
UNLOCKED = "idle_unlock"
LOCKED = "idle_lock"

_hasher = PasswordHasher()


def attempt_of(db: Session, part: str, session_id: int, candidate_id: int) -> Any:
    model = parts.get(part).model
    return db.exec(select(model).where(model.session_id == session_id, model.candidate_id == candidate_id)).first()


def enrolled(db: Session, session_id: int, candidate_id: int) -> bool:
    return db.exec(select(Enrollment.id).where(Enrollment.session_id == session_id,
                                               Enrollment.candidate_id == candidate_id)).first() is not None


def guesser(session_id: int, candidate_id: int) -> str:
    """The throttle's subject for one candidate's guesses in one session."""
    return f"{session_id}:{candidate_id}"


def context(db: Session, exam_session: ExamSession, part: str, candidate_id: int, now: dt.datetime, *,
            ip: Optional[str] = None, preflight: Mapping[str, str] | None = None, timezone: str = "Asia/Shanghai",
            throttle: throttles.Policy = throttles.POLICIES["access_code"], attempt: Any = None,
            attempt_known: bool = False) -> AccessContext:
    """What the rules look at. The wrong-guess count is read only when the session asks for an access
    code (the one rule that looks at it); ``attempt_known`` says the caller has read ``attempt``
    (None: there is none) together with the session."""
    failures = wait = 0
    if AccessCodeRule.code in (exam_session.access_rules or {}):
        verdict = throttles.check(db.connection(), throttle, guesser(exam_session.id, candidate_id), f"ip:{ip}", now)
        failures, wait = verdict.failures, verdict.retry_after
    return AccessContext(
        session=exam_session, part=part, candidate_id=candidate_id, now=now, client_ip=ip,
        preflight=dict(preflight or {}),
        attempt=attempt if attempt_known else attempt_of(db, part, exam_session.id, candidate_id),
        timezone=timezone, throttle=throttle, code_failures=failures, code_wait=wait)


@functools.lru_cache(maxsize=8)
def _start_read_query(part: str):
    """Built once per part (session and candidate are bound parameters): every start asks it."""
    model = parts.get(part).model
    session_id, candidate_id = bindparam("session", type_=Integer), bindparam("candidate", type_=Integer)
    return (select(ExamSession, Enrollment.id, model)
            .outerjoin(Enrollment, (Enrollment.session_id == ExamSession.id) & (Enrollment.candidate_id == candidate_id))
            .outerjoin(model, (model.session_id == ExamSession.id) & (model.candidate_id == candidate_id))
            .where(ExamSession.id == session_id))


def start_read(db: Session, session_id: int, part: str, candidate_id: int) -> tuple[ExamSession | None, bool, Any]:
    """The session, whether the candidate is enrolled in it and their attempt of ``part`` (or None),
    in one query: every start of a storm asks all three."""
    row = db.exec(_start_read_query(part), params={"session": session_id, "candidate": candidate_id}).first()
    return (row[0], row[1] is not None, row[2]) if row is not None else (None, False, None)


def check_start(engine: Engine, session_id: int, part: str, candidate_id: int, now: dt.datetime, *,
                ip: Optional[str], preflight: Mapping[str, str], timezone: str,
                throttle: throttles.Policy = throttles.POLICIES["access_code"], db: Session | None = None,
                read: tuple[ExamSession | None, bool, Any] | None = None) -> Decision:
    """Run the session's rules for a start; a failed code guess is recorded (and so counted). The
    reads go through ``db`` when given (the request's session, which the start then reads through
    too: one connection from the pool instead of two), else through a session of their own.
    ``read`` is what ``start_read`` would return, when the caller has read it through ``db`` already
    (the theory start reads it together with what its draw needs, in one query)."""
    with contextlib.nullcontext(db) if db is not None else Session(engine) as reader:
        exam_session, is_enrolled, attempt = read if read is not None else start_read(reader, session_id, part,
                                                                                       candidate_id)
        if exam_session is None or not is_enrolled:
            return Decision(reasons=["您未报名本场考试"])
        ctx = context(reader, exam_session, part, candidate_id, now, ip=ip, preflight=preflight,
                      timezone=timezone, throttle=throttle, attempt=attempt, attempt_known=True)
        decision = AccessManager.for_session(exam_session).check_start(ctx)
    if decision.wrong_guess:
        throttles.failed(engine, throttle, guesser(session_id, candidate_id), f"ip:{ip}", now)
        _signal(engine, session_id, candidate_id, part, CODE_FAILURE, now, ip=ip)
    return decision


def _signal(engine: Engine, session_id: int, candidate_id: int, part: str, kind: str, at: dt.datetime,
            **detail) -> None:
    with write_connection(engine) as conn:
        conn.execute(insert(IntegritySignal.__table__).values(
            session_id=session_id, candidate_id=candidate_id, part=part, kind=kind, at=at, detail=detail))


# ---------------------------------------------------------------- examiner settings

def masked(rules: Mapping[str, Any]) -> dict:
    """The settings as the audit trail keeps them: the access code itself is not written down."""
    out = {code: dict(settings or {}) for code, settings in (rules or {}).items()}
    if "code" in out.get(AccessCodeRule.code, {}):
        out[AccessCodeRule.code]["code"] = "******"
    return out


def save_settings(engine: Engine, session_id: int, raw: Mapping[str, Mapping[str, Any] | None],
                  actor_id: int) -> tuple[dict, list]:
    """Check and store the examiner's rule settings. Returns (new settings, errors); nothing is
    stored when there are errors. The change is audited, the code masked but its change noted."""
    cleaned, errors = clean_settings(raw)
    if errors:
        return cleaned, errors
    table = ExamSession.__table__
    with write_connection(engine) as conn:
        before = conn.execute(table.select().with_only_columns(table.c.access_rules)
                              .where(table.c.id == session_id)).scalar_one() or {}
        conn.execute(update(table).where(table.c.id == session_id).values(access_rules=cleaned))
        old_code = (before.get(AccessCodeRule.code) or {}).get("code")
        new_code = (cleaned.get(AccessCodeRule.code) or {}).get("code")
        record(conn, "session.access_rules", "exam_session", session_id, actor_id=actor_id,
               before=masked(before), after=masked(cleaned), code_changed=bool(new_code and new_code != old_code))
    return cleaned, []


# ---------------------------------------------------------------- candidate pages

def refusals(exam_session: ExamSession, part: str, attempt: Any, candidate_id: int, now: dt.datetime, *,
             ip: Optional[str], timezone: str) -> list[str]:
    """Why the candidate's home shows no start button for ``part`` (empty: the button is shown).
    Preflight checks wait for the start form, so the access code is not asked here."""
    ctx = AccessContext(session=exam_session, part=part, candidate_id=candidate_id, now=now, client_ip=ip,
                        attempt=attempt, timezone=timezone)
    manager = AccessManager.for_session(exam_session)
    return manager.prevent_access(ctx) + manager.prevent_new_attempt(ctx)


def page_refusals(exam_session: ExamSession, part: str, attempt: Any, now: dt.datetime, *,
                  ip: Optional[str], timezone: str) -> list[str]:
    """Why an attempt page may not be shown where the candidate is now (Moodle asks prevent_access
    on every attempt page too: resuming from outside the room's network is refused like starting)."""
    ctx = AccessContext(session=exam_session, part=part, candidate_id=attempt.candidate_id, now=now,
                        client_ip=ip, attempt=attempt, timezone=timezone)
    return AccessManager.for_session(exam_session).prevent_access(ctx)


# ---------------------------------------------------------------- idle lock

def is_locked(db: Session, session_id: int, candidate_id: int, part: str) -> bool:
    """The page was locked and not unlocked since (a reload must not lift the lock)."""
    last = db.exec(select(IntegritySignal.kind).where(
        IntegritySignal.session_id == session_id, IntegritySignal.candidate_id == candidate_id,
        IntegritySignal.part == part, IntegritySignal.kind.in_((LOCKED, UNLOCKED)))
        .order_by(IntegritySignal.at.desc(), IntegritySignal.id.desc()).limit(1)).first()
    return last == LOCKED


def lock(engine: Engine, session_id: int, part: str, candidate_id: int, now: dt.datetime,
         idle_seconds: Optional[int] = None) -> Optional[str]:
    """The page locked itself after the idle timeout: remember it (a reload keeps the lock, and the
    proctoring board shows an ``idle_lock`` signal). None when recorded, else the reason."""
    with Session(engine) as db:
        exam_session = db.get(ExamSession, session_id)
        if exam_session is None or not enrolled(db, session_id, candidate_id):
            return "您未报名本场考试"
        if AccessManager.for_session(exam_session).rule("idle_timeout") is None:
            return "本场考试未启用无操作锁屏"
        attempt = attempt_of(db, part, session_id, candidate_id)
        if attempt is None or attempt.status != "open":
            return "没有进行中的作答，无需锁屏"
        if is_locked(db, session_id, candidate_id, part):
            return None
    detail = {"idle_seconds": int(idle_seconds)} if isinstance(idle_seconds, int) else {}
    _signal(engine, session_id, candidate_id, part, LOCKED, now, **detail)
    return None


def unlock(engine: Engine, session_id: int, part: str, candidate_id: int, secret: str, now: dt.datetime,
           throttle: throttles.Policy = throttles.POLICIES["unlock"], ip: Optional[str] = None) -> Optional[str]:
    """Check what the candidate typed on the lock overlay; None when it unlocks, else the reason.
    The password hash is verified outside any write transaction (argon2 takes ~25 ms)."""
    subject, source = guesser(session_id, candidate_id), f"ip:{ip}"
    with Session(engine) as db:
        exam_session = db.get(ExamSession, session_id)
        if exam_session is None or not enrolled(db, session_id, candidate_id):
            return "您未报名本场考试"
        manager = AccessManager.for_session(exam_session)
        if manager.rule("idle_timeout") is None:
            return "本场考试未启用无操作锁屏"
        verdict = throttles.check(db.connection(), throttle, subject, source, now)
        if not verdict.allowed:
            return f"解锁失败次数过多，请 {verdict.wait_text}后再试，或举手请监考老师协助"
        user = db.get(User, candidate_id)
        profile = db.get(CandidateProfile, candidate_id)
        code_rule = manager.rule(AccessCodeRule.code)
        signin_mode = exam_session.signin_mode
    typed = (secret or "").strip()
    ok = bool(typed) and (
        (code_rule is not None and code_rule.matches(typed))
        or (signin_mode == "id_last6" and profile is not None and bool(profile.id_number)
            and hmac.compare_digest(idcard.normalise(typed).encode(), profile.id_number[-6:].upper().encode()))
        or _password_matches(user.password_hash if user else "", secret or ""))
    if not ok:
        throttles.failed(engine, throttle, subject, source, now)
        _signal(engine, session_id, candidate_id, part, UNLOCK_FAILURE, now)
        what = unlock_secret_name(exam_session)
        return f"{what}不正确，无法解锁" if typed else f"请输入{what}后再解锁"
    if verdict.failures:
        throttles.succeeded(engine, throttle, subject, source, now)
    _signal(engine, session_id, candidate_id, part, UNLOCKED, now)
    return None


def _password_matches(password_hash: str, password: str) -> bool:
    if not password or not password_hash or password_hash.startswith("!"):
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
