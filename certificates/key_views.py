"""The public halves of the signing keys, for anyone who checks a certificate away from this server.

``/.well-known/jwks.json`` is the JWK Set for the QR tokens and Open Badges (every key ever used,
current first); ``/certificates/ca.pem`` is the root a PDF reader (Acrobat, Foxit, ``pdfsig -nssdir``)
must trust to call the PDF signature trusted. Both are public and may be fetched from other sites'
pages (CORS ``*``): nothing in them is secret, and a verifier's own web tool needs them.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, render_template

from certificates import jws_keys, keys_folder
from exam import web

bp = Blueprint("keys", __name__)

#: RFC 7517's media type for a JWK Set; kept out of the app's "no-store" rule for JSON so verifiers
#: may cache it briefly (short, so a rotated-in key is seen within a minute).
JWKS_TYPE = "application/jwk-set+json"
NOT_READY = "本考点尚未生成签名密钥（管理员请运行 callexam keys init），暂时无法提供公钥"


def _public_headers(max_age: int) -> dict:
    return {"Cache-Control": f"public, max-age={max_age}", "Access-Control-Allow-Origin": "*"}


@bp.route("/.well-known/jwks.json")
@web.public
def jwks():
    try:
        keys = jws_keys.jwks(keys_folder(current_app.config))
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
