"""Cross-package reactions go through named signals (exam.signals, issue 18.5): certificates react
to a results publication without the publication importing them, in every process."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from exam import domains, signals

ROOT = Path(__file__).resolve().parents[2]


def test_certificates_connect_to_the_publication_signals():
    from certificates import reactions
    domains.connect_signals()
    domains.connect_signals()  # twice: still one connection each
    published = [r for r in signals.results_published.receivers_for(None)]
    assert published.count(reactions.issue_on_publication) == 1
    assert list(signals.results_publishing.receivers_for(None)).count(reactions.object_to_unprintable_names) == 1


def test_the_publication_names_no_certificate_module():
    tree = ast.parse((ROOT / "exam/sessions/results/publication.py").read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported and not any(m.split(".")[0] == "certificates" for m in imported if m)


def test_a_process_without_the_app_connects_the_handlers_on_first_send():
    """The scheduler and console commands publish without create_app: the first send connects every
    package's handlers, so certificates object (and are issued) there as in the web app."""
    code = ("from types import SimpleNamespace as NS\n"
            "from exam import signals\n"
            "assert not signals.results_publishing.receivers\n"
            "print(signals.send(signals.results_publishing, 'test', db=None, exam_session=NS(level='junior'),"
            " table=NS(rows=[])))\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "[[]]"  # one objector (certificates), no objection for an empty table


def test_the_roster_answers_the_core_sign_in_signals():
    """Signing in by admission ticket lives in the roster: exam.accounts asks through sign_in_name and
    announces through signed_in (issue 18.6: the core imports no domain package)."""
    from exam.sessions.roster import sign_in
    domains.connect_signals()
    assert list(signals.sign_in_name.receivers_for(None)).count(sign_in.whose_ticket) == 1
    assert list(signals.signed_in.receivers_for(None)).count(sign_in.record_arrival) == 1
    # text that cannot be a ticket is not the roster's: no query, no answer
    assert sign_in.whose_ticket(None, db=None, text="examiner") is None
    assert sign_in.whose_ticket(None, db=None, text="2026 0001") is None
