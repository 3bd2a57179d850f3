"""Certificates a second: QR token + render (with the QR code) + PAdES signature (issue 8's goal: 30).

Each part is also timed alone in the same run, so the figure says where the time goes: the token
(Ed25519 JWS), the QR symbol (zxing-cpp), the page (reportlab, with rl-accel), and the
signature (pyHanko: CMS structures built with asn1crypto, pure Python). The baseline is rendering
alone. Wall-clock and CPU figures are both printed because the machine is shared: CPU seconds per
certificate is what one core costs, whatever else runs. The last line runs one worker per core.

    .venv/bin/python benchmarks/certificates.py [--count 200]
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from certificates import document, jws_keys, pades, pki, qr, tokens  # noqa: E402
from certificates.view import CertificateView  # noqa: E402

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗欧阳司马诸葛"
GIVEN = "晓燕子涵浩然思远嘉怡志强丽娟建国秀英文博雨桐俊杰"
BASE = "https://exam.example.cn/verify"


def views(count: int) -> list[CertificateView]:
    out = []
    for i in range(count):
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[(i * 3 + 1) % len(GIVEN)]
        out.append(CertificateView(
            number=f"HJ-2026-Z-{i + 1:06d}", holder_name=name, id_masked=f"110***********{i % 10000:04d}",
            level_code="intermediate", level_name="中级", theory_score=str(60 + i % 40),
            practical_score=f"{60 + i % 35}.5", typing_cpm=f"{50 + i % 30}.{i % 10}",
            issued_on=dt.date(2026, 7, 1), expires_on=dt.date(2029, 6, 30), issuer="callexam 演示考点"))
    return out


def one(view: CertificateView, folder: Path) -> bytes:
    token = tokens.sign(view.fields(), folder)
    return pades.sign(document.render(view, token, f"{BASE}?t={token}"), folder)


def timed(label: str, fn, items) -> dict:
    each = []
    wall0, cpu0 = time.perf_counter(), time.process_time()
    for item in items:
        start = time.perf_counter()
        fn(item)
        each.append(time.perf_counter() - start)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"label": label, "n": len(items), "wall": wall, "cpu": cpu,
            "median_ms": statistics.median(each) * 1000,
            "p95_ms": sorted(each)[int(len(each) * 0.95) - 1] * 1000}


def line(r: dict) -> str:
    return (f"{r['label']:<34} {r['n'] / r['wall']:7.1f}/s wall  {r['n'] / r['cpu']:7.1f}/s CPU   "
            f"median {r['median_ms']:6.1f} ms  p95 {r['p95_ms']:6.1f} ms")


_FOLDER: Path | None = None


def _worker_init(folder: str) -> None:
    global _FOLDER
    _FOLDER = Path(folder)
    one(views(1)[0], _FOLDER)  # warm: font, ornament, keys


def _worker(view: CertificateView) -> int:
    return len(one(view, _FOLDER))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    items = views(args.count)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "keys"
        jws_keys.init(folder)
        pki.init(folder)
        one(items[0], folder)  # warm-up: font loading (~0.3 s), ornament, signer cache
        toks = [tokens.sign(v.fields(), folder) for v in items]
        pairs = list(zip(items, toks))
        pdfs = [document.render(v, t, f"{BASE}?t={t}") for v, t in pairs]
        symbol = qr.make(f"{BASE}?t={toks[0]}")
        print(f"certificates benchmark: {args.count} certificates, Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
        print(f"QR: URL {len(BASE) + 3 + len(toks[0])} characters, version {symbol.version} "
              f"({symbol.modules}x{symbol.modules} modules, level {symbol.error.upper()}), "
              f"{symbol.module_mm(document.QR_SIZE):.2f} mm a module at {document.QR_SIZE * 25.4 / 72:.0f} mm; "
              f"signed PDF {len(pades.sign(pdfs[0], folder)) / 1024:.0f} kB")
        results = [
            timed("token (Ed25519 JWS)", lambda v: tokens.sign(v.fields(), folder), items),
            timed("QR symbol (zxing-cpp)", lambda t: qr.make(f"{BASE}?t={t}"), toks),
            timed("baseline: render alone (with QR)", lambda p: document.render(p[0], p[1], f"{BASE}?t={p[1]}"), pairs),
            timed("PAdES sign alone (pyHanko)", lambda pdf: pades.sign(pdf, folder), pdfs),
            timed("FULL token + render + sign", lambda v: one(v, folder), items),
        ]
        for r in results:
            print(line(r))
        workers = os.cpu_count() or 1
        with multiprocessing.get_context("fork").Pool(workers, _worker_init, (str(folder),)) as pool:
            start = time.perf_counter()
            pool.map(_worker, items, chunksize=8)
            wall = time.perf_counter() - start
        print(f"{'FULL, ' + str(workers) + ' worker processes':<34} {len(items) / wall:7.1f}/s wall")
        full = results[-1]
        parts = {r["label"].split(" (")[0].split(": ")[-1]: r["cpu"] / r["n"] for r in results[:4]}
        total = sum(v for k, v in parts.items() if k != "QR symbol")  # render includes the QR
        print("where a certificate's time goes: " + ", ".join(
            f"{k} {v / total:.0%}" for k, v in parts.items() if k != "QR symbol")
              + " (signing is pyHanko building CMS structures in pure-Python asn1crypto; rendering is"
                " reportlab writing the page and subsetting the font)")
        long = CertificateView(**{**items[0].__dict__, "holder_name": "欧阳司马诸葛晓燕",
                                  "issuer": "北京市朝阳区人力资源和社会保障局职业技能鉴定指导中心"})
        long_symbol = qr.make(f"{BASE}?t={tokens.sign(long.fields(), folder)}")
        print(f"QR for a long name and issuer: version {long_symbol.version}, "
              f"{long_symbol.module_mm(document.QR_SIZE):.2f} mm a module")
        verdict = "meets" if len(items) / full["wall"] >= 30 else "misses"
        print(f"goal 30/s in one process: {verdict} it ({len(items) / full['wall']:.1f}/s wall, "
              f"{len(items) / full['cpu']:.1f}/s on CPU time)")


if __name__ == "__main__":
    main()
