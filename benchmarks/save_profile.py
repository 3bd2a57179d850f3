"""Where a theory autosave's CPU goes, in process, on SQLite and on PostgreSQL side by side.

    .venv/bin/python benchmarks/save_profile.py [--candidates 20] [--saves 100] [--rules] [--top 25] [--statements]

Signs ``--candidates`` candidates in (not measured), starts each one's attempt and opens its paper
page (so the attempt has a live page and every save names it, as on exam day), then times
``--saves`` saves per candidate through the whole Flask request (the Flask test client: session
cookie, CSRF, the user loader, the candidate loader, the save transaction) with the process's CPU
clock, candidates interleaved, and the two databases' rounds alternated. Then the same again under
cProfile for the breakdown. PostgreSQL is a
throw-away durable cluster (its server's CPU is not in these figures). ``--rules`` gives the session
access rules (the room's network, the idle lock, fullscreen), whose checks the save then runs.
``--statements`` (PostgreSQL) logs the server's statements for a few saves and prints one save's.

The test client's own cost is in both databases' figures alike; what is compared is PostgreSQL's
CPU per save against SQLite's (issue 23: target at most 1.25×). ``benchmarks/start_storm.py``
measures the same through gunicorn.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ROOM = {"REMOTE_ADDR": "10.1.2.3"}
RULES = {"ip_subnet": {"subnets": ["10.1.0.0/16"]}, "idle_timeout": {"minutes": 5}, "fullscreen": {}}


def sitting(url: str, args) -> list[dict]:
    from sqlalchemy import text, update

    from benchmarks.harness.in_process import signed_in
    from benchmarks.harness.population import prepare
    from exam import db
    from exam.app import create_app
    from exam.client_markup import CSRF_TOKEN, EXAM_STATE
    from exam.sessions.models import ExamSession

    os.environ["DATABASE_URL"] = url
    app = create_app()
    session_id, usernames = prepare(url, args.candidates, paper="blueprint")
    engine = db.engine_for(url)
    if args.rules:
        with db.write_connection(engine) as conn:
            conn.execute(update(ExamSession.__table__).where(ExamSession.__table__.c.id == session_id)
                         .values(access_rules=RULES))
    out = []
    for username in usernames:
        client = signed_in(app, username)
        begin = client.get(f"/candidate/sessions/{session_id}/theory/begin", environ_base=ROOM)
        token = CSRF_TOKEN.search(begin.get_data(as_text=True)).group(1)
        form = {"csrf_token": token, "confirm": "1"}
        if args.rules:
            form["fullscreen"] = "1"
        started = client.post(f"/candidate/sessions/{session_id}/start", data=form, environ_base=ROOM)
        if started.status_code == 200:  # the start answers with the paper page
            html = started.get_data(as_text=True)
        else:
            assert started.status_code == 302 and "/candidate/attempts/" in started.headers["Location"], \
                started.headers.get("Location")
            html = client.get(started.headers["Location"], environ_base=ROOM).get_data(as_text=True)
        state = json.loads(EXAM_STATE.search(html).group(1))
        out.append({"client": client, "url": state["saveUrl"], "csrf": CSRF_TOKEN.search(html).group(1), "seq": 0})
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM attempt WHERE page_token IS NOT NULL")).scalar() == len(out)
    return out


def save(c: dict) -> None:
    c["seq"] += 1
    resp = c["client"].post(c["url"], environ_base=ROOM, headers={"X-CSRFToken": c["csrf"]},
                            json={"saves": [{"position": c["seq"] % 40, "seq": c["seq"], "value": ""}]})
    if resp.status_code != 200:
        sys.exit(f"save refused: {resp.status_code} {resp.get_data(as_text=True)[:300]}")


def rounds(cs: list[dict], saves: int) -> list[float]:
    """CPU ms per save, one figure per round (every candidate saves once per round)."""
    out = []
    for _ in range(saves):
        t = time.process_time()
        for c in cs:
            save(c)
        out.append(1000 * (time.process_time() - t) / len(cs))
    return out


def measure(targets: dict[str, str], args, log=None) -> list[dict]:
    """Both databases' candidates set up first, then their rounds alternated (the machine is shared:
    its speed drifts, and alternating puts the drift into both figures alike)."""
    sittings = {name: sitting(url, args) for name, url in targets.items()}
    for cs in sittings.values():
        rounds(cs, 5)  # warm-up: imports, caches, the pool
    cpu: dict[str, list[float]] = {name: [] for name in sittings}
    for _ in range(args.saves // 10):
        for name, cs in sittings.items():
            cpu[name] += rounds(cs, 10)
    out = []
    for name, cs in sittings.items():
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        rounds(cs, max(args.saves // 2, 5))
        profiler.disable()
        one = log(lambda: save(cs[0])) if log is not None and name == "postgresql" else None
        out.append({"name": name, "cpu": cpu[name], "profile": profiler, "statements": one})
    return out


def pg_statements(cluster, url: str):
    """A function running one save with the server logging every statement; returns them."""
    from sqlalchemy import text

    from exam.db import throwaway_engine

    def run(one_save) -> list[str]:
        admin = throwaway_engine(url).execution_options(isolation_level="AUTOCOMMIT")
        log = cluster.root / "log"
        with admin.connect() as conn:
            conn.execute(text("ALTER SYSTEM SET log_statement = 'all'"))
            conn.execute(text("SELECT pg_reload_conf()"))
        time.sleep(0.5)
        for _ in range(3):
            one_save()
        mark = log.stat().st_size
        one_save()
        time.sleep(0.3)
        with admin.connect() as conn:
            conn.execute(text("ALTER SYSTEM RESET log_statement"))
            conn.execute(text("SELECT pg_reload_conf()"))
        admin.dispose()
        with log.open("rb") as f:
            f.seek(mark)
            return [line.decode(errors="replace").split("LOG:", 1)[-1].strip()
                    for line in f.read().splitlines()
                    if b"LOG:" in line and (b"statement:" in line or b"execute" in line)]
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--saves", type=int, default=100, help="saves per candidate (timed)")
    parser.add_argument("--rules", action="store_true", help="the session has access rules")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--statements", action="store_true")
    parser.add_argument("--pstats", metavar="PREFIX", help="write each database's cProfile stats to PREFIX.<db>")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="callexam-saveprof-"))
    os.environ["CALLEXAM_INSTANCE"] = str(work / "instance")
    from exam import db
    targets, cluster, log = {}, None, None
    if args.only in (None, "sqlite"):
        targets["sqlite"] = f"sqlite:///{work / 'callexam.db'}"
    try:
        if args.only in (None, "postgresql"):
            from tests.pg import Cluster, create_database
            cluster = Cluster(durable=True)
            targets["postgresql"] = create_database(cluster.start(), "saveprof")
            log = pg_statements(cluster, targets["postgresql"]) if args.statements else None
        results = measure(targets, args, log)
    finally:
        if cluster is not None:
            db.dispose_all()
            cluster.stop()
    print(f"# save profile — {time.strftime('%Y-%m-%d %H:%M')} · {args.candidates} candidates × {args.saves} saves "
          f"in process (Flask test client){' · access rules' if args.rules else ''}")
    for r in results:
        cpu = r["cpu"]
        print(f"{r['name']:11s} CPU per save: median {statistics.median(cpu):5.3f} ms, mean {statistics.mean(cpu):5.3f} ms "
              f"(rounds: min {min(cpu):.3f}, max {max(cpu):.3f})")
    if len(results) == 2:
        s, p = (statistics.median(r["cpu"]) for r in results)
        print(f"PostgreSQL/SQLite per save: {p / s:.2f}")
    for r in results:
        if args.pstats:
            r["profile"].dump_stats(f"{args.pstats}.{r['name']}")
        if args.top:
            out = io.StringIO()
            pstats.Stats(r["profile"], stream=out).sort_stats("cumulative").print_stats(
                r"exam/|typing_test/|practical/|sqlalchemy/pool|sqlalchemy/engine/base|psycopg/(connection|cursor)\.py|"
                r"sqlite3|flask_login/utils", args.top)
            print(f"\n## {r['name']}: the app's functions and the pool's and driver's, by cumulative time")
            print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
        if r["statements"] is not None:
            print(f"\n## {r['name']}: the statements of one save, as the server logged them")
            for line in r["statements"]:
                print("   " + line[:160])


if __name__ == "__main__":
    main()
