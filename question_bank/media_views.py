"""Serves the bank's pictures (``/media/<sha256>.<ext>``) to those who may see them (``media_store.visible``).

The address is the SHA-256 of the bytes, so a picture never changes under its address: the browser
keeps it (privately: it is still behind sign-in and the access rule) for a year without asking again.
The type sent is the one the bytes were checked to be when stored (``formats.media``), never guessed
by the browser (``nosniff``, set on every response), and a picture is shown, never offered as a download.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response
from flask_login import current_user

from exam import web
from question_bank import media_store
from question_bank.formats import media

bp = Blueprint("item_media", __name__)

YEAR = 365 * 24 * 3600


@bp.route("/media/<string:sha256>.<string:ext>")
@web.roles_required("trainer", "candidate", "examiner", "chief")
def picture(sha256: str, ext: str):
    if media.URL_RE.fullmatch(f"/media/{sha256}.{ext}") is None:
        abort(404)
    found = media_store.visible(web.db(), sha256, current_user.id, current_user.role)
    if found is None or media.EXT_BY_MIME.get(found.mime) != ext:
        abort(404)                      # not shown on anything this user may see: it does not exist for them
    response = make_response(bytes(found.data))
    response.headers["Content-Type"] = found.mime
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = f"private, max-age={YEAR}, immutable"
    return response
