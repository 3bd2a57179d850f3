"""Are a session's results out, and may a candidate see a part's result now?

The one place that reads the publication columns of ``ExamSession`` (``results_release``,
``results_publish_at``, ``results_published_at``);
``exam.sessions.results.publication`` is the one place that writes them. Every page, the timeline,
the scheduler, marking and certificates ask here, so no page shows what another hides and a
withdrawn publication hides the same things for every part (tests/unit/test_results_visibility.py
greps the code for any other read).

The rule: a part whose outcome is machine-graded (theory, typing) is shown once graded under the
"immediate" release and only after publication under the "published" release; a part examiners
mark (``Part.after_publication``, the practical) is shown only after publication under either.
Publication makes every part's scores final: marking closes until a publication is withdrawn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from exam import parts
from exam.sessions.models import ExamSession

IMMEDIATE, PUBLISHED = "immediate", "published"
#: How results reach candidates, by code (the session form, the results page and their checks).
RELEASE_NAMES = {IMMEDIATE: "评分后即向考生显示", PUBLISHED: "统一公布后向考生显示"}

#: The columns this module reads: what a query must load for ``of`` (the scheduler's ``load_only``).
COLUMNS = (ExamSession.results_release, ExamSession.results_publish_at, ExamSession.results_published_at)


@dataclass(frozen=True)
class Publication:
    """Where a session's publication stands. ``publish_at``: when the scheduler is to publish
    (None: by hand); ``published_at``: when it was published (None: not, or withdrawn)."""

    release: str
    publish_at: dt.datetime | None
    published_at: dt.datetime | None

    @property
    def published(self) -> bool:
        """The results are out and final: no marking changes, certificates issued."""
        return self.published_at is not None

    @property
    def held(self) -> bool:
        """Candidates wait for the publication before seeing any score ("published" release)."""
        return self.release == PUBLISHED and not self.published

    @property
    def scheduled_at(self) -> dt.datetime | None:
        """When the scheduler publishes, while that is still to come."""
        return None if self.published else self.publish_at

    @property
    def release_name(self) -> str:
        return RELEASE_NAMES.get(self.release, self.release)

    def visible(self, part: str) -> bool:
        """May a candidate see their result in this part (``exam.parts`` code) now?"""
        if parts.get(part).after_publication:
            return self.published
        return not self.held


def of(exam_session: ExamSession) -> Publication:
    return Publication(exam_session.results_release, exam_session.results_publish_at,
                       exam_session.results_published_at)


def visible(exam_session: ExamSession, part: str) -> bool:
    """The one results-visibility rule (see the module docstring)."""
    return of(exam_session).visible(part)


def init_app(app) -> None:
    """Templates ask the same questions: ``publication(s).published``, ``result_visible(s, part)``."""
    app.add_template_global(of, "publication")
    app.add_template_global(visible, "result_visible")
