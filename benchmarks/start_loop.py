"""A loop of theory starts in process, for a sampling profiler (py-spy) to watch.

    py-spy record -r 500 -f raw -o /tmp/starts.txt -- .venv/bin/python benchmarks/start_loop.py 300 [--postgres]

Signs in ``N`` + 1 candidates of the exam-day population (not measured), starts one (imports, caches),
then runs ``N`` starts as the harness's candidate makes them: the start page, then the POST that draws
and freezes the paper, which answers with the paper page (or, for code before issue 23's fourth part,
redirects to it, which is then loaded). Prints the process's CPU per start. Unlike
``start_profile.py`` (cProfile, which inflates Python-heavy code about threefold), nothing is traced:
the sampler sees the start as it runs. ``--postgres`` starts a throw-away durable PostgreSQL cluster.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from exam.client_markup import CSRF_TOKEN as CSRF  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 200
    from benchmarks.harness.in_process import app_database
    with app_database("--postgres" in sys.argv, "startloop"):
        run(n)


def run(n: int) -> None:
    from benchmarks.harness.in_process import signed_in
    from benchmarks.harness.population import prepare
    from exam.app import create_app

    app = create_app()
    session_id, usernames = prepare(app.config["DATABASE_URL"], n + 1, paper="blueprint")
    clients = [signed_in(app, username) for username in usernames]

    def start(client) -> None:
        begin = client.get(f"/candidate/sessions/{session_id}/theory/begin")
        token = CSRF.search(begin.get_data(as_text=True)).group(1)
        resp = client.post(f"/candidate/sessions/{session_id}/start", data={"csrf_token": token, "confirm": "1"})
        if resp.status_code == 302:
            resp = client.get(resp.headers["Location"])
        assert resp.status_code == 200, resp.status_code

    start(clients[0])
    began = time.process_time()
    for client in clients[1:]:
        start(client)
    print(f"CPU per start (start page + start [+ paper page]): {(time.process_time() - began) / n * 1000:.2f} ms")


if __name__ == "__main__":
    main()
