"""The schema comes only from Alembic, and Alembic's history produces exactly what the models say."""

import pytest
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
