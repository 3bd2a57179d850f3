"""The scheduler runs exam day by itself: each session step runs once however often it is triggered,
a step missed while the scheduler was down runs when a new scheduler starts on the same database,
and moving a session's times moves its jobs. Real databases (SQLite and PostgreSQL), real
APScheduler schedulers with the persistent job store."""

from __future__ import annotations

import datetime as dt
import threading
import time

from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import func, select, text, update

from exam import scheduler
from exam.audit.models import AuditEvent
from exam.db import write_session
from exam.delivery import service as delivery
from exam.delivery.models import Attempt
from exam.jobstore import JOBS, SharedJobStore
from exam.notifications.models import Notification
from exam.sessions import service as sessions
from exam.sessions.timeline import steps
from exam.sessions.timeline import plan as tl
from exam.sessions.models import ExamSession, SessionEvent
from exam.timeutil import UTC, as_utc, utcnow

M, H = dt.timedelta(minutes=1), dt.timedelta(hours=1)
SETTINGS = steps.Settings(grace=dt.timedelta(seconds=1))


def _cfg(url: str, sync_seconds: int = 3600) -> dict:
    return {"DATABASE_URL": url, "GRACE_SECONDS": 1, "TYPING_MIN_ACCURACY": 0.9, "SCHEDULER_INTERVAL_SECONDS": 1,
            "SCHEDULER_SYNC_SECONDS": sync_seconds, "TIMEZONE": "Asia/Shanghai"}


def _create(engine, users, opens, closes, **extra) -> int:
    with write_session(engine) as db:
        created = sessions.create_session(
            db, name="定时场次", level="junior", opens_at=opens, closes_at=closes, duration_minutes=60,
            item_count=20, candidate_ids=[users["cand1"], users["cand2"]], created_by=users["examiner"],
            examiner_ids=[users["examiner"]])
        for name, value in extra.items():
            setattr(created, name, value)
        db.add(created)
        db.flush()
        return created.id


def _move(engine, session_id, **times) -> None:
    with write_session(engine) as db:
        db.exec(update(ExamSession).where(ExamSession.id == session_id).values(**times))


def _markers(engine, session_id) -> dict[str, dict]:
    with engine.connect() as conn:
        return {r.code: r.detail for r in conn.execute(
            select(SessionEvent.code, SessionEvent.detail).where(SessionEvent.session_id == session_id))}


def _state(engine, session_id) -> tuple:
    """Everything a step can change, to compare before and after running it again."""
    with engine.connect() as conn:
        return (sorted(_markers(engine, session_id).items()),
                sorted(conn.execute(select(Notification.user_id, Notification.key, Notification.title)).all()),
                conn.execute(select(func.count()).select_from(AuditEvent)).scalar(),
                sorted(conn.execute(select(Attempt.id, Attempt.status, Attempt.score)).all()),
                conn.execute(select(ExamSession.results_published_at).where(ExamSession.id == session_id)).scalar())


def _stored_jobs(engine) -> dict[str, float]:
    with engine.connect() as conn:
        return dict(conn.execute(select(JOBS.c.id, JOBS.c.next_run_time)).all())


def _wait_for(condition, seconds: float = 15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("等待超时：条件始终未满足")


# ---------------------------------------------------------------- idempotency

def test_closing_a_window_twice_submits_once_and_changes_nothing_the_second_time(engine, db_url, users):
    now = utcnow()
    sid = _create(engine, users, now - 3 * H, now - H)
    attempt = delivery.start_attempt(engine, sid, users["cand1"], now - 3 * H + M)  # deadline: 2 h ago

    assert steps.run(engine, sid, tl.THEORY_CLOSE, now, SETTINGS).outcome == steps.DONE
    first = _state(engine, sid)
    assert _markers(engine, sid)[tl.THEORY_CLOSE]["submitted"]["theory"] == [attempt]
    with engine.connect() as conn:
        assert conn.execute(select(Attempt.status, Attempt.submit_reason).where(Attempt.id == attempt)).one() == \
            ("submitted", "deadline")

    # The same step again, directly and as the stored job runs it: nothing changes.
    assert steps.run(engine, sid, tl.THEORY_CLOSE, now + M, SETTINGS).outcome == steps.ALREADY
    assert scheduler.run_step(db_url, sid, tl.THEORY_CLOSE, grace_seconds=1) == steps.ALREADY
    assert _state(engine, sid) == first


def test_reminders_and_opening_notify_each_candidate_once(engine, users):
    now = utcnow()
    sid = _create(engine, users, now + 10 * M, now + 3 * H)
    assert steps.run(engine, sid, tl.REMIND_30M, now, SETTINGS).outcome == steps.DONE
    assert steps.run(engine, sid, tl.THEORY_OPEN, now + 11 * M, SETTINGS).outcome == steps.DONE
    first = _state(engine, sid)
    for code, at in ((tl.REMIND_30M, now), (tl.THEORY_OPEN, now + 12 * M)):
        assert steps.run(engine, sid, code, at, SETTINGS).outcome == steps.ALREADY
    assert _state(engine, sid) == first
    with engine.connect() as conn:
        sent = conn.execute(select(Notification.user_id, Notification.kind, Notification.title, Notification.link)
                            .order_by(Notification.user_id, Notification.kind)).all()
    staff = [row for row in sent if row[0] == users["examiner"]]
    sent = [row for row in sent if row[0] != users["examiner"]]
    assert {(u, k) for u, k, _, _ in sent} == {(users[c], k) for c in ("cand1", "cand2") for k in ("reminder", "session")}
    assert all(link == "/candidate" for *_, link in sent)
    # the session's examiner is reminded too, with the papers to print (issue 22.6)
    assert [(k, link) for _, k, _, link in staff] == [("reminder", f"/examiner/sessions/{sid}/papers")]
    assert "您负责的" in staff[0][2]
    assert any("将于" in title and "开考" in title for _, kind, title, _ in sent if kind == "reminder")
    # The day-before reminder, first seen half an hour before the start, is recorded as skipped.
    assert steps.run(engine, sid, tl.REMIND_24H, now, SETTINGS).outcome == steps.SKIPPED
    assert len(_state(engine, sid)[1]) == len(sent) + len(staff)


def test_the_last_close_reminds_the_examiners_of_the_marking_left(engine, users):
    now = utcnow()
    sid = _create(engine, users, now - 3 * H, now - H)
    attempt = delivery.start_attempt(engine, sid, users["cand1"], now - 3 * H + M)
    assert steps.run(engine, sid, tl.THEORY_CLOSE, now, SETTINGS).outcome == steps.DONE
    assert _markers(engine, sid)[tl.THEORY_CLOSE]["examiners_notified"] == 1
    with engine.connect() as conn:
        (title, body, link), = conn.execute(select(Notification.title, Notification.body, Notification.link)
                                            .where(Notification.user_id == users["examiner"])).all()
    assert "考试已结束" in title and "发布成绩" in body and link == f"/examiner/sessions/{sid}"
    assert attempt


def test_the_same_step_run_at_once_by_two_schedulers_is_done_by_one(engine, users):
    now = utcnow()
    sid = _create(engine, users, now - M, now + 3 * H)
    barrier, outcomes = threading.Barrier(2), []

    def run():
        barrier.wait()
        outcomes.append(steps.run(engine, sid, tl.THEORY_OPEN, now, SETTINGS).outcome)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == [steps.ALREADY, steps.DONE]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Notification)).scalar() == 2


def test_timed_publication_publishes_once_and_a_refusal_is_told_once(engine, users):
    now = utcnow()
    open_one = _create(engine, users, now - H, now + H, results_publish_at=now - M)
    for _ in range(2):
        assert steps.run(engine, open_one, tl.PUBLISH, now, SETTINGS).outcome == steps.REFUSED
    with engine.connect() as conn:
        told = conn.execute(select(Notification.user_id, Notification.kind)
                            .where(Notification.kind == "publish_refused")).all()
    assert told == [(users["examiner"], "publish_refused")]
    assert tl.PUBLISH not in _markers(engine, open_one)  # no marker: the scheduler tries again

    ended = _create(engine, users, now - 3 * H, now - H, results_publish_at=now - M)
    assert steps.run(engine, ended, tl.PUBLISH, now, SETTINGS).outcome == steps.DONE
    first = _state(engine, ended)
    assert first[-1] is not None  # results_published_at
    # Published, the session has no publication step left: the job finds nothing to do.
    assert steps.run(engine, ended, tl.PUBLISH, now + M, SETTINGS).outcome == steps.GONE
    assert _state(engine, ended) == first
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEvent)
                            .where(AuditEvent.action == "results.publish")).scalar() == 1


# ---------------------------------------------------------------- moved times

def test_sync_moves_the_jobs_when_an_examiner_moves_the_session(engine, db_url, users):
    now = utcnow()
    sid = _create(engine, users, now + 2 * H, now + 4 * H, results_publish_at=now + 30 * H)
    sched = scheduler.configure(BackgroundScheduler(), _cfg(db_url))
    sched.start(paused=True)
    try:
        settings = scheduler.step_settings(_cfg(db_url))
        assert scheduler.sync_job(sched, db_url, settings)["added"] == 5
        jobs = {j.id: as_utc(j.next_run_time) for j in sched.get_jobs(jobstore=scheduler.STEPS)}
        assert jobs[scheduler.job_id(sid, tl.THEORY_OPEN)] == now + 2 * H
        assert jobs[scheduler.job_id(sid, tl.THEORY_CLOSE)] == now + 4 * H + dt.timedelta(seconds=1)  # + grace
        assert scheduler.sync_job(sched, db_url, settings) == {"added": 0, "moved": 0, "removed": 0}

        _move(engine, sid, opens_at=now + 5 * H, closes_at=now + 7 * H, results_publish_at=None)
        assert scheduler.sync_job(sched, db_url, settings) == {"added": 0, "moved": 4, "removed": 1}
        jobs = {j.id: as_utc(j.next_run_time) for j in sched.get_jobs(jobstore=scheduler.STEPS)}
        assert jobs[scheduler.job_id(sid, tl.THEORY_OPEN)] == now + 5 * H
        assert jobs[scheduler.job_id(sid, tl.REMIND_30M)] == now + 5 * H - 30 * M
        assert scheduler.job_id(sid, tl.PUBLISH) not in jobs
        assert set(_stored_jobs(engine)) == set(jobs)  # what the next process will find
    finally:
        sched.shutdown(wait=True)


def test_a_job_that_fires_at_the_old_time_does_nothing_when_the_session_moved_later(engine, db_url, users):
    now = utcnow()
    sid = _create(engine, users, now - M, now + 2 * H)
    _move(engine, sid, opens_at=now + H)
    assert scheduler.run_step(db_url, sid, tl.THEORY_OPEN) == steps.NOT_DUE
    assert _markers(engine, sid) == {}
    with write_session(engine) as db:
        db.exec(text("DELETE FROM enrollment WHERE session_id = :s").bindparams(s=sid))
        db.exec(text("DELETE FROM session_examiner WHERE session_id = :s").bindparams(s=sid))
        db.exec(text("DELETE FROM exam_session WHERE id = :s").bindparams(s=sid))
    assert scheduler.run_step(db_url, sid, tl.THEORY_OPEN) == steps.GONE


def test_a_running_scheduler_follows_a_session_moved_earlier(engine, db_url, users):
    now = utcnow()
    sid = _create(engine, users, now + H, now + 3 * H)
    sched = scheduler.start_background(_cfg(db_url, sync_seconds=1))
    try:
        _wait_for(lambda: scheduler.job_id(sid, tl.THEORY_OPEN) in _stored_jobs(engine))
        assert tl.THEORY_OPEN not in _markers(engine, sid)
        new_open = utcnow() + dt.timedelta(seconds=2)
        _move(engine, sid, opens_at=new_open)
        detail = _wait_for(lambda: _markers(engine, sid).get(tl.THEORY_OPEN))
        assert detail == {"outcome": "done", "notified": 2, "due": new_open.isoformat()}
        with engine.connect() as conn:
            done_at = conn.execute(select(SessionEvent.done_at).where(SessionEvent.session_id == sid,
                                                                     SessionEvent.code == tl.THEORY_OPEN)).scalar()
        assert as_utc(done_at) >= new_open
    finally:
        sched.shutdown(wait=True)


def test_a_session_postponed_after_its_reminder_reminds_again_with_the_new_time(engine, db_url, users):
    now = utcnow()
    sid = _create(engine, users, now + 10 * H, now + 12 * H)
    assert steps.run(engine, sid, tl.REMIND_24H, now, SETTINGS).outcome == steps.DONE
    assert steps.run(engine, sid, tl.REMIND_24H, now, SETTINGS).outcome == steps.ALREADY
    assert scheduler.job_id(sid, tl.REMIND_24H) not in scheduler.pending_steps(engine, SETTINGS.grace)

    _move(engine, sid, opens_at=now + 30 * H, closes_at=now + 32 * H)  # postponed by a day
    pending = scheduler.pending_steps(engine, SETTINGS.grace)
    assert pending[scheduler.job_id(sid, tl.REMIND_24H)] == (sid, tl.REMIND_24H, now + 6 * H)
    assert steps.run(engine, sid, tl.REMIND_24H, now + H, SETTINGS).outcome == steps.NOT_DUE
    assert steps.run(engine, sid, tl.REMIND_24H, now + 6 * H, SETTINGS).outcome == steps.DONE
    assert steps.run(engine, sid, tl.REMIND_24H, now + 6 * H, SETTINGS).outcome == steps.ALREADY
    with engine.connect() as conn:
        titles = conn.execute(select(Notification.title).where(Notification.user_id == users["cand1"])
                              .order_by(Notification.id)).scalars().all()
    assert len(titles) == 2 and titles[0] != titles[1]  # the second names the new start time
    assert _markers(engine, sid)[tl.REMIND_24H]["due"] == (now + 6 * H).isoformat()


def test_a_withdrawn_publication_with_a_new_time_is_published_again(engine, users):
    now = utcnow()
    sid = _create(engine, users, now - 3 * H, now - H, results_publish_at=now - M)
    assert steps.run(engine, sid, tl.PUBLISH, now, SETTINGS).outcome == steps.DONE
    assert scheduler.job_id(sid, tl.PUBLISH) not in scheduler.pending_steps(engine, SETTINGS.grace)
    # Withdrawn, and a new time set; even a marker left behind does not stop the next publication.
    _move(engine, sid, results_published_at=None, results_publish_at=now + M)
    assert scheduler.pending_steps(engine, SETTINGS.grace)[scheduler.job_id(sid, tl.PUBLISH)][2] == now + M
    assert steps.run(engine, sid, tl.PUBLISH, now + 2 * M, SETTINGS).outcome == steps.DONE
    assert _markers(engine, sid)[tl.PUBLISH] == {"outcome": "done", "due": (now + M).isoformat()}
    with engine.connect() as conn:
        assert conn.execute(select(ExamSession.results_published_at).where(ExamSession.id == sid)).scalar()


# ---------------------------------------------------------------- catch-up after a restart

def test_a_step_missed_while_the_scheduler_was_down_runs_when_a_new_one_starts(engine, db_url, users):
    first = scheduler.start_background(_cfg(db_url))
    try:
        starts = utcnow() + tl.REMINDERS[tl.REMIND_30M] + dt.timedelta(seconds=5)  # half-hour reminder due in 5 s
        sid = _create(engine, users, starts, starts + 2 * H)
        reminder = scheduler.job_id(sid, tl.REMIND_30M)
        scheduler.sync_job(first, db_url, scheduler.step_settings(_cfg(db_url)))  # as its periodic sync would
        # It scheduled every step and ran the one already due (the day-before reminder) at once.
        _wait_for(lambda: tl.REMIND_24H in _markers(engine, sid))
    finally:
        first.shutdown(wait=True)
    assert utcnow() < starts - tl.REMINDERS[tl.REMIND_30M], "机器太慢：第一个调度器停止前提醒已到时"
    assert tl.REMIND_30M not in _markers(engine, sid)
    assert reminder in _stored_jobs(engine)  # the job outlives its process

    # Down for longer than APScheduler's default misfire grace (1 s), which would drop the run.
    _wait_for(lambda: utcnow() > starts - tl.REMINDERS[tl.REMIND_30M] + dt.timedelta(seconds=2), 10)
    assert tl.REMIND_30M not in _markers(engine, sid)  # nobody ran it while down

    second = scheduler.start_background(_cfg(db_url))
    try:
        detail = _wait_for(lambda: _markers(engine, sid).get(tl.REMIND_30M))
    finally:
        second.shutdown(wait=True)
    assert (detail["outcome"], detail["notified"]) == ("done", 2)
    assert reminder not in _stored_jobs(engine)
    with engine.connect() as conn:
        sent = conn.execute(select(Notification.user_id, Notification.key).where(Notification.kind == "reminder")).all()
    # 24 h and 30 min, once each, to the candidates and the session's examiner
    assert sorted(u for u, _ in sent) == sorted([users["cand1"], users["cand2"], users["examiner"]] * 2)


def test_the_stored_job_alone_runs_a_missed_step_at_start(engine, db_url, users):
    """No sync: a scheduler that only opens the job store runs what an earlier process scheduled and
    never got to run (it was stopped before the step's time)."""
    now = utcnow()
    sid = _create(engine, users, now - M, now + 3 * H)
    earlier = scheduler.configure(BackgroundScheduler(), _cfg(db_url))
    earlier.start(paused=True)  # schedules, then stops before running anything
    scheduler.sync_job(earlier, db_url, scheduler.step_settings(_cfg(db_url)))
    earlier.shutdown(wait=True)
    assert scheduler.job_id(sid, tl.THEORY_OPEN) in _stored_jobs(engine)
    assert _markers(engine, sid) == {}

    bare = BackgroundScheduler(timezone=UTC)
    bare.add_jobstore(SharedJobStore(engine), scheduler.STEPS)
    bare.start()
    try:
        detail = _wait_for(lambda: _markers(engine, sid).get(tl.THEORY_OPEN))
    finally:
        bare.shutdown(wait=True)
    assert (detail["outcome"], detail["notified"]) == ("done", 2)
    assert scheduler.job_id(sid, tl.THEORY_OPEN) not in _stored_jobs(engine)


def test_two_schedulers_started_by_mistake_on_one_database_do_each_step_once(engine, db_url, users):
    """Scale-out runs one ``callexam scheduler``; a second one by mistake must not double anything."""
    now = utcnow()
    sid = _create(engine, users, now + H, now + 3 * H)
    both = [scheduler.start_background(_cfg(db_url)) for _ in range(2)]
    try:
        _wait_for(lambda: scheduler.job_id(sid, tl.THEORY_OPEN) in _stored_jobs(engine))
        _move(engine, sid, opens_at=utcnow() + dt.timedelta(seconds=1))
        for each in both:  # each one's periodic sync, now
            scheduler.sync_job(each, db_url, scheduler.step_settings(_cfg(db_url)))
        _wait_for(lambda: tl.THEORY_OPEN in _markers(engine, sid))
        time.sleep(1.5)  # let the other one's run of the same job finish
    finally:
        for each in both:
            each.shutdown(wait=True)
    with engine.connect() as conn:
        sent = conn.execute(select(Notification.user_id).where(Notification.kind == "session")).scalars().all()
        audited = [(d["code"], d["due"]) for d in conn.execute(
            select(AuditEvent.detail).where(AuditEvent.action == "session.step")).scalars()]
    assert sorted(sent) == sorted([users["cand1"], users["cand2"]])
    # One audit entry per step and due time (the move made the reminders due again, at once: skipped).
    assert len(audited) == len(set(audited))
    assert (tl.THEORY_OPEN, _markers(engine, sid)[tl.THEORY_OPEN]["due"]) in audited
