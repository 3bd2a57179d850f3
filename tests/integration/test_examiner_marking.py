"""Marking an examiner can work at (issue 22.4), on SQLite and PostgreSQL, through the pages and the
services: half points never answer 500, a saved mark changes only when confirmed and with a reason
(audited), short answers are marked per 评分要点 with optional double marking, and the short-answer
list keeps its order across saves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from fractions import Fraction

import pytest
from sqlmodel import Session, select

from exam.audit.models import AuditEvent
from exam.db import write_session
from exam.delivery import service as delivery
from exam.delivery.models import Attempt, ManualMark, ShortMark
from exam.marking import rounds
from exam.marking import service as short_marking
from exam.sessions.models import ExamSession
from exam.timeutil import utcnow
from practical import marking, service
from practical.models import PracticalAttempt, PracticalMark, PracticalTask
from question_bank.blueprint import default_blueprint
from tests.webclient import csrf_token, login


def _lists():
    from exam import service_phrases
    return {key: entry[1] for key, entry in service_phrases.PHRASE_LISTS.items()}


def _submitted_practical(engine, users, make_session, level="junior"):
    now = dt.datetime.now(dt.timezone.utc)
    session_id = make_session(level=level)
    attempt_id = service.start(engine, session_id, users["cand1"], now, random.Random(7))
    assert service.submit(engine, attempt_id, "candidate", now, _lists(), candidate_id=users["cand1"])
    with Session(engine) as db:
        tasks = [t for t in service.tasks_of(db, attempt_id) if marking.needs_marking(t)]
    return session_id, attempt_id, tasks


def _mark_url(engine, session_id, attempt_id, position) -> str:
    """Marking URLs name the attempt by its anonymous 凭证号, never its id (issue 17.8)."""
    with Session(engine) as db:
        ticket = db.get(PracticalAttempt, attempt_id).ticket
    return f"/examiner/sessions/{session_id}/practical/marking/{ticket}/{position}"


def _half_point_values(task) -> dict[str, str]:
    """Each criterion's maximum rounded down to a half point, and half a point less on one if the total
    would be whole: the total ends in .5 (stored as "…/2", the mark that once answered 500)."""
    values = {c["key"]: Fraction(int(marking.criterion_max(task, c) * 2), 2) for c in task.rubric}
    if sum(values.values()).denominator == 1:
        key = next(k for k, v in values.items() if v >= Fraction(1, 2))
        values[key] -= Fraction(1, 2)
    assert sum(values.values()).denominator == 2
    return {k: f"{float(v):g}" for k, v in values.items()}


def _form(token, task, values, **extra):
    form = {"csrf_token": token, "comment": "表达清楚", **extra}
    form.update({f"c_{k}": v for k, v in values.items()})
    form.update({f"r_{k}": "考评员复核后改判" for k in values})
    return form


def _events(engine, action):
    with Session(engine) as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_a_half_point_practical_mark_saves_and_every_page_shows_it(client, engine, users, make_session):
    session_id, attempt_id, tasks = _submitted_practical(engine, users, make_session)
    task = tasks[0]
    values = _half_point_values(task)
    login(client, "examiner")
    url = _mark_url(engine, session_id, attempt_id, task.position)
    token = csrf_token(client, url)
    resp = client.post(url, data=_form(token, task, values))
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    total = sum((Fraction(v) for v in values.values()), Fraction(0))
    page = client.get(resp.location).get_data(as_text=True)
    assert f"{float(total):g} 分" in page                       # the flash and the queue's "my mark"
    for path in (url, f"/examiner/sessions/{session_id}/practical"):
        assert client.get(path).status_code == 200, path
    with Session(engine) as db:
        assert Fraction(db.get(PracticalTask, (attempt_id, task.position)).manual_points) == total


def test_changing_a_saved_practical_mark_needs_confirmation_and_a_reason(client, engine, users, make_session):
    session_id, attempt_id, tasks = _submitted_practical(engine, users, make_session)
    task = tasks[0]
    full = {c["key"]: str(marking.criterion_max(task, c)) for c in task.rubric}
    login(client, "examiner")
    url = _mark_url(engine, session_id, attempt_id, task.position)
    token = csrf_token(client, url)
    assert client.post(url, data=_form(token, task, full)).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "确认修改已保存的评分" in page and "修改理由" in page
    lower = dict(full)
    first = task.rubric[0]["key"]
    lower[first] = "0"
    # the same marks again (only the comment differs): no confirmation needed
    assert client.post(url, data=_form(token, task, full, comment="补充评语")).status_code == 302
    for extra, missing in (({}, "勾选"), ({"confirm_change": "1"}, "填写修改理由"),
                           ({"change_reason": "复看录音后改判"}, "勾选")):
        resp = client.post(url, data=_form(token, task, lower, **extra), follow_redirects=True)
        assert resp.status_code == 200 and missing in resp.get_data(as_text=True)
    with Session(engine) as db:
        saved = db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id,
                                                   PracticalMark.position == task.position)).one()
        assert saved.criteria[first] == full[first]           # refused changes changed nothing
    resp = client.post(url, data=_form(token, task, lower, confirm_change="1", change_reason="复看录音后改判"))
    assert resp.status_code == 302
    with Session(engine) as db:
        saved = db.exec(select(PracticalMark).where(PracticalMark.attempt_id == attempt_id,
                                                   PracticalMark.position == task.position)).one()
        assert Fraction(saved.criteria[first]) == 0
    last = _events(engine, "practical.mark")[-1].detail
    assert last["change_reason"] == "复看录音后改判" and Fraction(last["before"]) > Fraction(last["points"])
    assert last["criteria_before"][first] == full[first]


# ---------------------------------------------------------------- short answers

def _short_session(engine, users, make_session, candidates=("cand1", "cand2"), double=False):
    from tests.integration.test_blueprints import save_rule
    rule = dataclasses.replace(default_blueprint("junior"), mode="drawn")
    sid = make_session(candidates=candidates, blueprint_id=save_rule(engine, rule))
    if double:
        with write_session(engine) as db:
            db.get(ExamSession, sid).double_marking = True
    for name in candidates:
        aid = delivery.start_attempt(engine, sid, users[name], utcnow())
        with Session(engine) as db:
            from exam.delivery.models import PaperSlot
            shorts = list(db.exec(select(PaperSlot).where(PaperSlot.attempt_id == aid, PaperSlot.kind == "short")))
        saves = [{"position": s.position, "seq": 1, "value": "先核对数据，再分类汇总，最后复核并保密。", "flagged": False}
                 for s in shorts]
        delivery.save_answers(engine, aid, users[name], saves, utcnow(), dt.timedelta(seconds=15))
        delivery.submit(engine, aid, "candidate", utcnow())
    with Session(engine) as db:
        return sid, short_marking.short_answers(db, sid)


def _parts(answer, share_of_each=Fraction(1)) -> dict[str, str]:
    return {f"p_{i}": f"{float(s * share_of_each):g}" if (s * share_of_each * 2).denominator == 1 else str(s)
            for i, s in enumerate(answer.shares)}


def test_short_answers_are_marked_per_point_in_a_stable_order_and_changes_are_confirmed(client, engine, users,
                                                                                        make_session):
    sid, answers = _short_session(engine, users, make_session)
    assert len(answers) == 4 and all(a.points_list for a in answers)
    order = [(a.attempt_id, a.position) for a in answers]
    login(client, "examiner")
    page_url = f"/examiner/sessions/{sid}/marking"
    token = csrf_token(client, page_url)
    page = client.get(page_url).get_data(as_text=True)
    assert "评分要点" in page and 'name="p_0"' in page and "cand1" not in page
    second = answers[1]
    code = short_marking.answer_code(client.application.secret_key, second.attempt_id)   # 答卷码, not the id
    assert f"答卷 {code} " in page
    post = f"/examiner/sessions/{sid}/marking/{code}/{second.position}"
    bad = {**_parts(second), "p_0": "99", "csrf_token": token}
    text = client.post(post, data=bad, follow_redirects=True).get_data(as_text=True)
    assert "要点 1：应在 0 至" in text
    resp = client.post(post, data={**_parts(second), "csrf_token": token})
    assert resp.status_code == 302 and resp.location.endswith(f"#mark-{code}-{second.position}")
    with Session(engine) as db:
        after = short_marking.short_answers(db, sid)
        mark = db.get(ManualMark, (second.attempt_id, second.position))
    assert [(a.attempt_id, a.position) for a in after] == order           # a save does not reorder
    assert Fraction(mark.points) == second.max_points
    assert after[1].state == rounds.AGREED and after[1].mine(users["examiner"]).criteria["0"] == str(second.shares[0])
    # changing it: refused without the confirmation and the reason, nothing changes
    half = {**_parts(second, Fraction(0)), "csrf_token": token}
    text = client.post(post, data=half, follow_redirects=True).get_data(as_text=True)
    assert "须勾选" in text and "填写修改理由" in text
    with Session(engine) as db:
        assert Fraction(db.get(ManualMark, (second.attempt_id, second.position)).points) == second.max_points
    client.post(post, data={**half, "confirm_change": "1", "change_reason": "要点与参考答案不符"})
    with Session(engine) as db:
        assert Fraction(db.get(ManualMark, (second.attempt_id, second.position)).points) == 0
    event = _events(engine, "attempt.marked")[-1].detail
    assert event["change_reason"] == "要点与参考答案不符" and Fraction(event["before"]) == second.max_points
    assert event["after"] == "0" and event["criteria"]["0"] == "0"


def test_a_short_answer_with_points_takes_no_bare_total_by_any_door(client, engine, users, make_session):
    """Marking per 评分要点 cannot be bypassed (audit finding 9): a bare ``points``, a form missing a
    要点 or naming one the item does not have is refused by name — 400 on the page, ``PointsMissing``
    from the service every door goes through — and nothing is stored or audited."""
    sid, answers = _short_session(engine, users, make_session, candidates=("cand1",))
    a = answers[0]
    assert len(a.points_list) >= 2
    every = "、".join(f"要点 {i + 1}" for i in range(len(a.points_list)))
    last = f"要点 {len(a.points_list)}"
    login(client, "examiner")
    page_url = f"/examiner/sessions/{sid}/marking"
    token = csrf_token(client, page_url)
    code = short_marking.answer_code(client.application.secret_key, a.attempt_id)
    post = f"/examiner/sessions/{sid}/marking/{code}/{a.position}"
    without_last = {k: v for k, v in _parts(a).items() if k != f"p_{len(a.points_list) - 1}"}
    for form, named in (({"points": str(a.max_points)}, f"缺少{every}的得分"),
                        ({"points": "abc"}, f"缺少{every}的得分"),
                        (without_last, f"缺少{last}的得分"),
                        ({**_parts(a), "p_9": "1"}, "没有要点 10")):
        resp = client.post(post, data={**form, "csrf_token": token})
        text = resp.get_data(as_text=True)
        assert resp.status_code == 400 and named in text and f"第 {a.position + 1} 题未保存" in text, (form, text[:300])
    # the service itself, as a JSON door or a script would call it
    for points, parts in ((a.max_points, None), (None, {"0": str(a.shares[0])})):
        with pytest.raises(short_marking.PointsMissing, match="须逐项给分"):
            short_marking.save_mark(engine, sid, a.attempt_id, a.position, points, "", users["examiner"], parts=parts)
    with Session(engine) as db:
        assert db.get(ManualMark, (a.attempt_id, a.position)) is None
        assert not db.exec(select(ShortMark).where(ShortMark.attempt_id == a.attempt_id)).all()
    assert _events(engine, "attempt.marked") == []
    # the page's own form (every 要点) goes through
    resp = client.post(post, data={**_parts(a), "csrf_token": token})
    assert resp.status_code == 302
    with Session(engine) as db:
        assert Fraction(db.get(ManualMark, (a.attempt_id, a.position)).points) == a.max_points


def test_short_answers_double_marking_averages_close_marks_and_reconciles_far_ones(engine, users, make_session):
    from exam.accounts import service as accounts
    with write_session(engine) as db:
        second, third = [accounts.create_user(db, f"examiner{n}", "test-password-1", "examiner", f"考评员{n}").id
                         for n in (2, 3)]
    sid, answers = _short_session(engine, users, make_session, candidates=("cand1",), double=True)
    a, b = answers[0], answers[1]
    parts_full = {k[2:]: v for k, v in _parts(a).items()}
    short_marking.save_mark(engine, sid, a.attempt_id, a.position, None, "", users["examiner"], parts=parts_full)
    with Session(engine) as db:
        assert db.get(ManualMark, (a.attempt_id, a.position)) is None            # waits for the second marking
        assert db.get(Attempt, a.attempt_id).passed is None
        assert short_marking.short_answers(db, sid)[0].state == rounds.SECOND
    close = dict(parts_full)
    close["0"] = str(Fraction(int(a.shares[0] * 2) - 1, 2))   # the half point below the 要点's share
    short_marking.save_mark(engine, sid, a.attempt_id, a.position, None, "", second, parts=close)
    with Session(engine) as db:
        agreed = Fraction(db.get(ManualMark, (a.attempt_id, a.position)).points)
    assert agreed == a.max_points - (Fraction(parts_full["0"]) - Fraction(close["0"])) / 2
    # far apart: full against nothing waits for a third examiner, whose mark decides
    full_b = {k[2:]: v for k, v in _parts(b).items()}
    zero_b = {k: "0" for k in full_b}
    short_marking.save_mark(engine, sid, b.attempt_id, b.position, None, "", users["examiner"], parts=full_b)
    short_marking.save_mark(engine, sid, b.attempt_id, b.position, None, "", second, parts=zero_b)
    with Session(engine) as db:
        assert short_marking.short_answers(db, sid)[1].state == rounds.RECONCILE
    with pytest.raises(short_marking.MarkingError):   # the first examiner changing theirs needs a reason
        short_marking.save_mark(engine, sid, b.attempt_id, b.position, None, "", users["examiner"], parts=zero_b)
    with pytest.raises(short_marking.PointsMissing):   # the third examiner marks per 要点 too
        short_marking.save_mark(engine, sid, b.attempt_id, b.position, Fraction(2), "仲裁", third)
    decision = {**zero_b, "0": full_b["0"]}
    short_marking.save_mark(engine, sid, b.attempt_id, b.position, None, "仲裁", third, parts=decision)
    with Session(engine) as db:
        assert Fraction(db.get(ManualMark, (b.attempt_id, b.position)).points) == b.shares[0]
        rows = list(db.exec(select(ShortMark).where(ShortMark.attempt_id == b.attempt_id,
                                                    ShortMark.position == b.position).order_by(ShortMark.round)))
        assert [(r.round, r.marker_id) for r in rows] == [(1, users["examiner"]), (2, second), (3, third)]
        assert db.get(Attempt, b.attempt_id).passed is False              # every short answer now agreed


def test_short_answers_are_final_once_published_and_open_again_once_withdrawn(engine, users, make_session):
    """Publication makes every part final (issue 18.3): a short answer's mark is refused like the
    practical's until the publication is withdrawn, then the change goes through and is republished."""
    from exam.sessions.results import publication
    sid, answers = _short_session(engine, users, make_session, candidates=("cand1",))
    for a in answers:
        short_marking.save_mark(engine, sid, a.attempt_id, a.position, None, "", users["examiner"],
                                parts={k[2:]: v for k, v in _parts(a).items()})
    with write_session(engine) as db:  # the exam is over
        s = db.get(ExamSession, sid)
        s.opens_at, s.closes_at = utcnow() - dt.timedelta(hours=3), utcnow() - dt.timedelta(hours=1)
    assert publication.publish(engine, sid, utcnow(), users["examiner"]).published
    first = answers[0]
    zero = {k[2:]: v for k, v in _parts(first, Fraction(0)).items()}
    with pytest.raises(short_marking.MarkingError, match="撤回发布"):
        short_marking.save_mark(engine, sid, first.attempt_id, first.position, None, "", users["examiner"],
                                parts=zero, confirmed=True, change_reason="要点与参考答案不符")
    with Session(engine) as db:
        assert Fraction(db.get(ManualMark, (first.attempt_id, first.position)).points) == first.max_points
    assert publication.unpublish(engine, sid, "简答题评分有误", users["examiner"])
    short_marking.save_mark(engine, sid, first.attempt_id, first.position, None, "", users["examiner"],
                            parts=zero, confirmed=True, change_reason="要点与参考答案不符")
    with Session(engine) as db:
        assert Fraction(db.get(ManualMark, (first.attempt_id, first.position)).points) == 0
    assert publication.publish(engine, sid, utcnow(), users["examiner"]).published
