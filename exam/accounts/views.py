from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from exam import web
from exam.accounts import service
from exam.accounts.forms import LoginForm, UserForm
from exam.db import write_session
from exam.sessions.roster import tickets

bp = Blueprint("accounts", __name__)

HOME_BY_ROLE = {
    "candidate": "delivery.home",
    "examiner": "sessions.index",
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
        result = service.authenticate(
            web.engine(), tickets.sign_in_text(form.username.data), form.password.data, request.remote_addr or "-", web.now(),
            cfg["LOGIN_MAX_FAILURES"], cfg["LOGIN_MAX_FAILURES_PER_IP"], cfg["LOGIN_FAILURE_WINDOW_SECONDS"])
        user = web.CurrentUser(result.user.id, result.user.username, result.user.display_name,
                               result.user.role) if result.user else None
        if user:
            login_user(user)
            if user.role == "candidate":
                tickets.mark_signed_in(web.engine(), user.id, web.now(), cfg["TIMEZONE"])
            target = request.args.get("next", "")
            if not target.startswith("/") or target.startswith("//"):
                target = url_for("accounts.home")
            return redirect(target)
        error, status = result.error, (429 if result.throttled else 401)
    return render_template("accounts/login.html", form=form, error=error), status


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("您已退出登录")
    return redirect(url_for("accounts.login"))


@bp.route("/admin/users", methods=["GET", "POST"])
@web.roles_required("admin")
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            with write_session(web.engine()) as db:
                user = service.create_user(db, form.username.data, form.password.data, form.role.data,
                                           form.display_name.data)
                name = user.username
            flash(f"已创建用户 {name}")
            return redirect(url_for("accounts.users"))
        except service.AccountError as exc:
            form.username.errors.append(str(exc))
    return render_template("accounts/users.html", form=form, users=service.list_users(web.db()))


@bp.route("/verifier")  # /verify is the public certificate look-up (certificates.verify_views)
@web.roles_required("verifier")
def verifier_home():
    return render_template("accounts/verifier.html")
