"""Item statistics: which questions in a paper are broken, and how reliable the paper is as a whole.

A pure engine (no database). Trainers need to see which items do not work: ones nearly everybody gets
right (too easy), ones nearly nobody gets right (too hard), and ones that strong candidates get wrong
more often than weak ones (negative discrimination, usually a wrong answer key or an ambiguous stem).

The figures follow Moodle's quiz statistics report (mod/quiz/report/statistics and
question/classes/statistics, GPL-3.0; see "Quiz statistics calculations" in the Moodle developer docs),
and the unit tests check them against Moodle's own fixture (results00.csv / qstats00.csv):

* facility = mean mark / max mark, here as a percentage (Moodle stores the fraction);
* sd = sample standard deviation of the item's marks, as a fraction of the max mark;
* discrimination index = 100 × Pearson correlation between the item mark and the rest of the test
  (total minus this item);
* discriminative efficiency = 100 × cov(item, rest) / cov_max, where cov_max is the covariance of
  the item marks and the rest marks each sorted independently (the largest covariance possible);
* effective weight = 100 × √cov(item, total) / Σ √cov(j, total) over items with cov(j, total) ≥ 0;
* whole paper: mean, median, sample SD, skewness k3/k2^1.5 and kurtosis k4/k2² from the unbiased
  cumulants k2, k3, k4, coefficient of internal consistency (Cronbach's alpha, in %), error ratio
  100·√(1 − CIC/100) and standard error = error ratio/100 × SD.

Every variance and covariance divides by n − 1. Figures that are undefined for the data (a single
attempt, zero variance, fewer than 3 or 4 attempts for skewness or kurtosis, a single item for the
CIC) are None rather than raising ZeroDivisionError. Random-guess score is out of scope.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Mapping, Sequence, TypeVar

EASY_FACILITY = 95.0  # facility (%) above which an item is too easy
HARD_FACILITY = 20.0  # facility (%) below which an item is too hard
LOW_DISCRIMINATION = 20.0  # discrimination index below which an item separates candidates poorly
#: Responses below which an item's figures are not yet reliable and nothing is flagged. Moodle's quiz
#: statistics guidance asks for about 30 attempts before reading facility and discrimination; with
#: fewer, one candidate moves facility by more than 3 points and a correlation is mostly noise.
MIN_RESPONSES = 30
_TINY = 1e-12  # variances below this are rounding noise and treated as zero

K = TypeVar("K")  # what names an item in item_statistics_by_key


@dataclass(frozen=True)
class ItemStats:
    """Statistics of one slot (1-based). Variances and covariances are in marks; None = undefined."""

    slot: int
    facility: float | None  # % of the max mark
    sd: float | None  # fraction of the max mark
    mark_variance: float | None
    other_mark_variance: float | None  # variance of the rest of the test
    covariance: float | None  # with the rest of the test
    covariance_with_overall: float | None  # with the total mark
    covariance_max: float | None
    discrimination_index: float | None
    discriminative_efficiency: float | None
    effective_weight: float | None


@dataclass(frozen=True)
class QuizStats:
    """Whole-paper statistics of the total marks; None = undefined for the data."""

    attempts: int
    mean: float | None
    median: float | None
    sd: float | None
    skewness: float | None
    kurtosis: float | None
    cic: float | None  # coefficient of internal consistency, %
    error_ratio: float | None  # %
    standard_error: float | None  # in marks


def _check(marks: Sequence[Sequence[float]], max_marks: Sequence[float]) -> None:
    if not max_marks:
        raise ValueError("试卷至少要有一道题")
    if any(m <= 0 for m in max_marks):
        raise ValueError("每道题的满分必须大于 0")
    for i, attempt in enumerate(marks, 1):
        if len(attempt) != len(max_marks):
            raise ValueError(f"第 {i} 份答卷有 {len(attempt)} 个得分，"
                             f"试卷有 {len(max_marks)} 道题")


def _covariance(a: Sequence[float], b: Sequence[float]) -> float | None:
    n = len(a)
    if n < 2:
        return None
    mean_a, mean_b = math.fsum(a) / n, math.fsum(b) / n
    return math.fsum((x - mean_a) * (y - mean_b) for x, y in zip(a, b)) / (n - 1)


def _ratio(numerator: float | None, denominator: float | None, scale: float = 1.0) -> float | None:
    if numerator is None or denominator is None or abs(denominator) < _TINY:
        return None
    return scale * numerator / denominator


def _item_figures(slot: int, item: list[float], totals: list[float], max_mark: float) -> dict:
    """Every figure of one item except its effective weight, from its marks and the attempts' totals.

    Shared by ``item_statistics`` (every attempt had the item) and ``item_statistics_by_key`` (only
    the attempts that drew it), so both compute each figure with the same arithmetic.
    """
    rest = [t - x for t, x in zip(totals, item)]
    var_item, var_rest = _covariance(item, item), _covariance(rest, rest)
    cov = _covariance(item, rest)
    cov_max = _covariance(sorted(item), sorted(rest))
    spread = math.sqrt(var_item * var_rest) if var_item is not None and var_rest is not None else None
    return dict(
        slot=slot,
        facility=100 * math.fsum(item) / len(item) / max_mark if item else None,
        sd=math.sqrt(var_item) / max_mark if var_item is not None else None,
        mark_variance=var_item,
        other_mark_variance=var_rest,
        covariance=cov,
        covariance_with_overall=_covariance(item, totals),
        covariance_max=cov_max,
        discrimination_index=_ratio(cov, spread, 100),
        discriminative_efficiency=_ratio(cov, cov_max, 100),
    )


def _with_effective_weights(partial: list[dict]) -> list[ItemStats]:
    # Effective weight: Moodle leaves it empty for items that covary negatively with the total.
    roots = [math.sqrt(p["covariance_with_overall"]) for p in partial
             if p["covariance_with_overall"] is not None and p["covariance_with_overall"] >= 0]
    weight_sum = math.fsum(roots)
    result = []
    for p in partial:
        c = p["covariance_with_overall"]
        weight = 100 * math.sqrt(c) / weight_sum if c is not None and c >= 0 and weight_sum else None
        result.append(ItemStats(effective_weight=weight, **p))
    return result


def item_statistics(marks: Sequence[Sequence[float]], max_marks: Sequence[float]) -> list[ItemStats]:
    """Per-slot statistics for attempts given as marks per slot (one row per attempt)."""
    _check(marks, max_marks)
    totals = [math.fsum(attempt) for attempt in marks]
    return _with_effective_weights([
        _item_figures(j + 1, [float(attempt[j]) for attempt in marks], totals, max_mark)
        for j, max_mark in enumerate(max_marks)
    ])


def item_statistics_by_key(rows: Sequence[Mapping[K, float]], max_marks: Mapping[K, float]) -> dict[K, ItemStats]:
    """Per-item statistics when candidates drew different items, as Moodle does for the questions
    behind a random slot: each item over the attempts that had it, against those attempts' totals.

    ``rows`` holds, per attempt, the mark of every item on that attempt's paper (its total is their
    sum); ``max_marks`` names the items, in the order their ``slot`` numbers follow. An item nobody
    drew gets empty figures. When every row has every item the figures are exactly those of
    ``item_statistics`` on the matrix (sums are ``math.fsum``, so order does not matter). The
    effective weight, an item's share of the spread of one common total, is only given in that
    case: across different papers there is no common total for the shares to add up to.
    """
    keys = list(max_marks)
    if not keys:
        raise ValueError("试卷至少要有一道题")
    if any(m <= 0 for m in max_marks.values()):
        raise ValueError("每道题的满分必须大于 0")
    for i, row in enumerate(rows, 1):
        unknown = set(row) - set(max_marks)
        if unknown:
            raise ValueError(f"第 {i} 份答卷有 {len(unknown)} 个得分不属于任何一道题")
    totals = [math.fsum(float(v) for v in row.values()) for row in rows]
    partial = []
    for j, key in enumerate(keys):
        had = [(float(row[key]), total) for row, total in zip(rows, totals) if key in row]
        partial.append(_item_figures(j + 1, [x for x, _ in had], [t for _, t in had], max_marks[key]))
    if all(len(row) == len(keys) for row in rows):
        stats = _with_effective_weights(partial)
    else:
        stats = [ItemStats(effective_weight=None, **p) for p in partial]
    return dict(zip(keys, stats))


def quiz_statistics(marks: Sequence[Sequence[float]], max_marks: Sequence[float]) -> QuizStats:
    """Whole-paper statistics of the attempts' total marks."""
    _check(marks, max_marks)
    totals = [math.fsum(attempt) for attempt in marks]
    n = len(totals)
    if n == 0:
        return QuizStats(0, None, None, None, None, None, None, None, None)
    mean = math.fsum(totals) / n
    median = statistics.median(totals)
    sd = skewness = kurtosis = cic = error_ratio = standard_error = None
    if n > 1:
        powers = [math.fsum((t - mean) ** k for t in totals) for k in (2, 3, 4)]
        m2, m3, m4 = (p / n for p in powers)
        k2 = n * m2 / (n - 1)  # unbiased cumulants, as in Moodle's quiz calculator
        sd = math.sqrt(k2)
        if n > 2 and k2 > _TINY:
            k3 = n * n * m3 / ((n - 1) * (n - 2))
            skewness = k3 / k2 ** 1.5
            if n > 3:
                k4 = n * n * ((n + 1) * m4 - 3 * (n - 1) * m2 * m2) / ((n - 1) * (n - 2) * (n - 3))
                kurtosis = k4 / (k2 * k2)
        items = len(max_marks)
        if items > 1 and k2 > _TINY:
            item_variance = math.fsum(_covariance(col, col) for col in zip(*marks))
            cic = 100 * items / (items - 1) * (1 - item_variance / k2)
            unreliable = 1 - cic / 100  # share of the total variance that is error
            if unreliable >= 0:
                error_ratio = 100 * math.sqrt(unreliable)
                standard_error = error_ratio / 100 * sd
    return QuizStats(n, mean, median, sd, skewness, kurtosis, cic, error_ratio, standard_error)


def reliable(responses: int) -> bool:
    return responses >= MIN_RESPONSES


def flags(item: ItemStats, responses: int | None = None) -> list[str]:
    """Warnings a trainer reads for one item, in Chinese; empty when nothing looks wrong, and empty
    when ``responses`` (how many candidates answered it) is below MIN_RESPONSES: the figures are then
    shown as not yet reliable, never as a verdict on the item."""
    if responses is not None and not reliable(responses):
        return []
    warnings = []
    if item.facility is not None:
        if item.facility > EASY_FACILITY:
            warnings.append(f"难度过易（通过率高于 {EASY_FACILITY:g}%）")
        elif item.facility < HARD_FACILITY:
            warnings.append(f"难度过难（通过率低于 {HARD_FACILITY:g}%）")
    if item.discrimination_index is not None:
        if item.discrimination_index < 0:
            warnings.append("区分度为负：高分考生反而答错更多，请检查答案是否有误")
        elif item.discrimination_index < LOW_DISCRIMINATION:
            warnings.append(f"区分度偏低（< {LOW_DISCRIMINATION:g}）")
    return warnings


@dataclass(frozen=True)
class Analysis:
    """Everything the trainers' statistics page shows for one paper's attempts."""

    items: list[ItemStats]
    quiz: QuizStats

    @property
    def cic(self) -> float | None:
        return self.quiz.cic

    @property
    def error_ratio(self) -> float | None:
        return self.quiz.error_ratio

    @property
    def standard_error(self) -> float | None:
        return self.quiz.standard_error


def analyse(marks: Sequence[Sequence[float]], max_marks: Sequence[float]) -> Analysis:
    """Item and whole-paper statistics; ``marks`` holds one row of per-item marks per attempt."""
    return Analysis(item_statistics(marks, max_marks), quiz_statistics(marks, max_marks))
