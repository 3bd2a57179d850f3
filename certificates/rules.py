"""Who gets a certificate, and until when: the issue rule as pure functions over the results table.

The rule itself is the standard's (``standard.overall_passed``: theory and practical at their pass
marks, typing at the required net speed); this module only says which rows of a session's published
results (``exam.sessions.results.table``) earn a certificate and what it records. Kept free of the database
so the rule is tested on its own (tests/unit/test_cert_rules.py).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from fractions import Fraction

from exam import standard

#: Years a certificate is valid; instances set CERTIFICATE_VALID_YEARS (exam/config.py).
DEFAULT_VALID_YEARS = 3
#: Who issues, printed on the certificate; instances set CERTIFICATE_ISSUER.
DEFAULT_ISSUER = "callexam 演示考点"
DEFAULT_TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Grant:
    """One certificate the rule grants: a candidate, a level and the results it records."""

    candidate_id: int
    level: str
    theory_score: Fraction
    practical_score: Fraction
    typing_cpm: float


def grants(level: str, rows) -> list[Grant]:
    """The rows (``results.ResultRow``) that earn a certificate of ``level``: every part decided and
    passed by the standard's rule, with the scores to print. A row whose verdict is still undecided
    earns nothing (publication refuses those anyway)."""
    out = []
    for row in rows:
        verdict = standard.overall_passed(row.theory.passed, row.practical.passed, row.typing.passed)
        if verdict is not True:
            continue
        if row.theory.score is None or row.practical.score is None or row.typing.net_cpm is None:
            continue  # a pass without its figures cannot be printed; never happens for a finished part
        out.append(Grant(row.candidate_id, level, Fraction(row.theory.score), Fraction(row.practical.score),
                         float(row.typing.net_cpm)))
    return out


def expires_on(issued_on: dt.date, years: int) -> dt.date:
    """The last day of validity: the day before the same date ``years`` later (29 February issues run
    to 27 February, one day short of the 28th that stands in for it)."""
    if years < 1:
        raise ValueError(f"证书有效期应至少 1 年，实际为 {years}")
    try:
        anniversary = issued_on.replace(year=issued_on.year + years)
    except ValueError:  # 29 February into a common year
        anniversary = issued_on.replace(year=issued_on.year + years, day=28)
    return anniversary - dt.timedelta(days=1)


def settings(config: dict | None = None) -> tuple[int, str, str]:
    """(valid years, issuer, time zone) from the app's config, or for code running outside a request
    (the scheduler's timed publication) from the same environment variables ``exam.config`` reads."""
    if config is None:
        try:
            from flask import current_app, has_app_context
            config = current_app.config if has_app_context() else None
        except ImportError:  # pragma: no cover - flask is a dependency
            config = None
    if config is None:
        config = {}
    years = int(config.get("CERTIFICATE_VALID_YEARS")
                or os.environ.get("CALLEXAM_CERTIFICATE_VALID_YEARS") or DEFAULT_VALID_YEARS)
    issuer = str(config.get("CERTIFICATE_ISSUER") or os.environ.get("CALLEXAM_CERTIFICATE_ISSUER") or DEFAULT_ISSUER)
    tz = str(config.get("TIMEZONE") or DEFAULT_TIMEZONE)
    return years, issuer, tz
