"""The public halves of the signing keys, for anyone who checks a certificate away from this server.

``/.well-known/jwks.json`` is the JWK Set for the QR tokens and Open Badges (every key ever used,
current first), ``/.well-known/jwks/<kid>.json`` one badge key (what a badge's ``kid`` URL names);
``/certificates/status/revocation`` the signed Bitstring Status List every badge points at;
``/certificates/achievements/<level>.svg`` the achievement image; ``/certificates/ca.pem`` the root a PDF reader (Acrobat, Foxit, ``pdfsig -nssdir``)
must trust to call the PDF signature trusted. Both are public and may be fetched from other sites'
pages (CORS ``*``): nothing in them is secret, and a verifier's own web tool needs them.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from certificates import files, jws_keys, keys_folder
from exam import standard, web

bp = Blueprint("keys", __name__)

#: RFC 7517's media type for a JWK Set; kept out of the app's "no-store" rule for JSON so verifiers
#: may cache it briefly (short, so a rotated-in key is seen within a minute).
JWKS_TYPE = "application/jwk-set+json"
NOT_READY = "本考点尚未生成签名密钥（管理员请运行 callexam keys init），暂时无法提供公钥"


def _public_headers(max_age: int) -> dict:
    return {"Cache-Control": f"public, max-age={max_age}", "Access-Control-Allow-Origin": "*"}


def base_url() -> str:
    """The address badges name as issuer and key host: PUBLIC_URL when set, else this request's."""
    return files.base_url(current_app.config, request.url_root)


@bp.route("/.well-known/jwks.json")
@web.public
def jwks():
    try:
        keys = jws_keys.jwks(keys_folder(current_app.config), base_url())
    except (FileNotFoundError, ValueError) as exc:
        current_app.logger.warning("JWKS unavailable: %s", exc)
        return jsonify(error=NOT_READY), 503
    return Response(json.dumps(keys, ensure_ascii=False, indent=1), mimetype=JWKS_TYPE,
                    headers=_public_headers(60))


@bp.route("/certificates/ca.pem")
@web.public
def ca_pem():
    from certificates import pki
    try:
        pem = pki.ca_certificate_pem(keys_folder(current_app.config))
    except (FileNotFoundError, ValueError) as exc:
        current_app.logger.warning("CA certificate unavailable: %s", exc)
        return render_template("error.html", message=NOT_READY, status=503), 503
    headers = _public_headers(3600)
    headers["Content-Disposition"] = "attachment; filename=callexam-ca.pem"
    return Response(pem, mimetype="application/x-pem-file", headers=headers)


@bp.route("/.well-known/jwks/<kid>.json")
@web.public
def jwk(kid: str):
    """One key of the JWK Set (a badge header's ``kid`` URL dereferences here, as OB 3.0 asks)."""
    try:
        keys = jws_keys.jwks(keys_folder(current_app.config), base_url())["keys"]
    except (FileNotFoundError, ValueError):
        return jsonify(error=NOT_READY), 503
    for key in keys:
        if jws_keys.short_kid(key["kid"]) == kid:
            return Response(json.dumps(key), mimetype="application/jwk+json", headers=_public_headers(3600))
    abort(404)


@bp.route("/certificates/status/revocation")
@web.public
def status_list():
    """The signed revocation list, made from the register (``status_list.current``)."""
    from certificates import status_list as lists
    try:
        token = lists.current(web.db(), keys_folder(current_app.config), base_url())
    except (FileNotFoundError, ValueError, OSError) as exc:
        current_app.logger.warning("status list unavailable: %s", exc)
        return jsonify(error=NOT_READY), 503
    return Response(token, mimetype="application/vc+jwt", headers=_public_headers(60))


_LEVEL_COLOURS = {"junior": "#2f6f4f", "intermediate": "#1f4e8c", "senior": "#8c1c13"}


@bp.route("/certificates/achievements/<level>.svg")
@web.public
def achievement_image(level: str):
    """The achievement's image (OB 3.0 ``Achievement.image``): a plain seal with the level."""
    from markupsafe import escape
    try:
        info = standard.level(level)
    except (KeyError, ValueError):
        abort(404)
    colour = _LEVEL_COLOURS.get(info.code, "#8c1c13")
    svg = f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 200" width="200" height="200" role="img"
 aria-label="呼叫服务员（{escape(info.name)}）">
<circle cx="100" cy="100" r="92" fill="#fbf7ec" stroke="{colour}" stroke-width="8"/>
<circle cx="100" cy="100" r="78" fill="none" stroke="#b8913a" stroke-width="2"/>
<text x="100" y="92" font-size="30" text-anchor="middle" fill="{colour}" font-family="sans-serif">呼叫服务员</text>
<text x="100" y="136" font-size="34" text-anchor="middle" fill="{colour}" font-family="sans-serif">{escape(info.name)}</text>
</svg>"""
    return Response(svg, mimetype="image/svg+xml", headers=_public_headers(86400))
