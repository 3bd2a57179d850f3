"""Certificate pages: the examiner's register of a session (revoke, reissue) and the candidate's own
certificates (signed PDF, Open Badge). HTTP in, a call to ``service`` / ``files``, a page or a file
out; the ID number appears only masked (``view.mask_id``), as on the certificate itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from certificates import files, keys_folder, service
from certificates.forms import ReissueForm, RevokeForm
from certificates.models import Certificate
from certificates.jws_keys import KeyFileError
from certificates.pki import PkiError
from certificates.view import STATUS_NAMES, CertificateView
from exam import web
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
    return service.get(web.db(), certificate_id) or abort(404)


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
@web.roles_required("examiner")
def session_certificates(session_id: int):
    exam_session = web.db().get(ExamSession, session_id) or abort(404)
    rows = _rows(service.of_session(web.db(), session_id))
    counts = {code: sum(1 for r in rows if r.view.status == code) for code in STATUS_NAMES}
    return render_template("certificates/session.html", exam_session=exam_session, rows=rows, counts=counts,
                           status_names=STATUS_NAMES)


@bp.route("/examiner/certificates/<int:certificate_id>")
@web.roles_required("examiner")
def detail(certificate_id: int):
    cert = _certificate(certificate_id)
    [row] = _rows([cert])
    exam_session = web.db().get(ExamSession, cert.session_id) if cert.session_id else None
    return render_template("certificates/detail.html", row=row, exam_session=exam_session,
                           revoke_form=RevokeForm(), reissue_form=ReissueForm(holder_name=cert.holder_name))


def _form_errors(form) -> str:
    return "；".join(f"{field.label.text}：{e}" for field in form for e in field.errors) or "页面已过期，请刷新后重试"


@bp.route("/examiner/certificates/<int:certificate_id>/revoke", methods=["POST"])
@web.roles_required("examiner")
def revoke(certificate_id: int):
    _certificate(certificate_id)
    form = RevokeForm()
    back = redirect(url_for("certificates.detail", certificate_id=certificate_id))
    if not form.validate_on_submit():
        flash("未撤销：" + _form_errors(form), "error")
        return back
    try:
        number = service.revoke(web.engine(), certificate_id, form.reason.data, current_user.id, web.now())
    except service.CertificateError as exc:
        flash(f"未撤销：{exc}", "error")
        return back
    flash(f"证书 {number} 已撤销；核验时将显示“已撤销”及撤销原因")
    return back


@bp.route("/examiner/certificates/<int:certificate_id>/reissue", methods=["POST"])
@web.roles_required("examiner")
def reissue(certificate_id: int):
    _certificate(certificate_id)
    form = ReissueForm()
    if not form.validate_on_submit():
        flash("未重新颁发：" + _form_errors(form), "error")
        return redirect(url_for("certificates.detail", certificate_id=certificate_id))
    try:
        new_id, number = service.reissue(web.engine(), certificate_id, form.holder_name.data, form.reason.data,
                                 current_user.id, web.now(), current_app.config)
    except service.CertificateError as exc:
        flash(f"未重新颁发：{exc}", "error")
        return redirect(url_for("certificates.detail", certificate_id=certificate_id))
    flash(f"已重新颁发为证书 {number}，原证书已撤销并与新证书互相关联")
    return redirect(url_for("certificates.detail", certificate_id=new_id))


@bp.route("/examiner/certificates/<int:certificate_id>/certificate.pdf")
@web.roles_required("examiner")
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
