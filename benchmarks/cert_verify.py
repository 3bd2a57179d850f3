"""What one verification costs on each channel HR uses (issue 21), and a 2,000-row bulk list.

Per file: ``verification.verify_file`` on a signed certificate PDF (pyHanko validation, token), an
Open Badge with its Bitstring Status List (two ES256 signatures, the bit), and a phone-sized photo of
the certificate (zxing-cpp finds the QR, then the token). The baseline is the QR token alone
(``verify_token``), what every channel ends with. Bulk: ``bulk.parse`` (exam.tabular) +
``lookup_many`` + ``results_xlsx`` for 2,000 rows on a SQLite register of 2,000 certificates, against
the baseline of asking ``lookup`` row by row (what a loop over the public look-up would do).

    .venv/bin/python benchmarks/cert_verify.py [--rounds 20]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.certificates import views  # noqa: E402
from certificates import badge, bulk, document, jws_keys, pades, pki, status_list, tokens, verification  # noqa: E402

BASE = "https://exam.example.cn"
TODAY = dt.date(2026, 12, 7)


def timed(label: str, fn, rounds: int) -> float:
    fn()  # warm
    each = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        each.append(time.perf_counter() - start)
    median = statistics.median(each) * 1000
    print(f"{label:<44} median {median:8.1f} ms  p95 {sorted(each)[max(0, int(len(each) * .95) - 1)] * 1000:8.1f} ms")
    return median


def per_file(folder: Path, rounds: int) -> None:
    view = views(1)[0]
    token = tokens.sign(view.fields(), folder)
    pdf = pades.sign(document.render(view, token, f"{BASE}/verify?t={token}"), folder)
    jwks = jws_keys.jwks(folder, BASE)
    badge_jwt = badge.signed(view, folder, BASE, status_index=7).encode()
    listed = badge.sign(status_list.credential(BASE, [3, 9], 2000, dt.datetime.now(dt.timezone.utc)), folder,
                        BASE).encode()
    photo = None
    if shutil.which("pdftoppm"):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "c.pdf").write_bytes(pdf)
            subprocess.run(["pdftoppm", "-png", "-r", "110", "-singlefile", f"{tmp}/c.pdf", f"{tmp}/p"], check=True)
            photo = (Path(tmp) / "p.png").read_bytes()

    def check(data):
        report = verification.verify_file(data, folder, jwks, None, lambda url: listed, None, TODAY)
        assert report.genuine, report.reason
    base = timed("baseline: QR token alone (verify_token)",
                 lambda: verification.verify_token(token, jwks, None, TODAY), rounds)
    for label, data in (("certificate PDF (PAdES + token)", pdf), ("Open Badge + status list", badge_jwt),
                        (f"photo PNG {len(photo or b'') // 1024} kB (QR found, token)", photo)):
        if data is None:
            print(f"{label:<44} skipped (pdftoppm missing)")
            continue
        ms = timed(label, lambda: check(data), rounds)
        print(f"{'':<44} {ms / base:8.0f}× the token alone")


def bulk_list(rows: int) -> None:
    from openpyxl import Workbook
    from sqlmodel import Session

    from certificates.models import Certificate
    from exam import db, migrate
    from exam.accounts import service as accounts
    from exam.db import write_session

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        migrate.upgrade(url)
        engine = db.throwaway_engine(url)
        made = views(rows)
        with write_session(engine) as s:
            users = [accounts.create_user(s, f"c{i}", "bench-password", "candidate", f"c{i}") for i in range(rows)]
            s.flush()
            for user, v in zip(users, made):
                s.add(Certificate(number=v.number, candidate_id=user.id, level=v.level_code, holder_name=v.holder_name,
                                  id_masked=v.id_masked, theory_score=v.theory_score, practical_score=v.practical_score,
                                  typing_cpm=v.typing_cpm, issued_on=v.issued_on, expires_on=v.expires_on,
                                  issuer=v.issuer))
        book = Workbook()
        book.active.append(["证书编号", "姓名"])
        for i, v in enumerate(made):
            book.active.append([v.number.replace("-", "").lower() if i % 5 == 0 else v.number, v.holder_name])
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()

        parsed = bulk.parse("list.xlsx", data)
        pairs = [(r.number, r.name) for r in parsed.rows]

        def many():
            with Session(engine) as session:
                return verification.lookup_many(session, pairs, TODAY)

        def one_by_one():
            with Session(engine) as session:
                return [verification.lookup(session, number, name, TODAY) for number, name in pairs]
        found = many()
        lines = bulk.result_lines(parsed, found)
        assert bulk.counts(lines)["有效"] == rows and found == one_by_one()
        print(f"bulk list of {rows} rows (a fifth typed without dashes), SQLite register of {rows} certificates")
        t_parse = timed("read the XLSX (bulk.parse via exam.tabular)", lambda: bulk.parse("list.xlsx", data), 3)
        base = timed("baseline: lookup row by row", one_by_one, 3)
        t_many = timed("lookup_many (one query per 500 numbers)", many, 3)
        print(f"{'':<44} {base / t_many:8.1f}× faster than row by row")
        t_write = timed("write the results XLSX", lambda: bulk.results_xlsx(lines, "2026-12-07 12:00"), 3)
        total = t_parse + t_many + t_write
        print(f"whole list: {total:,.0f} ms, {rows / total * 1000:,.0f} rows a second "
              f"(read {t_parse / total:.0%}, look up {t_many / total:.0%}, write {t_write / total:.0%})")
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    print(f"certificate verification benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f} at start")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "keys"
        jws_keys.init(folder)
        pki.init(folder)
        per_file(folder, args.rounds)
    bulk_list(args.rows)


if __name__ == "__main__":
    main()
