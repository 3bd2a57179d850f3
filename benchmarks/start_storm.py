"""The start storm measured as CPU per request of the app processes, against bare Flask, in one run.

    .venv/bin/python benchmarks/start_storm.py                      # bare, SQLite, PostgreSQL; 300 starts each
    .venv/bin/python benchmarks/start_storm.py --targets bare,sqlite --candidates 200
    .venv/bin/python benchmarks/start_storm.py --app-root /tmp/callexam-before   # another checkout's code
    .venv/bin/python benchmarks/start_storm.py --targets bare,sqlite@/tmp/callexam-before,sqlite  # paired
    PY_SPY=/path/to/py-spy .venv/bin/python benchmarks/start_storm.py --targets sqlite --py-spy /tmp/storm  # profile

A target ``name@path`` serves callexam from the checkout at ``path`` (e.g. ``git archive`` of the commit
before a change), so before and after run back to back under the same machine load.

Each target is a fresh server with the same gunicorn settings (``benchmarks.serve``: gthread,
``--workers`` × ``--threads``, no scheduler): bare Flask (``benchmarks/bare_app.py``: the same routes
answering a small page, a 302 and a page of the paper's size from memory), callexam on SQLite, and
callexam on a throw-away durable PostgreSQL. ``--candidates`` simulated candidates (the exam-day
harness's ``Candidate``) sign in (not measured: argon2 by design), then start with at most
``--concurrency`` starts in flight — a start is the requests the harness's candidate makes: the start page
and the POST that draws and freezes the paper (the level's default blueprint: 82 questions, a parallel
form per candidate), which answers with the paper page (code from before issue 23's fourth part
redirects to it, and the candidate then loads it) — then each saves ``--saves`` answers.

This machine's two cores are shared (other jobs, the load generator, PostgreSQL itself), so
wall-clock rates drift; what is compared is the CPU the app processes (gunicorn master and workers,
``psutil`` user+system time) spent per start and per save, and PostgreSQL's own CPU per request
beside it. Wall-clock starts/s and latencies are printed too, for what they are worth here.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import psutil  # noqa: E402

from benchmarks.harness.candidate import Candidate  # noqa: E402
from benchmarks.harness.population import PASSWORD, prepare  # noqa: E402
from benchmarks.harness.server import wait_healthy  # noqa: E402
from benchmarks.harness.stats import Phase, percentile  # noqa: E402


def tree_cpu(pids: list[int]) -> float:
    """User + system CPU seconds of these processes and all their children, now."""
    total = 0.0
    for pid in pids:
        try:
            root = psutil.Process(pid)
            for p in [root, *root.children(recursive=True)]:
                t = p.cpu_times()
                total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


class LockSampler:
    """Samples pg_stat_activity every ``every`` s during the storm: how many backends wait on an
    advisory lock (the audit hash chain's, ``exam.audit.chain``) and on anything else."""

    def __init__(self, url: str, every: float = 0.02):
        import threading

        from exam.db import throwaway_engine
        self.engine, self.every = throwaway_engine(url), every
        self.samples: list[tuple[int, int, int]] = []  # (advisory waiters, other lock waiters, active)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from sqlalchemy import text
        query = text("SELECT count(*) FILTER (WHERE wait_event = 'advisory'), "
                     "count(*) FILTER (WHERE wait_event_type = 'Lock' AND wait_event <> 'advisory'), "
                     "count(*) FILTER (WHERE state = 'active') - 1 "
                     "FROM pg_stat_activity WHERE backend_type = 'client backend'")
        with self.engine.connect() as conn:
            while not self._stop.is_set():
                self.samples.append(tuple(conn.execute(query).one()))
                conn.rollback()
                time.sleep(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.engine.dispose()

    def summary(self) -> str:
        n = len(self.samples) or 1
        waiting = [a for a, _o, _act in self.samples]
        active = sum(act for _a, _o, act in self.samples) / n
        return (f"{len(self.samples)} samples: backends waiting on the audit chain's advisory lock mean "
                f"{sum(waiting) / n:.2f} (≥1 in {100 * sum(1 for w in waiting if w) / n:.0f}% of samples, max "
                f"{max(waiting, default=0)}), on other locks mean {sum(o for _a, o, _x in self.samples) / n:.2f}; "
                f"active backends mean {active:.2f}")


def postgres_pid(cluster) -> int:
    return int((cluster.data / "postmaster.pid").read_text().split()[0])


class Server:
    def __init__(self, which: str, port: int, args, env: dict, root: Path):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.serve", which, str(port), str(args.workers), str(args.threads)],
            cwd=root, env={**os.environ, **env, "PYTHONPATH": str(root)}, stdout=subprocess.DEVNULL,
            start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        wait_healthy(self.base)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def _bounded(cands, limit: int, action) -> int:
    gate = asyncio.Semaphore(limit)

    async def one(c):
        async with gate:
            return await action(c)
    return sum(await asyncio.gather(*(one(c) for c in cands)))


class PySpy:
    """``py-spy record`` on the server's processes for the storm only (``--py-spy OUT``): raw
    collapsed stacks of the workers as they serve the starts, one file per target."""

    def __init__(self, pid: int, out: str):
        self.pid, self.out, self.proc = pid, out, None

    def __enter__(self):
        import shutil
        exe = os.environ.get("PY_SPY") or shutil.which("py-spy")
        if not exe:
            raise SystemExit("--py-spy needs py-spy on PATH (pip install py-spy) or PY_SPY=/path/to/py-spy")
        self.proc = subprocess.Popen([exe, "record", "-r", "200", "-f", "raw", "--subprocesses", "-o", self.out,
                                      "--pid", str(self.pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)  # py-spy attaches to every worker before the first start is sent
        return self

    def __exit__(self, *exc):
        import signal
        self.proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        self.proc.wait(timeout=60)


async def drive(base: str, usernames: list[str], session_id: int, args, cpu_of, sampler=None,
                spy: PySpy | None = None) -> dict:
    rng = random.Random(args.seed)
    cands = [Candidate(u, PASSWORD, base) for u in usernames]
    connector = aiohttp.TCPConnector(limit=max(64, args.concurrency))
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                     cookie_jar=aiohttp.DummyCookieJar()) as http:
        signin = Phase("sign-in")
        with signin:
            await _bounded(cands, 8, lambda c: c.sign_in(http, signin))
        warm = args.warmup  # a few starts first, so every worker has imported, compiled and cached
        await _bounded(cands[:warm], 2, lambda c: c.start(http, Phase("warm-up"), session_id))
        start_latency: list[float] = []

        async def timed_start(c):
            began = time.perf_counter()
            ok = await c.start(http, storm, session_id)
            start_latency.append(time.perf_counter() - began)
            return ok
        storm = Phase("storm")
        if spy is not None:
            spy.__enter__()
        cpu0 = cpu_of()
        if sampler is not None:
            sampler.__enter__()
        with storm:
            started = await _bounded(cands[warm:], args.concurrency, timed_start)
        if sampler is not None:
            sampler.__exit__(None, None, None)
        cpu1 = cpu_of()
        if spy is not None:
            spy.__exit__(None, None, None)
        saves = Phase("saves")

        async def some_saves(c):
            for _ in range(args.saves):
                await c.save(http, saves, rng)
            return 1
        with saves:
            await _bounded([c for c in cands[warm:] if c.save_url], args.concurrency, some_saves)
        cpu2 = cpu_of()
    lat = sorted(start_latency)
    wall = storm.ended - storm.started
    return {
        "starts": started, "start_errors": storm.errors, "saves": len(saves.latencies), "save_errors": saves.errors,
        "storm_wall_s": wall, "starts_per_s": started / wall, "start_p50_ms": 1000 * percentile(lat, 50),
        "start_p99_ms": 1000 * percentile(lat, 99),
        "app_cpu_per_start_ms": 1000 * (cpu1[0] - cpu0[0]) / max(started, 1),
        "db_cpu_per_start_ms": 1000 * (cpu1[1] - cpu0[1]) / max(started, 1),
        "app_cpu_per_save_ms": 1000 * (cpu2[0] - cpu1[0]) / max(len(saves.latencies), 1),
        "db_cpu_per_save_ms": 1000 * (cpu2[1] - cpu1[1]) / max(len(saves.latencies), 1),
        "error_samples": storm.error_samples + saves.error_samples,
        "locks": sampler.summary() if sampler is not None else None,
    }


def run_target(spec: str, args, port: int) -> dict:
    target, _, code = spec.partition("@")
    work = Path(tempfile.mkdtemp(prefix=f"callexam-storm-{target}-"))
    cluster = None
    url = f"sqlite:///{work / 'callexam.db'}"
    if target == "postgresql":
        from tests.pg import Cluster, create_database
        cluster = Cluster(durable=True)
        url = create_database(cluster.start(), "storm")
    try:
        session_id, usernames = prepare(url, args.candidates, paper=args.paper)
        env = {"CALLEXAM_INSTANCE": str(work / "instance"), "DATABASE_URL": url}
        code = "" if target == "bare" else code or args.app_root
        root = Path(code).resolve() if code else ROOT
        server = Server("bare" if target == "bare" else "callexam", port, args, env, root)
        db_pid = postgres_pid(cluster) if cluster else None
        sampler = LockSampler(url) if cluster else None
        try:
            result = asyncio.run(drive(server.base, usernames, session_id, args,
                                       lambda: (tree_cpu([server.proc.pid]), tree_cpu([db_pid]) if db_pid else 0.0),
                                       sampler, PySpy(server.proc.pid, f"{args.py_spy}.{target}.raw")
                                       if args.py_spy else None))
        finally:
            server.stop()
    finally:
        if cluster is not None:
            from exam import db
            db.dispose_all()
            cluster.stop()
    return {"target": target + (" (before)" if code else ""), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--targets", default="bare,sqlite,postgresql")
    parser.add_argument("--candidates", type=int, default=308)
    parser.add_argument("--warmup", type=int, default=8, help="starts before the measured storm")
    parser.add_argument("--concurrency", type=int, default=20, help="starts (then saves) in flight at once")
    parser.add_argument("--saves", type=int, default=10, help="saves per candidate after the storm")
    parser.add_argument("--paper", choices=["blueprint", "spine"], default="blueprint")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--app-root", help="serve callexam from this checkout (e.g. the code before a change)")
    parser.add_argument("--port", type=int, default=18900)
    parser.add_argument("--seed", type=int, default=23)
    parser.add_argument("--out", help="also write the printout here")
    parser.add_argument("--py-spy", metavar="PREFIX",
                        help="profile the server during each storm with py-spy, raw stacks to PREFIX.<target>.raw "
                             "(sampling pauses the workers: that run's figures are a profile's, not a measurement)")
    args = parser.parse_args()
    os.environ.pop("DATABASE_URL", None)
    rows = [run_target(t, args, args.port + i) for i, t in enumerate(args.targets.split(","))]
    code = f" · callexam from {args.app_root}" if args.app_root else ""
    lines = [
        f"# start storm — {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} CPUs · gunicorn gthread "
        f"{args.workers}×{args.threads} · {args.candidates - args.warmup} starts, {args.concurrency} in flight · "
        f"{args.paper} paper · {args.saves} saves each{code}",
        f"{'target':19s} {'CPU/start':>10s} {'DB/start':>9s} {'CPU/save':>9s} {'DB/save':>8s} "
        f"{'starts/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s} {'errors':>7s}",
    ]
    for r in rows:
        lines.append(f"{r['target']:19s} {r['app_cpu_per_start_ms']:8.2f}ms {r['db_cpu_per_start_ms']:7.2f}ms "
                     f"{r['app_cpu_per_save_ms']:7.2f}ms {r['db_cpu_per_save_ms']:6.2f}ms {r['starts_per_s']:9.1f} "
                     f"{r['start_p50_ms']:8.1f} {r['start_p99_ms']:8.1f} {r['start_errors'] + r['save_errors']:7d}")
    bare = next((r for r in rows if r["target"] == "bare"), None)
    for r in rows:
        if r is not bare and bare:
            lines.append(f"{r['target']}: CPU per start {r['app_cpu_per_start_ms'] / bare['app_cpu_per_start_ms']:.1f}× "
                         f"bare Flask's, per save {r['app_cpu_per_save_ms'] / bare['app_cpu_per_save_ms']:.1f}×")
    by = {r["target"]: r for r in rows}
    for name in ("sqlite", "postgresql"):
        if name in by and f"{name} (before)" in by:
            old, new = by[f"{name} (before)"], by[name]
            lines.append(f"{name}: CPU per start {old['app_cpu_per_start_ms']:.1f} → {new['app_cpu_per_start_ms']:.1f} ms "
                         f"({old['app_cpu_per_start_ms'] / new['app_cpu_per_start_ms']:.2f}× less), per save "
                         f"{old['app_cpu_per_save_ms']:.2f} → {new['app_cpu_per_save_ms']:.2f} ms")
    if "sqlite" in by and "postgresql" in by:
        s, p = by["sqlite"], by["postgresql"]
        lines.append(f"app CPU PostgreSQL/SQLite: per start {p['app_cpu_per_start_ms'] / s['app_cpu_per_start_ms']:.2f}, "
                     f"per save {p['app_cpu_per_save_ms'] / s['app_cpu_per_save_ms']:.2f} (target ≤ 1.25)")
    for r in rows:
        if r.get("locks"):
            lines.append(f"{r['target']} storm, pg_stat_activity every 20 ms: {r['locks']}")
        if r["error_samples"]:
            lines.append(f"errors ({r['target']}): {r['error_samples']}")
    out = "\n".join(lines)
    print(out)
    if args.out:
        Path(args.out).write_text(out + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
