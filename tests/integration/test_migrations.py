"""The schema comes only from Alembic, and Alembic's history produces exactly what the models say."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

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


def test_upgrade_is_repeatable(db_url):
    migrate.upgrade(db_url)
    migrate.upgrade(db_url)


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
