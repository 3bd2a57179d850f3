"""When a candidate may see their outcomes: at once ("immediate", each score once graded) or only
after the session's results are published ("published"). One rule for every candidate page (theory,
typing, practical, the exam list), so no page shows what another hides."""

from __future__ import annotations

from exam.sessions.models import ExamSession

IMMEDIATE, PUBLISHED = "immediate", "published"
RELEASE_NAMES = {IMMEDIATE: "评分后即向考生显示", PUBLISHED: "统一发布后向考生显示"}


def results_hidden(exam_session: ExamSession) -> bool:
    """True while a "published"-release session's results are not published yet."""
    return exam_session.results_release == PUBLISHED and exam_session.results_published_at is None
