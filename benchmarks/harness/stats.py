"""Per-phase request statistics: throughput, latency percentiles, errors, generator CPU."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


def percentile(sorted_values: list[float], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, max(0, round(p / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


@dataclass
class Phase:
    name: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful and failed alike
    finished_at: list[float] = field(default_factory=list)  # perf_counter when each request ended
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    started: float = 0.0
    ended: float = 0.0
    cpu_started: float = 0.0
    cpu_ended: float = 0.0

    def __enter__(self):
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.ended, self.cpu_ended = time.perf_counter(), time.process_time()

    def record(self, seconds: float, ok: bool, what: str = "") -> None:
        self.latencies.append(seconds)
        self.finished_at.append(time.perf_counter())
        if not ok:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(what)

    def worst_seconds(self, n: int = 5) -> list[tuple[int, float, int]]:
        """The seconds of the phase with the slowest requests: (second, max latency ms, requests)."""
        buckets: dict[int, list[float]] = {}
        for end, latency in zip(self.finished_at, self.latencies):
            buckets.setdefault(int(end - self.started), []).append(latency)
        ranked = sorted(buckets.items(), key=lambda kv: max(kv[1]), reverse=True)[:n]
        return [(second, round(max(v) * 1000, 1), len(v)) for second, v in ranked]

    def summary(self) -> dict:
        wall = max(self.ended - self.started, 1e-9)
        values = sorted(self.latencies)
        return {
            "phase": self.name, "requests": len(values), "seconds": round(wall, 1),
            "rps": round(len(values) / wall, 1),
            "p50_ms": round(percentile(values, 50) * 1000, 1), "p95_ms": round(percentile(values, 95) * 1000, 1),
            "p99_ms": round(percentile(values, 99) * 1000, 1), "errors": self.errors,
            "generator_cpu_s": round(self.cpu_ended - self.cpu_started, 1),
            "generator_cpu_pct": round(100 * (self.cpu_ended - self.cpu_started) / wall, 1),
        }


def table(rows: list[dict]) -> str:
    head = f"{'phase':12s} {'requests':>8s} {'secs':>6s} {'req/s':>7s} {'p50 ms':>8s} {'p95 ms':>8s} {'p99 ms':>8s} " \
           f"{'errors':>6s} {'gen CPU':>8s}"
    lines = [head]
    for r in rows:
        lines.append(f"{r['phase']:12s} {r['requests']:8d} {r['seconds']:6.1f} {r['rps']:7.1f} {r['p50_ms']:8.1f} "
                     f"{r['p95_ms']:8.1f} {r['p99_ms']:8.1f} {r['errors']:6d} {r['generator_cpu_pct']:7.1f}%")
    return "\n".join(lines)
