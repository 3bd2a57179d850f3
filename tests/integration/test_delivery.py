"""The attempt lifecycle on a real database (SQLite file and PostgreSQL server)."""

import dataclasses
import datetime as dt
import random
import threading
from fractions import Fraction

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from exam import standard
from exam.audit.models import AuditEvent
from exam.db import write_session
from exam.delivery import service
from exam.delivery.models import Answer, Attempt, PaperSlot
from exam.timeutil import utcnow
from question_bank import service as bank
from question_bank.models import Item, ItemVersion

GRACE = dt.timedelta(seconds=15)


def save(engine, attempt_id, candidate_id, position, seq, value, flagged=False, now=None):
    return service.save_answers(engine, attempt_id, candidate_id,
                                [{"position": position, "seq": seq, "value": value, "flagged": flagged}],
                                now or utcnow(), GRACE)


def stored(engine, attempt_id):
    with Session(engine) as s:
        return {a.position: (a.value, a.seq, a.flagged) for a in s.exec(select(Answer).where(Answer.attempt_id == attempt_id))}


def slots_of(engine, attempt_id):
    with Session(engine) as s:
        return list(s.exec(select(PaperSlot).where(PaperSlot.attempt_id == attempt_id).order_by(PaperSlot.position)))


def first_choice_slot(engine, attempt_id):
    return next(s for s in slots_of(engine, attempt_id) if s.kind in ("single", "multiple"))


def test_start_freezes_a_paper_that_follows_the_weights(engine, users, make_session):
    sid = make_session(level="intermediate", item_count=20)
    aid = service.start_attempt(engine, sid, users["cand1"], utcnow())
    slots = slots_of(engine, aid)
    assert len(slots) == 20
    assert sum(Fraction(s.points) for s in slots) == standard.FULL_MARKS
    for area in standard.level("intermediate").areas:
        assert sum(Fraction(s.points) for s in slots if s.area == area.code) == area.weight
    # starting again resumes the same attempt and paper
    assert service.start_attempt(engine, sid, users["cand1"], utcnow()) == aid
    assert [s.item_version_id for s in slots_of(engine, aid)] == [s.item_version_id for s in slots]


def test_papers_are_shuffled_per_candidate(engine, users, make_session):
    """Each start draws with its own random source. Two 40-question papers share only a few items
    (about four from the test bank, sometimes none), so comparing the option order of the items they
    share failed by chance; instead each paper must show some choice item out of its authored order
    (odds of failing by chance below 10^-30 with ~24 choice items), and the two papers must differ."""
    sid = make_session(item_count=40)
    a = slots_of(engine, service.start_attempt(engine, sid, users["cand1"], utcnow()))
    b = slots_of(engine, service.start_attempt(engine, sid, users["cand2"], utcnow()))
    assert [s.item_version_id for s in a] != [s.item_version_id for s in b]
    for paper in (a, b):
        choice = [s for s in paper if s.option_count]
        assert len(choice) >= 10
        assert all(sorted(s.option_order) == list(range(s.option_count)) for s in choice)
        assert any(s.option_order != list(range(s.option_count)) for s in choice)
    assert [(s.item_version_id, s.option_order) for s in a] != [(s.item_version_id, s.option_order) for s in b]


def test_editing_an_item_makes_a_new_version_and_the_paper_keeps_the_old(engine, users, make_session):
    sid = make_session()
    aid = service.start_attempt(engine, sid, users["cand1"], utcnow())
    slot = slots_of(engine, aid)[0]
    with write_session(engine) as s:
        old = s.get(ItemVersion, slot.item_version_id)
        item = s.get(Item, old.item_id)
        data = bank.version_data(s, old)
        new = bank.revise_item(s, item, dataclasses.replace(data, stem=data.stem + "（修订）"))
        assert new.version == old.version + 1
        new_id = new.id
    assert slots_of(engine, aid)[0].item_version_id == slot.item_version_id != new_id
    with Session(engine) as s:
        questions = service.paper_for_candidate(s, aid)
    assert "（修订）" not in questions[0].stem


def test_deadline_is_start_plus_duration_capped_at_close(engine, users, make_session):
    sid = make_session(duration_minutes=90, closes_in=dt.timedelta(minutes=30))
    now = utcnow()
    aid = service.start_attempt(engine, sid, users["cand1"], now)
    with Session(engine) as s:
        attempt = s.get(Attempt, aid)
        assert attempt.deadline <= now + dt.timedelta(minutes=30)
        assert attempt.deadline > now + dt.timedelta(minutes=29)


def test_candidates_not_enrolled_or_outside_the_window_cannot_start(engine, users, make_session):
    sid = make_session(candidates=("cand1",))
    with pytest.raises(service.DeliveryError, match="未报名"):
        service.start_attempt(engine, sid, users["cand2"], utcnow())
    later = make_session(opens_in=dt.timedelta(hours=1))
    with pytest.raises(service.DeliveryError, match="尚未开始"):
        service.start_attempt(engine, later, users["cand1"], utcnow())


def test_out_of_order_and_duplicate_saves_keep_the_newest(engine, users, make_session):
    sid = make_session()
    aid = service.start_attempt(engine, sid, users["cand1"], utcnow())
    pos = first_choice_slot(engine, aid).position
    me = users["cand1"]
    assert save(engine, aid, me, pos, 10, "1") == [[pos, 10]]
    save(engine, aid, me, pos, 30, "2")
    save(engine, aid, me, pos, 20, "3")       # late, older save arrives after the newer one
    save(engine, aid, me, pos, 30, "2")       # duplicate delivery of the newest
    assert stored(engine, aid)[pos] == ("2", 30, False)
    save(engine, aid, me, pos, 31, "", flagged=True)  # clearing and flagging is a save too
    assert stored(engine, aid)[pos] == ("", 31, True)


def test_concurrent_saves_in_any_order_leave_the_highest_sequence(engine, users, make_session):
    sid = make_session()
    aid = service.start_attempt(engine, sid, users["cand1"], utcnow())
    slot = first_choice_slot(engine, aid)
    me = users["cand1"]
    seqs = list(range(1, 41))
    random.Random(7).shuffle(seqs)
    errors = []

    def worker(chunk):
        try:
            for seq in chunk:
                save(engine, aid, me, slot.position, seq, str(seq % slot.option_count))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(seqs[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert stored(engine, aid)[slot.position] == (str(40 % slot.option_count), 40, False)


def test_saves_are_checked_against_the_frozen_paper(engine, users, make_session):
    sid = make_session()
    aid = service.start_attempt(engine, sid, users["cand1"], utcnow())
    with pytest.raises(service.DeliveryError, match="第 999 题不存在"):
        save(engine, aid, users["cand1"], 998, 1, "0")
    slot = first_choice_slot(engine, aid)
    with pytest.raises(service.DeliveryError, match="超出范围"):
        save(engine, aid, users["cand1"], slot.position, 1, str(slot.option_count))
    with pytest.raises(service.DeliveryError, match="找不到"):
        save(engine, aid, users["cand2"], slot.position, 1, "0")  # someone else's attempt
    assert stored(engine, aid) == {}


def test_saves_after_deadline_and_grace_are_refused(engine, users, make_session):
    sid = make_session(duration_minutes=10)
    start = utcnow()
    aid = service.start_attempt(engine, sid, users["cand1"], start)
    pos = first_choice_slot(engine, aid).position
    deadline = start + dt.timedelta(minutes=10)
    save(engine, aid, users["cand1"], pos, 1, "0", now=deadline + GRACE - dt.timedelta(seconds=1))
    with pytest.raises(service.ClosedError):
        save(engine, aid, users["cand1"], pos, 2, "1", now=deadline + GRACE + dt.timedelta(seconds=1))
    assert stored(engine, aid)[pos][1] == 1


def test_submit_grades_once_and_is_audited(engine, users, make_session):
    sid = make_session(item_count=20)
    aid = service.start_attempt(engine, sid, users["cand1"], utcnow())
    answered = _answer_correctly(engine, aid, users["cand1"], count=12)
    assert service.submit(engine, aid, "candidate", utcnow(), actor_id=users["cand1"], candidate_id=users["cand1"])
    assert not service.submit(engine, aid, "candidate", utcnow())  # second submit does nothing
    with Session(engine) as s:
        attempt = s.get(Attempt, aid)
        assert attempt.status == "submitted" and attempt.submit_reason == "candidate"
        assert attempt.score == pytest.approx(float(answered), abs=0.01)
        assert attempt.passed == (answered >= standard.THEORY_PASS_MARK)
        events = list(s.exec(select(AuditEvent).where(AuditEvent.subject_id == aid,
                                                       AuditEvent.action == "attempt.graded")))
    assert len(events) == 1 and events[0].detail["reason"] == "candidate"
    with pytest.raises(service.ClosedError):
        save(engine, aid, users["cand1"], 0, 10**13, "T")


def _answer_correctly(engine, attempt_id, candidate_id, count, now=None):
    """Answer the first ``count`` machine-marked slots correctly using the keys (as only a test may);
    returns points. Short answers are left blank: blank needs no examiner and earns nothing."""
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT ps.position, ps.kind, ps.option_order, ps.points, iv.key FROM paper_slot ps "
            "JOIN item_version iv ON iv.id = ps.item_version_id WHERE ps.attempt_id = :a ORDER BY ps.position"),
            {"a": attempt_id}).all()
    import json
    total = Fraction(0)
    saves = []
    for row in [r for r in rows if r.kind != "short"][:count]:
        key = json.loads(row.key) if isinstance(row.key, str) else row.key
        order = json.loads(row.option_order) if isinstance(row.option_order, str) else row.option_order
        if row.kind == "truefalse":
            value = "T" if key else "F"
        elif row.kind == "fill":
            value = "  " + key[-1].upper() + " "      # typed as a candidate might: spaces, other case
        else:
            value = ",".join(str(order.index(k)) for k in sorted(key, key=order.index))
            value = ",".join(sorted(value.split(","), key=int))
        saves.append({"position": row.position, "seq": 1, "value": value, "flagged": False})
        total += Fraction(row.points)
    service.save_answers(engine, attempt_id, candidate_id, saves, now or utcnow(), GRACE)
    return total


def test_overdue_attempts_are_submitted_once_even_when_the_job_runs_twice(engine, users, make_session):
    sid = make_session(duration_minutes=5, opens_in=dt.timedelta(minutes=-30))
    start = utcnow() - dt.timedelta(minutes=10)  # this candidate started 10 minutes ago and left
    late = service.start_attempt(engine, sid, users["cand1"], start)
    fresh = service.start_attempt(engine, sid, users["cand2"], utcnow())
    _answer_correctly(engine, late, users["cand1"], count=3, now=start + dt.timedelta(minutes=1))
    now = utcnow()
    results = []
    threads = [threading.Thread(target=lambda: results.append(service.submit_overdue(engine, now, GRACE)))
               for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    with Session(engine) as s:
        assert s.get(Attempt, late).status == "submitted"
        assert s.get(Attempt, late).submit_reason == "deadline"
        assert s.get(Attempt, late).score is not None
        assert s.get(Attempt, fresh).status == "open"
        graded = s.exec(select(AuditEvent).where(AuditEvent.action == "attempt.graded")).all()
    assert len(graded) == 1


def test_simultaneous_starts_of_one_candidate_make_one_attempt(engine, users, make_session):
    sid = make_session()
    ids, errors = [], []

    def go():
        try:
            ids.append(service.start_attempt(engine, sid, users["cand1"], utcnow()))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=go) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(ids)) == 1
    assert len(slots_of(engine, ids[0])) == 20


def test_the_deadline_job_works_through_many_attempts_in_batches(engine, users, make_session, monkeypatch):
    monkeypatch.setattr(service, "DEADLINE_BATCH", 2)
    sid = make_session(candidates=("cand1", "cand2", "cand3"), duration_minutes=5,
                       opens_in=dt.timedelta(minutes=-30))
    start = utcnow() - dt.timedelta(minutes=10)
    ids = [service.start_attempt(engine, sid, users[c], start) for c in ("cand1", "cand2", "cand3")]
    assert service.submit_overdue(engine, utcnow(), GRACE) == 3
    assert service.submit_overdue(engine, utcnow(), GRACE) == 0
    with Session(engine) as s:
        assert all(s.get(Attempt, i).status == "submitted" and s.get(Attempt, i).score == 0 for i in ids)
        assert len(s.exec(select(AuditEvent).where(AuditEvent.action == "attempt.graded")).all()) == 3
