"""The typing test measures real typing (issue 15), on both databases: the speed rule over the time
limit, the server's own evidence from every save, and the 待核查 hold an examiner decides.

Each cheat goes through the service (with the server's clock given) or straight through the JSON API
the page uses; an honest candidate is the same calls at a human pace with counters that match."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text
from sqlmodel import Session

from exam import standard
from exam.db import write_session
from tests.integration.test_station_api import Agent, _station_for
from tests.webclient import csrf_token, live_page, login, opened
from typing_test import evidence, passages, service
from typing_test.models import TypingAttempt
from typing_test.normalise import normalise
from typing_test.simulate import type_steadily

GRACE = dt.timedelta(seconds=15)
MIN_ACC = standard.DEFAULT_TYPING_MIN_ACCURACY
LIMIT = dt.timedelta(minutes=standard.typing_rule("junior").minutes)


def _attempt(engine, attempt_id) -> TypingAttempt:
    with Session(engine) as db:
        return db.get(TypingAttempt, attempt_id)


def _save(engine, attempt_id, cand, seq, typed, at, counters=None, instance="page1"):
    entry = service.Save(seq=seq, text=typed, instance=instance, counters=counters or {}, events=[])
    return service.save(engine, attempt_id, cand, entry, at, GRACE)


def honest(chars: int) -> dict:
    """What a pinyin typist's page counts for ``chars`` committed characters: about three keys each."""
    return {"keydowns": 3 * chars, "composed_chars": chars, "compositions": chars}


def audited(engine, action: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT detail FROM audit_event WHERE action = :a ORDER BY seq"), {"a": action})
        return [r.detail if isinstance(r.detail, dict) else json.loads(r.detail) for r in rows]


@pytest.fixture
def started(engine, users, make_session):
    session_id = make_session(level="junior")
    t0 = dt.datetime.now(dt.timezone.utc)
    return session_id, service.start(engine, session_id, users["cand1"], t0), t0


def test_an_honest_candidate_at_60_han_a_minute_for_the_whole_time_passes(engine, users, started):
    _, attempt_id, t0 = started
    # 60 汉字/分 for the whole 10 minutes, punctuation as it comes, a save every 3 s as the page does
    typed = type_steadily(engine, attempt_id, users["cand1"], 60, every=dt.timedelta(seconds=3), grace=GRACE)
    service.submit_overdue(engine, t0 + LIMIT + GRACE + dt.timedelta(seconds=1), GRACE, MIN_ACC)
    a = _attempt(engine, attempt_id)
    assert a.server_flags == {} and a.review is None
    assert a.correct_han == 600 and a.net_cpm == pytest.approx(60) and a.accuracy == 1.0
    assert a.passed is True and a.points == str(standard.typing_rule("junior").practical_points)
    with Session(engine) as db:
        growth = service.growth_of(db, attempt_id)
    assert len(growth) == 200 and growth[-1].chars == len(typed) and growth[-1].han == 600


def test_forty_characters_and_an_early_submission_do_not_pass(engine, users, started):
    _, attempt_id, t0 = started
    # about 40 characters (35 Han) in 15 s — 140 汉字/分 while it lasted — then 交卷
    typed = type_steadily(engine, attempt_id, users["cand1"], 140, every=dt.timedelta(seconds=3), minutes=0.25)
    service.submit(engine, attempt_id, "candidate", t0 + dt.timedelta(seconds=16), MIN_ACC, candidate_id=users["cand1"])
    a = _attempt(engine, attempt_id)
    han = standard.han_count(typed)
    assert han == 35 and a.correct_han == 35
    assert a.review is None and a.seconds == LIMIT.total_seconds()  # not the 16 s used
    assert a.net_cpm == pytest.approx(han / 10) and a.passed is False  # 136 字/分 before issue 15


def test_the_whole_passage_in_one_save_is_stored_held_for_review_and_then_not_passed(engine, users, started):
    session_id, attempt_id, t0 = started
    cand = users["cand1"]
    reference = _attempt(engine, attempt_id).reference
    n = len(normalise(reference))
    # plausible-looking forged counters: three keys a character, every character composed
    assert _save(engine, attempt_id, cand, 1, reference, t0 + dt.timedelta(seconds=1), honest(n)) == 1
    assert _attempt(engine, attempt_id).typed == reference  # stored: nothing typed is ever lost
    service.submit(engine, attempt_id, "candidate", t0 + dt.timedelta(seconds=21), MIN_ACC, candidate_id=cand)
    a = _attempt(engine, attempt_id)
    assert set(a.server_flags) == {evidence.BURST}
    burst = a.server_flags[evidence.BURST]
    assert burst["added"] == n and burst["limit"] == evidence.max_growth(1.0)
    assert a.review == "pending" and a.passed is None and a.points is None
    assert a.net_cpm > 50 and a.accuracy == 1.0  # the figures are kept for the examiner to weigh
    graded = audited(engine, "typing.graded")[-1]
    assert graded["held_for_review"] == [evidence.BURST] and graded["passed"] is None
    # the examiner voids it with a reason: not 达标, no points, audited
    with pytest.raises(service.ReviewError):
        service.decide(engine, attempt_id, "void", "   ", users["examiner"], t0 + LIMIT, MIN_ACC)
    service.decide(engine, attempt_id, "void", "整篇文字在开始后 1 秒内一次出现", users["examiner"], t0 + LIMIT, MIN_ACC)
    a = _attempt(engine, attempt_id)
    assert (a.review, a.passed, a.points, a.reviewed_by) == ("voided", False, "0", users["examiner"])
    assert audited(engine, "typing.review_void")[-1]["note"] == "整篇文字在开始后 1 秒内一次出现"
    with pytest.raises(service.ReviewError) as twice:
        service.decide(engine, attempt_id, "confirm", "改判", users["examiner"], t0 + LIMIT, MIN_ACC)
    assert twice.value.status == 409


def test_text_without_counters_and_counters_without_keys_are_held(engine, users, make_session):
    session_id = make_session(level="junior")
    t0 = dt.datetime.now(dt.timezone.utc)
    a1 = service.start(engine, session_id, users["cand1"], t0)
    a2 = service.start(engine, session_id, users["cand2"], t0)
    reference = normalise(_attempt(engine, a1).reference)
    for k in range(1, 21):  # a human pace, but no counters at all
        _save(engine, a1, users["cand1"], k, reference[:5 * k], t0 + dt.timedelta(seconds=3 * k))
    reference2 = normalise(_attempt(engine, a2).reference)
    for k in range(1, 21):  # counters that account for the text, without the key presses it needs
        _save(engine, a2, users["cand2"], k, reference2[:5 * k], t0 + dt.timedelta(seconds=3 * k),
              {"keydowns": 0, "composed_chars": 5 * k, "compositions": 5 * k})
    for aid in (a1, a2):
        service.submit(engine, aid, "candidate", t0 + dt.timedelta(seconds=70), MIN_ACC)
    first, second = _attempt(engine, a1), _attempt(engine, a2)
    assert set(first.server_flags) == {evidence.UNCOUNTED} and "保存未附带任何计数" in first.server_flags["uncounted"]["text"]
    assert set(second.server_flags) == {evidence.KEYS} and second.server_flags["keys"]["keydowns"] == 0
    assert first.review == second.review == "pending" and first.points is None
    # an examiner who finds the typing genuine confirms it: the computed result stands
    service.decide(engine, a1, "confirm", "监考员确认考生一直在本机键入，浏览器插件阻断了计数", users["examiner"],
                   t0 + LIMIT, MIN_ACC)
    first = _attempt(engine, a1)
    assert first.review == "confirmed" and first.passed is False  # 100 characters over 10 minutes
    assert first.points == str(standard.typing_points("junior", first.net_cpm, first.accuracy))


def test_a_punctuation_heavy_passage_counts_only_han_characters(engine, users, make_session):
    body = "客户信息：姓名“周海涛”，电话（188-5790-6653），地址：望江东路399号7栋1单元1203室；用户编号0012874563。"
    filler = "请逐字核对客户的姓名电话地址和编号确认无误后再提交工单" * 40
    with write_session(engine) as db:
        data = passages.validate({"title": "标点密集的录入", "level": "senior", "text": body + "\n" + filler})
        passages.create(db, data)
    session_id = make_session(level="senior")
    t0 = dt.datetime.now(dt.timezone.utc)
    with write_session(engine) as db:  # only this passage may be drawn
        for p in passages.active_for_level(db, "senior"):
            if p.title != "标点密集的录入":
                passages.retire(db, p.id)
    aid = service.start(engine, session_id, users["cand1"], t0)
    typed = normalise(body) * 1
    _save(engine, aid, users["cand1"], 1, typed[:30], t0 + dt.timedelta(seconds=20), honest(30))
    _save(engine, aid, users["cand1"], 2, typed, t0 + dt.timedelta(seconds=40), honest(len(typed)))
    service.submit(engine, aid, "candidate", t0 + dt.timedelta(seconds=45), MIN_ACC)
    a = _attempt(engine, aid)
    han = standard.han_count(body)
    assert han < len(typed) / 2 and a.correct_chars == len(typed)
    assert a.correct_han == han and a.net_cpm == pytest.approx(han / 10) and a.review is None


def test_station_keystrokes_far_below_the_committed_characters_hold_the_result(client, users, make_session, engine):
    session_id = make_session()
    code, _ = _station_for(client, session_id, users["cand1"])
    agent = Agent(client, code)
    assert agent.register().status_code == 200
    login(client, "cand1")
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/candidate/sessions/{session_id}/typing/start", data={"csrf_token": token, "confirm": "1"})
    attempt_id, _, page = opened(client, resp)
    typed = normalise(_attempt(engine, attempt_id).reference)[:25]
    # the browser's counters look honest; the PC's keyboard pressed 10 keys
    assert client.post(f"/api/typing/{attempt_id}/save{live_page(page)}", headers={"X-CSRFToken": token},
                       json={"seq": 1, "text": typed, "instance": "p", "counters": honest(25)}).status_code == 200
    typed = normalise(_attempt(engine, attempt_id).reference)[:40]
    # a second save a few seconds later (the server's clock): shift the first one back in time
    now = dt.datetime.now(dt.timezone.utc)
    with engine.begin() as conn:
        conn.execute(text("UPDATE typing_growth SET at = :at WHERE attempt_id = :a"),
                     {"at": now - dt.timedelta(seconds=10), "a": attempt_id})
        conn.execute(text("UPDATE typing_attempt SET started_at = :at WHERE id = :a"),
                     {"at": now - dt.timedelta(seconds=20), "a": attempt_id})
    assert client.post(f"/api/typing/{attempt_id}/save{live_page(page)}", headers={"X-CSRFToken": token},
                       json={"seq": 2, "text": typed, "instance": "p", "counters": honest(40)}).status_code == 200
    assert agent.summary(attempt_id, 10).status_code == 200
    assert client.post(f"/candidate/typing/{attempt_id}/submit{live_page(page)}",
                       data={"csrf_token": token}).status_code == 302
    a = _attempt(engine, attempt_id)
    assert set(a.server_flags) == {evidence.STATION} and a.review == "pending" and a.passed is None
    result = client.get(f"/candidate/typing/{attempt_id}/result").get_data(as_text=True)
    assert "待核查" in result and 'id="review-pending"' in result and "达标</span>" not in result
    login(client, "examiner")
    page = client.get(f"/examiner/typing/{attempt_id}").get_data(as_text=True)
    assert "考试机 " in page and "只记录到 10 次按键，录入文字却有 40 字" in page
    assert 'class="chart chart-growth"' in page and 'class="station-keys"' in page and 'id="review"' in page


# ---------------------------------------------------------------- the JSON API and the examiner's pages

def test_a_forged_save_through_the_api_is_stored_and_only_an_examiner_can_release_it(client, users, make_session,
                                                                                     engine):
    session_id = make_session()
    login(client, "cand1")
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/candidate/sessions/{session_id}/typing/start", data={"csrf_token": token, "confirm": "1"})
    attempt_id, _, page = opened(client, resp)
    reference = _attempt(engine, attempt_id).reference
    n = len(normalise(reference))
    forged = {"keydowns": 3 * n, "composed_chars": n, "compositions": n // 2}
    resp = client.post(f"/api/typing/{attempt_id}/save{live_page(page)}", headers={"X-CSRFToken": token},
                       json={"seq": 1, "text": reference, "instance": "p", "counters": forged})
    assert resp.status_code == 200 and resp.get_json()["stored"] == 1  # acknowledged like any save
    client.post(f"/candidate/typing/{attempt_id}/submit{live_page(page)}", data={"csrf_token": token})
    result = client.get(f"/candidate/typing/{attempt_id}/result").get_data(as_text=True)
    assert "待核查" in result and "— / 20 分" in result
    # the candidate cannot decide their own review, and the decision needs CSRF
    assert client.post(f"/examiner/typing/{attempt_id}/review",
                       data={"csrf_token": token, "decision": "confirm", "note": "我自己打的"}).status_code == 403
    login(client, "examiner")
    listing = client.get(f"/examiner/sessions/{session_id}/typing").get_data(as_text=True)
    assert "待核查" in listing and "文字增长超过人工录入速度" in listing
    page = client.get(f"/examiner/typing/{attempt_id}").get_data(as_text=True)
    assert "一次保存增加" in page and 'class="burst"' in page and "提交核查结论" in page
    assert client.post(f"/examiner/typing/{attempt_id}/review",
                       data={"decision": "confirm", "note": "x"}).status_code == 400  # no CSRF token
    token = csrf_token(client, f"/examiner/typing/{attempt_id}")
    resp = client.post(f"/examiner/typing/{attempt_id}/review", data={"csrf_token": token, "decision": "confirm"})
    assert resp.status_code == 422 and "请填写核查理由" in resp.get_data(as_text=True)
    assert _attempt(engine, attempt_id).review == "pending"
    resp = client.post(f"/examiner/typing/{attempt_id}/review",
                       data={"csrf_token": token, "decision": "void", "note": "开始 0 秒即出现全文"})
    assert resp.status_code == 302
    a = _attempt(engine, attempt_id)
    assert (a.review, a.passed, a.points) == ("voided", False, "0")
    page = client.get(f"/examiner/typing/{attempt_id}").get_data(as_text=True)
    assert "核查结论：核查后作废" in page and "开始 0 秒即出现全文" in page and "提交核查结论" not in page


def test_a_held_result_blocks_the_session_results_until_decided(engine, users, started):
    from tests.integration.sittings import row_of, table_of
    session_id, attempt_id, t0 = started
    reference = _attempt(engine, attempt_id).reference
    _save(engine, attempt_id, users["cand1"], 1, reference, t0 + dt.timedelta(seconds=2))
    service.submit(engine, attempt_id, "candidate", t0 + dt.timedelta(seconds=5), MIN_ACC)
    row = row_of(table_of(engine, session_id, t0 + dt.timedelta(days=1)), "cand1")
    assert row.typing.state == "pending" and "打字测试待核查，考评员确认前不计分" in row.typing.problems
