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
}


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    display_name: str = Field(max_length=100)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=255)
    active: bool = Field(default=True)
    created_at: dt.datetime = Field(default_factory=utcnow)

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


class LoginFailure(SQLModel, table=True):
    """One failed sign-in; counted per account and per address to throttle guessing."""

    __tablename__ = "login_failure"

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, index=True)
    ip: str = Field(max_length=64, index=True)
    at: dt.datetime = Field(default_factory=utcnow, index=True)


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
