"""The application factory: configuration, extensions, blueprints, security headers."""

from __future__ import annotations

from fractions import Fraction

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError

from exam import config, db, domains, standard, static_assets, web
from exam.request_caches import CachingCSRFProtect, CachingSessionInterface
from exam.timeutil import to_local

csrf = CachingCSRFProtect()

#: Everything the browser needs comes from this app; scripts only from files, never inline.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def create_app(overrides: dict | None = None) -> Flask:
    cfg = config.load(overrides)
    app = Flask(__name__, instance_path=cfg["INSTANCE_PATH"], instance_relative_config=False)
    app.config.update(cfg)
    app.config.setdefault("TIMEZONE", "Asia/Shanghai")
    # Whole request bodies are capped (CSRF checking reads the form before any view); the import
    # page allows files of up to 5 MB within this.
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = 8 * 1024 * 1024
    app.extensions[web.ENGINE_KEY] = db.engine_for(app.config["DATABASE_URL"])
    app.session_interface = CachingSessionInterface()
    if app.config.get("PROXY_FIX"):
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    csrf.init_app(app)
    web.login_manager.init_app(app)
    app.teardown_appcontext(web.close_db)

    domains.init_app(app)  # every package's blueprints, commands and signal handlers

    static_assets.init_app(app)  # content-hashed static URLs, cached for a year
    _install_template_helpers(app)
    _install_error_pages(app)
    app.before_request(web.require_own_password)
    app.after_request(_security_headers)
    return app


def _install_template_helpers(app: Flask) -> None:
    tz = app.config["TIMEZONE"]

    @app.template_filter("local")
    def local(value, fmt="%Y-%m-%d %H:%M"):
        value = to_local(value, tz)
        return value.strftime(fmt) if value else "—"

    @app.template_global("window")
    def window(start, end):
        """A time window in local time, short on one day ("12-07 09:00–10:30"); the end's date is
        written whenever the window crosses midnight, and the year when it crosses a new year."""
        a, b = to_local(start, tz), to_local(end, tz)
        if a is None or b is None:
            return "—"
        if a.date() == b.date():
            return f"{a:%m-%d %H:%M}–{b:%H:%M}"
        if a.year == b.year:
            return f"{a:%m-%d %H:%M}–{b:%m-%d %H:%M}"
        return f"{a:%Y-%m-%d %H:%M}–{b:%Y-%m-%d %H:%M}"

    @app.template_filter("pts")
    def pts(value):
        """Points held as exact fractions ("15/2", Fraction) shown as a plain number (7.5)."""
        if value is None or value == "":
            return "—"
        return f"{round(float(Fraction(str(value))), 2):g}"

    @app.context_processor
    def globals_():
        return {"standard": standard, "page_header": _page_header}


def _page_header():
    """Called by base.html's header only, so JSON and file responses never pay for the query
    (``exam.page_header``: unread messages and the parts a candidate is sitting, one statement)."""
    from flask_login import current_user

    from exam import page_header
    if not current_user.is_authenticated:
        return page_header.NOBODY
    return page_header.read(web.db().connection(), current_user.id, current_user.role == "candidate", web.now())


def _install_error_pages(app: Flask) -> None:
    messages = {
        400: "请求有误", 403: "您没有权限访问此页面", 404: "页面不存在",
        405: "不支持的操作", 429: "操作过于频繁，请稍后再试", 500: "服务器内部错误，请联系考评员",
    }

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = "页面已过期或来源无法验证（CSRF 校验失败），请刷新页面后重试"
        return _error(message, 400)

    def _error(message, status):
        from flask import jsonify, request
        if request.path.startswith("/api/") or request.is_json:
            return jsonify(error=message), status
        return render_template("error.html", message=message, status=status), status

    for status, message in messages.items():
        app.register_error_handler(status, lambda exc, m=message, s=status: _error(m, s))


_SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


def _security_headers(response):
    """Set on every response (no view sets these itself, so plain assignment is enough)."""
    from flask import request
    headers = response.headers
    for name, value in _SECURITY_HEADERS:
        headers[name] = value
    cache = headers.get("Cache-Control", "")
    if not request.path.startswith("/static/") and "public" not in cache and "immutable" not in cache:
        # Every page, answer and download (results, tickets, certificates, exports) stays out of
        # every cache, the browser's included; only the app's own scripts and styles, public files a
        # view marks cacheable itself (the JWKS, the CA certificate) and content-addressed files a view
        # marks immutable (the bank's pictures, privately) are cached.
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return response
