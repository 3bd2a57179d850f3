"""The QA task's written coaching comments, marked by an examiner: the paper freezes the rules it is
scored by; the marking page shows the marking guide beside the candidate's comments with the
machine's suggestion and its evidence; accepting or overriding it (with a reason) goes through the
same decision mechanism as every examiner criterion and is audited; the JSON API shows the same;
the trainer's 试做 gives the coaching criterion with who decides it."""

from __future__ import annotations

import datetime as dt
import html
import json
import random
from fractions import Fraction

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from exam import service_phrases
from practical import marking, results, service
from practical.kinds import kind
from practical.models import PracticalAttempt, PracticalMark, PracticalTask, Scenario
from tests.integration.test_practical_call_marking import _mark_url
from tests.webclient import csrf_token, login

GRACE = dt.timedelta(seconds=30)
QA = kind("qa")
#: Coaching a QA officer would write for each stock QA scenario (names the weakest element, says what
#: to do instead, uses the standard's wording where the standard has some).
GOOD = {
    "qa-intermediate-01": {"listening": "客户没说完就打断，也没有复述户号。应该等客户说完再问户号，并复述核对；"
                                        "标准要求认真聆听，概括并复述对方的需求。"},
    "qa-intermediate-02": {"complaint": "中途说“没办法”“谁也不想”是在辩解。应先说“您的心情我非常理解”，承认问题后直接给办法。"},
    "qa-intermediate-03": {"opening": "只说了“您好请讲”，没有报工号。应按开篇语：您好，我是XX号客服专员，请问有什么可以帮您？"},
    "qa-intermediate-04": {"solving": "先要卡号、身份证，延误了安全指导。下次应先指导客户关阀、开窗、撤离，再核实身份。"},
}


@pytest.fixture
def now():
    return dt.datetime.now(dt.timezone.utc)


def _answered_qa(engine, users, make_session, now, comments=None):
    session_id = make_session(level="intermediate")
    attempt_id = service.start(engine, session_id, users["cand1"], now, random.Random(3))
    with Session(engine) as db:
        task = next(t for t in service.tasks_of(db, attempt_id) if t.kind == "qa")
        ref = db.get(Scenario, task.scenario_id).ref
    scores = {k: float(v) for k, v in QA.reference_marks(task.spec).items()}
    answer = {"scores": scores, "comments": GOOD[ref] if comments is None else comments}
    service.save(engine, attempt_id, users["cand1"], task.position, 1, answer, now, GRACE)
    assert service.submit(engine, attempt_id, "candidate", now, service_phrases.default_lists(),
                          candidate_id=users["cand1"])
    with Session(engine) as db:
        return session_id, attempt_id, db.get(PracticalTask, (attempt_id, task.position)), ref


def test_a_drawn_qa_task_freezes_its_rules_and_waits_for_the_examiner(engine, users, make_session, now):
    _, attempt_id, task, _ = _answered_qa(engine, users, make_session, now)
    assert task.spec["rules_version"] == QA.RULES_VERSION == 2
    assert [c["key"] for c in task.rubric] == ["coaching"] and task.rubric[0]["guide"]
    points = Fraction(task.points)
    assert marking.needs_marking(task) and marking.manual_max(task) == points / 3
    assert Fraction(task.auto_points) == Fraction(task.auto["max_points"]) == points * 2 / 3  # reference marks
    [hint] = task.auto["suggestions"]
    assert hint["code"] == "coaching" and hint["verdict"] == "met" and Fraction(hint["points"]) == points / 3
    with Session(engine) as db:
        line = next(t for t in results.breakdown(db, db.get(PracticalAttempt, attempt_id)).tasks
                    if t.position == task.position)
        assert line.waiting and line.manual_max == points / 3


def test_the_marking_page_shows_the_guide_beside_the_comments_and_audits_the_decision(
        client, engine, users, make_session, now):
    session_id, attempt_id, task, ref = _answered_qa(engine, users, make_session, now)
    login(client, "examiner")
    url = _mark_url(engine, session_id, attempt_id, task.position)
    page = client.get(url).get_data(as_text=True)
    assert "评阅要点" in page and 'id="coaching-comments"' in page
    assert all(html.escape(line) in page for line in task.rubric[0]["guide"])
    assert all(html.escape(c) in page for c in GOOD[ref].values())  # the candidate's own comment, beside it
    hint = marking.suggestions(task)["coaching"]
    assert html.escape(hint["message"]) in page and "的评语：" in page  # evidence names the item's comment
    token = csrf_token(client, url)
    form = {"csrf_token": token, "comment": "", "c_coaching": "5"}
    refused = client.post(url, data=form)
    assert refused.status_code == 200 and "须填写理由" in refused.get_data(as_text=True)
    with Session(engine) as db:
        assert db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id)).first() is None
    form["r_coaching"] = "改进建议只是照搬评分表，没有结合这通电话"
    assert client.post(url, data=form).status_code == 302
    with Session(engine) as db:
        mark = db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id)).one()
        stored = db.get(PracticalTask, (attempt_id, task.position))
        line = next(t for t in results.breakdown(db, db.get(PracticalAttempt, attempt_id)).tasks
                    if t.position == task.position)
    assert mark.decisions["coaching"] == {"suggested": hint["points"], "points": "5", "decision": "override",
                                          "reason": "改进建议只是照搬评分表，没有结合这通电话"}
    assert stored.manual_points == "5" and not line.waiting
    assert line.earned == Fraction(task.points) * 2 / 3 + 5
    with engine.connect() as conn:
        detail = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'practical.mark'")).scalar_one()
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["decisions"]["coaching"]["decision"] == "override"


def test_the_api_shows_the_guide_and_the_comments_and_accepting_needs_no_reason(
        client, engine, users, make_session, now):
    session_id, attempt_id, task, ref = _answered_qa(engine, users, make_session, now,
                                                     comments={"opening": "整体不错。"})
    login(client, "examiner")
    with Session(engine) as db:
        ticket = db.get(PracticalAttempt, attempt_id).ticket
    api = f"/examiner/api/sessions/{session_id}/practical/{ticket}/{task.position}/mark"
    sheet = client.get(api).get_json()
    [criterion] = sheet["criteria"]
    assert criterion["key"] == "coaching" and criterion["guide"] == task.rubric[0]["guide"]
    assert criterion["suggestion"]["verdict"] == "not_met" and criterion["suggestion"]["points"] == "0"
    assert {row["key"]: row["comment"] for row in sheet["comments"]}["opening"] == "整体不错。"
    token = csrf_token(client, f"/examiner/sessions/{session_id}/practical/marking")
    saved = client.post(api, json={"criteria": {"coaching": "0"}}, headers={"X-CSRFToken": token})
    assert saved.status_code == 200 and saved.get_json()["sheet"]["final"] is True
    with Session(engine) as db:
        mark = db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id)).one()
    assert mark.decisions["coaching"]["decision"] == "accept"


def test_the_trainers_trial_gives_the_coaching_criterion_with_its_guide(client, engine):
    with Session(engine) as db:
        sid = db.exec(select(Scenario.id).where(Scenario.ref == "qa-intermediate-03")).one()
    login(client, "trainer")
    detail = client.get(f"/trainer/scenarios/{sid}").get_data(as_text=True)
    assert "辅导评语" in detail and "评阅要点" not in detail and "使用标准的用语" in detail
    token = csrf_token(client, f"/trainer/scenarios/{sid}")
    answer = {"scores": {"opening": 3}, "comments": GOOD["qa-intermediate-03"]}
    out = client.post(f"/trainer/scenarios/{sid}/try", json={"replies": answer}, headers={"X-CSRFToken": token}).get_json()
    coaching = next(c for c in out["criteria"] if c["code"] == "coaching")
    assert coaching["decided_by"] == "examiner" and coaching["verdict"] == "met" and coaching["max_points"] == 10
    assert coaching["guide"] and any(e["note"].startswith("引用标准") for e in coaching["evidence"])
    assert out["machine_points"] == 2  # only the opening marked: 20 points of marks × 10/100
    assert out["examiner_points_max"] == 10 and out["max_points"] == 30
    page = client.post(f"/trainer/scenarios/{sid}/try",
                       data={"csrf_token": token, "replies": json.dumps(answer, ensure_ascii=False)})
    shown = page.get_data(as_text=True)
    assert page.status_code == 200 and "辅导评语" in shown and "开场规范的评语" in shown
