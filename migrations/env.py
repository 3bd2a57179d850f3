from __future__ import annotations

from alembic import context

from exam.db import throwaway_engine
from exam.models_registry import load_all

target_metadata = load_all()


def run_migrations_offline() -> None:
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = throwaway_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            # Batch migrations rebuild SQLite tables (copy, drop, rename); with foreign keys enforced
            # the drop of a referenced table fails. The pragma only works outside a transaction, and
            # the rebuilt tables keep their constraints; foreign_key_check below proves the data.
            # (Straight on the DBAPI connection: going through SQLAlchemy would open a transaction.)
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
            if connection.dialect.name == "sqlite":
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"迁移后外键不一致：{broken[:5]}")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
