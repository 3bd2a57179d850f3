from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from exam import signals, throttle, web
from exam.accounts import devices, service
from exam.accounts.forms import ActiveForm, ChangePasswordForm, LoginForm, ResetPasswordForm, UserForm
from exam.db import write_session

bp = Blueprint("accounts", __name__)

HOME_BY_ROLE = {
    "candidate": "delivery.home",
    "examiner": "sessions.index",
    "chief": "sessions.index",
    "trainer": "items.index",
    "admin": "accounts.users",
    "verifier": "accounts.verifier_home",
}


@bp.route("/")
@login_required
def home():
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


@bp.route("/login", methods=["GET", "POST"])
@web.public
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    error, status = None, 200
    if form.validate_on_submit():
        cfg = current_app.config
        device = devices.current()
        ip = request.remote_addr or "-"
        result = service.authenticate(
            web.engine(), form.username.data, form.password.data,
            service.Source(ip, device.id, device.accounts), web.now(), throttle.policy(cfg, "signin"))
        if result.user:
            account = result.user
            user = web.sign_in(account.id, account.username, account.display_name, account.role, ip=ip,
                               scope_session_id=result.scope_session_id,
                               must_change_password=account.must_change_password)
            # The roster records a candidate's 签到 (exam.sessions.roster.sign_in).
            signals.send(signals.signed_in, __name__, engine=web.engine(), user_id=user.id, role=user.role,
                         now=web.now(), config=cfg)
            if user.must_change_password:
                flash("这是别人为您设置的初始密码，请先改为只有您自己知道的密码", "error")
                target = url_for("accounts.change_password")
            else:
                target = web.safe_next(request.args.get("next")) or url_for("accounts.home")
            response = redirect(target)
            devices.remember(response, user.id)
            return response
        error, status = result.error, (429 if result.throttled else 401)
    return render_template("accounts/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    """Signing out ends every session of the account, on every browser (a copied cookie dies too)."""
    web.sign_out_everywhere()
    flash("您已退出登录")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@web.roles_required("admin", "trainer", "examiner", "chief", "verifier", "candidate")
def change_password():
    """Every role changes its own password here; a ticket sign-in with ID characters cannot (it
    proved no password). Every other session of the account ends; this browser signs in afresh."""
    if current_user.scope_session_id:
        abort(403)
    form = ChangePasswordForm()
    if form.validate_on_submit():
        problem = service.change_password(web.engine(), current_user.id, form.current.data, form.new.data,
                                          web.now())
        if problem is None:
            me = current_user
            web.sign_in(me.id, me.username, me.display_name, me.role, ip=request.remote_addr or "-")
            flash("密码已修改；其他设备上的登录已全部退出")
            return redirect(url_for("accounts.home"))
        (form.current if "当前密码" in problem else form.new).errors.append(problem)
    return render_template("accounts/password.html", form=form,
                           forced=current_user.must_change_password), (400 if form.errors else 200)


@bp.route("/admin/users", methods=["GET", "POST"])
@web.roles_required("admin")
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            with write_session(web.engine()) as db:
                # The admin chose this password: the owner replaces it at the first sign-in.
                user = service.create_user(db, form.username.data, form.password.data, form.role.data,
                                           form.display_name.data, must_change_password=True)
                name = user.username
            flash(f"已创建用户 {name}；首次登录时须修改初始密码")
            return redirect(url_for("accounts.users"))
        except service.AccountError as exc:
            form.username.errors.append(str(exc))
    return render_template("accounts/users.html", form=form, users=service.list_users(web.db()),
                           reset_form=ResetPasswordForm(), active_form=ActiveForm())


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
@web.roles_required("admin")
def set_active(user_id: int):
    """Deactivating an account ends every session it has at once."""
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    problem = service.set_active(web.engine(), user_id, form.active.data == "1", web.now(), current_user.id)
    flash(problem or ("账号已启用" if form.active.data == "1" else "账号已停用，其所有登录已立即失效"),
          "error" if problem else "message")
    return redirect(url_for("accounts.users"))


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@web.roles_required("admin")
def reset_password(user_id: int):
    form = ResetPasswordForm()
    problem = None
    if form.validate_on_submit():
        problem = service.change_password(web.engine(), user_id, None, form.password.data, web.now(),
                                          actor_id=current_user.id)
    else:
        problem = "；".join(e for errors in form.errors.values() for e in errors)
    flash(problem or "已重置密码：其所有登录已失效，下次登录时须修改密码", "error" if problem else "message")
    return redirect(url_for("accounts.users"))


@bp.route("/verifier")  # /verify is the public certificate look-up (certificates.verify_views)
@web.roles_required("verifier")
def verifier_home():
    return render_template("accounts/verifier.html")
