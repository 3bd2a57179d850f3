"""Per-item statistics when candidates drew different items (stats.item_statistics_by_key)."""

import dataclasses
import random
import statistics as pystats

import pytest

from question_bank import stats
from tests.unit.test_stats import _moodle_marks


def test_complete_rows_give_exactly_the_matrix_figures():
    marks, max_marks = _moodle_marks()
    keys = [f"q{j}" for j in range(len(max_marks))]
    rows = [dict(zip(keys, row)) for row in marks]
    # the mapping's order names the slots; a row's own key order must not matter
    rows = [dict(reversed(list(row.items()))) for row in rows]
    by_key = stats.item_statistics_by_key(rows, dict(zip(keys, max_marks)))
    assert list(by_key.values()) == stats.item_statistics(marks, max_marks)


def test_each_item_is_counted_over_the_attempts_that_had_it_with_their_own_totals():
    rng = random.Random(1)
    items = {f"i{j}": float(1 + j % 3) for j in range(12)}
    rows = []
    for ability in range(30):
        drawn = rng.sample(sorted(items), 6)
        rows.append({k: items[k] if rng.random() < (ability + 1) / 31 else 0.0 for k in drawn})
    result = stats.item_statistics_by_key(rows, items)
    assert [r.slot for r in result.values()] == list(range(1, 13))
    for key, item in result.items():
        had = [row for row in rows if key in row]
        x = [row[key] for row in had]
        rest = [sum(row.values()) - row[key] for row in had]
        assert item.facility == pytest.approx(100 * pystats.mean(x) / items[key])
        assert item.sd == pytest.approx(pystats.stdev(x) / items[key])
        assert item.discrimination_index == pytest.approx(100 * pystats.correlation(x, rest))
        assert item.covariance_max == pytest.approx(pystats.covariance(sorted(x), sorted(rest)))
        assert item.effective_weight is None  # no common total across different papers


def test_an_item_nobody_drew_has_empty_figures_and_strangers_are_refused():
    result = stats.item_statistics_by_key([{"a": 1.0}, {"a": 0.0}], {"a": 1.0, "b": 2.0})
    empty = {f.name: getattr(result["b"], f.name) for f in dataclasses.fields(result["b"]) if f.name != "slot"}
    assert set(empty.values()) == {None}
    assert result["a"].facility == 50
    with pytest.raises(ValueError, match="不属于任何一道题"):
        stats.item_statistics_by_key([{"a": 1.0, "z": 1.0}], {"a": 1.0})
