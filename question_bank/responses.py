"""Response analysis: what candidates answered to one item, counted against its original options.

A pure engine (no database). A wrong key or a distractor nobody believes shows up here before it
shows in any coefficient: trainers read "how many chose each option" the way Moodle's response
analysis shows it. Candidates saw the options shuffled, so an answer ("0,2", display positions) is
first mapped back through that candidate's ``option_order`` (display position -> original index);
counting display positions would mix different options across candidates.

Counts are per candidate: for a multiple-choice item a candidate who picked two options counts once
for each, so the option counts may add up to more than the number of candidates.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from question_bank.normalise import matches, normalise_answer
from question_bank.sanitise import plain

UNANSWERED = "未作答"
TOP_TYPED = 5  # typed answers of a fill item shown one by one; the rest are summed as "其他答案"


@dataclass(frozen=True)
class Choice:
    """One line of an item's response analysis.

    ``correct`` is True for the key (or an accepted typed answer), False for a distractor (or a
    typed answer not accepted), None where it does not apply (no answer, other answers, short answers).
    """

    label: str
    text: str
    count: int
    correct: bool | None


def option_label(index: int) -> str:
    """A, B, C … for original option indices, as the bank's editor and the answer key name them."""
    return chr(ord("A") + index) if index < 26 else str(index + 1)


def count_responses(kind: str, options: Sequence[str], key: Any,
                    answers: Iterable[tuple[str, Sequence[int]]]) -> list[Choice]:
    """``answers`` holds (saved value, option order) per candidate who had the item ("" = none)."""
    answers = list(answers)
    blank = sum(1 for value, _ in answers if not value.strip())
    given = [(value, order) for value, order in answers if value.strip()]
    if kind in ("single", "multiple"):
        lines = _choices(options, key, given)
    elif kind == "truefalse":
        picked = Counter(value for value, _ in given)
        lines = [Choice("正确", "", picked["T"], bool(key)), Choice("错误", "", picked["F"], not bool(key))]
    elif kind == "fill":
        lines = _typed(list(key or []), [value for value, _ in given])
    else:  # short answers are read by an examiner: only whether something was written
        lines = [Choice("已作答", "", len(given), None)]
    return [*lines, Choice(UNANSWERED, "", blank, None)]


def _choices(options: Sequence[str], key: Any, given: list[tuple[str, Sequence[int]]]) -> list[Choice]:
    counts = Counter()
    for value, order in given:
        for position in value.split(","):
            counts[order[int(position)]] += 1
    keyed = set(key or [])
    return [Choice(option_label(i), plain(text), counts[i], i in keyed) for i, text in enumerate(options)]


def _typed(accepted: list[str], typed: list[str]) -> list[Choice]:
    """The most frequent answers once normalised (so "８０／２０" and "80/20" are one line)."""
    counts = Counter(normalise_answer(value) for value in typed)
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    lines = [Choice(text, "", n, matches(text, accepted)) for text, n in ranked[:TOP_TYPED]]
    rest = ranked[TOP_TYPED:]
    if rest:
        lines.append(Choice(f"其他答案（{len(rest)} 种）", "", sum(n for _, n in rest), None))
    return lines
