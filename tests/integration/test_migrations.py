"""The schema comes only from Alembic, and Alembic's history produces exactly what the models say."""

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select

from exam import db, migrate
from exam.models_registry import load_all
from tests.pg import create_database


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migrations_produce_exactly_the_models_schema(kind, request, tmp_path):
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    else:
        url = create_database(request.getfixturevalue("pg_cluster"), f"fresh_{tmp_path.name[-8:].lower()}")
    migrate.upgrade(url)
    assert migrate.current(url) is not None
    engine = db.throwaway_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), load_all())
    engine.dispose()
    assert diff == []


def _snapshot(url: str) -> tuple[str | None, dict[str, int], list]:
    """The revision, every model table's row count and any difference from the models' schema."""
    engine = db.throwaway_engine(url)
    try:
        with engine.connect() as conn:
            counts = {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                      for t in load_all().sorted_tables}
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), load_all())
    finally:
        engine.dispose()
    return migrate.current(url), counts, diff


def test_upgrade_is_repeatable(db_url):
    """A second ``db upgrade`` (an installation upgraded twice, or a deploy script that always runs it)
    stays at head with the models' schema and changes no row: the packages' data steps are idempotent."""
    migrate.upgrade(db_url)
    first = _snapshot(db_url)
    migrate.upgrade(db_url)
    again = _snapshot(db_url)
    head = ScriptDirectory.from_config(migrate.alembic_config(db_url)).get_current_head()
    assert first[0] == again[0] == head
    assert first[2] == again[2] == []
    assert again[1] == first[1] and sum(first[1].values()) > 0  # the data steps wrote (the demo bank) once


def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(sqlite_url):
    engine = db.engine_for(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def test_sqlite_checkpoints_run_in_the_background_not_in_requests(sqlite_url):
    engine = db.engine_for(sqlite_url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 20000
    db.checkpoint(engine)  # the scheduler's job: runs without error while connections are open


def test_0018_leaves_a_frozen_qa_task_as_it_was_and_versions_it(db_url, users, make_session):
    """A database holding an attempt with a QA task frozen before the coaching comments were scored
    (machine-only, comments not counted, as its candidate was told): upgrading through 0018 stamps it
    ``rules_version: 1`` and changes nothing else — same auto points, no examiner share, nothing to
    mark, the same total; a paper drawn afterwards carries the current rules (SQLite and PostgreSQL)."""
    import datetime as dt
    import random
    from fractions import Fraction

    from alembic import command
    from sqlmodel import Session

    from exam import service_phrases
    from practical import marking, results, service
    from practical.kinds import kind
    from practical.models import PracticalAttempt, PracticalTask

    qa = kind("qa")
    engine = db.engine_for(db_url)
    now = dt.datetime.now(dt.timezone.utc)
    session_id = make_session(level="intermediate", candidates=("cand1", "cand2"))
    attempt_id = service.start(engine, session_id, users["cand1"], now, random.Random(5))
    with Session(engine) as s:
        task = next(t for t in service.tasks_of(s, attempt_id) if t.kind == "qa")
        position, old_spec = task.position, {k: v for k, v in task.spec.items() if k != "rules_version"}
    answer = {"scores": {k: float(v) for k, v in qa.reference_marks(old_spec).items()},
              "comments": {"opening": "开场不错。"}}
    service.save(engine, attempt_id, users["cand1"], position, 1, answer, now, dt.timedelta(seconds=30))
    assert service.submit(engine, attempt_id, "candidate", now, service_phrases.default_lists(),
                          candidate_id=users["cand1"])
    with Session(engine) as s:  # as the code before 0018 drew and checked it
        task = s.get(PracticalTask, (attempt_id, position))
        old = qa.auto_grade({**old_spec, "rules_version": 1}, task.answer, task.seed, Fraction(task.points))
        assert old.points == Fraction(task.points) and not old.suggestions  # all 30 by the machine
        task.spec, task.rubric, task.auto, task.auto_points = old_spec, [], old.as_json(), str(old.points)
        s.add(task)
        s.commit()
    db.dispose_all()
    command.downgrade(migrate.alembic_config(db_url), "0017")
    assert migrate.current(db_url) == "0017"
    migrate.upgrade(db_url)
    engine = db.engine_for(db_url)
    with Session(engine) as s:
        task = s.get(PracticalTask, (attempt_id, position))
        assert task.spec == {**old_spec, "rules_version": 1} and task.rubric == []
        assert task.auto == old.as_json() and task.auto_points == str(old.points) == task.points
        assert not marking.needs_marking(task) and marking.manual_max(task) == 0
        assert all(e.task.kind != "qa" for e in marking.queue(s, session_id))
        line = next(t for t in results.breakdown(s, s.get(PracticalAttempt, attempt_id)).tasks if t.position == position)
        assert line.earned == Fraction(task.points) and not line.waiting and line.manual_max == 0
    later = service.start(engine, session_id, users["cand2"], now, random.Random(6))
    with Session(engine) as s:
        fresh = next(t for t in service.tasks_of(s, later) if t.kind == "qa")
        assert fresh.spec["rules_version"] == 2 and marking.manual_max(fresh) == Fraction(fresh.points) / 3
    db.dispose_all()


def _revision_file(script: ScriptDirectory, name: str):
    (found,) = [r for r in script.walk_revisions() if r.path.endswith(name)]
    return found


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_dropping_the_old_practical_stamp_keeps_every_publication(kind, request, tmp_path):
    """practical_published_at was written in step with results_published_at and read nowhere: a
    database upgraded with published, withdrawn and old practical-only sessions keeps what each shows."""
    from alembic import command
    from sqlmodel import Session
    from sqlmodel.sql.sqltypes import UTCDateTime

    from exam.sessions.models import ExamSession
    from exam.sessions.results import visibility

    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'published.db'}"
    else:
        url = create_database(request.getfixturevalue("pg_cluster"), f"pub_{tmp_path.name[-8:].lower()}")
    config = migrate.alembic_config(url)
    drop = _revision_file(ScriptDirectory.from_config(config), "_drop_practical_published_at.py")
    command.upgrade(config, drop.down_revision)

    t0 = dt.datetime(2026, 3, 1, 1, 0, tzinfo=dt.timezone.utc)
    published_at = t0 + dt.timedelta(days=3)
    stamps = {1: (published_at, published_at),   # published by the one publication path
              2: (None, None),                   # never published, or withdrawn
              3: (None, t0)}                     # only the old practical page's stamp: shown as unpublished
    exam_session = sa.table("exam_session", sa.column("id"), sa.column("name"), sa.column("level"),
                            sa.column("opens_at", UTCDateTime()), sa.column("closes_at", UTCDateTime()),
                            sa.column("duration_minutes"), sa.column("item_count"),
                            sa.column("created_at", UTCDateTime()), sa.column("results_release"),
                            sa.column("results_published_at", UTCDateTime()),
                            sa.column("practical_published_at", UTCDateTime()))
    engine = db.throwaway_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(exam_session.insert(), [
                dict(id=sid, name=f"场次 {sid}", level="junior", opens_at=t0, closes_at=t0 + dt.timedelta(hours=2),
                     duration_minutes=90, item_count=20, created_at=t0, results_release="published",
                     results_published_at=results, practical_published_at=practical)
                for sid, (results, practical) in stamps.items()])
    finally:
        engine.dispose()

    command.upgrade(config, drop.revision)
    engine = db.throwaway_engine(url)
    try:
        assert "practical_published_at" not in {c["name"] for c in sa.inspect(engine).get_columns("exam_session")}
        with Session(engine) as session:
            shown = {s.id: (s.results_published_at, visibility.of(s).published)
                     for s in session.scalars(select(ExamSession))}
    finally:
        engine.dispose()
    assert shown == {1: (published_at, True), 2: (None, False), 3: (None, False)}

    command.downgrade(config, drop.down_revision)   # back: the column again, in step with the publication
    engine = db.throwaway_engine(url)
    try:
        with engine.connect() as conn:
            back = dict(conn.execute(sa.select(exam_session.c.id, exam_session.c.practical_published_at)).all())
    finally:
        engine.dispose()
    assert back == {1: published_at, 2: None, 3: None}
