"""One typing-test autosave (``typing_test.service.save``) now that the server logs the text's growth
and runs its hold-for-review checks on every save (issue 15), against one theory autosave
(``exam.delivery.service.save_answers``, a single answer) measured in the same run on the same database.

Each candidate's typing text grows by a few characters a save, every two seconds of server time, with
the counters an honest pinyin typist's page sends: the steady load of a room typing at once (the page
saves at least every 2 s while typing). The ratio says what the typing save costs over the theory
save; the typing save also merges counters, stores events and appends a growth row. Both attempts'
pages are opened first and every save names its page, as a browser's does (the live-page check under
the attempt row's lock, ``exam.access.live_page``).

    .venv/bin/python benchmarks/typing_save.py [--candidates 50] [--saves 40] [--database-url URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from benchmarks.harness import population  # noqa: E402
from exam import parts  # noqa: E402
from exam.access import live_page  # noqa: E402
from exam.accounts.models import User  # noqa: E402
from exam.db import throwaway_engine, write_session  # noqa: E402
from exam.delivery import service as delivery  # noqa: E402
from exam.delivery.models import PaperSlot  # noqa: E402
from exam.timeutil import utcnow  # noqa: E402
from typing_test import passages  # noqa: E402
from typing_test import service as typing  # noqa: E402
from typing_test.models import TypingAttempt  # noqa: E402
from typing_test.normalise import normalise  # noqa: E402

GRACE = dt.timedelta(seconds=15)


def run(url: str, candidates: int, saves: int) -> tuple[list[float], list[float], int]:
    session_id, usernames = population.prepare(url, candidates, item_count=20)
    engine = throwaway_engine(url)
    with write_session(engine) as db:
        passages.load_stock(db)
        ids = list(db.execute(select(User.id).where(User.username.in_(usernames)).order_by(User.id)).scalars())
    t0 = utcnow()
    typing_ids = {cid: typing.start(engine, session_id, cid, t0) for cid in ids}
    theory_ids = {cid: delivery.start_attempt(engine, session_id, cid, t0) for cid in ids}
    typing_pages = {cid: live_page.open_page(engine, parts.get("typing"), aid, cid).token for cid, aid in typing_ids.items()}
    theory_pages = {cid: live_page.open_page(engine, parts.get("theory"), aid, cid).token for cid, aid in theory_ids.items()}
    with engine.connect() as conn:
        refs = {cid: normalise(conn.execute(select(TypingAttempt.reference).where(TypingAttempt.id == aid)).scalar_one())
                for cid, aid in typing_ids.items()}
        slots = {cid: conn.execute(select(PaperSlot.position, PaperSlot.kind).where(PaperSlot.attempt_id == aid)
                                   .order_by(PaperSlot.position).limit(1)).one()
                 for cid, aid in theory_ids.items()}
    typing_times, theory_times = [], []
    for k in range(1, saves + 1):
        now = t0 + dt.timedelta(seconds=2 * k)
        for cid in ids:
            text = refs[cid][:4 * k]
            entry = typing.Save(seq=k, text=text, instance="bench", events=[],
                                counters={"keydowns": 3 * len(text), "composed_chars": len(text), "compositions": len(text)})
            start = time.perf_counter()
            typing.save(engine, typing_ids[cid], cid, entry, now, GRACE, typing_pages[cid])
            typing_times.append(time.perf_counter() - start)
            position, kind = slots[cid]
            value = {"truefalse": "TF"[k % 2], "single": str(k % 2), "multiple": str(k % 2)}.get(kind, f"答案{k}")
            answer = [{"position": position, "seq": k, "value": value, "flagged": False}]
            start = time.perf_counter()
            delivery.save_answers(engine, theory_ids[cid], cid, answer, now, GRACE, theory_pages[cid])
            theory_times.append(time.perf_counter() - start)
    for save, attempt_id in ((lambda page: typing.save(engine, typing_ids[ids[0]], ids[0], entry, now, GRACE, page),
                              typing_ids[ids[0]]),
                             (lambda page: delivery.save_answers(engine, theory_ids[ids[0]], ids[0], answer, now, GRACE,
                                                                 page), theory_ids[ids[0]])):
        try:  # the check the saves above passed is really on: another page's save is refused
            save("another-page")
        except live_page.TakenOver:
            pass
        else:
            sys.exit(f"a stale page's save to attempt {attempt_id} was not refused")
    with engine.connect() as conn:
        held = [f for (f,) in conn.execute(select(TypingAttempt.server_flags)) if f]  # JSON: compared in Python
    engine.dispose()
    return typing_times, theory_times, len(held)


def line(name: str, times: list[float]) -> str:
    q = statistics.quantiles(times, n=20)
    return f"{name:42s} median {statistics.median(times) * 1000:6.2f} ms   p95 {q[18] * 1000:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--candidates", type=int, default=50)
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{os.path.join(folder, 'bench.db')}"
        typing_times, theory_times, held = run(url, args.candidates, args.saves)
    print(f"{args.candidates} candidates × {args.saves} saves each, on {url.split(':')[0]}")
    print(line("baseline: theory save_answers (one answer)", theory_times))
    print(line("typing_test.service.save (growth + checks)", typing_times))
    print(f"ratio typing / theory (medians): {statistics.median(typing_times) / statistics.median(theory_times):.2f}")
    print(f"honest saves held for review: {held} (expected 0)")


if __name__ == "__main__":
    main()
