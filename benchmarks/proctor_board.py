"""One poll of the live proctoring board (``exam.proctoring.board.snapshot``) at 50 and 500 seats.

Every examiner's board polls every ``BOARD_POLL_SECONDS`` (3 s), so a poll must stay cheap and must not
grow in queries with the room. The baseline is the least any per-seat page reads: one SELECT of the
session's enrolments joined to the candidates' names. The board adds each part's attempts with
progress and last save (correlated subqueries), signal counts (GROUP BY), exam-station flags (summed in
SQL) and incidents; the ratio says what that costs over the baseline. The data is an exam in full
swing: every candidate seated with a ticket, a 40-question theory paper started with about half
answered, a typing test for one in three, integrity signals, and exam stations with keystroke windows.

    .venv/bin/python benchmarks/proctor_board.py [--runs 30] [--seats 50 500] [--database-url URL]
                                                 [--out benchmarks/results/proctor_board_sqlite.txt]

Without ``--database-url`` each size gets a fresh SQLite file in a temporary folder. For PostgreSQL
pass the URL of an empty database and one size per run (``--seats 500``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import event, insert, select, update  # noqa: E402

from benchmarks.harness import population  # noqa: E402
from exam.accounts.models import User  # noqa: E402
from exam.db import throwaway_engine, write_session  # noqa: E402
from exam.delivery import service as delivery  # noqa: E402
from exam.delivery.models import PaperSlot  # noqa: E402
from exam.proctoring import board  # noqa: E402
from exam.proctoring.models import Incident, IntegritySignal  # noqa: E402
from exam.sessions.models import Enrollment, Room  # noqa: E402
from exam.timeutil import utcnow  # noqa: E402
from typing_test import passages  # noqa: E402
from typing_test import service as typing  # noqa: E402
from typing_test.models import Station, StationSummary  # noqa: E402

GRACE = dt.timedelta(seconds=15)
TZ = "Asia/Shanghai"


def populate(url: str, seats: int, rng: random.Random):
    """A session of ``seats`` candidates mid-exam; returns (engine, session_id)."""
    session_id, usernames = population.prepare(url, seats, item_count=40)
    engine = throwaway_engine(url)
    now = utcnow()
    with write_session(engine) as db:
        passages.load_stock(db)
        room = Room(name=f"第一考场 {seats}", seats=seats)
        db.add(room)
        db.flush()
        ids = list(db.execute(select(User.id).where(User.username.in_(usernames)).order_by(User.id)).scalars())
        for n, cid in enumerate(ids):
            db.execute(update(Enrollment.__table__).where(Enrollment.session_id == session_id,
                                                         Enrollment.candidate_id == cid)
                       .values(room_id=room.id, seat_no=n + 1, ticket_number=f"2026{seats:04d}{n:05d}",
                               signed_in_at=now))
    started = now - dt.timedelta(seconds=30)  # the session opened a minute ago
    attempts = {}
    for n, cid in enumerate(ids):
        if n % 10 == 9:
            continue  # one in ten signed in but not started
        aid = delivery.start_attempt(engine, session_id, cid, started)
        attempts[cid] = aid
        with engine.connect() as conn:
            kinds = dict(conn.execute(select(PaperSlot.position, PaperSlot.kind).where(PaperSlot.attempt_id == aid)).all())
        saves = [{"position": p, "seq": 1, "flagged": False,
                  "value": {"truefalse": "T", "single": "0", "multiple": "0"}.get(k, "呼叫中心")}
                 for p, k in kinds.items() if rng.random() < 0.5]
        if saves:
            delivery.save_answers(engine, aid, cid, saves, now, GRACE)
        if n % 3 == 0:
            typing.start(engine, session_id, cid, started, rng)
    with write_session(engine) as db:
        db.execute(insert(IntegritySignal.__table__), [
            {"session_id": session_id, "candidate_id": rng.choice(ids), "part": "theory",
             "kind": rng.choice(["focus_loss", "paste", "fullscreen_exit"]), "at": now, "detail": {}}
            for _ in range(seats * 2)])
        db.execute(insert(Incident.__table__), [
            {"session_id": session_id, "candidate_id": None, "kind": "其他", "description": f"记录 {i}",
             "at": now} for i in range(5)])
        station_rows = [{"session_id": session_id, "code": f"S{seats}-{n}", "label": f"{n + 1} 号机",
                         "candidate_id": cid, "hostname": f"pc{n}", "last_seq": 0}
                        for n, cid in enumerate(ids) if cid in attempts]
        db.execute(insert(Station.__table__), station_rows)
        stations = dict(db.execute(select(Station.candidate_id, Station.id).where(Station.session_id == session_id)).all())
        db.execute(insert(StationSummary.__table__), [
            {"station_id": stations[cid], "candidate_id": cid, "activity": "theory", "attempt_id": aid,
             "window_start": now - dt.timedelta(seconds=15 * (w + 1)), "window_end": now - dt.timedelta(seconds=15 * w),
             "keystrokes": rng.randint(0, 60), "char_keys": rng.randint(0, 40), "injected": 0, "intervals": {},
             "shortcuts": {"paste": rng.randint(0, 1)}, "received_at": now}
            for cid, aid in attempts.items() for w in range(4)])
    return engine, session_id


def baseline(conn, session_id):
    e, u = Enrollment.__table__, User.__table__
    return conn.execute(select(e.c.candidate_id, e.c.ticket_number, e.c.seat_no, u.c.display_name)
                        .select_from(e.join(u, u.c.id == e.c.candidate_id)).where(e.c.session_id == session_id)).all()


def timed(engine, fn, runs):
    times = []
    for _ in range(runs):
        with engine.connect() as conn:
            start = time.perf_counter()
            fn(conn)
            times.append((time.perf_counter() - start) * 1000)
    return times


def queries(engine, fn) -> int:
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.startswith("BEGIN"):  # SQLite's transaction start is not a read
            seen.append(statement)
    event.listen(engine, "before_cursor_execute", count)
    try:
        with engine.connect() as conn:
            fn(conn)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def p95(values):
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--seats", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--throwaway-postgres", action="store_true",
                        help="start a PostgreSQL cluster (tests.pg) with one fresh database per size")
    parser.add_argument("--out", default=None, help="also write the printed lines to this file")
    args = parser.parse_args()
    rng = random.Random(7)
    lines = []

    def say(line=""):
        print(line, flush=True)
        lines.append(line)

    say(f"# proctor board poll — {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} CPUs")
    cluster = base_url = None
    if args.throwaway_postgres:
        from tests.pg import Cluster, create_database
        cluster = Cluster()
        base_url = cluster.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            for seats in args.seats:
                if cluster is not None:
                    url = create_database(base_url, f"board_{seats}")
                else:
                    url = args.database_url or f"sqlite:///{folder}/board_{seats}.db"
                run_size(url, seats, args.runs, rng, say)
    finally:
        if cluster is not None:
            cluster.stop()
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_size(url: str, seats: int, runs: int, rng: random.Random, say) -> None:
    setup = time.perf_counter()
    engine, sid = populate(url, seats, rng)
    with engine.connect() as conn:
        snap = board.snapshot(conn, sid, utcnow(), TZ)
    size = len(json.dumps(snap, ensure_ascii=False).encode())
    read = lambda conn: board.snapshot(conn, sid, utcnow(), TZ)  # noqa: E731
    base = lambda conn: baseline(conn, sid)  # noqa: E731
    timed(engine, read, 3)  # warm up
    t_board, t_base = timed(engine, read, runs), timed(engine, base, runs)
    q_board, q_base = queries(engine, read), queries(engine, base)
    say(f"{engine.dialect.name}, {seats} seats ({len(snap['rows'])} rows, "
        f"{sum(1 for r in snap['rows'] if r['parts'])} started, JSON {size / 1024:.0f} KiB); "
        f"{runs} runs each; setup {time.perf_counter() - setup:.0f} s")
    say(f"  baseline: one enrolment SELECT   median {statistics.median(t_base):7.2f} ms   "
        f"p95 {p95(t_base):7.2f} ms   queries {q_base}")
    say(f"  board.snapshot                   median {statistics.median(t_board):7.2f} ms   "
        f"p95 {p95(t_board):7.2f} ms   queries {q_board} (cap {board.MAX_QUERIES})")
    say(f"  ratio snapshot / baseline (medians): {statistics.median(t_board) / statistics.median(t_base):.1f}")
    engine.dispose()

if __name__ == "__main__":
    main()
