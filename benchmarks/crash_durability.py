"""Kill the server mid-exam and prove nothing acknowledged was lost.

    .venv/bin/python benchmarks/crash_durability.py [--cycles 10] [--candidates 100] [--database-url …]

Candidates sign in, start and autosave (every ``--interval`` s); at a random moment the whole server —
gunicorn master, workers and scheduler — gets SIGKILL, with requests in flight. The server is
restarted on the same database and instance folder, and two things are checked: every save the
server acknowledged before the kill is in the database (same or newer sequence number), and every
candidate's attempt resumes — their exam page loads and shows those answers. Repeated ``--cycles``
times on one database, so later cycles also prove recovery from earlier crashes.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from benchmarks.harness import checks  # noqa: E402
from benchmarks.harness.candidate import Candidate  # noqa: E402
from benchmarks.harness.population import PASSWORD, prepare  # noqa: E402
from benchmarks.harness.server import Processes  # noqa: E402
from benchmarks.harness.stats import Phase  # noqa: E402


async def _save_until_cancelled(http, phase, c: Candidate, interval: float, rng) -> None:
    await asyncio.sleep(rng.random() * interval)
    while True:
        await c.save(http, phase, rng)
        await asyncio.sleep(interval)


def _resumed(c: Candidate) -> bool:
    """The reopened page shows, for every acknowledged answer, that answer or a newer one."""
    for position, ack in c.acked.items():
        shown = c.saved_on_page.get(position)
        if shown is None or shown["seq"] < ack.seq or (shown["seq"] == ack.seq and shown["value"] != ack.value):
            return False
    return True


async def crash_cycles(database_url: str, work: Path, candidates: int, cycles: int, interval: float,
                       port: int, seed: int = 7, report=print) -> list[dict]:
    rng = random.Random(seed)
    session_id, usernames = prepare(database_url, candidates)
    servers = Processes({"CALLEXAM_INSTANCE": str(work / "instance"), "DATABASE_URL": database_url,
                         "CALLEXAM_SCHEDULER_INTERVAL": "1"}, log=work / "server.log")
    base = await asyncio.to_thread(servers.serve, port)
    cands = [Candidate(u, PASSWORD, base) for u in usernames]
    results = []
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=64),
                                         timeout=aiohttp.ClientTimeout(total=10),
                                         cookie_jar=aiohttp.DummyCookieJar()) as http:
            setup = Phase("setup")

            async def join(c: Candidate) -> bool:
                return await c.sign_in(http, setup) and await c.start(http, setup, session_id)
            with setup:
                ok = await asyncio.gather(*(join(c) for c in cands))
            assert all(ok), f"candidates failed to start: {setup.error_samples}"
            for cycle in range(1, cycles + 1):
                phase = Phase(f"cycle {cycle}")
                tasks = [asyncio.create_task(_save_until_cancelled(http, phase, c, interval, rng)) for c in cands]
                await asyncio.sleep(rng.uniform(1.0, 4.0))
                # mid-flight: some saves are cut off and never acknowledged; the loop keeps running
                # meanwhile, so those failures are seen and counted
                await asyncio.to_thread(servers.kill)
                await asyncio.sleep(0.5)
                for t in tasks:
                    t.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                await asyncio.to_thread(servers.serve, port)
                lost = checks.lost_saves(database_url, cands)
                reopen = Phase("reopen")
                opened = await asyncio.gather(*(c.open_paper(http, reopen) for c in cands))
                resumed = sum(1 for c, o in zip(cands, opened) if o and _resumed(c))
                acked = sum(len(c.acked) for c in cands)
                result = {"cycle": cycle, "answers_acknowledged": acked, "saves_cut_off": phase.errors,
                          "lost": lost, "resumed": resumed, "candidates": len(cands)}
                results.append(result)
                report(f"cycle {cycle:2d}: {acked} answers acknowledged so far, {phase.errors} saves failed while it was down "
                       f"(cut off or refused), lost {lost}, attempts resumed {resumed}/{len(cands)}")
    finally:
        servers.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cycles", type=int, default=10)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--database-url")
    parser.add_argument("--port", type=int, default=18900)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="callexam-crash-"))
    url = args.database_url or f"sqlite:///{work / 'callexam.db'}"
    started = time.time()
    results = asyncio.run(crash_cycles(url, work, args.candidates, args.cycles, args.interval, args.port))
    lost = sum(r["lost"] for r in results)
    not_resumed = sum(r["candidates"] - r["resumed"] for r in results)
    print(f"{len(results)} SIGKILL cycles in {time.time() - started:.0f} s on "
          f"{'postgresql' if url.startswith('postgresql') else 'sqlite'}: lost {lost}, not resumed {not_resumed}")
    if lost or not_resumed:
        sys.exit(1)


if __name__ == "__main__":
    main()
