"""The certificate register: one row per certificate ever issued, never deleted.

A revoked certificate stays in the register (HR must be told "已撤销", not "not found"). A reissue
(e.g. a corrected name) is a new row with a new number that points back at the one it replaces, and
the old row points forward, so either number leads to the other.

One certificate per candidate and level: ``revision`` is 0 for the certificate the issue rule
grants and n for its n-th reissue, and (candidate, level, revision) is unique, so a publication run
twice, or two sessions of the same level published at once, can never grant a second one.

The signed PDF and the QR token are made once, on first download, and kept here
(``certificates.files``): a certificate is a document that must not change after it was handed out.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from sqlalchemy import Column, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from certificates import view as views
from exam.timeutil import utcnow


class Certificate(SQLModel, table=True):
    __tablename__ = "certificate"
    __table_args__ = (
        UniqueConstraint("candidate_id", "level", "revision", name="uq_certificate_candidate_level"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    level: str = Field(max_length=16)
    revision: int = Field(default=0)
    session_id: Optional[int] = Field(default=None, foreign_key="exam_session.id", index=True)
    # What the certificate says (certificates.view.CertificateView): copied at issue, never recomputed.
    holder_name: str = Field(max_length=100)
    id_masked: str = Field(max_length=32)
    theory_score: str = Field(max_length=8)
    practical_score: str = Field(max_length=8)
    typing_cpm: str = Field(max_length=8)
    issued_on: dt.date
    expires_on: dt.date
    issuer: str = Field(max_length=200)
    issued_at: dt.datetime = Field(default_factory=utcnow)
    issued_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    revoked_at: Optional[dt.datetime] = None
    revoked_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    revoke_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    replaces_id: Optional[int] = Field(default=None, foreign_key="certificate.id")
    replaced_by_id: Optional[int] = Field(default=None, foreign_key="certificate.id")
    # Made on first download (certificates.files): the QR's compact JWS and the signed PDF.
    token: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    pdf: Optional[bytes] = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    pdf_made_at: Optional[dt.datetime] = None

    def status(self, today: dt.date) -> str:
        return views.status_on(self.revoked_at is not None, self.expires_on, today)

    def view(self, today: dt.date) -> views.CertificateView:
        from exam import standard

        return views.CertificateView(
            number=self.number, holder_name=self.holder_name, id_masked=self.id_masked,
            level_code=self.level, level_name=standard.level(self.level).name,
            theory_score=self.theory_score, practical_score=self.practical_score, typing_cpm=self.typing_cpm,
            issued_on=self.issued_on, expires_on=self.expires_on, issuer=self.issuer, status=self.status(today))


class CertificateCounter(SQLModel, table=True):
    """The last serial used per number prefix (year and level): taken with an UPDATE, which locks the
    row, so two publications never hand out the same number on PostgreSQL either."""

    __tablename__ = "certificate_counter"

    prefix: str = Field(max_length=16, primary_key=True)
    last: int = Field(default=0)


class CertificateChange(SQLModel, table=True):
    """A request to revoke or reissue a certificate, and its decision (four eyes).

    One authorised person (the session's examiner or a chief examiner) asks; another chief examiner
    approves or rejects; only an approval changes the register. A reissue under a name that differs
    from the candidate's profile carries a correction reason and, on approval, corrects the profile
    too, so the register and the profile never disagree. At most one request per certificate is
    pending (``pending_for``: a partial uniqueness kept by the service under the certificate's lock).
    """

    __tablename__ = "certificate_change"

    id: Optional[int] = Field(default=None, primary_key=True)
    certificate_id: int = Field(foreign_key="certificate.id", index=True)
    kind: str = Field(max_length=8)                       # revoke | reissue
    reason: str = Field(sa_column=Column(Text, nullable=False))
    holder_name: Optional[str] = Field(default=None, max_length=100)   # reissue: the name to print
    correction_reason: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    profile_name_before: Optional[str] = Field(default=None, max_length=100)  # set when the profile changes
    status: str = Field(default="pending", max_length=10)  # pending | approved | rejected | withdrawn
    requested_by: int = Field(foreign_key="user_account.id")
    requested_at: dt.datetime = Field(default_factory=utcnow)
    decided_by: Optional[int] = Field(default=None, foreign_key="user_account.id")
    decided_at: Optional[dt.datetime] = None
    decision_note: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    result_certificate_id: Optional[int] = Field(default=None, foreign_key="certificate.id")
