"""Background jobs (APScheduler). Every job is safe to run twice or in two processes at once:
submission is a conditional UPDATE, so a second run finds nothing left to do."""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from sqlalchemy import select
from sqlmodel import Session

from exam import db
from exam.delivery import service as delivery
from exam.timeutil import utcnow
from practical import phrases_service
from practical import service as practical
from practical.models import OPEN, PracticalAttempt
from typing_test import service as typing

log = logging.getLogger("callexam.scheduler")


def submit_overdue_job(database_url: str, grace_seconds: int, typing_min_accuracy: float) -> int:
    engine, now, grace = db.engine_for(database_url), utcnow(), dt.timedelta(seconds=grace_seconds)
    done = delivery.submit_overdue(engine, now, grace)
    typed = typing.submit_overdue(engine, now, grace, typing_min_accuracy)
    hands_on = _submit_overdue_practical(engine, now, grace)
    if done or typed or hands_on:
        log.info("submitted %d attempts, %d typing tests and %d practical assessments at their deadline",
                 done, typed, hands_on)
    return done + typed + hands_on


def _submit_overdue_practical(engine, now, grace) -> int:
    """The phrase lists are read only when a practical assessment is actually overdue."""
    with Session(engine) as db:
        if db.exec(select(PracticalAttempt.id).where(PracticalAttempt.status == OPEN,
                                                    PracticalAttempt.deadline < now - grace).limit(1)).first() is None:
            return 0
        lists = phrases_service.lists(db)
    return practical.submit_overdue(engine, now, grace, lists)


def checkpoint_job(database_url: str) -> None:
    db.checkpoint(db.engine_for(database_url))


def configure(scheduler, cfg: dict):
    scheduler.add_job(
        submit_overdue_job, "interval", seconds=cfg["SCHEDULER_INTERVAL_SECONDS"],
        args=[cfg["DATABASE_URL"], cfg["GRACE_SECONDS"], cfg["TYPING_MIN_ACCURACY"]], id="submit_overdue",
        max_instances=1, coalesce=True, replace_existing=True, next_run_time=dt.datetime.now(),
    )
    if cfg["DATABASE_URL"].startswith("sqlite"):
        scheduler.add_job(checkpoint_job, "interval", seconds=2, args=[cfg["DATABASE_URL"]], id="wal_checkpoint",
                          max_instances=1, coalesce=True, replace_existing=True)
    return scheduler


def run_forever(cfg: dict) -> None:
    configure(BlockingScheduler(), cfg).start()


def start_background(cfg: dict) -> BackgroundScheduler:
    scheduler = configure(BackgroundScheduler(daemon=True), cfg)
    scheduler.start()
    return scheduler
