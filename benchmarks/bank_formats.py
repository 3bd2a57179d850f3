"""Reading and writing a large question bank in every exchange format (issue 20).

A bank of N items (the test set's varied items, renumbered) is written as GIFT, Moodle XML, a QTI 3.0
package and CSV, then read back by ``importer.read`` (parse, map, validate: what a preview does before
touching the database). The baseline in the same run is the CSV read, the format with the least
structure; every other format is printed as a ratio of it.

    .venv/bin/python benchmarks/bank_formats.py [--items 2000] [--runs 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from question_bank import importer, transfer  # noqa: E402
from question_bank.formats import gift, moodle_xml, qti, sheet  # noqa: E402
from question_bank.transfer import Defaults  # noqa: E402
from question_bank.transfer_sheet import to_sheet  # noqa: E402
from tests.unit.test_transfer import VARIED  # noqa: E402


def timed(fn, runs: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    bank = [dataclasses.replace(VARIED[i % len(VARIED)], ref=f"B-{i}", category="基准",
                                stem=f"第{i}题：" + VARIED[i % len(VARIED)].stem) for i in range(args.items)]
    parsed = [transfer.to_parsed(d) for d in bank]
    writers = {
        "csv": ("b.csv", lambda: sheet.write_csv([to_sheet(d) for d in bank])),
        "gift": ("b.gift", lambda: gift.dump(parsed).encode()),
        "moodlexml": ("b.xml", lambda: moodle_xml.dump(parsed).encode()),
        "qti": ("b.zip", lambda: qti.write_package(parsed)),
    }
    defaults = Defaults(("junior",), "service")
    print(f"# bank formats — {args.items} items, median of {args.runs}")
    baseline = None
    for fmt, (name, write) in writers.items():
        wrote, data = timed(write, args.runs)
        read, result = timed(lambda: importer.read(name, data, None, defaults), args.runs)
        assert len(result.items) == args.items and not result.refused, result.refused[:3]
        baseline = baseline or read
        print(f"{fmt:10s} {len(data) // 1024:6d} KB  write {wrote:6.2f} s  read {read:6.2f} s  "
              f"read ×{read / baseline:4.1f} of CSV")


if __name__ == "__main__":
    main()
