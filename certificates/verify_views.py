"""Verification for everyone who holds a certificate in front of them: the public look-up by number
and name, the QR code's landing page, the PDF upload, the JSON API, and bulk files for verifiers.

The look-up (page and API) is the one door an enumerator could use, so it goes through the one
throttle (``exam.throttle``, scope ``cert_lookup``): every look-up of an address counts against a
rate, and wrong names for a number slow that number *from that address* down — so ten wrong names
from elsewhere never block the holder's own look-up. Every answer — found, not found, wrong name,
throttled — leaves after the same time: the work is padded up to a multiple of ``VERIFY_MIN_SECONDS``.
Bulk files count every row against the verifier's account: rows an hour, and wrong names per number
(``bulk_row``), so one upload of one number with 2,000 names checks only the first few.
"""

from __future__ import annotations

import math
import time

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_login import current_user

from certificates import bulk, keys_folder, numbering, verification
from certificates.verify_forms import BulkForm, LookupForm, PdfForm
from exam import throttle, web
from exam.db import write_connection
from exam.timeutil import to_local

bp = Blueprint("verify", __name__, template_folder="templates")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _jwks() -> dict:
    """This instance's public keys; none yet (``callexam keys init`` not run) verifies no token."""
    from certificates import jws_keys
    try:
        return jws_keys.jwks(keys_folder(current_app.config))
    except (FileNotFoundError, OSError, ValueError):
        return {"keys": []}


_FINGERPRINTS: dict[tuple, str] = {}


def ca_fingerprint(folder) -> str | None:
    """The root certificate's SHA-256 fingerprint as ``callexam keys list`` prints it (None before
    ``callexam keys init``); kept per process until the file changes."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from certificates import pki
    try:
        pem = pki.ca_certificate_pem(folder)
    except (FileNotFoundError, ValueError, OSError):
        return None
    key = (str(folder), hash(pem))
    if key not in _FINGERPRINTS:
        _FINGERPRINTS.clear()
        _FINGERPRINTS[key] = x509.load_pem_x509_certificate(pem).fingerprint(hashes.SHA256()).hex(":").upper()
    return _FINGERPRINTS[key]


@bp.context_processor
def _trust() -> dict:
    """Every verify page shows the CA fingerprint and links ca.pem (verify_trust.html)."""
    return {"ca_fingerprint": ca_fingerprint(keys_folder(current_app.config))}


def _policy(name: str) -> throttle.Policy:
    return throttle.policy(current_app.config, name)


def _pad(started: float) -> None:
    """Sleep up to the next multiple of the floor, so a slow database shifts every answer alike."""
    floor = float(current_app.config.get("VERIFY_MIN_SECONDS", 0.3))
    if floor <= 0:
        return
    elapsed = time.monotonic() - started
    time.sleep(max(1, math.ceil(elapsed / floor)) * floor - elapsed)


def _throttled_message(verdict: throttle.Verdict) -> str:
    return f"查询过于频繁，请 {verdict.wait_text}后再试"


def _public_lookup(number: str, name: str):
    """Found, None (no such number, or a name that does not match), or a refusing Verdict; padded."""
    started = time.monotonic()
    try:
        engine, now, policy = web.engine(), web.now(), _policy("cert_lookup")
        source, key = f"ip:{request.remote_addr or '-'}", numbering.normalise(number)
        verdict = throttle.check(engine, policy, key, source, now)
        if not verdict.allowed:
            return verdict
        found = verification.lookup(web.db(), number, name, web.today(), web.tz())
        throttle.record(engine, policy, [(key, source, found is None)], now)
        return found
    finally:
        _pad(started)


@bp.route("/verify", methods=["GET", "POST"])
@web.public
def lookup():
    token = request.args.get("t")
    if token is not None and request.method == "GET":
        report = verification.verify_token(token, _jwks(), verification.local_register(web.db(), web.today(), web.tz()), web.today())
        report.cannot_verify = verification.cannot_verify_reason(report)     # no keys here yet: not "forged"
        return render_template("certificates/verify_token.html", report=report)
    form = LookupForm()
    outcome, status, throttled = None, 200, None
    if form.validate_on_submit():
        outcome = _public_lookup(form.number.data, form.name.data)
        if isinstance(outcome, throttle.Verdict):
            status, throttled, outcome = 429, _throttled_message(outcome), None
        elif outcome is None:
            outcome = verification.NOT_FOUND
    return render_template("certificates/verify.html", form=form, outcome=outcome,
                           throttled=throttled if status == 429 else None), status


@bp.route("/api/v1/certificates/<path:number>")
@web.public
def api_lookup(number: str):
    """``GET /api/v1/certificates/HJ-2026-C-000123?name=张三``: 200 with the register's answer, 404
    when the number and name do not match a certificate, 400 without a name, 429 when throttled."""
    name = (request.args.get("name") or "").strip()
    if not name or not number.strip():
        return jsonify(error="请同时提供证书编号和持证人姓名（参数 name）"), 400
    outcome = _public_lookup(number, name)
    if isinstance(outcome, throttle.Verdict):
        return jsonify(error=_throttled_message(outcome)), 429, {"Retry-After": str(outcome.retry_after)}
    if outcome is None:
        return jsonify(found=False, status=verification.NOT_FOUND,
                       error="未找到：证书编号不存在，或姓名与证书不符"), 404
    return jsonify(outcome.as_json())


def _base_url() -> str:
    from certificates import files
    return files.base_url(current_app.config, request.url_root)


def _local_status(url: str) -> bytes:
    """This instance's revocation list (made here, not fetched over HTTP from ourselves); another
    instance's list is not fetched by the web page (it would make our server a fetcher of URLs
    strangers choose), so a badge naming one cannot be confirmed here."""
    from certificates import badge, status_list
    if url != badge.status_list_url(_base_url()):
        raise verification.RegisterUnavailable("徽章的撤销状态列表不在本考点")
    return status_list.current(web.db(), keys_folder(current_app.config), _base_url()).encode("ascii")


def _row_by_number(number: str):
    from certificates import service
    row = service.by_number(web.db(), number)
    if row is None:
        return None
    return verification._found(row, web.today(), web.tz()), row.holder_name


def check_upload(data: bytes) -> verification.Report:
    """An upload on the page: ``verification.verify_file`` against this instance."""
    return verification.verify_file(data, keys_folder(current_app.config), _jwks(),
                                    verification.local_register(web.db(), web.today(), web.tz()),
                                    _local_status, _row_by_number, web.today(), web.tz())


@bp.route("/api/v1/verify", methods=["GET", "POST"])
@web.public
def api_verify():
    """The upload page's checks for systems: ``POST`` a certificate PDF, an Open Badge (``.jwt`` or
    wallet ``.json``) or a photo (PNG/JPEG) as the request body or as the multipart field ``file``;
    ``GET ?t=<token>`` checks a QR token like the QR page. 200 with ``Report.as_json`` whatever the
    verdict (``ok``, ``genuine``, ``cannot_verify``, ``status``, each check); 400 nothing to check,
    413 too large, 429 throttled (the upload page's limit). Exempt from CSRF (``init_app``): it acts
    for nobody — no session, no account, nothing changes but the address's throttle count."""
    from certificates.verify_forms import PDF_MAX_BYTES
    if request.method == "GET":
        token = (request.args.get("t") or "").strip()
        if not token:
            return jsonify(error="请提供二维码令牌（参数 t），或用 POST 上传证书文件"), 400
        report = verification.verify_token(token, _jwks(), verification.local_register(web.db(), web.today(), web.tz()),
                                           web.today())
        report.cannot_verify = verification.cannot_verify_reason(report)
        return jsonify(report.as_json())
    if (request.content_length or 0) > PDF_MAX_BYTES:
        return jsonify(error=f"文件超过 {PDF_MAX_BYTES // (1024 * 1024)} MB"), 413
    upload = request.files.get("file")
    data = upload.read(PDF_MAX_BYTES + 1) if upload is not None else request.get_data(cache=False)
    if len(data) > PDF_MAX_BYTES:
        return jsonify(error=f"文件超过 {PDF_MAX_BYTES // (1024 * 1024)} MB"), 413
    if not data.strip():
        return jsonify(error="没有收到要核验的文件：请在请求正文或表单字段 file 中上传证书 PDF、电子徽章或证书照片"), 400
    outcome = _throttled_upload(data)
    if isinstance(outcome, throttle.Verdict):
        return jsonify(error=_throttled_message(outcome)), 429, {"Retry-After": str(outcome.retry_after)}
    return jsonify(outcome.as_json())


def _throttled_upload(data: bytes):
    """An uploaded file checked through the one throttle (scope ``cert_pdf``: every check of an
    address counts against its rate), for the upload page and the JSON API alike: the Report, or the
    refusing Verdict."""
    engine, now, policy = web.engine(), web.now(), _policy("cert_pdf")
    source = f"ip:{request.remote_addr or '-'}"
    verdict = throttle.check(engine, policy, "pdf", source, now)
    if not verdict.allowed:
        return verdict
    report = check_upload(data)
    throttle.record(engine, policy, [("pdf", source, False)], now)
    return report


@bp.route("/verify/pdf", methods=["GET", "POST"])
@web.public
def pdf():
    form = PdfForm()
    report, status = None, 200
    if form.validate_on_submit():
        outcome = _throttled_upload(form.file.data.read())
        if isinstance(outcome, throttle.Verdict):
            return render_template("certificates/verify_pdf.html", form=form, report=None,
                                   throttled=_throttled_message(outcome)), 429
        report = outcome
    return render_template("certificates/verify_pdf.html", form=form, report=report, throttled=None), status


@bp.route("/verify/bulk", methods=["GET", "POST"])
@web.roles_required("verifier")
def bulk_page():
    form = BulkForm()
    errors: list[str] = []
    if form.validate_on_submit():
        upload = form.file.data
        parsed = bulk.parse(upload.filename or "", upload.read())
        if parsed.ok:
            policy = _policy("bulk_row")
            used = throttle.requests_from(web.engine(), policy, _verifier(), web.now())
            if used + len(parsed.rows) > (policy.per_source or 0):
                left = max(0, (policy.per_source or 0) - used)
                errors = [f"本账号一小时内最多核验 {policy.per_source} 行，已核验 {used} 行，"
                          f"本文件 {len(parsed.rows)} 行超出剩余的 {left} 行：请稍后再试或拆分文件"]
            else:
                return _bulk_results(parsed, policy)
        else:
            errors = parsed.errors
    return render_template("certificates/verify_bulk.html", form=form, errors=errors,
                           max_rows=bulk.MAX_ROWS), (400 if errors else 200)


def _verifier() -> str:
    return f"user:{current_user.id}"


def _bulk_results(parsed: bulk.BulkFile, policy: throttle.Policy) -> Response:
    """Every row counts against the account's hourly rows, and a wrong name counts against its
    number: once a number has had ``policy.free`` wrong names from this account within the window,
    its further rows are not checked (``bulk.SKIPPED_WHY``, 未核对), whatever name they carry."""
    from exam.audit.service import record
    today, now, source = web.today(), web.now(), _verifier()
    found = verification.lookup_many(web.db(), [(r.number, r.name) for r in parsed.rows], today, web.tz())
    wrong = throttle.failures_by_subject(web.engine(), policy, [r.number for r in parsed.rows], source, now)
    answers, events = [], []
    for row, hit in zip(parsed.rows, found):
        if wrong.get(row.number, 0) >= policy.free:
            answers.append(bulk.SKIPPED_WHY)
            events.append((row.number, source, False))
            continue
        answers.append(hit)
        events.append((row.number, source, hit is None))
        if hit is None:
            wrong[row.number] = wrong.get(row.number, 0) + 1
    local = to_local(now, web.tz())
    data = bulk.results_xlsx(bulk.result_lines(parsed, answers), local.strftime("%Y-%m-%d %H:%M"))
    with write_connection(web.engine()) as conn:
        throttle.record(conn, policy, events, now)
        record(conn, "certificate.verify_bulk", "user", current_user.id, actor_id=current_user.id,
               rows=len(parsed.rows), found=sum(1 for f in answers if f is not None and not isinstance(f, str)),
               skipped=sum(1 for f in answers if f is bulk.SKIPPED_WHY))
    filename = f"证书核验结果-{local.strftime('%Y%m%d-%H%M')}.xlsx"
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": _attachment(filename)})


@bp.route("/verify/bulk/template.xlsx")
@web.roles_required("verifier")
def bulk_template():
    return Response(bulk.template_xlsx(), mimetype=XLSX,
                    headers={"Content-Disposition": _attachment("证书核验名单模板.xlsx")})


def _attachment(filename: str) -> str:
    from urllib.parse import quote
    return f"attachment; filename=\"verify.xlsx\"; filename*=UTF-8''{quote(filename)}"
