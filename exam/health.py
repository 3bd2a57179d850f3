from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from exam import web

bp = Blueprint("health", __name__)


@bp.route("/healthz")
@web.public
def healthz():
    try:
        with web.engine().connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 — any database failure means "not healthy"
        return jsonify(status="error", detail="数据库无响应"), 503
    return jsonify(status="ok")


def init_app(app) -> None:
    """Register the health check with the app (``exam.domains``)."""
    app.register_blueprint(bp)
