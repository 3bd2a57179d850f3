"""The item checker and enemy-aware draws on the shipped demo bank (issue 19).

Baselines measured in the same run: reading and validating the bank files (what every door into the
bank already does) for the whole-bank check and the one-item check the item page runs; a blueprint
draw without enemy pairs for the same draw keeping 60 confirmed pairs apart.

    .venv/bin/python benchmarks/bank_lint.py [--runs 5] [--draws 300]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from question_bank import blueprint_draw, lint, lint_service, loader  # noqa: E402
from question_bank.blueprint import default_blueprint, plan  # noqa: E402


def timed(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--draws", type=int, default=300)
    args = parser.parse_args()
    files = loader.demo_files()
    entries, declared = lint_service.entries_from_files(files)
    parse = timed(lambda: loader.parse_files(files), args.runs)
    lint._plain.cache_clear()
    lint._bigrams.cache_clear()
    cold = timed(lambda: lint.check_bank(entries, declared), 1)
    warm = timed(lambda: lint.check_bank(entries, declared), args.runs)
    sample = entries[::25]
    one = timed(lambda: [lint.check_against_bank(e, entries, declared) for e in sample], args.runs) / len(sample)
    print(f"# bank lint — {len(entries)} items in {len(files)} files")
    print(f"read + validate the files (baseline)   {parse * 1000:8.1f} ms")
    print(f"whole-bank check, first run            {cold * 1000:8.1f} ms   ({cold / parse:.1f} × baseline)")
    print(f"whole-bank check, warm                 {warm * 1000:8.1f} ms   ({warm / parse:.1f} × baseline)")
    print(f"one item against the bank (item page)  {one * 1000:8.1f} ms   ({one / parse:.2f} × baseline)")

    p = plan(default_blueprint("junior"))
    pool = [blueprint_draw.PoolItem(n, e.data.area, e.data.kind, e.data.difficulty)
            for n, e in enumerate(entries) if "junior" in e.data.levels]
    rng = random.Random(1)
    roomy = {}
    for item in pool:
        roomy.setdefault((item.area, item.kind), []).append(item.version_id)
    cells = [ids for key, ids in roomy.items() if len(ids) >= 2 * next((c.count for c in p.cells
                                                                       if (c.area, c.kind) == key), 0) + 2]
    pairs = set()
    while len(pairs) < 60:
        pairs.add(frozenset(rng.sample(rng.choice(cells), 2)))
    pairs = frozenset(pairs)
    plain = timed(lambda: [blueprint_draw.draw(p, pool, rng) for _ in range(args.draws)], 1) / args.draws
    apart = timed(lambda: [blueprint_draw.draw(p, pool, rng, pairs) for _ in range(args.draws)], 1) / args.draws
    print(f"# per-candidate draw, junior default blueprint, {len(pool)} items, {args.draws} draws")
    print(f"draw without enemy pairs (baseline)    {plain * 1000:8.2f} ms")
    print(f"draw keeping 60 pairs apart            {apart * 1000:8.2f} ms   ({apart / plain:.2f} × baseline)")


if __name__ == "__main__":
    main()
