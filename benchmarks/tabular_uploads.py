"""Worst-case uploads through the one tabular reader (exam.tabular), against openpyxl's read-only
reader iterating the same rows once (the baseline): a 5,000-row roster with every row wrong (all of
it checked, every error listed) and the report's 20,000-row workbook (refused at the row cap).

    .venv/bin/python benchmarks/tabular_uploads.py
"""

from __future__ import annotations

import datetime as dt
import io
import time

from openpyxl import Workbook, load_workbook

from exam.sessions.roster import sheet as roster


def workbook(rows: int) -> bytes:
    book = Workbook()
    ws = book.active
    ws.append(["姓名", "身份证号", "手机号", "工作单位"])
    for i in range(rows):
        ws.append([f"考生{i}", "bad", "123", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def seconds(fn) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    today = dt.date(2026, 12, 7)
    for rows in (5_000, 20_000):
        data = workbook(rows)
        base = seconds(lambda: sum(1 for _ in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows(
            values_only=True)))
        result = roster.parse("名单.xlsx", data, today)
        ours = seconds(lambda: roster.parse("名单.xlsx", data, today))
        what = f"{len(result.errors)} errors listed" if rows <= roster.MAX_ROWS else result.errors[0]
        print(f"{rows:>6} invalid rows, {len(data) // 1024} KB: roster import {ours:.2f} s, "
              f"openpyxl reading every row {base:.2f} s (ratio {ours / base:.1f}); {what}")


if __name__ == "__main__":
    main()
