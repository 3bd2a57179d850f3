"""What a server-side session costs a signed-in request (exam.accounts.logins).

Every request of a signed-in user now loads its ``login_session`` row (one indexed join with
``user_account``) unless the per-process memo (2 s) already holds it. Three runs of light JSON
requests through the Flask test client on a fresh SQLite database (the signed-in one is the
candidate's status poll for an attempt that does not exist: the user is loaded, then 404):

- baseline: ``/healthz``, anonymous (no user loaded at all);
- signed in, memo on (the default);
- signed in, memo off (every request reads the row).

Prints requests a second and the ratios to the baseline. Usage: ``python benchmarks/signed_in_request.py [N]``.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[0:1] = [str(ROOT)]   # the project, not benchmarks/ (whose certificates.py would shadow the package)


def main(n: int = 2000) -> None:
    from exam import db, migrate
    from exam.accounts import logins, service
    from exam.app import create_app
    from exam.db import write_session

    folder = Path(tempfile.mkdtemp(prefix="callexam-bench-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    migrate.upgrade(url)
    with write_session(db.engine_for(url)) as session:
        service.create_user(session, "cand1", "bench-password-1", "candidate")
    app = create_app({"INSTANCE_PATH": str(folder / "instance"), "DATABASE_URL": url, "SECRET_KEY": "bench",
                      "TESTING": True})
    client = app.test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "cand1", "password": "bench-password-1", "csrf_token": token})
    signed_in = "/candidate/proctoring/theory/999999/status"
    assert client.get(signed_in).status_code in (403, 404)

    def rate(path: str, client_) -> float:
        for _ in range(50):
            client_.get(path)
        started = time.perf_counter()
        for _ in range(n):
            client_.get(path)
        return n / (time.perf_counter() - started)

    anonymous = app.test_client()
    base = rate("/healthz", anonymous)
    memo_on = rate(signed_in, client)
    logins.MEMO_SECONDS = 0.0
    memo_off = rate(signed_in, client)
    print(f"signed-in request, {n} requests each (Flask test client, SQLite)")
    print(f"  baseline: /healthz anonymous        {base:8.0f} req/s")
    print(f"  signed in, session memo on (2 s)    {memo_on:8.0f} req/s   ratio {base / memo_on:5.2f}")
    print(f"  signed in, session row every time   {memo_off:8.0f} req/s   ratio {base / memo_off:5.2f}")
    db.dispose_all()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
