"""The marking page's JSON API: one practical task as an examiner marks it, and saving that marking.

Same door rules as the page (``practical.examiner_views``): an examiner of this session or a chief
examiner (``exam.sessions.managed``), the exam session loaded through the page's own session loader, the task named by the attempt's
anonymous 凭证号 within that session, CSRF on every POST (the ``X-CSRFToken`` header). The save goes
through ``practical.marking.save_mark``, the page's save: a criterion given other points than the
machine suggested is an override and needs a reason (stored per criterion and audited), changing one's
saved marking needs ``confirm_change`` and a ``change_reason``, published results are final. Marking
is blind: another examiner's marks are never in the answer.

    GET  /examiner/api/sessions/<session_id>/practical/<ticket>/<position>/mark
    POST the same, body {"criteria": {key: points}, "reasons": {key: "…"}, "comment": "…",
                          "confirm_change": false, "change_reason": ""}
"""

from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, abort, jsonify, request
from flask_login import current_user

from exam import web
from exam.marking import rounds
from exam.sessions import managed
from practical import call_script, marking
from practical import examiner_views as pages
from practical.kinds import kind

bp = Blueprint("practical_marking_api", __name__, url_prefix="/examiner/api")

FIELDS = ("criteria", "reasons", "comment", "confirm_change", "change_reason")


def _points(value: Fraction | str | None) -> str | None:
    return None if value is None else str(Fraction(value))


def _entry(session_id: int, ticket: str, position: int) -> marking.QueueEntry:
    pages._session(session_id)
    try:
        return marking.entry_by_ticket(web.db(), session_id, ticket, position)
    except marking.MarkingError:
        abort(404)


def sheet(entry: marking.QueueEntry, marker_id: int) -> dict:
    """What the page shows, as data: the transcript turn by turn, the machine's checks (final), each
    examiner criterion with its maximum and the machine's suggestion with evidence, and this
    examiner's own marking if saved."""
    task = entry.task
    suggested = marking.suggestions(task)
    mine = next((m for m in entry.marks if m.marker_id == marker_id), None)
    criteria = []
    for c in task.rubric:
        hint = suggested.get(c["key"])
        criteria.append({
            "key": c["key"], "name": c["name"], "max_points": _points(marking.criterion_max(task, c)),
            "decided_by": "examiner", "guide": c.get("guide", []),
            "suggestion": None if hint is None else {
                "verdict": hint["verdict"], "points": _points(hint["points"]), "message": hint.get("message", ""),
                "evidence": hint.get("evidence", [])},
        })
    out = {
        "ticket": entry.ticket, "position": task.position, "kind": task.kind, "kind_name": kind(task.kind).NAME,
        "title": task.title, "state": entry.state, "points": _points(task.points),
        "examiner_points": _points(marking.manual_max(task)),
        "final": task.manual_points is not None,
        "machine_checks": [{"code": c.get("code"), "name": c.get("name"), "decided_by": "machine",
                            "passed": c.get("passed"), "message": c.get("message"),
                            "points": _points(c.get("points")), "max_points": _points(c.get("max_points"))}
                           for c in (task.auto or {}).get("checks", [])],
        "criteria": criteria,
        "mine": None if mine is None else {
            "round": mine.round, "points": _points(mine.points), "criteria": mine.criteria,
            "decisions": mine.decisions, "comment": mine.comment},
    }
    module = kind(task.kind)
    if hasattr(module, "comment_rows"):  # the QA officer's comments the coaching criterion marks
        out["comments"] = module.comment_rows(task.spec, task.answer)
    if task.kind in ("call", "complaint"):
        out["turns"] = [{"turn": n, "caller": caller, "reply": reply}
                        for n, caller, reply in call_script.transcript_rows(task.spec, task.answer)]
    return out


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise marking.MarkingError("请求格式错误：应为 JSON 对象 {\"criteria\": {评分项: 分数}, \"reasons\": {评分项: 理由}}")
    unknown = sorted(set(body) - set(FIELDS))
    if unknown:
        raise marking.MarkingError(f"请求格式错误：不认识的字段 {'、'.join(unknown)}，只能是 {'、'.join(FIELDS)}")
    for field in ("criteria", "reasons"):
        value = body.get(field, {})
        if not isinstance(value, dict):
            raise marking.MarkingError(f"请求格式错误：{field} 应为对象（评分项 → {'分数' if field == 'criteria' else '理由'}）")
        for key, item in value.items():
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                raise marking.MarkingError(f"请求格式错误：{field}.{key} 应为{'数字' if field == 'criteria' else '文字'}")
    for field in ("comment", "change_reason"):
        if not isinstance(body.get(field, ""), str):
            raise marking.MarkingError(f"请求格式错误：{field} 应为文字")
    if not isinstance(body.get("confirm_change", False), bool):
        raise marking.MarkingError("请求格式错误：confirm_change 应为 true 或 false")
    return body


@bp.route("/sessions/<int:session_id>/practical/<ticket>/<int:position>/mark", methods=["GET", "POST"])
@managed.manages_session
def mark(session_id: int, ticket: str, position: int):
    entry = _entry(session_id, ticket, position)
    if request.method == "GET":
        return jsonify(sheet(entry, current_user.id))
    try:
        body = _body()
        rubric = {c["key"] for c in entry.task.rubric}
        unknown = sorted(set(body.get("criteria", {})) - rubric)
        if unknown:
            raise marking.MarkingError(f"本题没有评分项 {'、'.join(unknown)}")
        raw = {key: str(value) for key, value in body.get("criteria", {}).items()}
        reasons = {key: str(value) for key, value in body.get("reasons", {}).items()}
        saved = marking.save_mark(web.engine(), entry.attempt_id, position, current_user.id, raw,
                                  body.get("comment", ""), web.now(), reasons,
                                  confirmed=body.get("confirm_change", False),
                                  change_reason=body.get("change_reason", ""))
    except marking.MarkingError as exc:
        return jsonify(error=str(exc)), exc.status
    web.db().rollback()  # the save ran in its own transaction: end this read one to see what it stored
    after = marking.entry_by_ticket(web.db(), session_id, ticket, position)
    return jsonify(saved={"round": saved.round, "points": _points(saved.points),
                          "shown": rounds.shown(Fraction(saved.points))},
                   sheet=sheet(after, current_user.id))
