"""The scheduler's persistent job store: APScheduler's SQLAlchemyJobStore on the application database.

The table is APScheduler's (``apscheduler_jobs``: id, next_run_time, pickled job_state) but the schema
is ours: migration 0008 creates it and ``JOBS`` below puts it in the models' metadata, so Alembic's
comparison knows it and no process ever creates it on the fly (two schedulers starting at once would
race to). Only the ``callexam scheduler`` process opens the store.

``SharedJobStore`` tolerates a second scheduler process started by mistake on the same database:
both may pick the same due job (each step is idempotent, exam.sessions.timeline.steps), and the one that
finishes second then finds the job already removed, which APScheduler would otherwise raise out of
its main loop.

It also shares the application's engine (``exam.db.engine_for``), so shutting the store down must not
dispose of it, and a store that is shut down hands out no due jobs: APScheduler's main loop runs once
more after ``shutdown()`` and would otherwise try to submit a due job to the stopped executor and
raise out of its thread.
"""

from __future__ import annotations

from apscheduler.jobstores.base import BaseJobStore, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from sqlalchemy import Column, Float, LargeBinary, Table, Unicode
from sqlmodel import SQLModel

TABLE = "apscheduler_jobs"

#: The same columns APScheduler 3 defines for its table (apscheduler.jobstores.sqlalchemy).
JOBS = Table(
    TABLE, SQLModel.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class SharedJobStore(SQLAlchemyJobStore):
    def __init__(self, engine):
        super().__init__(engine=engine, tablename=TABLE)
        self._closed = False

    def start(self, scheduler, alias):
        # Skips SQLAlchemyJobStore.start's CREATE TABLE: migration 0008 owns the table.
        BaseJobStore.start(self, scheduler, alias)
        self._closed = False

    def shutdown(self):
        self._closed = True  # the engine is the application's: not disposed here

    def get_due_jobs(self, now):
        return [] if self._closed else super().get_due_jobs(now)

    def get_next_run_time(self):
        return None if self._closed else super().get_next_run_time()

    def remove_job(self, job_id):
        try:
            super().remove_job(job_id)
        except JobLookupError:
            pass  # another scheduler process ran and removed it first
