"""Objective grading: exact fractions in, a score out of 100 and the pass decision.

Pure: it gets the frozen slots, their keys and the answers, and knows nothing of the database. Scores
are summed as fractions so a candidate on exactly 60 is never failed by a rounding error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exam import standard


@dataclass(frozen=True)
class GradableSlot:
    position: int
    area: str
    kind: str
    key: Any               # original option indices, or True/False
    option_order: list[int]  # display position -> original index
    points: Fraction


@dataclass
class Grade:
    score: Fraction
    passed: bool
    by_area: dict[str, tuple[Fraction, Fraction]] = field(default_factory=dict)  # area -> (earned, possible)
    correct: int = 0

    @property
    def score_display(self) -> float:
        return round(float(self.score), 2)


def is_correct(slot: GradableSlot, value: str) -> bool:
    if not value:
        return False
    if slot.kind == "truefalse":
        return (value == "T") == bool(slot.key)
    chosen = {slot.option_order[int(p)] for p in value.split(",")}
    return chosen == set(slot.key)


def grade(slots: list[GradableSlot], answers: dict[int, str]) -> Grade:
    total = Fraction(0)
    by_area: dict[str, tuple[Fraction, Fraction]] = {}
    correct = 0
    for slot in slots:
        ok = is_correct(slot, answers.get(slot.position, ""))
        earned = slot.points if ok else Fraction(0)
        correct += ok
        total += earned
        got, possible = by_area.get(slot.area, (Fraction(0), Fraction(0)))
        by_area[slot.area] = (got + earned, possible + slot.points)
    return Grade(score=total, passed=standard.theory_passed(total), by_area=by_area, correct=correct)
