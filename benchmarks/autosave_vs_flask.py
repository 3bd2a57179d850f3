"""Autosave throughput against bare Flask, on the same WSGI server, in one run.

Both servers run through ``exam.server`` (gunicorn, the settings ``make run`` uses) and are driven by
wrk, a C load generator that costs little CPU next to the server: it shares this machine with the
server, so a light generator keeps the comparison about the server. Each wrk request is a real
autosave by one of many signed-in candidates (session cookie, CSRF header, increasing sequence
numbers), cycling over the questions of their frozen papers. Rounds alternate bare/callexam so
drift of a noisy machine hits both sides.

    .venv/bin/python benchmarks/autosave_vs_flask.py [--seconds 10] [--connections 32] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CANDIDATES = 64
USER_AGENT = "callexam-bench"


def prepare(instance: Path) -> tuple[str, list[dict]]:
    """A migrated SQLite database with candidates mid-exam; returns the URL and each one's credentials."""
    os.environ["CALLEXAM_INSTANCE"] = str(instance)
    os.environ.pop("DATABASE_URL", None)
    from sqlalchemy import text

    from benchmarks.harness.candidate import CSRF_TOKEN
    from exam.client_markup import EXAM_STATE
    from benchmarks.harness.population import PASSWORD
    from benchmarks.harness.population import prepare as populate
    from exam import db
    from exam.app import create_app
    from exam.delivery import service as delivery
    from exam.timeutil import utcnow

    app = create_app()
    url = app.config["DATABASE_URL"]
    session_id, usernames = populate(url, CANDIDATES)
    engine = db.engine_for(url)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM user_account")).all())
    creds = []
    for username in usernames:
        attempt = delivery.start_attempt(engine, session_id, ids[username], utcnow())
        # Sign in as wrk will appear (same User-Agent, loopback), or session protection would take
        # every benchmark request for a different browser and rewrite the session each time.
        client = app.test_client()
        client.environ_base.update({"HTTP_USER_AGENT": USER_AGENT, "REMOTE_ADDR": "127.0.0.1"})
        token = CSRF_TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
        client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        page = client.get(f"/candidate/attempts/{attempt}").get_data(as_text=True)
        token = CSRF_TOKEN.search(page).group(1)
        # the page's own save URL: it names the page (?page=, exam.access.live_page), so every save
        # carries the live-page check a browser's save does
        save_url = json.loads(EXAM_STATE.search(page).group(1))["saveUrl"]
        cookie = client.get_cookie("session").value
        with engine.connect() as conn:
            kinds = conn.execute(text("SELECT position, kind FROM paper_slot WHERE attempt_id = :a ORDER BY position"),
                                 {"a": attempt}).all()
        values = ["T" if kind == "truefalse" else "0" for _, kind in kinds]
        assert "?page=" in save_url, save_url
        creds.append({"path": save_url, "cookie": cookie, "csrf": token, "values": values})
    db.dispose_all()
    return url, creds


def lua_script(creds: list[dict], path: Path) -> None:
    rows = []
    for c in creds:
        values = ",".join(f'"{v}"' for v in c["values"])
        rows.append(f'{{path="{c["path"]}", cookie="session={c["cookie"]}", csrf="{c["csrf"]}", values={{{values}}}}}')
    path.write_text(
        "local cands = {" + ",\n".join(rows) + "}\n"
        "local n = 0\n"
        "local base = os.time() * 1000\n"
        "request = function()\n"
        "  n = n + 1\n"
        "  local c = cands[(n % #cands) + 1]\n"
        "  local pos = math.floor(n / #cands) % #c.values\n"
        "  local value = (n % 2 == 0) and c.values[pos + 1] or \"\"\n"
        "  local body = string.format('{\"saves\":[{\"position\":%d,\"seq\":%d,\"value\":\"%s\"}]}', pos, base + n, value)\n"
        "  return wrk.format(\"POST\", c.path, {[\"Content-Type\"]=\"application/json\", [\"Cookie\"]=c.cookie,"
        f" [\"User-Agent\"]=\"{USER_AGENT}\","
        " [\"X-CSRFToken\"]=c.csrf}, body)\n"
        "end\n", encoding="utf-8")


def serve(which: str, port: int, workers: int, threads: int, env: dict) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "benchmarks.serve", which, str(port), str(workers), str(threads)],
                            cwd=ROOT, env=env)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
        except urllib.error.HTTPError:
            return proc  # answering (404/302 is fine)
        except OSError:
            time.sleep(0.1)
            continue
        return proc
    proc.kill()
    raise RuntimeError(f"{which} server did not start")


def wrk(port: int, script: Path, seconds: int, connections: int) -> dict:
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                          f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict(re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p50": lat.get("50"), "p90": lat.get("90"), "p99": lat.get("99"),
            "non2xx": int(errors.group(1)) if errors else 0, "socket": sock.group(1) if sock else "none"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 1)))
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("需要 wrk：apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="callexam-bench-"))
    url, creds = prepare(tmp / "instance")
    script = tmp / "autosave.lua"
    lua_script(creds, script)
    env = {**os.environ, "CALLEXAM_INSTANCE": str(tmp / "instance"), "PYTHONPATH": str(ROOT)}
    results: dict[str, list[dict]] = {"bare": [], "callexam": []}
    port = 18000
    for _ in range(args.rounds):
        for which in ("bare", "callexam"):
            port += 1
            proc = serve(which, port, args.workers, args.threads, env)
            try:
                wrk(port, script, 2, args.connections)  # warm-up
                results[which].append(wrk(port, script, args.seconds, args.connections))
            finally:
                proc.terminate()
                proc.wait(timeout=20)
    from sqlalchemy import create_engine, text
    with create_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT count(*) FROM answer")).scalar()
    bare = statistics.mean(r["rps"] for r in results["bare"])
    ours = statistics.mean(r["rps"] for r in results["callexam"])
    paired = [o["rps"] / b["rps"] for b, o in zip(results["bare"], results["callexam"])]
    lines = [
        f"# autosave vs bare Flask — {time.strftime('%Y-%m-%d %H:%M')} · {os.cpu_count()} CPUs · "
        f"gunicorn gthread {args.workers}×{args.threads} · wrk 2 threads {args.connections} connections "
        f"{args.seconds}s × {args.rounds} rounds · SQLite",
        f"{'server':10s} {'req/s':>9s} {'p50':>9s} {'p90':>9s} {'p99':>9s} {'non-2xx':>8s}",
    ]
    for which, runs in results.items():
        for r in runs:
            lines.append(f"{which:10s} {r['rps']:9.0f} {r['p50']:>9s} {r['p90']:>9s} {r['p99']:>9s} {r['non2xx']:8d}")
    lines.append(f"ratio autosave/bare per round: {' '.join(f'{r:.2f}' for r in paired)}; "
                 f"median {statistics.median(paired):.2f}; of the means {ours / bare:.2f} ({ours:.0f} / {bare:.0f} req/s)")
    lines.append(f"answer rows stored: {rows}")
    text_out = "\n".join(lines)
    print(text_out)
    (ROOT / "benchmarks" / "results" / "autosave_vs_flask.txt").write_text(text_out + "\n", encoding="utf-8")
    shutil.rmtree(tmp, ignore_errors=True)
    if any(r["non2xx"] for r in results["callexam"]):
        sys.exit("autosave returned errors")


if __name__ == "__main__":
    main()
