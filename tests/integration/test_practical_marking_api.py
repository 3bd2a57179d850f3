"""The marking page's JSON API (practical.marking_api): the same task, suggestions and evidence as the
page, and the same rules on saving — an override of a machine suggestion needs a reason, a saved
marking changes only when confirmed with a reason, CSRF on every POST, the examiner role, the task
named by its anonymous 凭证号 within its own session. Nothing refused changes anything."""

from __future__ import annotations

import json
from fractions import Fraction

from sqlalchemy import text
from sqlmodel import Session, select

from practical import marking
from practical.models import PracticalAttempt, PracticalMark, PracticalTask
from tests.integration.test_practical_call_marking import _answered_call, now  # noqa: F401  (fixture)
from tests.webclient import csrf_token, login


def _api(engine, session_id, attempt_id, position):
    with Session(engine) as db:
        ticket = db.get(PracticalAttempt, attempt_id).ticket
    return f"/examiner/api/sessions/{session_id}/practical/{ticket}/{position}/mark"


def _marks(engine, attempt_id):
    with Session(engine) as db:
        return list(db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id)))


def _accepting(task):
    return {k: h["points"] for k, h in marking.suggestions(task).items()} | {
        c["key"]: str(marking.criterion_max(task, c)) for c in task.rubric if c["key"] not in marking.suggestions(task)}


def test_the_api_shows_the_transcript_the_checks_and_every_suggestion_with_its_evidence(
        client, engine, users, make_session, now):  # noqa: F811
    session_id, attempt_id, task, replies = _answered_call(engine, users, make_session, now)
    login(client, "examiner")
    got = client.get(_api(engine, session_id, attempt_id, task.position))
    assert got.status_code == 200 and got.is_json
    sheet = got.get_json()
    assert [t["reply"] for t in sheet["turns"] if t["reply"] is not None] == replies
    assert [t["turn"] for t in sheet["turns"]] == list(range(1, len(sheet["turns"]) + 1))
    assert sheet["turns"][0]["caller"] == task.spec["turns"][0]["caller"]
    assert sheet["machine_checks"] and {c["decided_by"] for c in sheet["machine_checks"]} == {"machine"}
    hints = marking.suggestions(task)
    by_key = {c["key"]: c for c in sheet["criteria"]}
    assert set(by_key) == {c["key"] for c in task.rubric}
    for key, hint in hints.items():
        assert by_key[key]["decided_by"] == "examiner"
        assert by_key[key]["suggestion"]["points"] == str(Fraction(hint["points"]))
        assert by_key[key]["suggestion"]["evidence"] == hint.get("evidence", [])
    assert sheet["final"] is False and sheet["mine"] is None and sheet["state"] == "待评分"
    assert Fraction(sheet["examiner_points"]) >= Fraction(sheet["points"]) / 2  # examiners carry at least half


def test_saving_through_the_api_follows_the_pages_rules(client, engine, users, make_session, now):  # noqa: F811
    session_id, attempt_id, task, _ = _answered_call(engine, users, make_session, now)
    login(client, "examiner")
    url = _api(engine, session_id, attempt_id, task.position)
    token = csrf_token(client, f"/examiner/sessions/{session_id}/practical/marking")
    hints = marking.suggestions(task)
    values = _accepting(task)
    key = next(k for k, h in hints.items() if h["verdict"] != "met")
    top = next(marking.criterion_max(task, c) for c in task.rubric if c["key"] == key)
    values[key] = str(top)

    no_csrf = client.post(url, json={"criteria": values})
    assert no_csrf.status_code == 400 and _marks(engine, attempt_id) == []
    headers = {"X-CSRFToken": token}
    refused = client.post(url, json={"criteria": values}, headers=headers)
    assert refused.status_code == 400 and "须填写理由" in refused.get_json()["error"]
    for body, words in [([], "应为 JSON 对象"), ({"criteria": values, "extra": 1}, "不认识的字段 extra"),
                        ({"criteria": {**values, "nope": "1"}}, "没有评分项 nope"),
                        ({"criteria": {**values, key: True}}, f"criteria.{key} 应为数字"),
                        ({"criteria": values, "confirm_change": "yes"}, "confirm_change 应为 true 或 false")]:
        bad = client.post(url, json=body, headers=headers)
        assert bad.status_code == 400 and words in bad.get_json()["error"], (body, bad.get_json())
    with Session(engine) as db:
        assert db.get(PracticalTask, (attempt_id, task.position)).manual_points is None  # not final
    assert _marks(engine, attempt_id) == []

    reason = "第 4 轮其实答到了，只是说法不同"
    saved = client.post(url, json={"criteria": values, "reasons": {key: reason}, "comment": "JSON"}, headers=headers)
    assert saved.status_code == 200, saved.get_json()
    answer = saved.get_json()
    assert answer["saved"]["round"] == 1 and answer["sheet"]["final"] is True
    assert answer["sheet"]["mine"]["decisions"][key] == {"suggested": hints[key]["points"], "points": str(top),
                                                         "decision": "override", "reason": reason}
    (mark,) = _marks(engine, attempt_id)
    assert mark.comment == "JSON" and mark.decisions[key]["reason"] == reason
    with engine.connect() as conn:
        detail = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'practical.mark'")).scalar_one()
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["decisions"][key]["reason"] == reason

    values[key] = hints[key]["points"]  # back to the suggestion: a change of a saved marking
    unconfirmed = client.post(url, json={"criteria": values}, headers=headers)
    assert unconfirmed.status_code == 400 and "确认修改已保存的评分" in unconfirmed.get_json()["error"]
    assert _marks(engine, attempt_id)[0].points == mark.points
    changed = client.post(url, json={"criteria": values, "confirm_change": True, "change_reason": "复核后同意机器建议"},
                          headers=headers)
    assert changed.status_code == 200 and _marks(engine, attempt_id)[0].decisions[key]["decision"] == "accept"


def test_the_api_opens_only_an_examiners_task_in_its_own_session(client, engine, users, make_session, now):  # noqa: F811
    session_id, attempt_id, task, _ = _answered_call(engine, users, make_session, now)
    url = _api(engine, session_id, attempt_id, task.position)
    login(client, "cand1")
    assert client.get(url).status_code in (302, 403)
    login(client, "examiner")
    other = make_session(level="junior", candidates=())
    assert client.get(url.replace(f"/sessions/{session_id}/", f"/sessions/{other}/")).status_code == 404
    assert client.get(url.replace(f"/{task.position}/mark", "/99/mark")).status_code == 404
    with Session(engine) as db:
        ticket = db.get(PracticalAttempt, attempt_id).ticket
    assert client.get(url.replace(f"/{ticket}/", "/no-such-ticket/")).status_code == 404
