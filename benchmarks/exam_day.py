"""Exam day under load: a synchronised start, a steady hour of autosaves, everyone's deadline at once.

    .venv/bin/python benchmarks/exam_day.py                       # SQLite, 2,000-start storm, 5,000 steady
    .venv/bin/python benchmarks/exam_day.py --storm 200 --candidates 500 --steady-seconds 20   # quick
    .venv/bin/python benchmarks/exam_day.py --throwaway-postgres --app-processes 2 --schedulers 2

Drives the real server (``callexam serve``, gunicorn as ``make run`` serves it) with simulated
candidates (``benchmarks/harness``) and prints, per phase, requests/s, p50/p95/p99 latency, errors and
the CPU the generator itself used — it runs on the same machine as the server. Phases:

- sign-in: every candidate signs in at a random moment within ``--signin-window`` seconds, as an exam
  room fills up before the start (a sign-in verifies an argon2id hash: ~25 ms of CPU, by design);
- storm: ``--storm`` candidates each open the session list, start and fetch their paper at a random
  moment within ``--storm-window`` seconds — the synchronised start;
- ramp: the remaining candidates up to ``--candidates`` start too, more slowly (setup for steady);
- steady: every candidate changes an answer every ``--interval`` seconds for ``--steady-seconds``;
- deadline: every attempt's deadline (plus grace) is moved to now in the database, as the clock would,
  and the scheduler must submit and grade them all; the time until the last is graded is reported.

After the run it checks that every acknowledged save is in the database and nothing was graded twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from sqlalchemy import text  # noqa: E402

from benchmarks.harness import checks  # noqa: E402
from benchmarks.harness.candidate import Candidate  # noqa: E402
from benchmarks.harness.population import PASSWORD, prepare  # noqa: E402
from benchmarks.harness.server import Processes  # noqa: E402
from benchmarks.harness.stats import Phase, table  # noqa: E402
from exam.db import throwaway_engine  # noqa: E402
from exam.timeutil import utcnow  # noqa: E402


async def spread(phase: Phase, cands: list[Candidate], window: float, rng, action) -> int:
    """Run ``action(candidate)`` for every candidate at a random moment within ``window`` seconds."""
    async def one(c: Candidate):
        await asyncio.sleep(rng.random() * window)
        return await action(c)
    with phase:
        results = await asyncio.gather(*(one(c) for c in cands))
    return sum(results)


async def steady(http, phase: Phase, cands: list[Candidate], seconds: float, interval: float, rng) -> None:
    end = time.perf_counter() + seconds

    async def one(c: Candidate):
        await asyncio.sleep(rng.random() * interval)
        while time.perf_counter() < end:
            began = time.perf_counter()
            await c.save(http, phase, rng)
            await asyncio.sleep(max(0.0, interval - (time.perf_counter() - began)))
    with phase:
        await asyncio.gather(*(one(c) for c in cands if c.save_url))


def deadline_phase(database_url: str, grace: int, limit: float = 120) -> dict:
    """Move every open attempt's deadline to the past, then wait for the scheduler to grade them all."""
    engine = throwaway_engine(database_url)
    with engine.begin() as conn:
        due = conn.execute(text("SELECT count(*) FROM attempt WHERE status = 'open'")).scalar()
        moved_at = utcnow()
        from datetime import timedelta
        conn.execute(text("UPDATE attempt SET deadline = :d WHERE status = 'open'"),
                     {"d": moved_at - timedelta(seconds=grace, milliseconds=1)})
    started = time.perf_counter()
    remaining = due
    while remaining and time.perf_counter() - started < limit:
        time.sleep(0.1)
        with engine.connect() as conn:
            remaining = conn.execute(text(
                "SELECT count(*) FROM attempt WHERE status = 'open' OR score IS NULL")).scalar()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return {"attempts_due": due, "seconds_to_grade_all": round(elapsed, 2), "left_ungraded": remaining}


async def run(args) -> dict:
    args.storm = min(args.storm, args.candidates)
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="callexam-examday-"))
    url = args.database_url or f"sqlite:///{work / 'callexam.db'}"
    session_id, usernames = prepare(url, args.candidates, paper=args.paper)
    env = {"CALLEXAM_INSTANCE": str(work / "instance"), "DATABASE_URL": url,
           "CALLEXAM_SCHEDULER_INTERVAL": str(args.scheduler_interval), "CALLEXAM_GRACE_SECONDS": str(args.grace)}
    servers = Processes(env, log=work / "server.log")
    if args.app_processes == 1 and args.schedulers == 1:
        bases = [servers.serve(args.port, workers=args.workers)]
    else:
        bases = [servers.serve(args.port + i, scheduler=False, workers=args.workers)
                 for i in range(args.app_processes)]
        for _ in range(args.schedulers):
            servers.spawn("scheduler")
    servers.start_sampling()
    cands = [Candidate(u, PASSWORD, bases[i % len(bases)]) for i, u in enumerate(usernames)]
    phases = []
    connector = aiohttp.TCPConnector(limit=args.connections, force_close=False)
    timeout = aiohttp.ClientTimeout(total=60)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout,
                                         cookie_jar=aiohttp.DummyCookieJar()) as http:
            signin = Phase("sign-in")
            await spread(signin, cands, args.signin_window, rng, lambda c: c.sign_in(http, signin))
            phases.append(signin)
            storm = Phase("storm")
            joined = await spread(storm, cands[:args.storm], args.storm_window, rng,
                                  lambda c: c.start(http, storm, session_id))
            phases.append(storm)
            if args.candidates > args.storm:
                ramp = Phase("ramp")
                joined += await spread(ramp, cands[args.storm:], args.ramp_window, rng,
                                       lambda c: c.start(http, ramp, session_id))
                phases.append(ramp)
            load = Phase("steady")
            await steady(http, load, cands, args.steady_seconds, args.interval, rng)
            phases.append(load)
        deadline = deadline_phase(url, args.grace)
        servers.stop_sampling()
        lost = checks.lost_saves(url, cands)
        double = checks.double_gradings(url)
    finally:
        servers.stop()
    return {
        "database": "postgresql" if url.startswith("postgresql") else "sqlite",
        "app_processes": args.app_processes, "schedulers": args.schedulers,
        "candidates": args.candidates, "joined": joined, "phases": [p.summary() for p in phases],
        "error_samples": {p.name: p.error_samples for p in phases if p.error_samples},
        "worst_seconds": {p.name: p.worst_seconds() for p in phases},
        "deadline": deadline, "peak_server_rss_mib": round(servers.peak_rss / 2**20),
        "acknowledged_saves": sum(len(c.acked) for c in cands), "lost_saves": lost, "double_gradings": double,
        "cpus": os.cpu_count(),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--signin-window", type=float, default=180)
    parser.add_argument("--storm", type=int, default=2000)
    parser.add_argument("--storm-window", type=float, default=60)
    parser.add_argument("--ramp-window", type=float, default=120)
    parser.add_argument("--steady-seconds", type=float, default=120)
    parser.add_argument("--interval", type=float, default=10)
    parser.add_argument("--paper", choices=["spine", "blueprint"], default="spine",
                        help="spine: 40 items by area weights; blueprint: the level's default blueprint, "
                             "82 questions drawn per candidate (issue 23's storm)")
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--database-url")
    parser.add_argument("--throwaway-postgres", action="store_true",
                        help="start a PostgreSQL server for this run (as the test suite does) and use it")
    parser.add_argument("--app-processes", type=int, default=1,
                        help="separate app servers (callexam serve --no-scheduler), candidates spread over them")
    parser.add_argument("--workers", type=int, help="gunicorn workers per app server (default: callexam's)")
    parser.add_argument("--schedulers", type=int, default=1)
    parser.add_argument("--scheduler-interval", type=float, default=1.0)
    parser.add_argument("--grace", type=int, default=15)
    parser.add_argument("--port", type=int, default=18700)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--json", help="also write the result here")
    return parser


def main() -> None:
    args = build_parser().parse_args()
    cluster = None
    if args.throwaway_postgres:
        from tests.pg import Cluster, create_database
        cluster = Cluster(durable=True)
        args.database_url = create_database(cluster.start(), "examday")
    try:
        result = asyncio.run(run(args))
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"# exam day — {time.strftime('%Y-%m-%d %H:%M')} · {result['cpus']} CPUs · {result['database']} · "
          f"{result['app_processes']} app process(es), {result['schedulers']} scheduler(s) · "
          f"{result['candidates']} candidates ({result['joined']} joined)")
    print(table(result["phases"]))
    d = result["deadline"]
    print(f"deadline: {d['attempts_due']} attempts graded in {d['seconds_to_grade_all']} s "
          f"({d['left_ungraded']} left); peak server memory {result['peak_server_rss_mib']} MiB; "
          f"acknowledged saves {result['acknowledged_saves']}, lost {result['lost_saves']}; "
          f"double gradings {result['double_gradings']}")
    print(f"slowest seconds of the steady phase (second, worst ms, requests): {result['worst_seconds'].get('steady')}")
    for name, samples in result["error_samples"].items():
        print(f"errors in {name}: {samples}")
    if args.json:
        Path(args.json).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    if result["lost_saves"] or result["double_gradings"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
