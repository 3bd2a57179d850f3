"""A roster import and the admission tickets of a whole session, against what they cannot avoid.

An examiner uploads the day's roster (often a thousand rows) and waits on the page for the preview and
then for the confirmation; afterwards the whole session's admission tickets are printed as one PDF.
Each figure has a baseline measured in the same run, so the ratio survives a noisy machine:

- preview (``enrolment.preview``: parse, GB 11643 and phone checks, dedupe against the register,
  conflicts) against openpyxl reading the same workbook alone;
- confirm (one write transaction creating accounts, profiles, enrolments and ticket numbers, and the
  audit entry) in both sign-in modes: ``id_last6`` needs no password, ``password`` hashes an initial
  password per new account;
- the session's admission tickets (``admission_pdf.render``) against a bare reportlab page per
  candidate with the same font.

    .venv/bin/python benchmarks/roster_import.py [--rows 1000] [--out benchmarks/results/roster_import.txt]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import openpyxl  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from sqlmodel import Session  # noqa: E402

from exam import migrate  # noqa: E402
from exam.accounts.models import User  # noqa: E402
from exam.accounts.service import hash_password  # noqa: E402
from exam.db import throwaway_engine, write_session  # noqa: E402
from exam.sessions.roster import admission  # noqa: E402
from exam.sessions.roster import admission_pdf
from exam.sessions.roster import enrolment
from exam.sessions.roster.idcard import check_character  # noqa: E402
from exam.sessions.models import ExamSession, Room, SessionRoom  # noqa: E402
from exam.timeutil import utcnow  # noqa: E402

TZ = "Asia/Shanghai"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


def roster_xlsx(rows: int) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "手机号", "工作单位"])
    for n in range(rows):
        body = f"110101{1970 + (n // 1000) % 30}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"  # unique below 30,000
        sheet.append([SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + GIVEN[(n // len(GIVEN)) % len(GIVEN)], body + check_character(body),
                      f"138{n:08d}", f"第{n % 7 + 1}呼叫中心"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def new_session(engine, name: str, signin_mode: str, seats: int) -> int:
    now = utcnow()
    with write_session(engine) as db:
        examiner = User(username=f"examiner-{name}", display_name="考评员", role="examiner",
                        password_hash=hash_password("bench-only"))
        room = Room(name=f"考场 {name}", location="三楼", seats=seats)
        db.add(examiner)
        db.add(room)
        db.flush()
        session = ExamSession(name=f"名单基准 {name}", level="junior", opens_at=now + dt.timedelta(days=1),
                              closes_at=now + dt.timedelta(days=1, hours=2), duration_minutes=90, item_count=20,
                              created_by=examiner.id, signin_mode=signin_mode)
        db.add(session)
        db.flush()
        db.add(SessionRoom(session_id=session.id, room_id=room.id))
        return session.id


def seconds(fn) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def bare_pages(count: int) -> bytes:
    font = admission_pdf._register_font()
    out = io.BytesIO()
    canvas = Canvas(out)
    for n in range(count):
        canvas.setFont(font, 14)
        canvas.drawString(72, 720, f"准考证 {n:05d} 张伟 第一考场 {n + 1} 号座")
        canvas.showPage()
    canvas.save()
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    today = dt.date.today()
    lines = [f"# roster import and admission tickets — {dt.datetime.now():%Y-%m-%d %H:%M} · {os.cpu_count()} CPUs · "
             f"{platform.python_implementation()} {platform.python_version()} · sqlite"]
    data = roster_xlsx(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        for mode in ("id_last6", "password"):
            url = f"sqlite:///{folder}/{mode}.db"
            migrate.upgrade(url)
            engine = throwaway_engine(url)
            sid = new_session(engine, mode, mode, seats=args.rows)
            base, _ = seconds(lambda: list(openpyxl.load_workbook(io.BytesIO(data), read_only=True).active.values))
            with Session(engine) as db:
                exam_session = db.get(ExamSession, sid)
                took, plan = seconds(lambda: enrolment.preview(db, exam_session, "名单.xlsx", data, today, TZ))
            assert plan.ok, plan.errors[:3] + plan.conflicts[:3]
            done, _ = seconds(lambda: enrolment.confirm(engine, sid, "名单.xlsx", data, today, TZ, None))
            lines.append(f"{mode:8} {args.rows} rows ({len(data) // 1024} KiB xlsx)")
            lines.append(f"  baseline: openpyxl reads the workbook  {base * 1000:8.0f} ms")
            lines.append(f"  enrolment.preview                      {took * 1000:8.0f} ms   ratio {took / base:5.1f}")
            lines.append(f"  enrolment.confirm                      {done * 1000:8.0f} ms   ratio {done / base:5.1f}")
            if mode == "id_last6":
                with Session(engine) as db:
                    tickets = admission.tickets_of_session(db, sid, TZ)
                bare, bare_pdf = seconds(lambda: bare_pages(len(tickets)))
                took, pdf = seconds(lambda: admission_pdf.render(tickets, f"{today:%Y-%m-%d}"))
                lines.append(f"admission tickets, {len(tickets)} pages")
                lines.append(f"  baseline: one line of text a page     {bare * 1000:8.0f} ms   {len(bare_pdf) // 1024} KiB")
                lines.append(f"  admission_pdf.render                   {took * 1000:8.0f} ms   {len(pdf) // 1024} KiB"
                             f"   ratio {took / bare:5.1f}   {took / len(tickets) * 1000:.1f} ms a ticket")
            engine.dispose()
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
