"""Where a start's CPU goes: the requests of a start, in process, under cProfile.

    .venv/bin/python benchmarks/start_profile.py [--candidates 60] [--postgres] [--paper blueprint|spine] [--statements] [--pstats FILE]

Signs ``--candidates`` candidates in through the login form (not measured: argon2 by design), then
for each one measures, with the process's CPU clock, the candidate's home page (GET /candidate), the
part's start page with its rules (GET /candidate/sessions/<id>/theory/begin), the POST that draws and
freezes the paper (POST …/start with the confirmation) and the first load of the paper page
(GET /candidate/attempts/<id>; since issue 23 the start answers with the paper page itself, and the
paper stage is then empty). Prints the mean CPU per request and the functions that
account for it (cumulative, as a share of all of them), so a change can be read against the same
breakdown. ``--postgres`` starts a throw-away PostgreSQL cluster (durable, like the exam-day
benchmark); its server's CPU is not in these figures (see ``benchmarks/start_storm.py`` for the app
processes' CPU per start against bare Flask).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: What the breakdown names: label -> a function (file fragment, function name) whose cumulative
#: time is that part of a start.
PARTS = [
    ("sign-in check (user loader)", "exam/web.py", "_load_user"),
    ("home page: sessions query", "exam/sessions/service.py", "sessions_of_candidate"),
    ("render_template (home + paper)", "flask/templating.py", "render_template"),
    ("start: access rules", "exam/access/service.py", "check_start"),
    ("start: start_attempt (total)", "exam/delivery/service.py", "start_attempt"),
    ("start: draw the paper", "exam/delivery/service.py", "_draw_paper"),
    ("start: pool by bank generation", "question_bank/pool_cache.py", "level_pool"),
    ("start: approved pool query", "question_bank/service.py", "approved_pool"),
    ("start: enemy pairs query", "question_bank/enemies.py", "enemy_versions"),
    ("start: blueprint draw engine", "question_bank/blueprint_draw.py", "draw"),
    ("start: audit chain append", "exam/audit/service.py", "record"),
    ("paper: questions (cached renderings)", "exam/delivery/paper_page.py", "paper"),
    ("paper: attempt loader", "exam/access/attempts.py", "candidate_attempt"),
    ("CSRF / session cookie", "flask_wtf/csrf.py", "protect"),
    ("SQLAlchemy execute", "sqlalchemy/engine/base.py", "_execute_context"),
    ("Jinja rendering (all)", "jinja2/environment.py", "render"),
]

from exam.client_markup import CSRF_TOKEN as CSRF  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--paper", choices=["blueprint", "spine"], default="blueprint")
    parser.add_argument("--top", type=int, default=25, help="also print the top N functions by own time")
    parser.add_argument("--pstats", metavar="FILE", help="also write the cProfile statistics to FILE (for pstats/snakeviz)")
    parser.add_argument("--statements", action="store_true",
                        help="also count the SQL statements each request of a start sends, and print them")
    args = parser.parse_args()

    from benchmarks.harness.in_process import app_database
    with app_database(args.postgres, "startprof"):
        run(args)


def run(args) -> None:
    from benchmarks.harness.in_process import signed_in
    from benchmarks.harness.population import prepare
    from exam.app import create_app

    app = create_app()
    url = app.config["DATABASE_URL"]
    session_id, usernames = prepare(url, args.candidates, paper=args.paper)
    clients = [signed_in(app, username) for username in usernames]
    # one warm-up start (imports, plan cache, Jinja compilation) outside the measurement
    cpu = {"home": [], "begin": [], "start": [], "paper": []}
    sizes = []

    def one(client, record: bool, counting: _Counting | None = None) -> None:
        def stage(name: str | None) -> None:
            if counting is not None:
                counting.stage = name

        t = time.process_time()
        stage("home")
        client.get("/candidate")
        t_home = time.process_time()
        stage("begin")
        begin = client.get(f"/candidate/sessions/{session_id}/theory/begin")  # the start page (issue 22)
        t_begin = time.process_time()
        token = CSRF.search(begin.get_data(as_text=True)).group(1)
        stage("start")
        started = client.post(f"/candidate/sessions/{session_id}/start", data={"csrf_token": token, "confirm": "1"})
        t_start = time.process_time()
        assert started.status_code in (200, 302), started.status_code
        stage("paper")
        if started.status_code == 200:  # the start answers with the paper page itself (since issue 23)
            paper, t_paper = started, t_start
        else:
            paper = client.get(started.headers["Location"])
            t_paper = time.process_time()
        stage(None)
        assert paper.status_code == 200
        if record:
            cpu["home"].append(t_home - t)
            cpu["begin"].append(t_begin - t_home)
            cpu["start"].append(t_start - t_begin)
            cpu["paper"].append(t_paper - t_start)
            sizes.append(len(paper.data))

    one(clients[0], False)
    extra = clients.pop() if args.statements else None  # one more start, its statements counted
    counting = _Counting()
    half = len(clients) // 2
    for client in clients[1:half]:  # the figures: no profiler running
        one(client, True)
    cpu_plain = {k: list(v) for k, v in cpu.items()}
    profiler = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
    profiler.enable()
    for client in clients[half:]:  # the breakdown
        one(client, False)
    profiler.disable()
    if args.pstats:
        profiler.dump_stats(args.pstats)
    n = len(clients) - half
    db_name = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(f"# start profile — {time.strftime('%Y-%m-%d %H:%M')} · {db_name} · {args.paper} paper · "
          f"{len(clients) - 1} starts in process (Flask test client): {half - 1} timed, {n} under cProfile")
    for stage, values in cpu_plain.items():
        print(f"{stage:6s} CPU per request: mean {1000 * statistics.mean(values):6.2f} ms, "
              f"median {1000 * statistics.median(values):6.2f} ms")
    total = sum(statistics.mean(v) for v in cpu_plain.values())
    print(f"all four: {1000 * total:.2f} ms CPU per start; paper page {statistics.mean(sizes) / 1024:.0f} KiB")
    stats = pstats.Stats(profiler)
    cumulative: dict[tuple[str, str], float] = {}
    for (filename, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        for label, fragment, name in PARTS:
            if func == name and filename.endswith(fragment):
                cumulative[label, fragment] = cumulative.get((label, fragment), 0.0) + ct
    profiled_total = sum(tt for (_cc, _nc, tt, _ct, _c) in stats.stats.values())
    print(f"\n{'under cProfile, part (cumulative)':36s} {'ms/start':>9s} {'share':>6s}")
    for label, fragment, _name in PARTS:
        ct = cumulative.get((label, fragment), 0.0)
        print(f"{label:36s} {1000 * ct / n:9.2f} {100 * ct / profiled_total:5.1f}%")
    if args.top:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(args.top)
        print("\n" + "\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
    if args.statements:
        print_statements(one, counting, extra)


class _Counting:
    """SQL statements sent while ``stage`` is set, by stage (an engine-wide cursor event)."""

    def __init__(self) -> None:
        self.stage: str | None = None
        self.by_stage: dict[str, list[str]] = {}
        self.checkouts: dict[str, int] = {}

    def checkout(self, *_args) -> None:
        """A pooled connection handed out: on PostgreSQL each costs a ping and, on its return, a
        rollback (two round trips the statement count does not show)."""
        if self.stage is not None:
            self.checkouts[self.stage] = self.checkouts.get(self.stage, 0) + 1

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if self.stage is not None:
            self.by_stage.setdefault(self.stage, []).append(statement)


def print_statements(one, counting: _Counting, client) -> None:
    """One more start (after the measured ones, caches warm), with every SQL statement counted."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    from sqlalchemy.pool import Pool

    event.listen(Engine, "before_cursor_execute", counting)
    event.listen(Pool, "checkout", counting.checkout)
    try:
        one(client, False, counting)
    finally:
        event.remove(Engine, "before_cursor_execute", counting)
        event.remove(Pool, "checkout", counting.checkout)
    print("\nSQL statements (and pool checkouts) of one start (caches warm):")
    for stage, statements in counting.by_stage.items():
        print(f"{stage:6s} {len(statements):3d} statements, {counting.checkouts.get(stage, 0)} checkouts")
        for statement in statements:
            print("        " + " ".join(statement.split())[:150])


if __name__ == "__main__":
    main()
