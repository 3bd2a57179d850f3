import re
"""The exam through HTTP: examiner schedules, candidate sits, autosaves, submits and sees the score."""

import datetime as dt
import json

from sqlalchemy import text

from exam import standard
from exam.timeutil import to_local, utcnow
from tests.webclient import csrf_token, exam_state, login, start


def _form_time(value):
    return to_local(value, "Asia/Shanghai").strftime("%Y-%m-%dT%H:%M")


def test_examiner_creates_a_session_for_a_level(client, users):
    login(client, "examiner")
    token = csrf_token(client, "/examiner/sessions/new")
    now = utcnow()
    resp = client.post("/examiner/sessions/new", data={
        "csrf_token": token, "name": "2026年11月初级理论", "level": "junior",
        "opens_at": _form_time(now - dt.timedelta(minutes=5)), "closes_at": _form_time(now + dt.timedelta(hours=2)),
        "duration_minutes": "90", "item_count": "40", "candidates": [str(users["cand1"]), str(users["cand2"])]})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    html = client.get(resp.location).get_data(as_text=True)
    assert "2026年11月初级理论" in html and "报名 2 人" in html and "服务技能运用 50%" in html


def test_session_form_errors_are_in_chinese_and_change_nothing(client, engine):
    login(client, "examiner")
    token = csrf_token(client, "/examiner/sessions/new")
    now = utcnow()
    base = {"csrf_token": token, "name": "坏场次", "level": "senior", "duration_minutes": "90",
            "opens_at": _form_time(now), "closes_at": _form_time(now - dt.timedelta(hours=1)), "item_count": "40"}
    html = client.post("/examiner/sessions/new", data=base).get_data(as_text=True)
    assert "关闭时间应晚于开考时间" in html
    base["closes_at"] = _form_time(now + dt.timedelta(hours=1))
    base["item_count"] = "200"
    _retire_all_but(engine, "senior", "guidance", keep=70)  # the shipped bank holds enough: make it short
    html = client.post("/examiner/sessions/new", data=base).get_data(as_text=True)
    assert "题库题目不足" in html and "业务指导、培训与管理需要 80 题，题库只有 70 题" in html
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM exam_session")).scalar() == 0


def _retire_all_but(engine, level: str, area: str, keep: int) -> None:
    """Retires approved items of one level and area until ``keep`` remain drawable."""
    from sqlmodel import Session

    from exam.db import write_session
    from question_bank import service as bank
    from question_bank.models import RETIRED, Item, ItemVersion

    with Session(engine) as db:
        ids = bank.pool_for_level(db, level)[area]
        items = sorted({db.get(ItemVersion, vid).item_id for vid in ids})
    with write_session(engine) as db:
        for item_id in items[keep:]:
            item = db.get(Item, item_id)
            item.status = RETIRED
            db.add(item)


def test_candidate_sits_saves_submits_and_sees_the_score(client, make_session, engine):
    sid = make_session(item_count=20)
    login(client, "cand1")
    assert "可开始" in client.get("/candidate").get_data(as_text=True)
    attempt_id, state, token = start(client, sid)
    resp = client.post(state["saveUrl"], json={"saves": [{"position": 0, "seq": 5, "value": ""},
                                                         {"position": 1, "seq": 5, "value": "", "flagged": True}]},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json()["acked"] == [[0, 5], [1, 5]]
    # reloading shows what was saved
    state = exam_state(client.get(f"/candidate/attempts/{attempt_id}").get_data(as_text=True))
    assert state["saved"]["1"] == {"value": "", "flagged": True, "seq": 5}
    review = client.get(state["reviewUrl"]).get_data(as_text=True)
    assert "尚有 20 题未作答" in review and "标记待复查" in review
    resp = client.post(f"/candidate/attempts/{attempt_id}/submit?page={state['page']}", data={"csrf_token": token})
    assert resp.status_code == 302
    html = client.get(resp.location).get_data(as_text=True)
    assert "0.00" in html and "不合格" in html and f"合格线 {standard.THEORY_PASS_MARK} 分" in html
    resp = client.post(state["saveUrl"], json={"saves": [{"position": 0, "seq": 6, "value": ""}]},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 409 and resp.get_json()["closed"] is True
    login(client, "examiner")
    html = client.get(f"/examiner/sessions/{sid}").get_data(as_text=True)
    assert "已交卷 1 人" in html


def test_bad_save_requests_get_chinese_errors(client, make_session):
    sid = make_session()
    login(client, "cand1")
    _, state, token = start(client, sid)
    post = lambda body: client.post(state["saveUrl"], json=body, headers={"X-CSRFToken": token})  # noqa: E731
    assert "saves 应为" in post({"saves": "x"}).get_json()["error"]
    assert "应为整数" in post({"saves": [{"position": "0", "seq": 1}]}).get_json()["error"]
    assert "seq 在 0 至" in post({"saves": [{"position": 0, "seq": 2**63}]}).get_json()["error"]
    page = client.get(f"/candidate/attempts/{state['attemptId']}").get_data(as_text=True)
    state = exam_state(page)  # reopening the page made it the live one (exam.access.live_page)
    choice = re.search(r'data-position="(\d+)" data-kind="(?:single|multiple|truefalse)"', page).group(1)
    assert post({"saves": [{"position": int(choice), "seq": 1, "value": "Z"}]}).status_code == 400
    assert "答案应为文本" in post({"saves": [{"position": 0, "seq": 1, "value": ["Z"]}]}).get_json()["error"]


def test_another_candidates_attempt_is_invisible(client, make_session):
    sid = make_session()
    login(client, "cand1")
    attempt_id, state, token = start(client, sid)
    client.post("/logout", data={"csrf_token": token})
    login(client, "cand2")
    assert client.get(f"/candidate/attempts/{attempt_id}").status_code == 404
    token = csrf_token(client, "/candidate")
    resp = client.post(state["saveUrl"], json={"saves": [{"position": 0, "seq": 1, "value": ""}]},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 404


def _keys_and_explanations(engine, attempt_id):
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT iv.key, iv.explanation, iv.options, ps.option_order, iv.stem FROM paper_slot ps "
            "JOIN item_version iv ON iv.id = ps.item_version_id WHERE ps.attempt_id = :a"), {"a": attempt_id}).all()
    return rows


def test_no_answer_key_in_any_page_or_response_the_candidate_can_load(client, make_session, engine):
    sid = make_session(item_count=40)
    login(client, "cand1")
    attempt_id, state, token = start(client, sid)
    bodies = [client.get(path).get_data(as_text=True) for path in (
        f"/candidate/attempts/{attempt_id}", state["reviewUrl"], "/candidate")]
    bodies.append(json.dumps(client.post(state["saveUrl"], json={"saves": [{"position": 0, "seq": 1, "value": ""}]},
                                         headers={"X-CSRFToken": token}).get_json()))
    everything = "\n".join(bodies)
    rows = _keys_and_explanations(engine, attempt_id)
    # A scoring point may also be another question's words (the junior bank's 转相关部门处理 is one
    # short answer's point and part of a single-choice item): look for points outside what is shown.
    unshown = everything
    for _key, _explanation, options, _order, stem in rows:
        for shown in [stem, *(json.loads(options) if isinstance(options, str) else options)]:
            unshown = unshown.replace(shown, "")
    for key, explanation, options, order, _stem in rows:
        assert explanation and explanation not in everything
        key = json.loads(key) if isinstance(key, str) else key
        if isinstance(key, dict):                        # a short answer's reference and scoring points
            assert key["reference"] not in everything
            assert not any(point in unshown for point in key["points"] if len(point) > 6)
        elif isinstance(key, list) and key and isinstance(key[0], str):   # fill-in accepted answers
            assert not any(f'value="{answer}"' in everything for answer in key)
    lowered = everything.lower()
    for marker in ('"key"', "data-key", "data-correct", "correct_answer", "explanation"):
        assert marker not in lowered
    state = exam_state(bodies[0])
    assert set(state) == {"attemptId", "page", "previousPage", "deadline", "serverNow", "saveUrl", "reviewUrl",
                          "resultUrl", "saved"}
