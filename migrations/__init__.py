"""Alembic migration history: the only way the schema is created or changed."""
