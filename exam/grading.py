"""Grading: exact fractions in, a score out of 100 and the pass decision.

Pure: it gets the frozen slots, their keys, the answers and any examiner marks, and knows nothing of
the database. Scores are summed as fractions so a candidate on exactly 60 is never failed by a
rounding error. A short answer is marked by an examiner: until every one is, the grade is
provisional (``pending`` lists them) and there is no pass decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from exam import standard
from question_bank.normalise import matches


@dataclass(frozen=True)
class GradableSlot:
    position: int
    area: str
    kind: str
    key: Any               # option indices, True/False, accepted answers, or a short answer's reference
    option_order: list[int]  # display position -> original index
    points: Fraction
    scoring: str = "all"   # multiple choice: "all" or "partial"


@dataclass
class Grade:
    score: Fraction
    passed: bool | None
    by_area: dict[str, tuple[Fraction, Fraction]] = field(default_factory=dict)  # area -> (earned, possible)
    correct: int = 0
    marks: dict[int, Fraction] = field(default_factory=dict)   # position -> points earned
    pending: list[int] = field(default_factory=list)           # short answers not marked yet

    @property
    def score_display(self) -> float:
        return round(float(self.score), 2)


def credit(slot: GradableSlot, value: str) -> Fraction:
    """The share of the slot's points an answer earns, from 0 to 1 (machine-marked kinds only)."""
    if not value:
        return Fraction(0)
    if slot.kind == "truefalse":
        return Fraction(int((value == "T") == bool(slot.key)))
    if slot.kind == "fill":
        return Fraction(int(matches(value, list(slot.key))))
    chosen = {slot.option_order[int(p)] for p in value.split(",")}
    key = set(slot.key)
    if chosen == key:
        return Fraction(1)
    if slot.kind == "multiple" and slot.scoring == "partial" and chosen <= key:
        return Fraction(len(chosen), len(key))   # 少选按比例得分，错选不得分
    return Fraction(0)


def is_correct(slot: GradableSlot, value: str) -> bool:
    return credit(slot, value) == 1


def grade(slots: list[GradableSlot], answers: dict[int, str],
          manual: dict[int, Fraction] | None = None) -> Grade:
    """``manual`` holds the examiner's marks (points, not shares) for short answers."""
    manual = manual or {}
    total = Fraction(0)
    by_area: dict[str, tuple[Fraction, Fraction]] = {}
    marks: dict[int, Fraction] = {}
    pending: list[int] = []
    correct = 0
    for slot in slots:
        if slot.kind == "short":
            if slot.position in manual:
                earned = min(max(manual[slot.position], Fraction(0)), slot.points)
            elif not answers.get(slot.position, "").strip():
                earned = Fraction(0)          # nothing written: nothing to mark
            else:
                earned = Fraction(0)
                pending.append(slot.position)
        else:
            earned = slot.points * credit(slot, answers.get(slot.position, ""))
        correct += earned == slot.points
        marks[slot.position] = earned
        total += earned
        got, possible = by_area.get(slot.area, (Fraction(0), Fraction(0)))
        by_area[slot.area] = (got + earned, possible + slot.points)
    passed = None if pending else standard.theory_passed(total)
    return Grade(score=total, passed=passed, by_area=by_area, correct=correct, marks=marks, pending=pending)
