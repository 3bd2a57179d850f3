"""Importing a roster file into a session: a preview that changes nothing, then all of it or none.

A person is recognised by the ID-card number on their candidate profile, never by name: the second
roster of a class finds the people already known and creates accounts only for the new ones. The
same ID under a different name is refused, naming the line — it is a typo in one of the two, and
guessing which would enrol the wrong person under somebody else's identity.

Accounts created here are called by the candidate's first ticket number (it is on their admission
ticket, so they never have to be told a user name). How they sign in follows the session:

- ``id_last6``: ticket number and the last six characters of the ID number. The account gets an
  unusable password hash, so there is no password to hand out, leak or forget.
- ``password``: each new account gets a random initial password, shown once to the examiner after
  the import (and as a spreadsheet to print or mail-merge), because it cannot be derived from
  anything the candidate already knows. An existing candidate who never had a password (first
  enrolled in an ``id_last6`` session) gets one too.

Initial passwords are hashed with a light argon2 (``INITIAL_HASHER``, ~1 ms against ~25–50 ms for a
sign-in hash): they are machine-made with ~59 bits of entropy (12 characters of 31), so the light hash is still out of
reach of offline guessing, and it keeps a 5,000-row import inside one request (the full cost made a
1,000-row import take 50 s here). The first sign-in upgrades the hash to the full parameters
(``accounts.service.authenticate`` rehashes whatever ``check_needs_rehash`` flags). Hashes are made
before the write transaction opens: on SQLite that transaction blocks every other writer,
exam-room autosaves included.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from exam.accounts.models import CandidateProfile, User
from exam.audit import service as audit
from exam.db import write_session
from exam.sessions import conflicts, service
from exam.sessions.roster import sheet as roster
from exam.sessions.roster.contact import mask_mobile
from exam.sessions.roster.idcard import mask
from exam.sessions.models import Enrollment, ExamSession
from exam.timeutil import utcnow

NEW, EXISTING, ENROLLED = "new", "existing", "enrolled"
STATUSES = {NEW: "新考生：创建账号并报名", EXISTING: "已有考生：报名本场次", ENROLLED: "已报名本场次"}
ID_LAST6, PASSWORD = "id_last6", "password"
#: Django's convention: a hash that no password can match (argon2 refuses to parse it).
UNUSABLE_PREFIX = "!"
#: Initial passwords: no 0/O, 1/l/I — they are read off paper and typed by someone else.
PASSWORD_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
PASSWORD_LENGTH = 12
INITIAL_HASHER = PasswordHasher(time_cost=1, memory_cost=2048, parallelism=1)
_CHUNK = 500


class RosterImportError(ValueError):
    """Nothing was imported; ``errors`` lists every reason, each a Chinese sentence."""

    def __init__(self, errors: list[str]):
        super().__init__("；".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class PreviewRow:
    row: roster.RosterRow
    status: str
    user_id: int | None = None
    username: str | None = None
    changes: tuple[str, ...] = ()
    gets_password: bool = False

    @property
    def masked_id(self) -> str:
        return mask(self.row.id_number)


@dataclass
class RosterPreview:
    filename: str
    rows: list[PreviewRow] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.conflicts

    @property
    def changes(self) -> int:
        return sum(1 for r in self.rows if r.status != ENROLLED or r.changes or r.gets_password)


@dataclass(frozen=True)
class Credential:
    name: str
    username: str
    ticket_number: str
    password: str


@dataclass(frozen=True)
class ImportReport:
    created: int
    enrolled: int
    already: int
    updated: int
    credentials: list[Credential]

    @property
    def changed(self) -> bool:
        return bool(self.created or self.enrolled or self.updated or self.credentials)


def unusable_password_hash() -> str:
    return UNUSABLE_PREFIX + secrets.token_urlsafe(24)


def has_usable_password(user: User) -> bool:
    return not user.password_hash.startswith(UNUSABLE_PREFIX)


def new_password() -> str:
    return "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(PASSWORD_LENGTH))


def _same_name(a: str, b: str) -> bool:
    def key(s):
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s or "")).casefold()
    return key(a) == key(b)


def _known(db: Session, numbers: list[str]) -> dict[str, tuple[CandidateProfile, User]]:
    found = {}
    for i in range(0, len(numbers), _CHUNK):
        rows = db.exec(select(CandidateProfile, User).join(User, User.id == CandidateProfile.user_id)
                       .where(CandidateProfile.id_number.in_(numbers[i:i + _CHUNK]))).all()
        found.update({p.id_number: (p, u) for p, u in rows})
    return found


def _changes(profile: CandidateProfile, row: roster.RosterRow) -> tuple[str, ...]:
    out = []
    if profile.phone != row.phone:
        out.append(f"手机号 {mask_mobile(profile.phone) if profile.phone else '（空）'} → {mask_mobile(row.phone)}")
    if row.employer and profile.employer != row.employer:
        out.append(f"工作单位 {profile.employer or '（空）'} → {row.employer}")
    return tuple(out)


def preview(db: Session, session: ExamSession, filename: str, data: bytes, today: date, tz: str) -> RosterPreview:
    """What importing the file would do; reads only."""
    parsed = roster.parse(filename, data, today)
    if parsed.errors:
        return RosterPreview(filename, errors=list(parsed.errors))
    known = _known(db, [r.id_number for r in parsed.rows])
    enrolled = set(db.exec(select(Enrollment.candidate_id).where(Enrollment.session_id == session.id)))
    wants_password = session.signin_mode == PASSWORD
    result = RosterPreview(filename)
    for row in parsed.rows:
        where = f"文件 {filename} 第 {row.line} 行"
        if row.id_number not in known:
            result.rows.append(PreviewRow(row, NEW, gets_password=wants_password))
            continue
        profile, user = known[row.id_number]
        if user.role != "candidate":
            result.errors.append(f"{where}，身份证号：{mask(row.id_number)} 已登记在非考生账号 {user.username} 上，不能报名考试")
        elif not user.active:
            result.errors.append(f"{where}，身份证号：{mask(row.id_number)} 对应的考生账号 {user.username} 已停用，请先联系管理员启用")
        elif not _same_name(user.display_name, row.name):
            result.errors.append(
                f"{where}，姓名：身份证号 {mask(row.id_number)} 已登记为考生“{user.display_name}”（{user.username}），"
                f"与文件中的“{row.name}”不一致，请核对姓名或身份证号")
        else:
            status = ENROLLED if user.id in enrolled else EXISTING
            result.rows.append(PreviewRow(row, status, user.id, user.username, _changes(profile, row),
                                          gets_password=wants_password and not has_usable_password(user)))
    if result.errors:
        result.rows = []
        return result
    joining = [r.user_id for r in result.rows if r.status == EXISTING]
    result.conflicts = (
        conflicts.candidate_conflicts(db, joining, conflicts.Span.of(session), tz, exclude_session_id=session.id)
        + conflicts.capacity_conflicts(db, conflicts.session_room_ids(db, session.id),
                                       len(enrolled) + len(joining) + result.count(NEW)))
    return result


def _hash_ahead(rows: list[PreviewRow]) -> dict[str, tuple[str, str]]:
    """(password, hash) by ID number for every row that will get an initial password."""
    out = {}
    for r in rows:
        if r.gets_password:
            password = new_password()
            out[r.row.id_number] = (password, INITIAL_HASHER.hash(password))
    return out


def confirm(engine: Engine, session_id: int, filename: str, data: bytes, today: date, tz: str,
            actor_id: int | None) -> ImportReport:
    """Import the file into the session in one write transaction, or raise RosterImportError and
    change nothing. The file is parsed and checked again here: the preview the examiner saw may be
    hours old, and another roster may have been imported since."""
    with Session(engine) as db:
        session = db.get(ExamSession, session_id)
        if session is None:
            raise RosterImportError(["场次不存在"])
        ahead = _hash_ahead(preview(db, session, filename, data, today, tz).rows)
    with write_session(engine) as db:
        session = db.get(ExamSession, session_id)
        plan = preview(db, session, filename, data, today, tz)
        if not plan.ok:
            raise RosterImportError(plan.errors + plan.conflicts)
        secrets_by_id = {}
        for r in plan.rows:
            if r.gets_password:
                secrets_by_id[r.row.id_number] = ahead.get(r.row.id_number) or (
                    (pw := new_password()), INITIAL_HASHER.hash(pw))
        report = _apply(db, session, plan, secrets_by_id, actor_id, filename)
    return report


def _apply(db: Session, session: ExamSession, plan: RosterPreview, secrets_by_id: dict[str, tuple[str, str]],
           actor_id: int | None, filename: str) -> ImportReport:
    now = utcnow()
    new_users: dict[str, User] = {}
    updated = 0
    for r in plan.rows:
        row = r.row
        if r.status == NEW:
            pw_hash = secrets_by_id[row.id_number][1] if r.gets_password else unusable_password_hash()
            # A placeholder name until the ticket number exists (the enrolment needs the user first).
            user = User(username=f"~roster-{secrets.token_hex(8)}", display_name=row.name, role="candidate",
                        password_hash=pw_hash, must_change_password=r.gets_password)
            db.add(user)
            db.flush()
            db.add(CandidateProfile(user_id=user.id, id_number=row.id_number, phone=row.phone,
                                    employer=row.employer, updated_at=now))
            new_users[row.id_number] = user
            continue
        user = db.get(User, r.user_id)
        if r.gets_password:
            user.password_hash = secrets_by_id[row.id_number][1]
            user.must_change_password = True  # the examiner saw it: the candidate chooses their own
            db.add(user)
        if r.changes:
            profile = db.get(CandidateProfile, r.user_id)
            profile.phone = row.phone
            if row.employer:
                profile.employer = row.employer
            profile.updated_at = now
            db.add(profile)
            updated += 1
    db.flush()
    ids = [new_users[r.row.id_number].id if r.status == NEW else r.user_id for r in plan.rows]
    service.enrol(db, session.id, ids)
    tickets = dict(db.exec(select(Enrollment.candidate_id, Enrollment.ticket_number)
                           .where(Enrollment.session_id == session.id)).all())
    for user in new_users.values():
        user.username = tickets[user.id]
        db.add(user)
    db.flush()
    credentials = []
    for r, uid in zip(plan.rows, ids):
        if r.gets_password:
            user = db.get(User, uid)
            credentials.append(Credential(r.row.name, user.username, tickets[uid], secrets_by_id[r.row.id_number][0]))
    report = ImportReport(created=plan.count(NEW), enrolled=plan.count(EXISTING), already=plan.count(ENROLLED),
                          updated=updated, credentials=credentials)
    if report.changed:
        audit.record(db.connection(), "roster.import", "exam_session", session.id, actor_id=actor_id,
                     filename=filename, rows=len(plan.rows), created=report.created, enrolled=report.enrolled,
                     already=report.already, updated=report.updated, passwords_issued=len(credentials))
    return report
