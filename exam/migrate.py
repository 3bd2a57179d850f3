"""Alembic, driven from code: the schema is only ever created or changed by migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> list[str]:
    """Migrate the schema; at head, then run the packages' data steps (``domains.after_upgrade``);
    returns what the data steps report they did."""
    command.upgrade(alembic_config(database_url), revision)
    if revision != "head":
        return []
    from exam import domains
    from exam.db import throwaway_engine
    engine = throwaway_engine(database_url)
    try:
        return domains.after_upgrade(engine)
    finally:
        engine.dispose()


def current(database_url: str) -> str | None:
    from alembic.runtime.migration import MigrationContext

    from exam.db import throwaway_engine
    engine = throwaway_engine(database_url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()
