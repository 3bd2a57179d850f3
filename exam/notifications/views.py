from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exam import web
from exam.accounts.models import ROLES
from exam.db import write_connection
from exam.notifications import service

bp = Blueprint("notifications", __name__)

ALL_ROLES = tuple(ROLES)


@bp.route("/notifications")
@web.roles_required(*ALL_ROLES)
def index():
    return render_template("notifications/index.html", items=service.recent(web.db(), current_user.id),
                           form=FlaskForm())


@bp.route("/notifications/read", methods=["POST"])
@web.roles_required(*ALL_ROLES)
def mark_read():
    with write_connection(web.engine()) as conn:
        service.mark_all_read(conn, current_user.id)
    return redirect(url_for("notifications.index"))
