"""The practical assessment on a real database: papers per level, autosave, the simulated call's turns,
machine checks at submission, examiner marking (single and double), publication, the pages."""

from __future__ import annotations

import math

import datetime as dt
import random
from fractions import Fraction

import pytest
from sqlalchemy import text
from sqlmodel import Session

from exam import standard
from exam.db import write_session
from exam.sessions.models import ExamSession
from exam.sessions.results import publication
from practical import marking, results, service
from practical.kinds import KIND_CODES, kind
from practical.models import PracticalAttempt, PracticalTask
from tests.webclient import csrf_token, live_page, login

GRACE = dt.timedelta(seconds=15)


class _Reasons(dict):
    """A reason for every criterion: these tests give points other than the machine suggests."""

    def get(self, key, default=None):
        return "考评员复核后改判"


OVERRIDE_REASONS = _Reasons()


def _lists():
    from exam import service_phrases
    return {key: entry[1] for key, entry in service_phrases.PHRASE_LISTS.items()}


@pytest.fixture
def now():
    return dt.datetime.now(dt.timezone.utc)


def _start(engine, users, make_session, level, candidate="cand1", now=None):
    session_id = make_session(level=level)
    attempt_id = service.start(engine, session_id, users[candidate], now, random.Random(7))
    return session_id, attempt_id


def _tasks(engine, attempt_id) -> list[PracticalTask]:
    with Session(engine) as db:
        return service.tasks_of(db, attempt_id)


@pytest.mark.parametrize("level", list(standard.LEVELS))
def test_each_levels_paper_follows_the_standard_and_sums_to_100_with_typing(engine, users, make_session, level, now):
    _, attempt_id = _start(engine, users, make_session, level, now=now)
    tasks = _tasks(engine, attempt_id)
    paper = standard.practical_paper(level)
    assert sorted(t.kind for t in tasks) == sorted(p.kind for p in paper.parts for _ in range(p.count))
    total = sum(Fraction(t.points) for t in tasks) + standard.typing_rule(level).practical_points
    assert total == standard.FULL_MARKS
    assert len({t.scenario_id for t in tasks}) == len(tasks)


def _call_task(engine, attempt_id) -> PracticalTask:
    return next(t for t in _tasks(engine, attempt_id) if t.kind == "call")


def test_a_call_reply_brings_the_callers_next_line_and_older_saves_never_win(engine, users, make_session, now):
    _, attempt_id = _start(engine, users, make_session, "junior", now=now)
    task = _call_task(engine, attempt_id)
    first = kind("call").candidate_view(task.spec, {}, task.seed)
    assert first["transcript"][0]["who"] == "caller" and first["awaiting_reply"]
    reply = "您好，8号为您服务，请问有什么可以帮您？"
    stored, after = service.save(engine, attempt_id, users["cand1"], task.position, 10, {"turn": 0, "reply": reply},
                                 now, GRACE)
    assert stored == 10 and after["transcript"][1] == {"who": "agent", "text": reply}
    assert len(after["transcript"]) >= 3 or after["finished"]
    # one reply a save: a whole list (which could add several at once) is for the trainer's 试做 only
    for replies in ([], ["您好，请讲"], [reply], [reply, "好的，请您稍等"]):
        with pytest.raises(service.PracticalError, match="每次保存一句回复"):
            service.save(engine, attempt_id, users["cand1"], task.position, 11, {"replies": replies}, now, GRACE)
    with pytest.raises(service.PracticalError, match="第 1 句回复已经确认，不能修改"):
        service.save(engine, attempt_id, users["cand1"], task.position, 13, {"turn": 0, "reply": "改一下"}, now, GRACE)
    with pytest.raises(service.PracticalError, match="第 2 句回复尚未保存"):
        service.save(engine, attempt_id, users["cand1"], task.position, 14, {"turn": 2, "reply": "跳过"}, now, GRACE)
    # a retry of the acknowledged reply (its first answer lost on the way), even with an older number: once
    stored, after = service.save(engine, attempt_id, users["cand1"], task.position, 5, {"turn": 0, "reply": reply},
                                 now, GRACE)
    assert stored == 10 and [line["text"] for line in after["transcript"] if line["who"] == "agent"] == [reply]
    with pytest.raises(service.PracticalError) as err:
        service.save(engine, attempt_id, users["cand2"], task.position, 11, {"turn": 1, "reply": "好的"}, now, GRACE)
    assert err.value.status == 404
    assert _call_task(engine, attempt_id).answer == {"replies": [reply]}  # nothing refused was stored


def test_a_save_is_acknowledged_only_for_what_is_stored(engine, users, make_session, now):
    """A form kind's save: a newer number stores, a retry is acknowledged again, an older one is answered
    with the newer number stored, and the same number with other content is refused 409, not stored."""
    _, attempt_id = _start(engine, users, make_session, "junior", now=now)
    task = next(t for t in _tasks(engine, attempt_id) if t.kind == "work_order")
    first, other = {"fields": {"caller": "陈女士"}}, {"fields": {"caller": "王先生"}}
    assert service.save(engine, attempt_id, users["cand1"], task.position, 2, first, now, GRACE)[0] == 2
    assert service.save(engine, attempt_id, users["cand1"], task.position, 2, first, now, GRACE)[0] == 2  # a retry
    with pytest.raises(service.PracticalConflictError) as err:
        service.save(engine, attempt_id, users["cand1"], task.position, 2, other, now, GRACE)
    assert err.value.status == 409 and "序号与已保存的作答相同，但内容不同，未保存" in str(err.value)
    assert service.save(engine, attempt_id, users["cand1"], task.position, 1, other, now, GRACE)[0] == 2  # older
    assert _task(engine, attempt_id, task.position).answer == first


def test_saves_after_the_deadline_are_refused_and_the_deadline_submits(engine, users, make_session, now):
    _, attempt_id = _start(engine, users, make_session, "junior", now=now)
    minutes = standard.practical_paper("junior").minutes
    late = now + dt.timedelta(minutes=minutes) + GRACE + dt.timedelta(seconds=1)
    with pytest.raises(service.PracticalClosedError):
        service.save(engine, attempt_id, users["cand1"], 0, 1, {}, late, GRACE)
    assert service.submit_overdue(engine, late, GRACE, _lists()) == 1
    assert service.submit_overdue(engine, late, GRACE, _lists()) == 0
    tasks = _tasks(engine, attempt_id)
    assert all(t.auto is not None and Fraction(t.auto_points) == 0 for t in tasks)  # nothing answered


def _submitted(engine, users, make_session, level, now, double=False):
    session_id, attempt_id = _start(engine, users, make_session, level, now=now)
    if double:
        with write_session(engine) as db:
            db.get(ExamSession, session_id).double_marking = True
    assert service.submit(engine, attempt_id, "candidate", now, _lists(), candidate_id=users["cand1"])
    return session_id, attempt_id


def _rubric_values(task, share=Fraction(1)):
    return {c["key"]: str(marking.criterion_max(task, c) * share) for c in task.rubric}


def test_single_marking_completes_the_task_and_publication_opens_the_breakdown(engine, users, make_session, now):
    """The practical is published with the session (the one publication path): refused while a task
    is unmarked, final once published (marking closed), open to marking again once withdrawn."""
    session_id, attempt_id = _submitted(engine, users, make_session, "junior", now)
    after_end = now + dt.timedelta(hours=4)  # make_session's windows close in three hours
    with Session(engine) as db:
        entries = marking.queue(db, session_id)
    assert entries and all(e.state == "待评分" and e.ticket.startswith("S") for e in entries)
    refused = publication.publish(engine, session_id, after_end, users["examiner"])
    assert not refused.published and any("待考评员评分" in r for r in refused.reasons)
    for e in entries:
        marking.save_mark(engine, attempt_id, e.task.position, users["examiner"], _rubric_values(e.task), "好", now, reasons=OVERRIDE_REASONS)
    with Session(engine) as db:
        assert all(e.state == "已评定" for e in marking.queue(db, session_id))
        breakdown = results.breakdown(db, db.get(PracticalAttempt, attempt_id))
    assert breakdown.complete and breakdown.total == sum(t.manual_max for t in breakdown.tasks)
    assert publication.publish(engine, session_id, after_end, users["examiner"]).published
    with Session(engine) as db:
        attempt = db.get(PracticalAttempt, attempt_id)
        assert Fraction(attempt.score) == breakdown.total and attempt.passed is False
    with pytest.raises(marking.MarkingError) as closed:
        marking.save_mark(engine, attempt_id, entries[0].task.position, users["examiner"], _rubric_values(entries[0].task),
                          "", now)
    assert "撤回发布" in str(closed.value)
    assert publication.unpublish(engine, session_id, "第 1 题评分有误", users["examiner"])
    none = _rubric_values(entries[0].task, Fraction(0))
    marking.save_mark(engine, attempt_id, entries[0].task.position, users["examiner"], none, "更正", now,
                      reasons=OVERRIDE_REASONS, confirmed=True, change_reason="第 1 题评分有误")
    assert publication.publish(engine, session_id, after_end, users["examiner"]).published
    with Session(engine) as db:
        corrected = results.breakdown(db, db.get(PracticalAttempt, attempt_id)).total
        assert corrected < breakdown.total and Fraction(db.get(PracticalAttempt, attempt_id).score) == corrected


def test_a_mark_out_of_range_is_refused_in_chinese(engine, users, make_session, now):
    _, attempt_id = _submitted(engine, users, make_session, "senior", now)
    task = next(t for t in _tasks(engine, attempt_id) if t.kind == "written")
    values = _rubric_values(task)
    first = task.rubric[0]["key"]
    values[first] = "999"
    with pytest.raises(marking.MarkingError) as err:
        marking.save_mark(engine, attempt_id, task.position, users["examiner"], values, "", now, reasons=OVERRIDE_REASONS)
    assert "应在 0 至" in str(err.value)


def _second_examiner(engine):
    from exam.accounts import service as accounts
    with write_session(engine) as db:
        return [accounts.create_user(db, f"examiner{n}", "test-password-1", "examiner", f"考评员{n}").id for n in (2, 3)]


def test_double_marking_averages_close_marks_and_reconciles_far_ones(engine, users, make_session, now):
    session_id, attempt_id = _submitted(engine, users, make_session, "senior", now, double=True)
    second, third = _second_examiner(engine)
    written = next(t for t in _tasks(engine, attempt_id) if t.kind == "written")
    call = next(t for t in _tasks(engine, attempt_id) if t.kind == "call")
    # close: full and 90 % → the mean
    marking.save_mark(engine, attempt_id, call.position, users["examiner"], _rubric_values(call), "", now, reasons=OVERRIDE_REASONS)
    # marking again corrects one's own first marking: it never counts as the second one
    marking.save_mark(engine, attempt_id, call.position, users["examiner"], _rubric_values(call), "改", now, reasons=OVERRIDE_REASONS)
    with Session(engine) as db:
        state = {e.task.position: (e.state, len(e.marks)) for e in marking.queue(db, session_id)}
    assert state[call.position] == ("待二评", 1)
    close = _rubric_values(call)
    first_key = call.rubric[0]["key"]
    full = Fraction(close[first_key])
    less = Fraction(math.floor(full * 2) - 1, 2)  # the half point below the criterion's maximum
    close[first_key] = str(less)
    marking.save_mark(engine, attempt_id, call.position, second, close, "", now, reasons=OVERRIDE_REASONS)
    top = marking.manual_max(call)
    assert full - less <= standard.DOUBLE_MARK_TOLERANCE * top
    assert Fraction(_task(engine, attempt_id, call.position).manual_points) == top - (full - less) / 2
    # far: full and zero → waits for a third marking, which decides
    marking.save_mark(engine, attempt_id, written.position, users["examiner"], _rubric_values(written), "", now, reasons=OVERRIDE_REASONS)
    marking.save_mark(engine, attempt_id, written.position, second, _rubric_values(written, Fraction(0)), "", now, reasons=OVERRIDE_REASONS)
    with Session(engine) as db:
        state = {e.task.position: e.state for e in marking.queue(db, session_id)}
    assert state[written.position] == "待仲裁" and _task(engine, attempt_id, written.position).manual_points is None
    decision = _rubric_values(written, Fraction(0))
    decision[written.rubric[0]["key"]] = _rubric_values(written)[written.rubric[0]["key"]]
    marking.save_mark(engine, attempt_id, written.position, third, decision, "", now, reasons=OVERRIDE_REASONS)
    assert Fraction(_task(engine, attempt_id, written.position).manual_points) == \
        marking.criterion_max(written, written.rubric[0])


def _task(engine, attempt_id, position) -> PracticalTask:
    with Session(engine) as db:
        return db.get(PracticalTask, (attempt_id, position))


# ---------------------------------------------------------------- through the web

def test_candidate_sits_downloads_the_log_and_sees_results_only_after_publication(client, engine, users, make_session):
    session_id = make_session(level="senior")
    login(client, "cand1")
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/candidate/sessions/{session_id}/practical/start", data={"csrf_token": token, "confirm": "1"})
    assert resp.status_code == 302
    attempt_id = int(resp.location.rsplit("/", 1)[1])
    page = client.get(resp.location).get_data(as_text=True)
    assert "话务数据分析" in page and "下载话务记录" in page and "发送" in page
    tasks = _tasks(engine, attempt_id)
    kpi_task = next(t for t in tasks if t.kind == "kpi")
    for truth in _secrets_of(tasks):
        assert truth not in page, truth
    csv = client.get(f"/candidate/practical/{attempt_id}/tasks/{kpi_task.position}/log.csv")
    assert csv.status_code == 200 and csv.headers["Content-Type"].startswith("text/csv")
    assert len(csv.get_data(as_text=True).strip().splitlines()) == kpi_task.spec["log"]["calls"] + 1
    saved = client.post(f"/api/practical/{attempt_id}/tasks/{kpi_task.position}{live_page(page)}", headers={"X-CSRFToken": token},
                        json={"seq": 5, "answer": {"values": {"answer_rate": "abc"}}})
    assert saved.status_code == 400 and "第" in saved.get_json()["error"]
    resp = client.post(f"/candidate/practical/{attempt_id}/submit{live_page(page)}", data={"csrf_token": token})
    assert "考评员评分并发布后可见" in client.get(resp.location).get_data(as_text=True)
    login(client, "cand2")
    assert client.get(f"/candidate/practical/{attempt_id}/tasks/{kpi_task.position}/log.csv").status_code == 404


def start_on_the_page(client, make_session, level: str, candidate: str) -> tuple[int, int, str, str]:
    """A session of ``level`` for ``candidate`` alone, started as the candidate does (须知 confirmed):
    (session id, attempt id, CSRF token, the sitting page — whose live-page token the save API needs)."""
    session_id = make_session(level=level, candidates=(candidate,))
    login(client, candidate)
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/candidate/sessions/{session_id}/practical/start", data={"csrf_token": token, "confirm": "1"})
    attempt_id = int(resp.location.rsplit("/", 1)[1])
    return session_id, attempt_id, token, client.get(resp.location).get_data(as_text=True)


#: Per kind: an answer the page could send, and the same with the slip a hand-made client makes (a key
#: misspelt, or a field beside the kind's keys) that was once dropped without a word.
_GOOD_AND_STRAY = {
    "call": ({"turn": 0, "reply": "您好，请讲。"}, {"turn": 0, "reply": "您好，请讲。", "text": "您好"}),
    "complaint": ({"turn": 0, "reply": "您好，请讲。"}, {"turn": 0, "reply": "您好，请讲。", "replies": ["您好"]}),
    "work_order": ({"fields": {"caller": "陈女士"}}, {"fields": {"caller": "陈女士"}, "phone": "13000000000"}),
    "qa": (None, None),  # built from the task's rubric below
    "kpi": ({"values": {}, "short_of_target": []}, {"values": {}, "shortOfTarget": []}),
    "staffing": ({"agents": {"0": 3}}, {"agent": {"0": 3}}),
    "written": ({"text": "关于提升接通率的建议"}, {"text": "关于提升接通率的建议", "title": "建议书"}),
}


def test_every_kind_refuses_an_unknown_top_level_key_on_the_candidate_save_api(client, engine, users, make_session):
    """The candidate save API, every kind (all three levels' papers): an answer carrying a top-level key
    its kind does not read is refused 400 with a Chinese message naming that key and the expected ones
    (``practical.kinds``, one rule for all), and nothing is stored — the answer saved before stays."""
    seen = set()
    for level, candidate in (("junior", "cand1"), ("intermediate", "cand2"), ("senior", "cand3")):
        _, attempt_id, token, sit = start_on_the_page(client, make_session, level, candidate)
        for task in _tasks(engine, attempt_id):
            good, stray = _GOOD_AND_STRAY[task.kind]
            if task.kind == "qa":
                first = task.spec["rubric"][0]["key"]
                good = {"scores": {first: 0}, "comments": {}}
                stray = {"scores": {first: 0}, "comment": {first: "开场没有问候"}}
            url = f"/api/practical/{attempt_id}/tasks/{task.position}{live_page(sit)}"
            ok = client.post(url, headers={"X-CSRFToken": token}, json={"seq": 1, "answer": good})
            assert ok.status_code == 200, ok.get_data(as_text=True)
            stored = _task(engine, attempt_id, task.position)
            refused = client.post(url, headers={"X-CSRFToken": token}, json={"seq": 2, "answer": stray})
            message = refused.get_json()["error"]
            assert refused.status_code == 400, message
            unknown = next(key for key in stray if key not in good)
            module = kind(task.kind)
            expected = module.SAVE_KEYS if hasattr(module, "merge_answer") else module.ANSWER_KEYS
            assert f"第 {task.position + 1} 题" in message and f"多余的键 '{unknown}'" in message, message
            assert all(f"{key}（" in message for key in expected), message
            after = _task(engine, attempt_id, task.position)
            assert (after.answer, after.answer_seq) == (stored.answer, stored.answer_seq)  # nothing saved
            seen.add(task.kind)
    assert seen == set(KIND_CODES)


def _secrets_of(tasks) -> list[str]:
    """A few things of each task's spec that must never reach the candidate's page."""
    out = []
    for t in tasks:
        if t.kind == "written":
            out += [c["description"] for c in t.rubric if c.get("description")][:1]
    return [s for s in out if s]


def test_examiner_marks_from_the_queue_and_publishes(client, engine, users, make_session, now):
    session_id, attempt_id = _submitted(engine, users, make_session, "junior", now)
    login(client, "examiner")
    queue = client.get(f"/examiner/sessions/{session_id}/practical/marking").get_data(as_text=True)
    assert "待评分" in queue and "cand1" not in queue  # anonymous: ticket codes only
    token = csrf_token(client, f"/examiner/sessions/{session_id}/practical/marking")
    with engine.connect() as conn:
        ticket = conn.execute(text("SELECT ticket FROM practical_attempt WHERE id = :a"), {"a": attempt_id}).scalar()
    for task in [t for t in _tasks(engine, attempt_id) if marking.needs_marking(t)]:
        url = f"/examiner/sessions/{session_id}/practical/marking/{ticket}/{task.position}"  # no attempt id
        assert url in queue
        page = client.get(url).get_data(as_text=True)
        assert "机器判定" in page and "考评员评定" in page
        form = {"csrf_token": token, "comment": "表达清楚"}
        form.update({f"c_{k}": v for k, v in _rubric_values(task).items()})
        form.update({f"r_{k}": "考评员复核后改判" for k in _rubric_values(task)})
        assert client.post(url, data=form).status_code == 302
    page = client.get(f"/examiner/sessions/{session_id}/practical").get_data(as_text=True)
    assert "随本场成绩统一发布" in page and f"/examiner/sessions/{session_id}/results" in page
    assert client.post(f"/examiner/sessions/{session_id}/practical/publish",
                       data={"csrf_token": token}).status_code in (404, 405)  # no second publish path
    login(client, "cand1")
    assert "总分" not in client.get(f"/candidate/practical/{attempt_id}/result").get_data(as_text=True)
    with write_session(engine) as db:  # the exam is over
        s = db.get(ExamSession, session_id)
        s.opens_at, s.closes_at = now - dt.timedelta(hours=3), now - dt.timedelta(hours=1)
    login(client, "examiner")
    token = csrf_token(client, f"/examiner/sessions/{session_id}/results")   # a new sign-in, a new session
    resp = client.post(f"/examiner/sessions/{session_id}/results/publish",
                       data={"csrf_token": token, "confirm": "y"})
    assert resp.status_code == 302 and "成绩已发布" in client.get(resp.location).get_data(as_text=True)
    assert "已随本场成绩发布" in client.get(f"/examiner/sessions/{session_id}/results").get_data(as_text=True)
    login(client, "cand1")
    result = client.get(f"/candidate/practical/{attempt_id}/result").get_data(as_text=True)
    assert "总分" in result and "打字测试" in result and "✗" in result


def test_typing_and_practical_start_in_the_practical_window_not_the_theory_one(engine, users, make_session, now):
    """An afternoon practical: after the morning theory closes, typing and practical may still start,
    and their deadlines are capped by the practical window's close; before it opens they are refused."""
    from typing_test import service as typing
    from typing_test.models import TypingAttempt
    from typing_test.service import TypingError

    session_id = make_session(level="junior", opens_in=dt.timedelta(hours=-3), closes_in=dt.timedelta(hours=-1))
    with write_session(engine) as db:
        exam_session = db.get(ExamSession, session_id)
        exam_session.practical_opens_at = now + dt.timedelta(minutes=30)
        exam_session.practical_closes_at = now + dt.timedelta(hours=3)
    with pytest.raises(service.PracticalError, match="尚未开始"):
        service.start(engine, session_id, users["cand1"], now, random.Random(7))
    with pytest.raises(TypingError, match="尚未开始"):
        typing.start(engine, session_id, users["cand1"], now)

    later = now + dt.timedelta(hours=2, minutes=50)
    practical_id = service.start(engine, session_id, users["cand1"], later, random.Random(7))
    typing_id = typing.start(engine, session_id, users["cand1"], later)
    closes = now + dt.timedelta(hours=3)
    with Session(engine) as db:
        for attempt in (db.get(PracticalAttempt, practical_id), db.get(TypingAttempt, typing_id)):
            deadline = attempt.deadline if attempt.deadline.tzinfo else attempt.deadline.replace(tzinfo=dt.timezone.utc)
            assert deadline <= closes
