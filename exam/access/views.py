"""The access rules on the web: the examiner's settings page and the idle lock's lock and unlock
endpoints. What the candidate pages use (descriptions, refusals, preflight fields, guard settings)
is in ``page``."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from exam import parts, web
from exam.access import gate, page, service
from exam.access.forms import AccessRulesForm
from exam.access.manager import RULES, AccessManager
from exam.access.rules.access_code import AccessCodeRule
from exam.sessions import managed
from exam.sessions.models import ExamSession

bp = Blueprint("access", __name__)


@bp.route("/examiner/sessions/<int:session_id>/access", methods=["GET", "POST"])
@managed.manages_session
def settings(session_id: int):
    exam_session = managed.managed_session(session_id)
    form = AccessRulesForm()
    if request.method == "GET":
        form.fill(exam_session.access_rules or {})
    elif form.validate_on_submit():
        before = (exam_session.access_rules or {}).get(AccessCodeRule.code, {}).get("code")
        cleaned, errors = service.save_settings(web.engine(), session_id, form.raw(), current_user.id)
        for error in errors:
            getattr(form, error.field).errors.append(str(error))
        if not errors:
            code = (cleaned.get(AccessCodeRule.code) or {}).get("code")
            flash(f"已保存准入规则。进场码：{code}，请在考场公布" if code and code != before else "已保存准入规则")
            return redirect(url_for("access.settings", session_id=session_id))
    manager = AccessManager.for_session(exam_session)
    return render_template("access/settings.html", exam_session=exam_session, form=form,
                           always_on=[cls for cls in RULES.values() if cls.always_on],
                           descriptions=manager.descriptions(exam_session, web.tz()),
                           code=(exam_session.access_rules or {}).get(AccessCodeRule.code, {}).get("code"))


@bp.route("/api/sessions/<int:session_id>/access/unlock", methods=["POST"])
@web.roles_required("candidate")
def unlock(session_id: int):
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("part") not in parts.codes():
        return jsonify(error="解锁请求格式错误：应含 part（theory、typing 或 practical）与 secret"), 400
    error = service.unlock(web.engine(), session_id, body["part"], current_user.id, str(body.get("secret") or ""),
                           web.now(), gate.throttle("unlock"), ip=gate.client_ip())
    if error:
        return jsonify(error=error), 400
    return jsonify(unlocked=True)


@bp.route("/api/sessions/<int:session_id>/access/lock", methods=["POST"])
@web.roles_required("candidate")
def lock(session_id: int):
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("part") not in parts.codes():
        return jsonify(error="锁屏请求格式错误：应含 part（theory、typing 或 practical）"), 400
    idle = body.get("idleSeconds")
    error = service.lock(web.engine(), session_id, body["part"], current_user.id, web.now(),
                         idle if isinstance(idle, int) and 0 <= idle < 10 ** 6 else None)
    if error:
        return jsonify(error=error), 400
    return jsonify(locked=True)


page.install(bp)
