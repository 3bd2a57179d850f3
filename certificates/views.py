"""Certificate pages: the examiner's register of a session (revocation and reissue *requests*, decided
by a chief examiner: ``changes``) and the candidate's own certificates (signed PDF, Open Badge). HTTP in, a call to ``service`` / ``files``, a page or a file
out; the ID number appears only masked (``view.mask_id``), as on the certificate itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from certificates import changes, files, keys_folder, service
from certificates.forms import DecisionForm, ReissueForm, RevokeForm
from certificates.models import Certificate
from certificates.jws_keys import KeyFileError
from certificates.pki import PkiError
from certificates.view import STATUS_NAMES, CertificateView
from exam import web
from exam.sessions import managed
from exam.sessions.models import ExamSession
from exam.sessions.results.export import content_disposition

bp = Blueprint("certificates", __name__, template_folder="templates")

PDF_TYPE = "application/pdf"
BADGE_TYPE = "application/vc+jwt"
#: What signing raises when the instance has no usable keys yet (``callexam keys init`` not run).
KEY_PROBLEMS = (PkiError, KeyFileError, FileNotFoundError, PermissionError)
KEYS_MISSING = "证书签名密钥尚未创建或无法读取：请系统管理员在服务器上运行 callexam keys init 后重试"


@dataclass(frozen=True)
class Row:
    """A certificate as a page shows it: the register row, what it says today, its linked numbers."""

    cert: Certificate
    view: CertificateView
    replaces: str | None
    replaced_by: str | None


def _rows(certs: list[Certificate]) -> list[Row]:
    today = web.today()
    linked = service.numbers_of(web.db(), [i for c in certs for i in (c.replaces_id, c.replaced_by_id)])
    return [Row(c, c.view(today), linked.get(c.replaces_id), linked.get(c.replaced_by_id)) for c in certs]


def _certificate(certificate_id: int) -> Certificate:
    """The certificate this examiner may act on: one of a session they are assigned to (a chief
    examiner: any). 404 when there is none, 403 when it is not theirs."""
    cert = service.get(web.db(), certificate_id) or abort(404)
    managed.check(web.db(), cert.session_id)
    return cert


def _own(certificate_id: int) -> Certificate:
    """A candidate reaches only their own certificates; anyone else's is "not found", not "forbidden"."""
    cert = service.get(web.db(), certificate_id)
    if cert is None or cert.candidate_id != current_user.id:
        abort(404)
    return cert


def _base_url() -> str:
    return files.base_url(current_app.config, request.url_root)


def _signed_download(cert: Certificate, make, mimetype: str, extension: str, ascii_stem: str):
    """A file signed with the instance's keys (``files.signed_pdf`` or ``files.badge``) as an
    attachment; without usable keys, a page telling the administrator what to run (503)."""
    try:
        body = make(web.engine(), cert.id, keys_folder(current_app.config), _base_url())
    except KEY_PROBLEMS as exc:
        current_app.logger.warning("certificate %s: cannot sign its %s: %s", cert.number, extension, exc)
        return render_template("error.html", message=KEYS_MISSING, status=503), 503
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": content_disposition(
        files.filename(cert, extension), f"{ascii_stem}-{cert.number}.{extension}")})


def _pdf_response(cert: Certificate):
    return _signed_download(cert, files.signed_pdf, PDF_TYPE, "pdf", "certificate")


# ---------------------------------------------------------------- examiner

@bp.route("/examiner/sessions/<int:session_id>/certificates")
@web.roles_required(*managed.MANAGER_ROLES)
def session_certificates(session_id: int):
    exam_session = managed.managed_session(session_id)
    rows = _rows(service.of_session(web.db(), session_id))
    counts = {code: sum(1 for r in rows if r.view.status == code) for code in STATUS_NAMES}
    return render_template("certificates/session.html", exam_session=exam_session, rows=rows, counts=counts,
                           status_names=STATUS_NAMES)


@bp.route("/examiner/certificates/<int:certificate_id>")
@web.roles_required(*managed.MANAGER_ROLES)
def detail(certificate_id: int):
    cert = _certificate(certificate_id)
    [row] = _rows([cert])
    db = web.db()
    exam_session = db.get(ExamSession, cert.session_id) if cert.session_id else None
    history = changes.history(db, cert.id)
    people = service.names_of(db, {p for c in history for p in (c.requested_by, c.decided_by) if p})
    return render_template("certificates/detail.html", row=row, exam_session=exam_session,
                           revoke_form=RevokeForm(), reissue_form=ReissueForm(holder_name=cert.holder_name),
                           decision_form=DecisionForm(), pending=changes.pending(db, cert.id), history=history,
                           people=people, kind_names=changes.KIND_NAMES, status_names=changes.STATUS_NAMES,
                           profile_name=service.holder_profile_name(db, cert))


def _form_errors(form) -> str:
    return "；".join(f"{field.label.text}：{e}" for field in form for e in field.errors) or "页面已过期，请刷新后重试"


def _request(certificate_id: int, kind: str, form):
    """Revocation and reissue are requests: a chief examiner other than the requester decides."""
    _certificate(certificate_id)
    what = changes.KIND_NAMES[kind]
    back = redirect(url_for("certificates.detail", certificate_id=certificate_id))
    if not form.validate_on_submit():
        flash(f"未提交{what}申请：" + _form_errors(form), "error")
        return back
    try:
        extra = ({"holder_name": form.holder_name.data, "correction_reason": form.correction_reason.data}
                 if kind == changes.REISSUE else {})
        changes.request(web.engine(), certificate_id, kind, form.reason.data, current_user.id, web.now(), **extra)
    except service.CertificateError as exc:
        flash(f"未提交{what}申请：{exc}", "error")
        return back
    flash(f"{what}申请已提交，须由另一位考务主管批准后生效")
    return back


@bp.route("/examiner/certificates/<int:certificate_id>/revoke", methods=["POST"])
@web.roles_required(*managed.MANAGER_ROLES)
def revoke(certificate_id: int):
    return _request(certificate_id, changes.REVOKE, RevokeForm())


@bp.route("/examiner/certificates/<int:certificate_id>/reissue", methods=["POST"])
@web.roles_required(*managed.MANAGER_ROLES)
def reissue(certificate_id: int):
    return _request(certificate_id, changes.REISSUE, ReissueForm())


def _change(change_id: int):
    """A change request, through the certificate it concerns (same access rule)."""
    from certificates.models import CertificateChange
    change = web.db().get(CertificateChange, change_id) or abort(404)
    _certificate(change.certificate_id)
    return change


@bp.route("/examiner/certificate-changes/<int:change_id>/approve", methods=["POST"])
@web.roles_required("chief")
def approve_change(change_id: int):
    change = _change(change_id)
    form = DecisionForm()
    back = redirect(url_for("certificates.detail", certificate_id=change.certificate_id))
    if not form.validate_on_submit():
        flash("未审批：" + _form_errors(form), "error")
        return back
    try:
        outcome = changes.approve(web.engine(), change_id, current_user.id, web.now(), form.note.data,
                                  current_app.config)
    except service.CertificateError as exc:
        flash(f"未批准：{exc}", "error")
        return back
    if outcome.certificate_id:
        flash(f"已批准：证书已重新颁发为 {outcome.number}，原证书已撤销并与新证书互相关联")
        return redirect(url_for("certificates.detail", certificate_id=outcome.certificate_id))
    flash(f"已批准：证书 {outcome.number} 已撤销；核验时将显示“已撤销”及撤销原因")
    return back


@bp.route("/examiner/certificate-changes/<int:change_id>/reject", methods=["POST"])
@web.roles_required("chief")
def reject_change(change_id: int):
    change = _change(change_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            changes.reject(web.engine(), change_id, current_user.id, web.now(), form.note.data)
            flash("已驳回该申请")
        except service.CertificateError as exc:
            flash(f"未驳回：{exc}", "error")
    else:
        flash("未驳回：" + _form_errors(form), "error")
    return redirect(url_for("certificates.detail", certificate_id=change.certificate_id))


@bp.route("/examiner/certificate-changes/<int:change_id>/withdraw", methods=["POST"])
@web.roles_required(*managed.MANAGER_ROLES)
def withdraw_change(change_id: int):
    change = _change(change_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            changes.withdraw(web.engine(), change_id, current_user.id, web.now())
            flash("申请已撤回")
        except service.CertificateError as exc:
            flash(f"未撤回：{exc}", "error")
    return redirect(url_for("certificates.detail", certificate_id=change.certificate_id))


@bp.route("/examiner/certificate-changes")
@web.roles_required(*managed.MANAGER_ROLES)
def change_queue():
    """Pending requests: a chief examiner sees every one, an examiner those of their sessions."""
    db = web.db()
    rows = changes.queue(db)
    ids = managed.managed_ids(db, current_user.id, current_user.role)
    if ids is not None:
        rows = [(c, cert) for c, cert in rows if cert.session_id in ids]
    people = service.names_of(db, {c.requested_by for c, _ in rows})
    return render_template("certificates/changes.html", rows=rows, people=people, kind_names=changes.KIND_NAMES)


@bp.route("/examiner/certificates/<int:certificate_id>/certificate.pdf")
@web.roles_required(*managed.MANAGER_ROLES)
def examiner_pdf(certificate_id: int):
    return _pdf_response(_certificate(certificate_id))


# ---------------------------------------------------------------- candidate

@bp.route("/candidate/certificates")
@web.roles_required("candidate")
def mine():
    return render_template("certificates/mine.html", rows=_rows(service.of_candidate(web.db(), current_user.id)))


@bp.route("/candidate/certificates/<int:certificate_id>/certificate.pdf")
@web.roles_required("candidate")
def candidate_pdf(certificate_id: int):
    cert = _own(certificate_id)
    if cert.revoked_at is not None:
        abort(404)  # a revoked certificate is not handed out again; its replacement is
    return _pdf_response(cert)


@bp.route("/candidate/certificates/<int:certificate_id>/badge.jwt")
@web.roles_required("candidate")
def candidate_badge(certificate_id: int):
    cert = _own(certificate_id)
    if cert.revoked_at is not None:
        abort(404)
    return _signed_download(cert, files.badge, BADGE_TYPE, "jwt", "badge")
