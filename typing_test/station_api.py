"""The exam-station agent's API. No cookies and no CSRF token: a station proves itself with the
HMAC signature of each request (``station_protocol``), so these views are public to Flask-Login and
exempt from CSRF, and check the signature themselves."""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request

from exam import web
from typing_test import station_protocol as protocol
from typing_test import station_service as stations

bp = Blueprint("station_api", __name__)


def _error(exc: stations.StationError):
    return jsonify(error=str(exc)), exc.status


def _authenticated():
    return stations.authenticate(
        web.engine(), request.headers.get(protocol.CODE_HEADER), request.headers.get(protocol.SEQ_HEADER),
        request.headers.get(protocol.SIGNATURE_HEADER), request.method, request.script_root + request.path,
        request.get_data(), web.now())


@bp.route(protocol.REGISTER_PATH, methods=["POST"])
@web.public
def register():
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("code"), str):
        return jsonify(error="请求应为 JSON，且包含考试机编码 code"), 400
    try:
        label, key = stations.register(web.engine(), body["code"], str(body.get("hostname") or ""), web.now())
    except stations.StationError as exc:
        return _error(exc)
    return jsonify(label=label, key=key)


@bp.route(protocol.STATUS_PATH, methods=["GET"])
@web.public
def status():
    try:
        station = _authenticated()
    except stations.StationError as exc:
        return _error(exc)
    activity = stations.current_activity(web.db(), station, web.now())
    return jsonify(
        label=station.label,
        activity=None if activity is None else {
            "kind": activity.kind, "attempt_id": activity.attempt_id,
            "deadline": activity.deadline.isoformat().replace("+00:00", "Z")},
        poll_seconds=current_app.config["STATION_POLL_SECONDS"],
        upload_seconds=current_app.config["STATION_UPLOAD_SECONDS"])


@bp.route(protocol.SUMMARIES_PATH, methods=["POST"])
@web.public
def summaries():
    try:
        station = _authenticated()
        try:
            raw = json.loads(request.get_data() or b"null")
        except ValueError:
            raise stations.StationError("摘要应为 JSON") from None
        stored = stations.add_summary(web.engine(), station, stations.parse_summary(raw), web.now())
    except stations.StationError as exc:
        return _error(exc)
    return jsonify(accepted=True, duplicate=not stored)
