"""What the exam office's room papers cost to print (issue 22.5), against the admission tickets of the
same candidates in the same run (the PDF the office already prints, same fonts):

- a 30-seat room's 签到表 (with a photo per candidate), 座位表 and 考场记录 (60 proctor actions);
- the same 30 candidates' admission tickets (one page each) as the baseline.

Pure rendering (``exam.sessions.papers.pdf`` on plain values), best of five runs each. Run:
``.venv/bin/python benchmarks/room_papers.py`` (``make bench-papers``).
"""

from __future__ import annotations

import datetime as dt
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image  # noqa: E402

from exam.sessions.papers import pdf, records  # noqa: E402
from exam.sessions.roster import admission, admission_pdf  # noqa: E402

SEATS = 30
RUNS = 5


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (295, 413), (90, 140, 200)).save(out, "JPEG", quality=85)   # 一寸 at 300 dpi
    return out.getvalue()


def _sheet(photo: bytes) -> records.RoomSheet:
    seats = [records.Seat(n, f"考生{n:02d}", f"2026000300{n:02d}", "110101********0113", "华东呼叫中心", photo, n)
             for n in range(1, SEATS + 1)]
    return records.RoomSheet("中级 12 月场", "中级", 1, "第一考场", "培训楼三层", SEATS,
                             [("理论考试", "2026年12月07日 09:00 – 10:30")], seats)


def _report(sheet: records.RoomSheet) -> records.RoomReport:
    actions = [records.Line("12-07 09:%02d" % (n % 60), "延长时间（理论） 5 分钟", sheet.seats[n % SEATS].name,
                            "考评员甲", "座位电脑死机重启，补足耽误的时间") for n in range(60)]
    outcomes = [(s, "实考", ["理论：考生交卷 10:20", "打字：到时自动交卷 11:10", "实操：考生交卷 12:00"])
                for s in sheet.seats]
    return records.RoomReport(sheet, ["考评员甲", "考评员乙"], {"应考": SEATS, "实考": SEATS, "缺考": 0},
                              outcomes, [], actions)


def _tickets(photo: bytes) -> list[admission.AdmissionTicket]:
    t0 = dt.datetime(2026, 12, 7, 9, 0)
    return [admission.AdmissionTicket(f"考生{n:02d}", "110101********0113", f"2026000300{n:02d}", "华东呼叫中心",
                                      "中级 12 月场", "中级", "第一考场", "培训楼三层", n,
                                      (t0, t0 + dt.timedelta(minutes=90)), (t0, t0 + dt.timedelta(hours=3)), 90,
                                      tuple(admission.rules("password")), photo) for n in range(1, SEATS + 1)]


def best(fn) -> tuple[float, int]:
    times, size = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        size = len(fn())
        times.append(time.perf_counter() - start)
    return min(times), size


def main() -> None:
    photo = _photo()
    sheet = _sheet(photo)
    report = _report(sheet)
    tickets = _tickets(photo)
    pdf.signin_sheet(sheet, "x")                 # load the fonts once, outside the timings
    base, base_size = best(lambda: admission_pdf.render(tickets, "2026-12-07 08:00"))
    print(f"{SEATS} candidates with photos, best of {RUNS}")
    print(f"  baseline: admission tickets ({SEATS} pages)   {base * 1000:7.0f} ms  {base_size // 1024:5d} KiB")
    for name, fn in (("签到表 signin_sheet", lambda: pdf.signin_sheet(sheet, "2026-12-07 08:00")),
                     ("座位表 seat_plan", lambda: pdf.seat_plan(sheet, "2026-12-07 08:00")),
                     ("考场记录 room_report (60 actions)", lambda: pdf.room_report(report, "2026-12-07 13:00"))):
        took, size = best(fn)
        print(f"  {name:<34} {took * 1000:7.0f} ms  {size // 1024:5d} KiB   ratio {took / base:5.2f}")


if __name__ == "__main__":
    main()
