"""The exam-day harness and the crash-durability check, run briefly to prove they work.

No timings are asserted here (the machine is shared and noisy); the figures come from the full runs
in benchmarks/. What is asserted is what must hold at any speed: everyone gets in, no error, no
acknowledged save lost, every attempt graded once, attempts resume after SIGKILL.
"""

import asyncio
import concurrent.futures

import pytest

from benchmarks import crash_durability, exam_day
from tests.pg import create_database, free_port


def run_async(make_coroutine):
    """asyncio.run in a thread of its own: the browser tests' Playwright keeps a loop in this one."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def _tiny(*extra: str):
    return exam_day.build_parser().parse_args([
        "--candidates", "30", "--storm", "20", "--signin-window", "2", "--storm-window", "2", "--ramp-window", "2",
        "--steady-seconds", "4", "--interval", "1", "--port", str(free_port()), *extra])


def _assert_clean(result, candidates=30):
    assert result["joined"] == candidates
    assert all(p["errors"] == 0 for p in result["phases"]), result["error_samples"]
    assert result["acknowledged_saves"] > 0 and result["lost_saves"] == 0
    assert result["deadline"]["attempts_due"] == candidates and result["deadline"]["left_ungraded"] == 0
    assert result["double_gradings"] == 0


def test_exam_day_harness_on_sqlite():
    _assert_clean(run_async(lambda: exam_day.run(_tiny())))


@pytest.mark.postgres
def test_exam_day_harness_scaled_out_on_postgresql(pg_cluster):
    """Two app servers and two scheduler processes on one PostgreSQL: nothing graded twice."""
    args = _tiny("--database-url", create_database(pg_cluster, "harness"), "--app-processes", "2",
                 "--schedulers", "2")
    _assert_clean(run_async(lambda: exam_day.run(args)))


def test_sigkill_loses_no_acknowledged_save_and_attempts_resume(tmp_path):
    results = run_async(lambda: crash_durability.crash_cycles(
        f"sqlite:///{tmp_path / 'crash.db'}", tmp_path, candidates=10, cycles=2, interval=0.3,
        port=free_port(), report=lambda line: None))
    assert [r["lost"] for r in results] == [0, 0]
    assert all(r["resumed"] == r["candidates"] for r in results)
    assert results[-1]["answers_acknowledged"] > 0
