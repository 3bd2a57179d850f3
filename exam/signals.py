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
- ``sign_in_name`` (db, text): whose is this sign-in text? A package that issues names to sign in
  with other than usernames returns an ``exam.accounts.credentials.Credential`` for text it
  recognises, else None. The roster answers for admission ticket numbers (``exam.sessions.roster.sign_in``).
- ``signed_in`` (engine, user_id, role, now, config): someone has just signed in at the sign-in page
  (after the session started, outside any transaction). The roster records a candidate's 签到.
- ``worker_ready`` (app): a server worker has built the app and is about to take requests
  (``exam.server``); packages fill their per-process caches here, inside an app context. The theory
  part renders the approved questions, so the first room to start does not wait for each worker to
  render them on its first pages. A handler must not raise: a worker that cannot prepare still serves.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

results_publishing = _signals.signal("results-publishing")
results_published = _signals.signal("results-published")
sign_in_name = _signals.signal("sign-in-name")
signed_in = _signals.signal("signed-in")
worker_ready = _signals.signal("worker-ready")

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
