"""The one results-visibility rule (exam.sessions.results.visibility) without a database, and a check
of the code itself: the publication columns are read only there and written only by the publication."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from exam import parts
from exam.sessions.models import ExamSession
from exam.sessions.results import visibility
from exam.sessions.results.visibility import IMMEDIATE, PUBLISHED

UTC = dt.timezone.utc
T0 = dt.datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def _session(**kw) -> ExamSession:
    values = dict(id=1, name="2025 年 3 月 初级", level="junior", opens_at=T0, closes_at=T0 + dt.timedelta(hours=2),
                  duration_minutes=90, item_count=20)
    values.update(kw)
    return ExamSession(**values)


def _shown(exam_session) -> dict[str, bool]:
    return {code: visibility.visible(exam_session, code) for code in parts.codes()}


def test_every_part_is_registered_with_its_rule():
    assert set(parts.codes()) == {"theory", "typing", "practical"}
    assert [p.code for p in parts.all_parts() if p.after_publication] == ["practical"]


def test_immediate_release_shows_machine_graded_parts_at_once_and_the_practical_after_publication():
    s = _session(results_release=IMMEDIATE)
    assert _shown(s) == {"theory": True, "typing": True, "practical": False}
    assert not visibility.of(s).held and not visibility.of(s).published
    s.results_published_at = T0 + dt.timedelta(days=1)
    assert _shown(s) == {"theory": True, "typing": True, "practical": True}


def test_published_release_holds_every_part_until_publication():
    s = _session(results_release=PUBLISHED, results_publish_at=T0 + dt.timedelta(days=2))
    assert _shown(s) == {"theory": False, "typing": False, "practical": False}
    assert visibility.of(s).held and visibility.of(s).scheduled_at == T0 + dt.timedelta(days=2)
    s.results_published_at = T0 + dt.timedelta(days=2)
    assert _shown(s) == {"theory": True, "typing": True, "practical": True}
    assert not visibility.of(s).held and visibility.of(s).scheduled_at is None


@pytest.mark.parametrize("release", [IMMEDIATE, PUBLISHED])
def test_a_withdrawn_publication_is_the_state_before_publishing_for_every_part(release):
    before = _shown(_session(results_release=release))
    withdrawn = _session(results_release=release, results_published_at=None)
    assert _shown(withdrawn) == before and not visibility.of(withdrawn).published


# ---------------------------------------------------------------- the code reads the columns in one place

COLUMNS = ("results_release", "results_publish_at", "results_published_at")
ATTRIBUTE = re.compile(r"(\w+)\.(" + "|".join(COLUMNS) + r")\b")
#: What follows an assignment's target: "= value" or ", other_target = values" (not "==").
ASSIGNED = re.compile(r"\s*(?:,[^=()]*)?=(?!=)")
#: Names that are not a session: the forms' fields and the session plan (exam.sessions.scheduling).
NOT_A_SESSION = {"form", "schedule_form", "plan"}
PACKAGES = ("exam", "practical", "typing_test", "certificates", "question_bank")
READER = Path("exam/sessions/results/visibility.py")
WRITER = Path("exam/sessions/results/publication.py")


def _uses():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*")):
            if path.suffix not in (".py", ".html"):
                continue
            rel = path.relative_to(ROOT)
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                for m in ATTRIBUTE.finditer(line):
                    if m.group(1) not in NOT_A_SESSION:
                        write = ASSIGNED.match(line, m.end()) is not None
                        yield rel, number, m.group(2), write, line.strip()


def test_the_publication_columns_are_read_only_by_the_visibility_module():
    reads = [f"{rel}:{n}: {line}" for rel, n, _col, write, line in _uses() if rel != READER and not write]
    assert reads == [], "read the publication through exam.sessions.results.visibility:\n" + "\n".join(reads)


def test_the_publication_columns_are_written_only_by_the_publication():
    writes = [f"{rel}:{n}: {line}" for rel, n, _col, write, line in _uses() if write and rel != WRITER]
    assert writes == [], "publish, schedule and withdraw through exam.sessions.results.publication:\n" + "\n".join(writes)
    assert any(rel == WRITER for rel, *_ in _uses())  # the scan sees the writer (the pattern still matches)
