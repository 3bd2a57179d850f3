"""Live proctoring on a real database (SQLite file and PostgreSQL server): every action changes the
attempt as promised, needs a reason and lands in the audit chain; paused attempts keep their time; the
board reads a session in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event, text

from exam.audit import chain
from exam.delivery import service as delivery
from exam.proctoring import actions, board, signals, status
from exam.proctoring.parts import ProctorError
from exam.timeutil import utcnow
from typing_test import service as typing

GRACE = dt.timedelta(seconds=15)
MIN_ACCURACY = 0.9


def attempt_row(engine, table, attempt_id):
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT * FROM {table} WHERE id = :a"), {"a": attempt_id}).mappings().one()


def audit(engine, action):
    with engine.connect() as conn:
        return conn.execute(text("SELECT actor_id, subject_type, subject_id, detail FROM audit_event "
                                 "WHERE action = :a ORDER BY seq"), {"a": action}).all()


def detail_of(row):
    import json
    return row.detail if isinstance(row.detail, dict) else json.loads(row.detail)


def aware(value):
    from exam.timeutil import as_utc
    return as_utc(dt.datetime.fromisoformat(value) if isinstance(value, str) else value)


def save_first(engine, attempt_id, candidate_id, now):
    """Save a well-formed answer to question 1, whatever its kind; returns the acknowledgement."""
    with engine.connect() as conn:
        kind = conn.execute(text("SELECT kind FROM paper_slot WHERE attempt_id = :a AND position = 0"),
                            {"a": attempt_id}).scalar_one()
    value = {"truefalse": "T", "single": "0", "multiple": "0"}.get(kind, "呼叫中心")
    return delivery.save_answers(engine, attempt_id, candidate_id,
                                 [{"position": 0, "seq": 1, "value": value, "flagged": False}], now, GRACE)


@pytest.fixture
def sitting(engine, users, make_session):
    """A session open now with cand1 and cand2, each with a theory attempt started a minute ago."""
    sid = make_session(duration_minutes=30)
    start = utcnow() - dt.timedelta(minutes=1)
    a1 = delivery.start_attempt(engine, sid, users["cand1"], start)
    a2 = delivery.start_attempt(engine, sid, users["cand2"], start)
    return sid, a1, a2


def test_extra_time_moves_the_deadline_and_is_audited(engine, users, sitting):
    sid, a1, _ = sitting
    before = aware(attempt_row(engine, "attempt", a1)["deadline"])
    done = actions.extra_time(engine, "theory", a1, "10", "考生电脑死机，更换座位", users["examiner"], utcnow(), sid)
    assert "10 分钟" in done.message
    row = attempt_row(engine, "attempt", a1)
    assert aware(row["deadline"]) - before == dt.timedelta(minutes=10)
    assert row["extra_seconds"] == 600
    (entry,) = audit(engine, "proctor.extra_time")
    assert entry.actor_id == users["examiner"] and entry.subject_id == a1 and entry.subject_type == "attempt"
    assert detail_of(entry)["reason"] == "考生电脑死机，更换座位" and detail_of(entry)["minutes"] == 10
    with engine.connect() as conn:
        seen = status.attempt_status(conn, "theory", a1, users["cand1"], utcnow())
    assert seen["extraSeconds"] == 600 and seen["paused"] is False
    assert seen["remainingMs"] > 38 * 60 * 1000
    assert chain.verify(engine).ok


@pytest.mark.parametrize("reason, minutes, message", [
    ("", 5, "请填写原因"), ("   ", 5, "请填写原因"), ("x" * 501, 5, "不能超过 500 字"),
    ("合理原因", 0, "1 至 120"), ("合理原因", 121, "1 至 120"), ("合理原因", "五", "1 至 120"),
])
def test_an_action_without_a_proper_reason_or_minutes_is_refused(engine, users, sitting, reason, minutes, message):
    sid, a1, _ = sitting
    with pytest.raises(ProctorError, match=message):
        actions.extra_time(engine, "theory", a1, minutes, reason, users["examiner"], utcnow(), sid)
    assert audit(engine, "proctor.extra_time") == []
    assert attempt_row(engine, "attempt", a1)["extra_seconds"] == 0


def test_an_attempt_of_another_session_is_not_reached_through_this_one(engine, users, sitting, make_session):
    sid, a1, _ = sitting
    other = make_session(candidates=("cand3",))
    with pytest.raises(ProctorError, match="找不到本场") as caught:
        actions.pause(engine, "theory", a1, "原因", users["examiner"], utcnow(), other)
    assert caught.value.status == 404
    with pytest.raises(ProctorError, match="未知的考核部分"):
        actions.pause(engine, "essay", a1, "原因", users["examiner"], utcnow(), sid)


def test_a_pause_stops_the_clock_and_resume_moves_the_deadline_on(engine, users, sitting):
    sid, a1, a2 = sitting
    t0 = utcnow()
    deadline = aware(attempt_row(engine, "attempt", a1)["deadline"])
    actions.pause(engine, "theory", a1, "考生身体不适", users["examiner"], t0, sid)
    with pytest.raises(ProctorError, match="已处于暂停状态"):
        actions.pause(engine, "theory", a1, "再次暂停", users["examiner"], t0, sid)

    # long after the deadline: the sweep passes the paused attempt by, submits the other
    late = deadline + dt.timedelta(hours=1)
    assert delivery.submit_overdue(engine, late, GRACE) == 1
    assert attempt_row(engine, "attempt", a1)["status"] == "open"
    assert attempt_row(engine, "attempt", a2)["status"] == "submitted"
    # the candidate cannot submit a paused attempt; the service keeps a save (the web API refuses it
    # while paused: exam.access.attempts, tests/integration/test_access_writes.py)
    assert delivery.submit(engine, a1, "candidate", late, actor_id=users["cand1"], candidate_id=users["cand1"]) is False
    assert save_first(engine, a1, users["cand1"], late) == [[0, 1]]
    with engine.connect() as conn:
        frozen = status.attempt_status(conn, "theory", a1, users["cand1"], late)
    assert frozen["paused"] is True
    assert abs(frozen["remainingMs"] - (deadline - t0).total_seconds() * 1000) < 1000

    done = actions.resume(engine, "theory", a1, "考生已恢复", users["examiner"], late, sid)
    assert "顺延" in done.message
    assert aware(attempt_row(engine, "attempt", a1)["deadline"]) == deadline + (late - t0)
    assert attempt_row(engine, "attempt", a1)["paused_at"] is None
    with pytest.raises(ProctorError, match="没有暂停"):
        actions.resume(engine, "theory", a1, "又恢复", users["examiner"], late, sid)
    assert [detail_of(e)["reason"] for e in audit(engine, "proctor.pause")] == ["考生身体不适"]
    assert [detail_of(e)["reason"] for e in audit(engine, "proctor.resume")] == ["考生已恢复"]
    assert chain.verify(engine).ok


def test_pause_all_and_resume_all_cover_every_part_of_the_session(engine, users, sitting):
    sid, a1, a2 = sitting
    t0 = utcnow()
    typing_id = typing.start(engine, sid, users["cand1"], t0)
    typing_before = attempt_row(engine, "typing_attempt", typing_id)
    done = actions.pause_all(engine, sid, "火警演练", users["examiner"], t0)
    assert done.count == 3
    for table, aid in (("attempt", a1), ("attempt", a2), ("typing_attempt", typing_id)):
        assert attempt_row(engine, table, aid)["paused_at"] is not None
    assert actions.pause_all(engine, sid, "再次", users["examiner"], t0).count == 0

    later = t0 + dt.timedelta(minutes=7)
    done = actions.resume_all(engine, sid, "演练结束", users["examiner"], later)
    assert done.count == 3
    typing_after = attempt_row(engine, "typing_attempt", typing_id)
    assert aware(typing_after["deadline"]) - aware(typing_before["deadline"]) == dt.timedelta(minutes=7)
    # the typing test's speed counts only time the candidate had: its start moves with the pause
    assert aware(typing_after["started_at"]) - aware(typing_before["started_at"]) == dt.timedelta(minutes=7)
    assert len(audit(engine, "proctor.pause")) == 3 and len(audit(engine, "proctor.resume")) == 3
    (whole,) = audit(engine, "proctor.pause_all")
    assert whole.subject_type == "exam_session" and detail_of(whole)["attempts"] == 3
    assert chain.verify(engine).ok


def test_force_submit_grades_like_a_normal_submission(engine, users, sitting):
    sid, a1, _ = sitting
    now = utcnow()
    actions.pause(engine, "theory", a1, "暂停检查", users["examiner"], now, sid)
    actions.force_submit(engine, "theory", a1, "考生违纪，终止考试", users["examiner"], now, MIN_ACCURACY, sid)
    row = attempt_row(engine, "attempt", a1)
    assert row["status"] == "submitted" and row["submit_reason"] == "proctor" and row["paused_at"] is None
    assert row["score"] is not None
    (graded,) = [e for e in audit(engine, "attempt.graded") if e.subject_id == a1]
    assert graded.actor_id == users["examiner"]
    (forced,) = audit(engine, "proctor.force_submit")
    assert detail_of(forced)["reason"] == "考生违纪，终止考试"
    with pytest.raises(ProctorError, match="已交卷"):
        actions.force_submit(engine, "theory", a1, "再来", users["examiner"], now, MIN_ACCURACY, sid)


def test_force_submit_scores_a_typing_test_and_checks_a_practical(engine, users, sitting):
    import random

    from practical import service as practical
    sid, _, _ = sitting
    now = utcnow()
    typing_id = typing.start(engine, sid, users["cand1"], now, random.Random(3))
    practical_id = practical.start(engine, sid, users["cand2"], now, random.Random(3))
    actions.force_submit(engine, "typing", typing_id, "考生提前离场", users["examiner"], now, MIN_ACCURACY, sid)
    actions.force_submit(engine, "practical", practical_id, "考生提前离场", users["examiner"], now, MIN_ACCURACY, sid)
    typed = attempt_row(engine, "typing_attempt", typing_id)
    assert typed["status"] == "submitted" and typed["points"] is not None and not typed["passed"]
    checked = attempt_row(engine, "practical_attempt", practical_id)
    assert checked["status"] == "submitted" and checked["submit_reason"] == "proctor"
    assert [e.actor_id for e in audit(engine, "typing.graded")] == [users["examiner"]]
    assert [e.actor_id for e in audit(engine, "practical.machine_checked")] == [users["examiner"]]
    assert {e.subject_type for e in audit(engine, "proctor.force_submit")} == {"typing_attempt", "practical_attempt"}
    assert chain.verify(engine).ok


def test_void_annuls_an_attempt_and_the_candidate_learns_why(engine, users, sitting):
    sid, a1, a2 = sitting
    now = utcnow()
    delivery.submit(engine, a2, "candidate", now, actor_id=users["cand2"], candidate_id=users["cand2"])
    actions.void(engine, "theory", a1, "替考", users["examiner"], now, sid)
    actions.void(engine, "theory", a2, "携带资料", users["examiner"], now, sid)
    for aid in (a1, a2):
        row = attempt_row(engine, "attempt", aid)
        assert row["status"] == "void" and row["score"] is None and row["passed"] is None
    with pytest.raises(ProctorError, match="已作废"):
        actions.void(engine, "theory", a1, "再作废", users["examiner"], now, sid)
    with engine.connect() as conn:
        seen = status.attempt_status(conn, "theory", a1, users["cand1"], now)
        assert status.attempt_status(conn, "theory", a1, users["cand2"], now) is None  # not theirs
    assert seen["status"] == "void" and seen["voidReason"] == "替考"
    # a voided attempt is never submitted by the sweep
    assert delivery.submit_overdue(engine, now + dt.timedelta(days=1), GRACE) == 0
    assert [detail_of(e)["previous_status"] for e in audit(engine, "proctor.void")] == ["open", "submitted"]


def test_incidents_are_recorded_for_a_candidate_or_the_whole_room(engine, users, sitting):
    sid, _, _ = sitting
    now = utcnow()
    actions.record_incident(engine, sid, "设备故障", "3 号机键盘失灵，已更换", users["cand1"], users["examiner"], now)
    actions.record_incident(engine, sid, "断电断网", "全场断网 2 分钟", None, users["examiner"], now)
    with pytest.raises(ProctorError, match="请选择类别"):
        actions.record_incident(engine, sid, "闹鬼", "说明", None, users["examiner"], now)
    with pytest.raises(ProctorError, match="请填写情况说明"):
        actions.record_incident(engine, sid, "其他", " ", None, users["examiner"], now)
    with pytest.raises(ProctorError, match="未报名本场"):
        actions.record_incident(engine, sid, "其他", "说明", users["cand3"], users["examiner"], now)
    with engine.connect() as conn:
        snap = board.snapshot(conn, sid, now, "Asia/Shanghai")
    assert {(i["kind"], i["candidate"]) for i in snap["incidents"]} == {("设备故障", "cand1"), ("断电断网", "全场")}
    assert len(audit(engine, "proctor.incident")) == 2


def test_signals_are_checked_capped_and_counted_on_the_board(engine, users, sitting, monkeypatch):
    sid, _, _ = sitting
    now = utcnow()
    assert signals.parse({"part": "theory", "kind": "paste", "detail": {"chars": 12}}) == ("theory", "paste", {"chars": 12})
    for bad, field in ((None, "JSON 对象"), ({"part": "x", "kind": "paste"}, "part"),
                       ({"part": "theory", "kind": "x"}, "kind"),
                       ({"part": "theory", "kind": "paste", "detail": {"k": {"nested": 1}}}, "detail")):
        with pytest.raises(ProctorError, match=field):
            signals.parse(bad)
    assert signals.record(engine, sid, users["cand1"], "theory", "focus_loss", {}, now)
    assert signals.record(engine, sid, users["cand1"], "theory", "focus_loss", {}, now)
    assert signals.record(engine, sid, users["cand1"], "practical", "paste", {"chars": 3}, now)
    with pytest.raises(ProctorError, match="未报名"):
        signals.record(engine, sid, users["cand3"], "theory", "paste", {}, now)
    monkeypatch.setattr(signals, "MAX_PER_CANDIDATE", 3)
    assert signals.record(engine, sid, users["cand1"], "theory", "paste", {}, now) is False
    with engine.connect() as conn:
        snap = board.snapshot(conn, sid, now, "Asia/Shanghai")
    row = next(r for r in snap["rows"] if r["candidateId"] == users["cand1"])
    assert row["signals"]["focus_loss"] == 2 and row["signals"]["paste"] == 1


def test_the_board_shows_each_seat_state(engine, users, make_session):
    sid = make_session(candidates=("cand1", "cand2", "cand3"), duration_minutes=30)
    now = utcnow()
    a1 = delivery.start_attempt(engine, sid, users["cand1"], now)
    a2 = delivery.start_attempt(engine, sid, users["cand2"], now)
    save_first(engine, a1, users["cand1"], now)
    delivery.submit(engine, a2, "candidate", now, actor_id=users["cand2"], candidate_id=users["cand2"])
    actions.pause(engine, "theory", a1, "暂停", users["examiner"], now, sid)
    with engine.begin() as conn:
        conn.execute(text("UPDATE enrollment SET signed_in_at = :t WHERE candidate_id = :c"),
                     {"t": now, "c": users["cand3"]})
    with engine.connect() as conn:
        snap = board.snapshot(conn, sid, now + dt.timedelta(minutes=5), "Asia/Shanghai")
    rows = {r["username"]: r for r in snap["rows"]}
    assert rows["cand1"]["status"] == "paused" and rows["cand2"]["status"] == "submitted"
    assert rows["cand3"]["status"] == "signed_in"
    theory = rows["cand1"]["parts"][0]
    assert theory["progress"] == "1/20 题" and theory["lastSave"] and theory["paused"]
    assert abs(theory["remainingMs"] - 30 * 60 * 1000) < 2000  # frozen at the pause
    assert snap["summary"]["paused"] == 1 and snap["summary"]["signed_in"] == 1
    with engine.connect() as conn:
        assert board.snapshot(conn, 99999, now, "Asia/Shanghai") is None


def count_queries(engine, fn):
    seen = []

    def listener(conn, cursor, statement, *args):
        seen.append(statement)
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_the_board_reads_in_a_fixed_number_of_queries(engine, users, make_session):
    from exam.accounts import service as accounts
    from exam.db import write_session
    with write_session(engine) as s:
        extra = [accounts.create_user(s, f"bulk{i}", "test-password-1", "candidate", f"批量考生{i}").id
                 for i in range(12)]
    small = make_session(candidates=("cand1",))
    big = make_session(candidates=("cand2", "cand3"))
    with write_session(engine) as s:
        from exam.sessions.models import Enrollment
        for cid in extra:
            s.add(Enrollment(session_id=big, candidate_id=cid))
    now = utcnow()
    delivery.start_attempt(engine, small, users["cand1"], now)
    for cid in [users["cand2"], users["cand3"]] + extra:
        aid = delivery.start_attempt(engine, big, cid, now)
        signals.record(engine, big, cid, "theory", "paste", {}, now)
        save_first(engine, aid, cid, now)
    typing.start(engine, big, users["cand2"], now)

    def read(sid):
        with engine.connect() as conn:
            return board.snapshot(conn, sid, now, "Asia/Shanghai")
    read(small)  # warm the engine (SQLite pragmas on connect)
    few = count_queries(engine, lambda: read(small))
    many = count_queries(engine, lambda: read(big))
    assert few == many <= board.MAX_QUERIES
    assert len(read(big)["rows"]) == 14


# ---------------------------------------------------------------- through the web

from tests.webclient import csrf_token, login  # noqa: E402


def test_the_examiner_acts_through_the_api_and_the_candidate_polls(app, client, engine, users, sitting):
    sid, a1, _ = sitting
    login(client, "examiner")
    page = client.get(f"/examiner/sessions/{sid}/proctoring")
    assert page.status_code == 200 and "实时监考" in page.get_data(as_text=True)
    token = csrf_token(client, f"/examiner/sessions/{sid}/proctoring")
    snap = client.get(f"/examiner/sessions/{sid}/proctoring/board").get_json()
    assert {r["username"] for r in snap["rows"]} == {"cand1", "cand2"}

    url = f"/api/sessions/{sid}/proctor/theory/{a1}/extra_time"
    assert client.post(url, json={"minutes": 5, "reason": "补时"}).status_code == 400  # no CSRF token
    resp = client.post(url, json={"minutes": 5}, headers={"X-CSRFToken": token})
    assert resp.status_code == 400 and "请填写原因" in resp.get_json()["error"]
    resp = client.post(url, json={"minutes": 5, "reason": "补时"}, headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and "5 分钟" in resp.get_json()["message"]
    resp = client.post(f"/api/sessions/{sid}/proctor/theory/{a1}/explode", json={"reason": "x"},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 404 and "未知的监考操作" in resp.get_json()["error"]
    resp = client.post(f"/api/sessions/{sid}/proctor/pause-all", json={"reason": "停电"}, headers={"X-CSRFToken": token})
    assert resp.get_json()["count"] == 2
    resp = client.post(f"/api/sessions/{sid}/incidents", json={"kind": "断电断网", "description": "停电 3 分钟"},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 200

    login(client, "cand1")
    seen = client.get(f"/candidate/proctoring/theory/{a1}/status").get_json()
    assert seen["paused"] is True and seen["extraSeconds"] == 300
    page = client.get(f"/candidate/attempts/{a1}").get_data(as_text=True)
    assert 'id="proctor-watch-config"' in page and "proctor-watch.js" in page
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/api/sessions/{sid}/signals", json={"part": "theory", "kind": "focus_loss"},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 200 and resp.get_json() == {"stored": True}
    resp = client.post(f"/api/sessions/{sid}/signals", json={"part": "theory", "kind": "hack"},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 400 and "kind" in resp.get_json()["error"]
    # another candidate's attempt is not theirs to watch
    login(client, "cand2")
    assert client.get(f"/candidate/proctoring/theory/{a1}/status").status_code == 404
    assert client.get(f"/examiner/sessions/{sid}/proctoring/board").status_code == 403
