"""Background jobs (APScheduler), run only by the ``callexam scheduler`` process (``callexam serve``
starts that one process beside its web workers; a web worker never starts a scheduler).

Two kinds of job:

- Sweeps, in memory (they are not worth keeping): every second the attempts whose deadline passed
  are submitted; on SQLite the WAL is checkpointed every 2 s.
- Session steps (``exam.sessions.timeline.plan``: open and close the windows, remind candidates, publish
  results at the set time), one persistent date job per step not yet done, in the application
  database (``exam.jobstore``). A job missed while the scheduler was down runs when it starts again
  (``misfire_grace_time=None``, once however much was missed: ``coalesce``). The sync job, at start
  and every ``SYNC_SECONDS``, makes the store match the database: it adds the jobs of steps not yet
  done for their current time (a past one runs at once), moves them when an examiner moved a
  session's times (a step already done is due again at its new time), and removes the jobs of steps
  done or gone.

Every job is safe to run twice or in two processes at once: submission is a conditional UPDATE, and
a step is done by the one run that inserts its ``SessionEvent`` marker (``exam.sessions.timeline.steps``).
"""

from __future__ import annotations

import datetime as dt
import logging
import signal

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import select
from sqlalchemy.orm import load_only
from sqlmodel import Session

from exam import db, parts
from exam.jobstore import SharedJobStore
from exam.sessions.timeline import steps
from exam.sessions.timeline import plan as tl
from exam.sessions.models import ExamSession, SessionEvent
from exam.sessions.results import visibility
from exam.timeutil import UTC, as_utc, utcnow

log = logging.getLogger("callexam.scheduler")

#: Job stores: the session steps persist in the database; the sweeps live in memory ("default").
STEPS, SWEEPS = "steps", "default"
SYNC_SECONDS = 30
DEFAULT_TIMEZONE = "Asia/Shanghai"


# ---------------------------------------------------------------- sweeps

def submit_overdue_job(database_url: str, grace_seconds: int, typing_min_accuracy: float) -> int:
    """Every part's deadline sweep (``exam.parts``): attempts past their deadline and grace, submitted."""
    engine, now = db.engine_for(database_url), utcnow()
    config = {"GRACE_SECONDS": grace_seconds, "TYPING_MIN_ACCURACY": typing_min_accuracy}
    done = {p.code: p.submit_overdue(engine, now, config) for p in parts.all_parts()}
    if any(done.values()):
        log.info("submitted at their deadline: %s", ", ".join(f"{n} {code}" for code, n in done.items()))
    return sum(done.values())


def checkpoint_job(database_url: str) -> None:
    db.checkpoint(db.engine_for(database_url))


# ---------------------------------------------------------------- session steps

def step_settings(cfg: dict) -> dict:
    """The keyword arguments of every step job: plain values, so the stored job unpickles anywhere."""
    return {"grace_seconds": cfg["GRACE_SECONDS"], "typing_min_accuracy": cfg["TYPING_MIN_ACCURACY"],
            "timezone": cfg.get("TIMEZONE", DEFAULT_TIMEZONE)}


def run_step(database_url: str, session_id: int, code: str, grace_seconds: int = 15,
             typing_min_accuracy: float = 0.9, timezone: str = DEFAULT_TIMEZONE) -> str:
    """The persistent job of one session step. APScheduler stores a reference to this module-level
    function and pickles the plain arguments, so a job outlives the process that scheduled it."""
    settings = steps.Settings(dt.timedelta(seconds=grace_seconds), typing_min_accuracy, timezone)
    result = steps.run(db.engine_for(database_url), session_id, code, utcnow(), settings)
    if result.outcome not in (steps.ALREADY, steps.GONE):
        log.info("session %d step %s: %s %s", session_id, code, result.outcome, result.detail)
    return result.outcome


def job_id(session_id: int, code: str) -> str:
    return f"session:{session_id}:{code}"


def pending_steps(engine, grace: dt.timedelta) -> dict[str, tuple[int, str, dt.datetime]]:
    """Every step not yet done for its current due time, by job id: (session id, code, when to run it)."""
    with Session(engine) as session:
        sessions = session.execute(select(ExamSession).options(load_only(
            ExamSession.id, ExamSession.opens_at, ExamSession.closes_at, ExamSession.practical_opens_at,
            ExamSession.practical_closes_at, *visibility.COLUMNS))).scalars().all()
        done = {(r.session_id, r.code): r.detail for r in session.execute(
            select(SessionEvent.session_id, SessionEvent.code, SessionEvent.detail)
            .where(SessionEvent.code.in_(tl.MARKED)))}
    return {job_id(s.id, step.code): (s.id, step.code, steps.due_at(step, grace))
            for s in sessions for step in tl.timeline(s) if not _done(done, s.id, step)}


def _done(done: dict, session_id: int, step: tl.Step) -> bool:
    """Done for its current due time. The publication is pending as long as the timeline has it (the
    results are not out): its marker may be a withdrawn publication's."""
    key = (session_id, step.code)
    return step.action != tl.PUBLISH and key in done and steps.done_for(done[key], steps.due_key(step))


def sync_job(scheduler: BaseScheduler, database_url: str, settings: dict) -> dict:
    """Make the persistent store hold exactly one job per pending step, at its current time."""
    wanted = pending_steps(db.engine_for(database_url), dt.timedelta(seconds=settings["grace_seconds"]))
    stored = {job.id: job for job in scheduler.get_jobs(jobstore=STEPS)}
    added = moved = removed = 0
    for jid, (session_id, code, run_at) in wanted.items():
        job = stored.get(jid)
        args = [database_url, session_id, code]
        if job is not None and list(job.args) == args and job.kwargs == settings and _same_time(job, run_at):
            continue
        scheduler.add_job(run_step, "date", run_date=run_at, args=args, kwargs=settings, id=jid,
                          name=f"场次 {session_id} {code}", jobstore=STEPS, replace_existing=True,
                          misfire_grace_time=None, coalesce=True, max_instances=1)
        added, moved = (added + 1, moved) if job is None else (added, moved + 1)
    for jid in stored.keys() - wanted.keys():
        try:
            scheduler.remove_job(jid, jobstore=STEPS)
            removed += 1
        except JobLookupError:
            pass  # it ran (and was removed) meanwhile
    if added or moved or removed:
        log.info("session steps: %d scheduled, %d moved, %d removed", added, moved, removed)
    return {"added": added, "moved": moved, "removed": removed}


def _same_time(job, run_at: dt.datetime) -> bool:
    # The store keeps times as float timestamps: equal to the microsecond is not guaranteed.
    return job.next_run_time is not None and abs((as_utc(job.next_run_time) - run_at).total_seconds()) < 0.001


# ---------------------------------------------------------------- the scheduler

def configure(scheduler: BaseScheduler, cfg: dict) -> BaseScheduler:
    url = cfg["DATABASE_URL"]
    scheduler.configure(timezone=UTC)
    scheduler.add_jobstore(SharedJobStore(db.engine_for(url)), STEPS)
    scheduler.add_job(
        submit_overdue_job, "interval", seconds=cfg["SCHEDULER_INTERVAL_SECONDS"],
        args=[url, cfg["GRACE_SECONDS"], cfg["TYPING_MIN_ACCURACY"]], id="submit_overdue", jobstore=SWEEPS,
        max_instances=1, coalesce=True, replace_existing=True, next_run_time=utcnow(),
    )
    if url.startswith("sqlite"):
        scheduler.add_job(checkpoint_job, "interval", seconds=2, args=[url], id="wal_checkpoint", jobstore=SWEEPS,
                          max_instances=1, coalesce=True, replace_existing=True)
    scheduler.add_job(sync_job, "interval", seconds=cfg.get("SCHEDULER_SYNC_SECONDS", SYNC_SECONDS),
                      args=[scheduler, url, step_settings(cfg)], id="sync_steps", jobstore=SWEEPS,
                      max_instances=1, coalesce=True, replace_existing=True, next_run_time=utcnow())
    return scheduler


def run_forever(cfg: dict) -> None:
    """Until SIGTERM (``callexam serve`` stopping) or Ctrl-C; a step in progress is let finish, though
    one cut off would only be redone at the next start."""
    scheduler = configure(BlockingScheduler(), cfg)
    signal.signal(signal.SIGTERM, _exit)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)
        log.info("scheduler stopped")


def _exit(signum, frame):
    raise SystemExit(0)


def start_background(cfg: dict) -> BackgroundScheduler:
    scheduler = configure(BackgroundScheduler(daemon=True), cfg)
    scheduler.start()
    return scheduler
