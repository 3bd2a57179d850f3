from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Column, LargeBinary
from sqlmodel import Field, SQLModel

from exam.timeutil import utcnow

ROLES = {
    "admin": "系统管理员",
    "trainer": "培训师/命题人",
    "examiner": "考评员",
    "candidate": "考生",
    "verifier": "证书核验员",
    "chief": "考务主管",
}

#: Roles that work on exam sessions: examiners on the sessions they are assigned to, chief examiners
#: on every session (they schedule sessions, assign examiners and approve certificate changes).
STAFF_ROLES = ("admin", "trainer", "examiner", "chief", "verifier")


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = Field(default=True)
    # Set for passwords someone else chose (a roster's initial password, an admin's reset): the
    # account can do nothing but choose its own until it has.
    must_change_password: bool = Field(default=False)
    created_at: dt.datetime = Field(default_factory=utcnow)

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


class LoginSession(SQLModel, table=True):
    """One signed-in browser, held on the server so that signing out, a password change or a
    deactivation ends it at once (a signed cookie alone stays valid until it expires). The cookie
    carries a random token; only its SHA-256 is stored, so reading this table opens no session."""

    __tablename__ = "login_session"

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    created_at: dt.datetime = Field(default_factory=utcnow)
    last_seen_at: dt.datetime = Field(default_factory=utcnow)
    ended_at: Optional[dt.datetime] = Field(default=None)
    ip: str = Field(default="", max_length=64)
    # A ticket sign-in with the last six ID characters opens only that ticket's session.
    scope_session_id: Optional[int] = Field(default=None, foreign_key="exam_session.id")


class CandidateProfile(SQLModel, table=True):
    """Who a candidate is, as the roster and the admission ticket say: the ID-card number (checked
    per GB 11643, unique: it is how a second roster finds the same person), phone, employer, photo."""

    __tablename__ = "candidate_profile"

    user_id: int = Field(foreign_key="user_account.id", primary_key=True)
    id_number: Optional[str] = Field(default=None, max_length=18, unique=True)
    phone: Optional[str] = Field(default=None, max_length=20)
    employer: str = Field(default="", max_length=200)
    photo: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    photo_type: Optional[str] = Field(default=None, max_length=32)
    updated_at: dt.datetime = Field(default_factory=utcnow)
