"""Examiners confirm or override the machine's suggestion for each semantic criterion of a call: the
marking page shows the transcript turn by turn beside the criteria with their evidence; an override
without a reason is refused in Chinese and changes nothing; every decision is audited."""

from __future__ import annotations

import datetime as dt
import html
import json
import random
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from exam import service_phrases
from practical import marking, service
from practical.models import PracticalAttempt, PracticalMark, PracticalTask, Scenario
from tests.webclient import csrf_token, login

GRACE = dt.timedelta(seconds=30)


@pytest.fixture
def now():
    return dt.datetime.now(dt.timezone.utc)
CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "practical"


def _answered_call(engine, users, make_session, now, which="bad-1"):
    session_id = make_session(level="junior")
    attempt_id = service.start(engine, session_id, users["cand1"], now, random.Random(7))
    with Session(engine) as db:
        task = next(t for t in service.tasks_of(db, attempt_id) if t.kind == "call")
        ref = db.get(Scenario, task.scenario_id).ref
    sets = {s["id"]: s for s in json.loads((CORPUS / f"{ref}.json").read_text(encoding="utf-8"))["sets"]}
    replies = sets[which]["replies"]
    for n, reply in enumerate(replies):  # one reply a save, as the page sends them
        service.save(engine, attempt_id, users["cand1"], task.position, n + 1, {"turn": n, "reply": reply}, now, GRACE)
    lists = service_phrases.default_lists()
    assert service.submit(engine, attempt_id, "candidate", now, lists, candidate_id=users["cand1"])
    with Session(engine) as db:
        return session_id, attempt_id, db.get(PracticalTask, (attempt_id, task.position)), replies


def _mark_url(engine, session_id, attempt_id, position) -> str:
    """Marking URLs name the attempt by its anonymous 凭证号 (practical.examiner_views.mark)."""
    with Session(engine) as db:
        ticket = db.get(PracticalAttempt, attempt_id).ticket
    return f"/examiner/sessions/{session_id}/practical/marking/{ticket}/{position}"


def test_the_marking_page_shows_turns_suggestions_and_evidence(client, engine, users, make_session, now):
    session_id, attempt_id, task, replies = _answered_call(engine, users, make_session, now)
    login(client, "examiner")
    page = client.get(_mark_url(engine, session_id, attempt_id, task.position)).get_data(as_text=True)
    assert 'id="transcript"' in page and 'id="turn-1"' in page and "第 2 轮" in page
    assert all(html.escape(r) in page for r in replies)  # the candidate's own words, turn by turn
    assert "机器判定" in page and "机器建议" in page and "改判理由" in page
    hints = marking.suggestions(task)
    assert hints and all(html.escape(h["message"]) in page for h in hints.values())
    assert 'href="#turn-' in page  # evidence links to its turn
    assert Fraction(task.auto["max_points"]) < Fraction(task.points) / 2  # the machine decides less than half


def test_accepting_keeps_the_suggestion_and_overriding_needs_a_reason(client, engine, users, make_session, now):
    session_id, attempt_id, task, _ = _answered_call(engine, users, make_session, now)
    login(client, "examiner")
    url = _mark_url(engine, session_id, attempt_id, task.position)
    token = csrf_token(client, url)
    hints = marking.suggestions(task)
    form = {"csrf_token": token, "comment": ""}
    form.update({f"c_{k}": f"{round(float(Fraction(h['points'])), 2):g}" for k, h in hints.items()})
    key = next(k for k, h in hints.items() if h["verdict"] != "met")
    top = next(marking.criterion_max(task, c) for c in task.rubric if c["key"] == key)
    form[f"c_{key}"] = f"{round(float(top), 2):g}"
    refused = client.post(url, data=form)
    assert refused.status_code == 200 and "须填写理由" in refused.get_data(as_text=True)
    with Session(engine) as db:
        assert db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id)).first() is None
        assert db.get(PracticalTask, (attempt_id, task.position)).manual_points is None  # not final
    form[f"r_{key}"] = "第 4 轮其实答到了，只是说法不同"
    assert client.post(url, data=form).status_code == 302
    with Session(engine) as db:
        mark = db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id)).one()
        stored = db.get(PracticalTask, (attempt_id, task.position))
    assert mark.decisions[key] == {"suggested": hints[key]["points"], "points": str(top), "decision": "override",
                                   "reason": "第 4 轮其实答到了，只是说法不同"}
    assert all(d["decision"] == "accept" for k, d in mark.decisions.items() if k != key)
    expected = sum((Fraction(h["points"]) for k, h in hints.items() if k != key), Fraction(0)) + top
    assert Fraction(stored.manual_points) == expected
    with engine.connect() as conn:
        detail = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'practical.mark'")).scalar_one()
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["decisions"][key]["reason"] == "第 4 轮其实答到了，只是说法不同"


def test_a_reason_too_long_or_points_off_the_grid_are_refused(engine, users, make_session, now):
    _, attempt_id, task, _ = _answered_call(engine, users, make_session, now)
    hints = marking.suggestions(task)
    values = {k: h["points"] for k, h in hints.items()}
    key = next(iter(hints))
    values[key] = "1/3"
    with pytest.raises(marking.MarkingError, match="可用 0.5 分"):
        marking.save_mark(engine, attempt_id, task.position, users["examiner"], values, "", now, {key: "x"})
    top = next(marking.criterion_max(task, c) for c in task.rubric if c["key"] == key)
    values[key] = str(top if Fraction(hints[key]["points"]) != top else 0)
    with pytest.raises(marking.MarkingError, match="理由不超过 500 字"):
        marking.save_mark(engine, attempt_id, task.position, users["examiner"], values, "", now, {key: "长" * 501})


def test_a_call_drawn_under_the_first_releases_split_keeps_it(engine, users, make_session, now):
    """A call task frozen before issue 16 (examiners 1/5: clarity and courtesy 1/10 each; the machine's
    checks 4/5, stored at submission) is marked against the criteria it was drawn with: the examiner's
    maximum is its rubric's 1/5, not today's 3/5, and the total never exceeds the task's points."""
    session_id, attempt_id, task, _ = _answered_call(engine, users, make_session, now)
    points = Fraction(task.points)
    old_rubric = [{"key": "clarity", "name": "表达清晰、层次分明", "points": "1/10", "description": ""},
                  {"key": "courtesy", "name": "礼貌耐心、语气亲切", "points": "1/10", "description": ""}]
    with Session(engine) as db:
        stored = db.get(PracticalTask, (attempt_id, task.position))
        stored.rubric = old_rubric
        stored.auto = {"points": str(points * 4 / 5), "max_points": str(points * 4 / 5), "checks": []}
        stored.auto_points = str(points * 4 / 5)
        db.add(stored)
        db.commit()
        old = db.get(PracticalTask, (attempt_id, task.position))
        assert marking.manual_max(old) == points / 5 and marking.needs_marking(old)
    marking.save_mark(engine, attempt_id, task.position, users["examiner"],
                      {"clarity": str(points / 10), "courtesy": str(points / 10)}, "", now)
    from practical import results
    with Session(engine) as db:
        line = next(t for t in results.breakdown(db, db.get(PracticalAttempt, attempt_id)).tasks
                    if t.position == task.position)
    assert line.manual_max == points / 5 and line.earned == points and not line.waiting
