"""Named signals: how one package reacts to another's event without importing it.

A package that owns an event sends its signal; a package that cares connects a handler in its
``connect_signals()`` (called for every package by ``exam.domains.connect_signals``, at app creation
and lazily before the first ``send`` here, so the scheduler and console commands react the same way
as the web app). Handlers run synchronously in the sender's transaction: what they write commits or
rolls back with the event itself.

The signals (keyword arguments in brackets):

- ``results_publishing`` (db, exam_session, table): a session's results are about to be published;
  each handler returns a list of Chinese reasons not to (empty: no objection). Certificates object to
  names they cannot print.
- ``results_published`` (db, exam_session, table, now, actor_id): the results are out, in the
  publication's transaction. Certificates issue what the results grant.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

results_publishing = _signals.signal("results-publishing")
results_published = _signals.signal("results-published")

_connected = False


def connected() -> None:
    """Called by ``exam.domains.connect_signals`` once every package's handlers are connected."""
    global _connected
    _connected = True


def send(signal, sender, **kwargs) -> list:
    """Send after making sure every package's handlers are connected (a process that never built the
    app still issues certificates when it publishes). Returns each handler's return value."""
    if not _connected:
        from exam import domains
        domains.connect_signals()
    return [value for _receiver, value in signal.send(sender, **kwargs)]
