"""What every scenario kind provides, so the practical spine can deliver, save and grade any of them
without knowing their content.

A kind is a module in ``practical.kinds`` with:

- ``KIND`` (code), ``NAME`` (Chinese), ``LEVELS`` (the levels it applies to), ``MANUAL`` (True when an
  examiner marks a rubric, alone or beside the machine checks);
- ``validate_spec(spec: dict) -> list[str]``: every problem of a trainer's content, in Chinese, naming
  the field (``"turns[2].caller：不能为空"``); empty when valid;
- ``default_rubric(spec) -> list[dict]``: the examiner's criteria ``{"key", "name", "points",
  "description"}`` (points are shares of the task's own points, summing to ``MANUAL_SHARE``); ``[]`` if
  the kind is machine-graded only;
- ``candidate_view(spec, answer, seed) -> dict``: everything the candidate's page needs, and nothing of
  the expected answers, reference marking, branch conditions or keywords; the page template is
  ``practical/kinds/<KIND>.html`` and gets it as ``view``;
- ``normalise_answer(spec, raw, seed) -> dict``: the candidate's answer as stored, or ``AnswerError``
  (Chinese) for a malformed one; called on every autosave;
- optionally ``merge_answer(spec, stored, raw, seed) -> dict``: the answer a save makes of the stored
  one, for a kind whose answer only grows (the call: one reply at a time, never rewritten); without it
  a save replaces the answer with ``normalise_answer``'s;
- ``after_save(spec, answer, seed) -> dict | None``: what the page learns back from a save (the simulated
  call's next caller line); None for most kinds;
- ``auto_grade(spec, answer, seed, points: Fraction) -> AutoResult``: the machine's checks, each with the
  turn or field it concerns and why, in Chinese, and the points they earn out of ``points`` ×
  (1 − ``MANUAL_SHARE``) for a mixed kind, or all of ``points`` for a machine-only kind;
- ``MANUAL_SHARE``: Fraction, the share of the task's points an examiner marks (0 for machine-only, 1 for
  examiner-only);
- optionally ``RULES_VERSION`` and ``manual_share(spec) -> Fraction``, for a kind whose scoring rules
  changed after papers were drawn (the QA task): the draw writes ``rules_version`` into the frozen
  spec, and the split follows from it (``practical.kinds.manual_share``), so a paper drawn earlier
  keeps the rules its candidate saw.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction


def text_problem(value: object, limit: int) -> str | None:
    """Why a required piece of a trainer's content is unusable ("不能为空", "不超过 N 字"), or None."""
    if not isinstance(value, str) or not value.strip():
        return "不能为空"
    if len(value) > limit:
        return f"不超过 {limit} 字"
    return None


class AnswerError(ValueError):
    """A malformed answer; the message says what is wrong, in Chinese."""


@dataclass(frozen=True)
class Check:
    code: str  # stable identifier, e.g. "opening.greeting"
    name: str  # Chinese label, e.g. "开篇语：问候"
    passed: bool
    message: str  # why, in Chinese: "第 1 轮：缺少自我介绍（工号）"
    points: Fraction  # earned
    max_points: Fraction
    where: str = ""  # "第 3 轮", "电话号码", "第 2 项" …


@dataclass(frozen=True)
class AutoResult:
    points: Fraction
    max_points: Fraction
    checks: list[Check] = field(default_factory=list)
    #: The machine's suggestions for the criteria an examiner confirms (``practical.call_grading``):
    #: JSON-safe dicts with the criterion's code, suggested verdict, points and evidence.
    suggestions: list[dict] = field(default_factory=list)

    def as_json(self) -> dict:
        """JSON-safe form stored on the task (fractions as strings)."""
        out = {
            "points": str(self.points), "max_points": str(self.max_points),
            "checks": [{**asdict(c), "points": str(c.points), "max_points": str(c.max_points)} for c in self.checks],
        }
        if self.suggestions:
            out["suggestions"] = self.suggestions
        return out


def share(points: Fraction, parts: int) -> list[Fraction]:
    """``points`` split into ``parts`` equal exact shares."""
    return [Fraction(points) / parts] * parts if parts else []
