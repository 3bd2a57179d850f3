"""Certificate changes under four eyes: one person requests a revocation or a reissue, a chief
examiner who is not that person approves or rejects it, and only the approval touches the register.

Why: a reissue prints a genuinely signed certificate with whatever name it is given. With one
person able to do it, one examiner anywhere could mint a verifiable certificate for any name using
someone else's results. Now a changed name must either equal the candidate's profile name or come
with a correction reason — and then the approval corrects the profile in the same transaction, so
the register and the profile never disagree and the correction is itself on record. Request,
approval, rejection and withdrawal are each audited with both people named.

No Flask here; who may *ask* about a certificate is the loader's business (``views``), who may
*decide* is checked here: a chief examiner other than the requester.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from certificates import service
from certificates.models import Certificate, CertificateChange
from certificates.service import CertificateError, clean_name
from exam.accounts.models import User
from exam.audit.service import record
from exam.db import write_session

REVOKE, REISSUE = "revoke", "reissue"
KIND_NAMES = {REVOKE: "撤销", REISSUE: "重新颁发"}
PENDING, APPROVED, REJECTED, WITHDRAWN = "pending", "approved", "rejected", "withdrawn"
STATUS_NAMES = {PENDING: "待审批", APPROVED: "已批准", REJECTED: "已驳回", WITHDRAWN: "已撤回"}
APPROVER_ROLE = "chief"


def _same_name(a: str | None, b: str | None) -> bool:
    def key(s):
        return "".join(unicodedata.normalize("NFKC", s or "").split()).casefold()
    return key(a) == key(b)


@dataclass(frozen=True)
class Outcome:
    change_id: int
    number: str | None = None            # the revoked certificate's, or the new one's on a reissue
    certificate_id: int | None = None


def pending(db: Session, certificate_id: int) -> CertificateChange | None:
    return db.exec(select(CertificateChange).where(CertificateChange.certificate_id == certificate_id,
                                                   CertificateChange.status == PENDING)).first()


def history(db: Session, certificate_id: int) -> list[CertificateChange]:
    return list(db.exec(select(CertificateChange).where(CertificateChange.certificate_id == certificate_id)
                        .order_by(CertificateChange.requested_at.desc(), CertificateChange.id.desc())))


def queue(db: Session, certificate_ids: list[int] | None = None) -> list[tuple[CertificateChange, Certificate]]:
    """Pending requests, oldest first (``certificate_ids`` narrows them to what a user may see)."""
    query = (select(CertificateChange, Certificate).join(Certificate, Certificate.id == CertificateChange.certificate_id)
             .where(CertificateChange.status == PENDING).order_by(CertificateChange.requested_at, CertificateChange.id))
    if certificate_ids is not None:
        query = query.where(CertificateChange.certificate_id.in_(certificate_ids or [-1]))
    return list(db.exec(query))


def request(engine: Engine, certificate_id: int, kind: str, reason: str, requested_by: int, now: dt.datetime,
            *, holder_name: str | None = None, correction_reason: str = "") -> int:
    """Ask for a revocation or a reissue; returns the request's id. Everything that would make the
    approval fail is checked now, so the approver decides on a request that can be carried out."""
    if kind not in KIND_NAMES:
        raise CertificateError(f"未知的变更类型 {kind!r}")
    reason = service._reason(reason, KIND_NAMES[kind])
    correction_reason = " ".join((correction_reason or "").split())
    with write_session(engine) as db:
        cert = service._locked(db, certificate_id)
        if pending(db, certificate_id) is not None:
            raise CertificateError(f"证书 {cert.number} 已有一项待审批的变更申请：请等待审批或先撤回")
        if kind == REVOKE and cert.revoked_at is not None:
            raise CertificateError(f"证书 {cert.number} 已于此前撤销，无需再次撤销")
        if cert.replaced_by_id is not None:
            raise CertificateError(f"证书 {cert.number} 已重新颁发，请对最新的证书操作")
        name = None
        if kind == REISSUE:
            name = clean_name(holder_name)
            profile_name = db.get(User, cert.candidate_id).display_name
            if not _same_name(name, profile_name) and not correction_reason:
                raise CertificateError(
                    f"新姓名“{name}”与考生档案中的姓名“{profile_name}”不一致：请填写更正依据（如身份证件核对情况），"
                    "批准后考生档案中的姓名将一并更正")
            if len(correction_reason) > service.MAX_REASON:
                raise CertificateError(f"更正依据：最多 {service.MAX_REASON} 字")
            if _same_name(name, profile_name):
                correction_reason = ""
        change = CertificateChange(certificate_id=certificate_id, kind=kind, reason=reason, holder_name=name,
                                   correction_reason=correction_reason, requested_by=requested_by,
                                   requested_at=now)
        db.add(change)
        db.flush()
        record(db.connection(), "certificate.change_requested", "certificate", certificate_id,
               actor_id=requested_by, change_id=change.id, kind=kind, number=cert.number, reason=reason,
               holder_name_before=cert.holder_name, holder_name_after=name,
               correction_reason=correction_reason or None)
        return change.id


def _pending_locked(db: Session, change_id: int) -> CertificateChange:
    change = db.exec(select(CertificateChange).where(CertificateChange.id == change_id).with_for_update()).first()
    if change is None:
        raise CertificateError(f"变更申请 {change_id} 不存在")
    if change.status != PENDING:
        raise CertificateError(f"该申请已{STATUS_NAMES.get(change.status, change.status)}，不能再处理")
    return change


def _approver(db: Session, change: CertificateChange, actor_id: int) -> None:
    actor = db.get(User, actor_id)
    if actor is None or actor.role != APPROVER_ROLE or not actor.active:
        raise CertificateError("只有考务主管可以审批证书变更")
    if actor_id == change.requested_by:
        raise CertificateError("不能审批自己提出的申请：须由另一位考务主管审批")


def approve(engine: Engine, change_id: int, actor_id: int, now: dt.datetime, note: str = "",
            config: dict | None = None) -> Outcome:
    """Carry the request out as the approver, in one transaction with the decision (and, for a
    name correction, the profile change)."""
    note = " ".join((note or "").split())[:service.MAX_REASON]
    with write_session(engine) as db:
        change = _pending_locked(db, change_id)
        _approver(db, change, actor_id)
        audit = {"change_id": change.id, "requested_by": change.requested_by, "approved_by": actor_id}
        if change.kind == REVOKE:
            number = service.revoke_in(db, change.certificate_id, change.reason, actor_id, now, **audit)
            new_id = None
        else:
            cert = db.get(Certificate, change.certificate_id)
            candidate = db.get(User, cert.candidate_id)
            if change.correction_reason and not _same_name(candidate.display_name, change.holder_name):
                change.profile_name_before = candidate.display_name
                candidate.display_name = change.holder_name
                db.add(candidate)
                db.flush()
                record(db.connection(), "candidate.name_corrected", "user", candidate.id, actor_id=actor_id,
                       before=change.profile_name_before, after=change.holder_name,
                       reason=change.correction_reason, **audit)
            new_id, number = service.reissue_in(db, change.certificate_id, change.holder_name, change.reason,
                                                actor_id, now, config, **audit)
        change.status, change.decided_by, change.decided_at = APPROVED, actor_id, now
        change.decision_note, change.result_certificate_id = note, new_id
        db.add(change)
        db.flush()
        record(db.connection(), "certificate.change_approved", "certificate", change.certificate_id,
               actor_id=actor_id, change_id=change.id, kind=change.kind, requested_by=change.requested_by,
               note=note or None, result=number)
        return Outcome(change.id, number, new_id)


def reject(engine: Engine, change_id: int, actor_id: int, now: dt.datetime, note: str) -> None:
    note = " ".join((note or "").split())
    if not note:
        raise CertificateError("驳回时请写明理由，申请人会看到")
    with write_session(engine) as db:
        change = _pending_locked(db, change_id)
        _approver(db, change, actor_id)
        change.status, change.decided_by, change.decided_at = REJECTED, actor_id, now
        change.decision_note = note[:service.MAX_REASON]
        db.add(change)
        db.flush()
        record(db.connection(), "certificate.change_rejected", "certificate", change.certificate_id,
               actor_id=actor_id, change_id=change.id, kind=change.kind, requested_by=change.requested_by,
               note=change.decision_note)


def withdraw(engine: Engine, change_id: int, actor_id: int, now: dt.datetime) -> None:
    """The requester takes the request back before anyone decided."""
    with write_session(engine) as db:
        change = _pending_locked(db, change_id)
        if change.requested_by != actor_id:
            raise CertificateError("只有申请人本人可以撤回申请")
        change.status, change.decided_by, change.decided_at = WITHDRAWN, actor_id, now
        db.add(change)
        db.flush()
        record(db.connection(), "certificate.change_withdrawn", "certificate", change.certificate_id,
               actor_id=actor_id, change_id=change.id, kind=change.kind)
