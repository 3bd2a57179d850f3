"""The certificate life cycle on the register: issue on publication, revoke, reissue, and the reads
the pages need. No Flask here; every change is audited in its own transaction.

Issuing runs inside the results publication's transaction (``exam.sessions.results.publication.publish``),
so results and certificates become visible together or not at all. It is idempotent twice over: a
candidate who already holds a certificate of the level is skipped, and the insert itself does
nothing on the (candidate, level, revision) unique key, so two publications racing on PostgreSQL
cannot grant a second certificate either.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from certificates import fonts, numbering, rules
from certificates.models import Certificate
from certificates.view import decimal_text, mask_id
from exam.accounts.models import CandidateProfile, User
from exam.audit.service import event, record, record_many
from exam.db import write_session
from exam.notifications.service import Message, send
from exam.timeutil import local_today

MAX_NAME = 100
MAX_REASON = 500
#: The candidate's page the issue notification links to (no ``url_for`` outside requests).
CANDIDATE_PAGE = "/candidate/certificates"


class CertificateError(ValueError):
    """A life-cycle step was refused; the message says why, in Chinese."""


# ---------------------------------------------------------------- issue

def printable(name: str, who: str = "持证人姓名") -> None:
    """Refuse a name the certificate fonts cannot print (``fonts.check_printable``), naming the
    character: checked before anything is issued or reissued, never discovered at the PDF download."""
    try:
        fonts.check_printable(name, f"{who}“{name}”")
    except fonts.Unprintable as exc:
        raise CertificateError(str(exc)) from None


def unprintable_names(db: Session, level: str, table) -> list[str]:
    """Why a session's certificates could not be issued: one line per candidate the rule grants a
    certificate whose name the fonts cannot print (results publication refuses to go ahead)."""
    granted = rules.grants(level, table.rows)
    if not granted:
        return []
    ids = [g.candidate_id for g in granted]
    problems = []
    for uid, name in db.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all():
        try:
            printable(name or "", f"考生 {uid} 的姓名")
        except CertificateError as exc:
            problems.append(f"无法颁发证书：{exc}（请先在考生资料中更正姓名）")
    return problems


def issue_for_session(db: Session, exam_session, table, now: dt.datetime, actor_id: int | None = None,
                      config: dict | None = None) -> list[str]:
    """Grant the session's certificates by the rule (``rules.grants``) in the caller's transaction;
    returns the numbers issued by this call (empty when everything was issued before)."""
    years, issuer, tz = rules.settings(config)
    level = exam_session.level
    granted = rules.grants(level, table.rows)
    if not granted:
        return []
    held = set(db.exec(select(Certificate.candidate_id).where(
        Certificate.level == level, Certificate.candidate_id.in_([g.candidate_id for g in granted]))))
    todo = [g for g in granted if g.candidate_id not in held]
    if not todo:
        return []
    ids = [g.candidate_id for g in todo]
    names = dict(db.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all())
    for uid in ids:
        printable(names[uid], f"考生 {uid} 的姓名")  # nothing is issued for a name its paper cannot print
    id_numbers = dict(db.exec(select(CandidateProfile.user_id, CandidateProfile.id_number)
                              .where(CandidateProfile.user_id.in_(ids))).all())
    issued_on = local_today(now, tz)
    expires = rules.expires_on(issued_on, years)
    conn = db.connection()
    numbers = numbering.take(conn, level, issued_on.year, len(todo))
    rows = [{"number": number, "candidate_id": g.candidate_id, "level": level, "revision": 0,
             "session_id": exam_session.id, "holder_name": names[g.candidate_id],
             "id_masked": mask_id(id_numbers.get(g.candidate_id)),
             "theory_score": decimal_text(g.theory_score), "practical_score": decimal_text(g.practical_score),
             "typing_cpm": decimal_text(g.typing_cpm), "issued_on": issued_on, "expires_on": expires,
             "issuer": issuer, "issued_at": now, "issued_by": actor_id, "revoke_reason": ""}
            for number, g in zip(numbers, todo)]
    table_ = Certificate.__table__
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (insert(table_).values(rows)
                 .on_conflict_do_nothing(index_elements=["candidate_id", "level", "revision"])
                 .returning(table_.c.id, table_.c.number, table_.c.candidate_id))
    inserted = conn.execute(statement).all()
    record_many(conn, [event("certificate.issue", "certificate", cid, actor_id, number=number, candidate_id=uid,
                             level=level, session_id=exam_session.id, scheduled=actor_id is None,
                             issued_on=issued_on, expires_on=expires)
                       for cid, number, uid in inserted])
    send(conn, [Message(user_id=uid, key=f"certificate:{number}", kind="certificate",
                        title=f"您已获得呼叫服务员职业技能等级证书（{number}）",
                        body="可在“我的证书”下载签名的 PDF 证书和开放徽章。", link=CANDIDATE_PAGE)
                for _cid, number, uid in inserted])
    return sorted(number for _cid, number, _uid in inserted)


# ---------------------------------------------------------------- revoke and reissue

def issue_published(engine: Engine, session_id: int, now: dt.datetime, actor_id: int | None = None,
                    config: dict | None = None) -> list[str]:
    """Issue what a published session's results grant and nobody holds yet: for sessions published
    before certificates existed, or after the issuing rule or a candidate's profile was corrected.
    Publication itself calls ``issue_for_session``; this is the same rule outside it, as idempotent."""
    from exam.sessions.results import table as results
    from exam.sessions.results import visibility
    from exam.sessions.models import ExamSession

    with write_session(engine) as db:
        exam_session = db.get(ExamSession, session_id)
        if exam_session is None:
            raise CertificateError(f"场次 {session_id} 不存在")
        if not visibility.of(exam_session).published:
            raise CertificateError(f"场次 {session_id}（{exam_session.name}）的成绩尚未发布，发布成绩时会自动颁发证书")
        return issue_for_session(db, exam_session, results.session_table(db, exam_session, now), now, actor_id,
                                 config)


def _reason(reason: str | None, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(f"{what}原因：必须填写")
    if len(reason) > MAX_REASON:
        raise CertificateError(f"{what}原因：最多 {MAX_REASON} 字（实际 {len(reason)} 字）")
    return reason


def _locked(db: Session, certificate_id: int) -> Certificate:
    cert = db.exec(select(Certificate).where(Certificate.id == certificate_id).with_for_update()).first()
    if cert is None:
        raise CertificateError(f"证书 {certificate_id} 不存在")
    return cert


def revoke(engine: Engine, certificate_id: int, reason: str, actor_id: int, now: dt.datetime) -> str:
    """Revoke with a reason; returns the number. A revoked certificate stays in the register.
    Pages never call this directly: a revocation is requested and approved (``changes``)."""
    with write_session(engine) as db:
        return revoke_in(db, certificate_id, reason, actor_id, now)


def revoke_in(db: Session, certificate_id: int, reason: str, actor_id: int, now: dt.datetime,
              **audit) -> str:
    reason = _reason(reason, "撤销")
    cert = _locked(db, certificate_id)
    if cert.revoked_at is not None:
        raise CertificateError(f"证书 {cert.number} 已于此前撤销，无需再次撤销")
    cert.revoked_at, cert.revoked_by, cert.revoke_reason = now, actor_id, reason
    db.add(cert)
    db.flush()
    record(db.connection(), "certificate.revoke", "certificate", cert.id, actor_id=actor_id,
           number=cert.number, candidate_id=cert.candidate_id, reason=reason, **audit)
    return cert.number


def clean_name(name: str | None) -> str:
    """A holder's name as printed: NFKC (full-width letters folded), inner runs of spaces as one."""
    name = " ".join(unicodedata.normalize("NFKC", name or "").split())
    if not name:
        raise CertificateError("持证人姓名：必须填写")
    if len(name) > MAX_NAME:
        raise CertificateError(f"持证人姓名：最多 {MAX_NAME} 字（实际 {len(name)} 字）")
    printable(name)
    return name


def reissue(engine: Engine, certificate_id: int, holder_name: str, reason: str, actor_id: int,
            now: dt.datetime, config: dict | None = None) -> tuple[int, str]:
    """Replace a certificate (e.g. a corrected name): the old one is revoked, a new one with a new
    number records the same level, results and dates, and the two point at each other. The masked ID
    is taken afresh from the candidate's profile, which may have been corrected too. Returns the new
    certificate's id and number. Only the latest certificate of a line can be reissued (a line never forks).
    Pages never call this directly: a reissue is requested and approved (``changes``)."""
    with write_session(engine) as db:
        return reissue_in(db, certificate_id, holder_name, reason, actor_id, now, config)


def reissue_in(db: Session, certificate_id: int, holder_name: str, reason: str, actor_id: int,
               now: dt.datetime, config: dict | None = None, **audit) -> tuple[int, str]:
    reason = _reason(reason, "重新颁发")
    name = clean_name(holder_name)
    _years, _issuer, tz = rules.settings(config)
    old = _locked(db, certificate_id)
    if old.replaced_by_id is not None:
        newer = db.get(Certificate, old.replaced_by_id)
        raise CertificateError(f"证书 {old.number} 已重新颁发为 {newer.number if newer else '新证书'}，"
                               "请对最新的证书操作")
    profile = db.get(CandidateProfile, old.candidate_id)
    conn = db.connection()
    [number] = numbering.take(conn, old.level, local_today(now, tz).year)
    new = Certificate(
        number=number, candidate_id=old.candidate_id, level=old.level, revision=old.revision + 1,
        session_id=old.session_id, holder_name=name,
        id_masked=mask_id(profile.id_number) if profile and profile.id_number else old.id_masked,
        theory_score=old.theory_score, practical_score=old.practical_score, typing_cpm=old.typing_cpm,
        issued_on=old.issued_on, expires_on=old.expires_on, issuer=old.issuer, issued_at=now,
        issued_by=actor_id, replaces_id=old.id)
    db.add(new)
    db.flush()
    was_revoked = old.revoked_at is not None
    if not was_revoked:
        old.revoked_at, old.revoked_by = now, actor_id
        old.revoke_reason = f"已重新颁发为 {number}：{reason}"
    old.replaced_by_id = new.id
    db.add(old)
    db.flush()
    conn = db.connection()
    if not was_revoked:
        record(conn, "certificate.revoke", "certificate", old.id, actor_id=actor_id, number=old.number,
               candidate_id=old.candidate_id, reason=old.revoke_reason, replaced_by=number, **audit)
    record(conn, "certificate.reissue", "certificate", new.id, actor_id=actor_id, number=number,
           replaces=old.number, candidate_id=old.candidate_id, reason=reason,
           name_before=old.holder_name, name_after=name, **audit)
    return new.id, number


# ---------------------------------------------------------------- reads

def names_of(db: Session, user_ids) -> dict[int, str]:
    """Display names of the people named on a page (requesters, approvers)."""
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}
    return dict(db.exec(select(User.id, User.display_name).where(User.id.in_(ids))).all())


def holder_profile_name(db: Session, cert: Certificate) -> str:
    """The candidate's name as their profile has it (a reissue under another name needs grounds)."""
    user = db.get(User, cert.candidate_id)
    return user.display_name if user else ""

def get(db: Session, certificate_id: int) -> Certificate | None:
    return db.get(Certificate, certificate_id)


def by_number(db: Session, number: str) -> Certificate | None:
    """The register's row for a number as a person typed it (``numbering.normalise``)."""
    return db.exec(select(Certificate).where(Certificate.number == numbering.normalise(number))).first()


def of_session(db: Session, session_id: int) -> list[Certificate]:
    return list(db.exec(select(Certificate).where(Certificate.session_id == session_id)
                        .order_by(Certificate.number)))


def of_candidate(db: Session, candidate_id: int) -> list[Certificate]:
    return list(db.exec(select(Certificate).where(Certificate.candidate_id == candidate_id)
                        .order_by(Certificate.issued_at.desc(), Certificate.id.desc())))


def numbers_of(db: Session, ids: list[int]) -> dict[int, str]:
    """Numbers of linked certificates (replaces / replaced by), for the pages' links."""
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(db.exec(select(Certificate.id, Certificate.number).where(Certificate.id.in_(ids))).all())
