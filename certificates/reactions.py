"""How certificates react to other packages' events (``exam.signals``), connected by
``certificates.connect_signals``: the results publication never calls this package itself."""

from __future__ import annotations

from exam import signals


def object_to_unprintable_names(_sender, *, db, exam_session, table, **_kw) -> list[str]:
    """A publication waits until every certificate it grants can be printed (the fonts lack a name's
    character): one reason per candidate."""
    from certificates import service
    return service.unprintable_names(db, exam_session.level, table)


def issue_on_publication(_sender, *, db, exam_session, table, now, actor_id, **_kw) -> list[str]:
    """Issue what the published results grant, in the publication's transaction (idempotent)."""
    from certificates import service
    return service.issue_for_session(db, exam_session, table, now, actor_id)


def connect() -> None:
    signals.results_publishing.connect(object_to_unprintable_names)
    signals.results_published.connect(issue_on_publication)
