"""The papers an exam office files (issue 22.5), on SQLite and PostgreSQL: per room the sign-in sheet,
the seat plan and the room report as PDFs, read back by poppler (pdftotext, pdfimages, pdffonts) —
an independent reader, not the library that wrote them."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

from sqlmodel import Session, select

from exam.delivery import service as delivery
from exam.proctoring import actions
from exam.sessions.models import Enrollment, ExamSession
from exam.sessions.papers import pdf, records
from exam.sessions.roster import profiles
from exam.db import write_session
from exam.timeutil import utcnow
from practical.models import PracticalAttempt
from tests.integration.rosters import CLASS, HEADER, enrolments, ident, import_file, page, xlsx
from tests.integration.test_admission import pdf_text
from tests.webclient import csrf_token, login


def _poppler(tool: str, data: bytes) -> str:
    out = subprocess.run([tool, "-"] if tool != "pdfimages" else [tool, "-list", "-"], input=data,
                         capture_output=True, check=True, timeout=30)
    return out.stdout.decode("utf-8", "replace")


def _room_session(client, engine, roster_session, users):
    """Three candidates from a roster seated in one 5-seat room, a photo for the first."""
    from PIL import Image

    sid = roster_session(seats=5)
    login(client, "examiner")
    import_file(client, sid, "名单.xlsx", xlsx(HEADER, *CLASS))
    token = csrf_token(client, page(client, sid))
    client.post(f"{page(client, sid)}/seats", data={"assign-order": "ticket"}, headers={"X-CSRFToken": token})
    rows = enrolments(engine, sid)
    picture = io.BytesIO()
    Image.new("RGB", (240, 320), (90, 140, 200)).save(picture, "PNG")
    with Session(engine) as db:
        first = db.exec(select(Enrollment).where(Enrollment.session_id == sid, Enrollment.seat_no == 1)).one()
    with write_session(engine) as db:
        profiles.set_photo(db, sid, first.candidate_id, picture.getvalue(), users["examiner"])
    return sid, rows, first.room_id


def test_signin_sheet_and_seat_plan_per_room(client, engine, roster_session, users):
    sid, rows, room_id = _room_session(client, engine, roster_session, users)
    index = client.get(f"/examiner/sessions/{sid}/papers").get_data(as_text=True)
    assert f"/papers/rooms/{room_id}/signin.pdf" in index and "第1考场" in index
    resp = client.get(f"/examiner/sessions/{sid}/papers/rooms/{room_id}/signin.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    body = pdf_text(resp.data)
    assert "签到表" in body and "考生签名" in body and "三楼东侧" in body
    for name, _u, ticket, _room, _seat in rows:
        assert name in body and ticket in body
    assert ident(11)[:6] + "********" + ident(11)[-4:] in body and ident(11) not in body   # masked, never whole
    assert len([l for l in _poppler("pdfimages", resp.data).splitlines()[2:] if l.strip()]) >= 1  # the photo
    fonts = _poppler("pdffonts", resp.data)
    assert "WenQuanYi" in fonts and " yes " in fonts           # the tickets' face, embedded
    plan = pdf_text(client.get(f"/examiner/sessions/{sid}/papers/rooms/{room_id}/seats.pdf").data)
    assert "座位表" in plan and "前 方" in plan.replace("　", " ")
    assert plan.count("（空）") == 2 and all(name in plan for name, *_ in rows)    # 5 seats, 3 taken
    assert client.get(f"/examiner/sessions/{sid}/papers/rooms/999/signin.pdf").status_code == 404
    login(client, "cand1")
    assert client.get(f"/examiner/sessions/{sid}/papers/rooms/{room_id}/signin.pdf").status_code == 403


def test_room_report_lists_attendance_outcomes_and_every_proctor_action_with_its_reason(client, engine,
                                                                                        roster_session, users):
    sid, rows, room_id = _room_session(client, engine, roster_session, users)
    with Session(engine) as db:
        seated = {e.seat_no: e.candidate_id for e in db.exec(select(Enrollment).where(Enrollment.session_id == sid))}
    now = utcnow()
    sitting, forced = seated[1], seated[2]
    a1 = delivery.start_attempt(engine, sid, sitting, now)
    a2 = delivery.start_attempt(engine, sid, forced, now)
    examiner = users["examiner"]
    actions.extra_time(engine, "theory", a1, 10, "座位电脑死机重启", examiner, now)
    actions.pause(engine, "theory", a2, "考生身体不适", examiner, now)
    actions.force_submit(engine, "theory", a2, "考生使用手机，按违纪处理", examiner, now, 0.9)
    actions.record_incident(engine, sid, "设备故障", "3 号机键盘失灵，已更换", None, examiner, now)
    delivery.submit(engine, a1, "candidate", now)
    resp = client.get(f"/examiner/sessions/{sid}/papers/rooms/{room_id}/report.pdf")
    body = pdf_text(resp.data)
    assert resp.status_code == 200 and "考场记录" in body
    for text in ("座位电脑死机重启", "延长时间", "考生身体不适", "暂停", "考生使用手机，按违纪处理", "强制交卷",
                 "3 号机键盘失灵，已更换", "考评员强制交卷", "考生交卷"):
        assert text in body, text
    assert "考务主管签名" in body
    assert _attendance(body) == {"应考": 3, "实考": 2, "已签到未作答": 0, "未签到": 1, "强制交卷（份）": 1, "作废（份）": 0}
    # the third signs in and starts nothing: counted as such while the window is open, so the line
    # still adds up (audit finding 13: 应考 20，实考 3，未签到 14 left three out)
    with write_session(engine) as db:
        enrolment = db.exec(select(Enrollment).where(Enrollment.session_id == sid,
                                                     Enrollment.candidate_id == seated[3])).one()
        enrolment.signed_in_at = now
    body = pdf_text(client.get(f"/examiner/sessions/{sid}/papers/rooms/{room_id}/report.pdf").data)
    assert _attendance(body) == {"应考": 3, "实考": 2, "已签到未作答": 1, "未签到": 0, "强制交卷（份）": 1, "作废（份）": 0}
    assert "已签到未作答" in body.split("考生情况", 1)[1]          # and on the candidate's row
    # after every window has closed, the one who signed in and never started is 缺考
    with Session(engine) as db:
        session = db.get(ExamSession, sid)
        later = session.ends_at + dt.timedelta(minutes=1)
        report = records.report(db, sid, room_id, "Asia/Shanghai", later)
    assert report.closed and [w for _, w, _ in report.outcomes].count("缺考") == 1
    closed = _attendance(pdf_text(pdf.room_report(report, "2026年12月07日 18:00")))
    assert closed == {"应考": 3, "实考": 2, "缺考": 1, "强制交卷（份）": 1, "作废（份）": 0}


def _attendance(body: str) -> dict[str, int]:
    """The room report's 出勤 line as pdftotext reads it, each count by its word; the line must add
    up: 应考 is 实考 plus every way of not having sat (未签到, 已签到未作答 or, once closed, 缺考)."""
    chunk = body[body.index("出勤："):body.index("考生情况")].split("：", 1)[1]
    chunk = "".join(line.strip() for line in chunk.splitlines()).split("（考试尚未", 1)[0]
    counts = {word: int(n) for word, n in re.findall(r"([^\s，：\d]+)\s*(\d+)", chunk)}
    assert counts["应考"] == sum(n for word, n in counts.items() if word not in ("应考", "强制交卷（份）", "作废（份）"))
    return counts


def test_a_candidates_whole_answer_sheet_for_an_appeal_is_examiner_only_and_audited(client, engine, make_session,
                                                                                    users):
    import random

    from exam.audit.models import AuditEvent
    from exam.delivery.models import PaperSlot
    from exam import service_phrases
    from practical import service as practical

    sid = make_session(candidates=("cand1", "cand2"))
    now = utcnow()
    aid = delivery.start_attempt(engine, sid, users["cand1"], now)
    with Session(engine) as db:
        slots = list(db.exec(select(PaperSlot).where(PaperSlot.attempt_id == aid).order_by(PaperSlot.position)))
    choice = next(s for s in slots if s.kind == "single")
    delivery.save_answers(engine, aid, users["cand1"], [
        {"position": choice.position, "seq": 1, "value": "1", "flagged": True}], now, dt.timedelta(seconds=15))
    delivery.submit(engine, aid, "candidate", now)
    pid = practical.start(engine, sid, users["cand1"], now, random.Random(5))
    lists = {key: entry[1] for key, entry in service_phrases.PHRASE_LISTS.items()}
    practical.submit(engine, pid, "candidate", now, lists, candidate_id=users["cand1"])
    url = f"/examiner/sessions/{sid}/papers/candidates/{users['cand1']}/answer-sheet"
    login(client, "cand1")
    assert client.get(url).status_code == 403
    login(client, "examiner")
    index = client.get(f"/examiner/sessions/{sid}/papers").get_data(as_text=True)
    assert url in index
    page_html = client.get(url).get_data(as_text=True)
    assert "理论知识考试" in page_html and "考生交卷" in page_html and "已标记" in page_html
    row = page_html[page_html.index(f'id="q-{choice.position + 1}"'):]
    row = row[:row.index("</tr>")]
    assert "<td class=\"answer-text\">B</td>" in row                     # the second option as the candidate saw it
    assert "实操考核与打字测试" in page_html and 'id="practical-withheld"' in page_html  # still being marked
    assert "任务 1" not in page_html and "仍在评分中" in page_html      # (see the next test)
    assert 'id="sheet-typing"' not in page_html                        # no typing test sat: no typing section
    with Session(engine) as db:                                            # marking is under way:
        ticket = db.get(PracticalAttempt, pid).ticket                      # the 凭证号 would name the
    assert ticket not in page_html                                         # candidate to markers (17.8)
    with Session(engine) as db:
        seen = db.exec(select(AuditEvent).where(AuditEvent.action == "appeal.answer_sheet_viewed")).all()
    assert len(seen) == 1 and seen[0].actor_id == users["examiner"] and seen[0].detail["candidate_id"] == users["cand1"]
    assert client.get(f"/examiner/sessions/{sid}/papers/candidates/{users['cand3']}/answer-sheet").status_code == 404


def test_while_the_sessions_marking_is_under_way_no_answer_sheet_shows_what_markers_could_match(
        client, chief, engine, make_session, users):
    """Anonymous marking holds on the appeal answer sheet (audit #3): while any candidate's short answer
    or practical task of the session is still being marked, every sheet — which names its candidate —
    leaves that part's content out and says why, even the sheet of a candidate whose own items are all
    agreed (an agreed mark can still be changed before publication: knowing the name, a marker could
    change it knowingly); for the session's examiner and for the chief alike (a chief may mark too).
    Once the session's marking of a part is over (or the results are published) both see it whole."""
    import random

    from practical import marking as practical_marking
    from practical import service as practical
    from practical.kinds import kind
    from tests.integration.sittings import mark_theory_shorts, phrase_lists
    from tests.integration.test_examiner_marking import _short_session

    sid, shorts = _short_session(engine, users, make_session, candidates=("cand1", "cand2"))
    theory_answer = "先核对数据，再分类汇总，最后复核并保密。"           # the short answers' text (_short_session)
    from exam.delivery.models import Attempt
    with Session(engine) as db:
        theory_of = {name: db.exec(select(Attempt.id).where(Attempt.session_id == sid,
                                                           Attempt.candidate_id == users[name])).one()
                     for name in ("cand1", "cand2")}
    now = utcnow()
    reply = "您好，营业厅晚上六点下班，7 号为您服务，请问有什么可以帮您？"
    practical_of, call = {}, None
    for name in ("cand1", "cand2"):
        pid = practical.start(engine, sid, users[name], now, random.Random(5))
        with Session(engine) as db:
            task = next(t for t in practical.tasks_of(db, pid) if t.kind == "call")
        call = call or task
        practical.save(engine, pid, users[name], task.position, 1, {"turn": 0, "reply": reply}, now,
                       dt.timedelta(seconds=15))
        assert practical.submit(engine, pid, "candidate", now, phrase_lists(), candidate_id=users[name])
        practical_of[name] = pid
    with Session(engine) as db:
        ticket = db.get(PracticalAttempt, practical_of["cand1"]).ticket
    login(client, "examiner")
    url = f"/examiner/sessions/{sid}/papers/candidates/{users['cand1']}/answer-sheet"

    def sheets():
        return {"examiner": client.get(url).get_data(as_text=True), "chief": chief.get(url).get_data(as_text=True)}

    def mark_practical(name):
        pid = practical_of[name]
        with Session(engine) as db:
            entries = [e for e in practical_marking.queue(db, sid) if e.attempt_id == pid]
        for e in entries:
            values = {c["key"]: "0" for c in e.task.rubric}
            practical_marking.save_mark(engine, pid, e.task.position, users["examiner"], values, "", now,
                                        reasons={c["key"]: "复核后改判" for c in e.task.rubric})

    def nothing_of_the_practical(page_html, who):
        assert reply not in page_html and call.title not in page_html and ticket not in page_html, who
        assert 'id="practical-withheld"' in page_html and "本场实操评分全部完成（或成绩公布）前" in page_html, who

    cand1_shorts = sum(a.attempt_id == theory_of["cand1"] for a in shorts)
    for who, page_html in sheets().items():          # nothing marked yet
        assert "考生答卷（申诉复核）" in page_html, who
        assert theory_answer not in page_html and 'id="theory-sheet"' not in page_html, who
        assert f"本卷还有 {cand1_shorts} 道简答题在匿名评分中" in page_html, who
        nothing_of_the_practical(page_html, who)
        assert "仍在评分中" in page_html, who
    mark_theory_shorts(engine, sid, theory_of["cand1"])
    mark_practical("cand1")
    for who, page_html in sheets().items():          # cand1 wholly agreed, cand2 still in both queues
        assert theory_answer not in page_html and 'id="theory-withheld"' in page_html, who
        assert "本卷简答题已评定，但本场还有考生的简答题在作答或匿名评分中" in page_html, who
        nothing_of_the_practical(page_html, who)
        assert "该考生的实操考核已评定，但本场还有考生的实操在作答或匿名评分中" in page_html, who
    with write_session(engine) as db:                # published results are final (marking closed): shown
        db.get(ExamSession, sid).results_published_at = now
    page_html = client.get(url).get_data(as_text=True)
    assert theory_answer in page_html and reply in page_html and ticket in page_html
    with write_session(engine) as db:                # (the publication withdrawn again)
        db.get(ExamSession, sid).results_published_at = None
    mark_theory_shorts(engine, sid, theory_of["cand2"])
    for who, page_html in sheets().items():          # the theory marked throughout: shown; the practical still out
        assert theory_answer in page_html and 'id="theory-withheld"' not in page_html, who
        nothing_of_the_practical(page_html, who)
    mark_practical("cand2")
    for who, page_html in sheets().items():          # marking over: the whole sheet
        assert theory_answer in page_html and reply in page_html and call.title in page_html, who
        assert 'id="practical-withheld"' not in page_html and kind("call").NAME in page_html, who
        assert f"凭证号 {ticket}" in page_html, who


def test_the_answer_sheet_shows_the_typing_test_aligned_with_its_passage(client, engine, make_session, users):
    from tests.integration.sittings import sit_typing

    sid = make_session(candidates=("cand1",), opens_in=dt.timedelta(hours=-3), closes_in=dt.timedelta(hours=-1))
    sit_typing(engine, sid, users["cand1"], utcnow() - dt.timedelta(hours=2, minutes=50), chars=60)
    login(client, "examiner")
    html = client.get(f"/examiner/sessions/{sid}/papers/candidates/{users['cand1']}/answer-sheet").get_data(as_text=True)
    assert "<h2>打字测试</h2>" in html and 'id="sheet-typing"' in html and "每分钟正确" in html
    assert 'class="alignment"' in html and 'class="seg correct"' in html
