"""Imports every table module so ``SQLModel.metadata`` knows the whole schema (Alembic, tests)."""

from __future__ import annotations


def load_all():
    from sqlmodel import SQLModel

    import certificates.models  # noqa: F401
    import exam.accounts.models  # noqa: F401
    import exam.audit.models  # noqa: F401
    import exam.delivery.models  # noqa: F401
    import exam.jobstore  # noqa: F401  (APScheduler's job table, migration 0008)
    import exam.notifications.models  # noqa: F401
    import exam.proctoring.models  # noqa: F401
    import exam.sessions.models  # noqa: F401
    import exam.throttle  # noqa: F401  (the one throttle, migration 0016)
    import practical.models  # noqa: F401
    import question_bank.models  # noqa: F401
    import typing_test.models  # noqa: F401

    return SQLModel.metadata
