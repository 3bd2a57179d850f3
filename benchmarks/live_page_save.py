"""What the live-page check (``exam.access.live_page``, issue 22) costs a theory autosave: a save that
names its page (the page was opened, so the attempt row holds a token and the save URL carries
``?page=``) against a save to an attempt whose page was never opened (no token stored and none named —
the same request as before page tokens), in paired blocks in one process on one SQLite database.

Both go through the whole Flask request (session, CSRF, the candidate loader, the save transaction), so
the ratio is the check's share of a real save; wrk's throughput (``make bench``) is too noisy on a
shared machine to see a difference this small.

    .venv/bin/python benchmarks/live_page_save.py [--blocks 12] [--saves 150]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def clients(instance: Path) -> dict:
    """Two signed-in candidates mid-exam: one whose page is open (its save URL), one never opened."""
    os.environ["CALLEXAM_INSTANCE"] = str(instance)
    os.environ.pop("DATABASE_URL", None)
    from sqlalchemy import text

    from benchmarks.harness.population import PASSWORD
    from benchmarks.harness.population import prepare as populate
    from exam import db
    from exam.app import create_app
    from exam.client_markup import CSRF_TOKEN, EXAM_STATE
    from exam.delivery import service as delivery
    from exam.timeutil import utcnow

    app = create_app()
    session_id, usernames = populate(app.config["DATABASE_URL"], 2)
    engine = db.engine_for(app.config["DATABASE_URL"])
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM user_account")).all())
    out = {}
    for mode, username in (("page", usernames[0]), ("none", usernames[1])):
        attempt = delivery.start_attempt(engine, session_id, ids[username], utcnow())
        client = app.test_client()
        token = CSRF_TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        if mode == "page":
            html = client.get(f"/candidate/attempts/{attempt}").get_data(as_text=True)
            url = json.loads(EXAM_STATE.search(html).group(1))["saveUrl"]
            assert "?page=" in url, url
        else:
            html = client.get("/candidate").get_data(as_text=True)
            url = f"/api/attempts/{attempt}/answers"
        out[mode] = {"client": client, "csrf": CSRF_TOKEN.search(html).group(1), "url": url, "seq": 10}
    return out


def block(c: dict, saves: int) -> float:
    """Milliseconds per save over ``saves`` saves of one candidate."""
    start = time.perf_counter()
    for i in range(saves):
        c["seq"] += 1
        resp = c["client"].post(c["url"], json={"saves": [{"position": i % 10, "seq": c["seq"], "value": ""}]},
                                headers={"X-CSRFToken": c["csrf"]})
        if resp.status_code != 200:
            sys.exit(f"save refused: {resp.status_code} {resp.get_data(as_text=True)[:200]}")
    return (time.perf_counter() - start) / saves * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blocks", type=int, default=12)
    parser.add_argument("--saves", type=int, default=150)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cs = clients(Path(folder) / "instance")
        block(cs["page"], 50), block(cs["none"], 50)   # warm-up
        times = {"page": [], "none": []}
        for _ in range(args.blocks):
            for mode in ("none", "page"):
                times[mode].append(block(cs[mode], args.saves))
    ratios = [p / n for p, n in zip(times["page"], times["none"])]
    print(f"in process (Flask test client, SQLite), {args.blocks} paired blocks of {args.saves} saves")
    print(f"baseline: save, no page opened and none named  median {statistics.median(times['none']):5.2f} ms per save")
    print(f"save naming its live page (?page=)             median {statistics.median(times['page']):5.2f} ms per save")
    print(f"ratio with / without the page, per block: median {statistics.median(ratios):.2f} "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f})")


if __name__ == "__main__":
    main()
