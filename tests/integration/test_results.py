"""A session's results on a real database: the table (theory, practical, typing, overall), its fixed
query count, publication (refused with reasons, audited, candidates notified once, safe to repeat and to
race), timed publication, scores held on candidate pages under the "published" release, the XLSX/CSV
export and the charts on the results page."""

from __future__ import annotations

import datetime as dt
import csv
import io
import random
import re
import threading
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from openpyxl import load_workbook
from sqlalchemy import event
from sqlmodel import Session, select

from exam import standard
from exam.accounts import service as accounts
from exam.audit import chain
from exam.db import write_session
from exam.sessions.results import publication
from exam.sessions.results import table as results
from exam.sessions import service as sessions
from exam.sessions.models import ExamSession, SessionEvent
from exam.timeutil import utcnow
from tests.conftest import PASSWORD
from tests.integration.sittings import (audit, mark_practical, notifications, row_of, short_slots, sit_practical,
                                        sit_theory, sit_typing, table_of)
from tests.webclient import csrf_token, login
from typing_test import service as typing

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def finished(engine, users, make_session):
    """A session that ended an hour ago: cand1 sat everything well, cand2 sat the theory badly and
    skipped the rest, cand3 never came. Returns (session id, t0 when they started, attempt ids)."""
    sid = make_session(opens_in=dt.timedelta(hours=-3), closes_in=dt.timedelta(hours=-1),
                       candidates=("cand1", "cand2", "cand3"))
    t0 = utcnow() - dt.timedelta(hours=2, minutes=50)
    ids = {"theory1": sit_theory(engine, sid, users["cand1"], t0, correct=True),
           "typing1": sit_typing(engine, sid, users["cand1"], t0, chars=80),
           "practical1": sit_practical(engine, sid, users["cand1"], t0),
           "theory2": sit_theory(engine, sid, users["cand2"], t0, correct=False)}
    return sid, t0, ids


# ---------------------------------------------------------------- the table

def test_the_table_reads_every_part_and_the_overall_verdict(engine, finished):
    sid, _, ids = finished
    table = table_of(engine, sid)
    assert table.ended and len(table.rows) == 3
    one, two, three = (row_of(table, u) for u in ("cand1", "cand2", "cand3"))

    assert one.theory.state == results.DONE and one.theory.score == standard.FULL_MARKS and one.theory.passed
    assert one.typing.state == results.DONE and one.typing.passed and one.typing.net_cpm == pytest.approx(80)
    assert one.practical.state == results.DONE and one.practical.attempt_id == ids["practical1"]
    assert one.overall == standard.overall_passed(one.theory.passed, one.practical.passed, one.typing.passed)
    assert one.overall == (one.practical.score >= standard.PRACTICAL_PASS_MARK)

    blank_short = short_slots(engine, ids["theory2"])
    assert two.theory.state == results.DONE and two.theory.passed is False
    assert two.theory.score == sum((Fraction(p) for _, p in blank_short), Fraction(0))
    assert two.typing.state == results.ABSENT and two.practical.state == results.ABSENT
    assert two.overall is False and not two.absent and "打字测试缺考" in two.notes

    assert three.absent and three.overall is False and three.notes == ["缺考"]
    assert three.ticket_number  # every enrolment has its ticket
    assert table.publish_problems == []

    rates = {r.name: r for r in table.rates()}
    assert rates["理论考试"].decided == 2 and rates["理论考试"].passed == 1  # the absentee is left out
    assert rates["总体（取证）"].decided == 2


def test_during_the_window_parts_are_open_or_not_started_and_pending_marks_block(engine, users, make_session):
    sid = make_session(candidates=("cand1", "cand2"))
    t0 = utcnow() - dt.timedelta(minutes=3)
    aid = sit_theory(engine, sid, users["cand1"], t0, correct=True, mark_short=False)
    typing.start(engine, sid, users["cand1"], t0, random.Random(3))
    table = table_of(engine, sid)
    one, two = row_of(table, "cand1"), row_of(table, "cand2")
    assert two.theory.state == results.NOT_STARTED and two.theory.passed is None and two.overall is None
    assert one.typing.state == results.IN_PROGRESS and one.overall is None
    if short_slots(engine, aid):
        assert one.theory.state == results.PENDING
        assert any("简答题待评分" in p for p in one.problems)
    problems = table.publish_problems
    assert problems[0].startswith("本场考试尚未结束")
    assert any(p.startswith(one.who) and "打字测试尚未提交" in p for p in problems)


def test_the_read_model_costs_the_same_queries_for_3_or_30_candidates(engine, users, finished):
    sid, t0, _ = finished
    statements = []

    def count(*_args, **_kw):
        statements.append(1)

    def queries():
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        try:
            table_of(engine, sid)
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    with write_session(engine) as db:
        extra = [accounts.create_user(db, f"bulk{i:02d}", PASSWORD, "candidate", f"考生{i}").id for i in range(27)]
        sessions.enrol(db, sid, extra)
    for cid in extra[:5]:
        sit_theory(engine, sid, cid, t0, correct=True, mark_short=False)
        sit_typing(engine, sid, cid, t0, chars=30)
    assert len(table_of(engine, sid).rows) == 30
    assert queries() == few <= 10


# ---------------------------------------------------------------- publication

def test_publication_refuses_with_reasons_then_publishes_once_audited_and_notified(engine, users, make_session):
    sid = make_session(opens_in=dt.timedelta(hours=-3), closes_in=dt.timedelta(hours=-1), candidates=("cand1", "cand2"))
    t0 = utcnow() - dt.timedelta(hours=2, minutes=50)
    sit_theory(engine, sid, users["cand1"], t0, correct=True)
    sit_typing(engine, sid, users["cand1"], t0, chars=80)
    p1 = sit_practical(engine, sid, users["cand1"], t0, mark=False)
    now = utcnow()

    early = publication.publish(engine, sid, t0 + dt.timedelta(minutes=10), actor_id=users["examiner"])
    assert not early.published and early.reasons[0].startswith("本场考试尚未结束")
    refused = publication.publish(engine, sid, now, actor_id=users["examiner"])
    ticket = row_of(table_of(engine, sid), "cand1").ticket_number
    assert not refused.published and any(ticket in r and "待考评员评分" in r for r in refused.reasons)
    assert audit(engine, "results.publish", sid) == [] and notifications(engine) == []

    mark_practical(engine, sid, p1, now)
    done = publication.publish(engine, sid, now, actor_id=users["examiner"])
    assert done.published and not done.already and done.reasons == []
    with Session(engine) as db:
        s = db.get(ExamSession, sid)
        assert s.results_published_at is not None
    (entry,) = audit(engine, "results.publish", sid)
    assert entry.actor_id == users["examiner"] and entry.detail["notified"] == 2 and entry.detail["scheduled"] is False
    assert len(audit(engine, "practical.publish", sid)) == 1
    sent = notifications(engine)
    assert sorted(n.user_id for n in sent) == sorted([users["cand1"], users["cand2"]])
    by_user = {n.user_id: n for n in sent}
    assert by_user[users["cand2"]].link == publication.CANDIDATE_HOME  # sat nothing: their exam list
    assert by_user[users["cand1"]].link.startswith("/candidate/attempts/")

    again = publication.publish(engine, sid, now + dt.timedelta(hours=1), actor_id=None)
    assert again.published and again.already
    assert len(audit(engine, "results.publish", sid)) == 1 and len(notifications(engine)) == 2
    assert chain.verify(engine).ok


def test_a_voided_attempt_fails_its_part_and_needs_no_marking(engine, users, make_session):
    from exam.proctoring import actions
    sid = make_session(opens_in=dt.timedelta(hours=-3), closes_in=dt.timedelta(hours=-1), candidates=("cand1",))
    t0 = utcnow() - dt.timedelta(hours=2, minutes=50)
    sit_theory(engine, sid, users["cand1"], t0, correct=True)
    sit_typing(engine, sid, users["cand1"], t0, chars=80)
    p1 = sit_practical(engine, sid, users["cand1"], t0, mark=False)
    assert table_of(engine, sid).publish_problems
    actions.void(engine, "practical", p1, "考试中使用手机", users["examiner"], t0 + dt.timedelta(minutes=20), sid)
    one = row_of(table_of(engine, sid), "cand1")
    assert one.practical.state == results.VOID and one.overall is False and "实操考核作废" in one.notes
    assert publication.publish(engine, sid, utcnow(), actor_id=users["examiner"]).published


def test_two_publications_at_once_publish_once(engine, finished):
    sid, _, _ = finished
    outcomes, barrier = [], threading.Barrier(2)

    def go():
        barrier.wait()
        outcomes.append(publication.publish(engine, sid, utcnow(), actor_id=None))

    threads = [threading.Thread(target=go) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(o.published for o in outcomes) and sorted(o.already for o in outcomes) == [False, True]
    assert len(audit(engine, "results.publish", sid)) == 1 and len(notifications(engine)) == 3


def test_withdrawn_results_can_be_published_again_without_notifying_twice(engine, users, finished):
    sid, _, _ = finished
    now = utcnow()
    assert publication.publish(engine, sid, now, actor_id=users["examiner"]).published
    with write_session(engine) as db:  # as the scheduler would have marked a timed publication
        db.add(SessionEvent(session_id=sid, code="publish", done_at=now))
    assert publication.unpublish(engine, sid, "第 3 题评分有误", users["examiner"])
    assert not publication.unpublish(engine, sid, "再撤一次", users["examiner"])
    with Session(engine) as db:
        assert db.get(ExamSession, sid).results_published_at is None
        assert db.exec(select(SessionEvent).where(SessionEvent.session_id == sid)).all() == []
    (entry,) = audit(engine, "results.unpublish", sid)
    assert entry.detail["reason"] == "第 3 题评分有误"
    assert publication.publish(engine, sid, now, actor_id=users["examiner"]).published
    assert len(audit(engine, "results.publish", sid)) == 2 and len(notifications(engine)) == 3


def test_withdrawing_returns_every_part_to_where_it_stood_before_publication(client, engine, users, finished):
    """Issue 18.3: one publication path, so a withdrawal hides the same for every part — under the
    "immediate" release the practical (marked by examiners) again, under "published" everything."""
    sid, _, ids = finished
    pages = {"theory": f"/candidate/attempts/{ids['theory1']}/result",
             "typing": f"/candidate/typing/{ids['typing1']}/result",
             "practical": f"/candidate/practical/{ids['practical1']}/result"}
    shows = {"theory": 'id="score"', "typing": "逐字比对", "practical": "总分"}

    def shown() -> dict[str, bool]:
        login(client, "cand1")
        return {part: shows[part] in client.get(page).get_data(as_text=True) for part, page in pages.items()}

    before = shown()
    assert before == {"theory": True, "typing": True, "practical": False}
    assert publication.publish(engine, sid, utcnow(), actor_id=users["examiner"]).published
    assert shown() == {"theory": True, "typing": True, "practical": True}
    assert publication.unpublish(engine, sid, "实操第 2 题评分有误", users["examiner"])
    assert shown() == before
    with Session(engine) as db:
        s = db.get(ExamSession, sid)
        assert s.results_published_at is None
    assert publication.schedule(engine, sid, "published", None, utcnow(), users["examiner"], "Asia/Shanghai") == []
    assert shown() == {"theory": False, "typing": False, "practical": False}
    assert publication.publish(engine, sid, utcnow(), actor_id=users["examiner"]).published
    assert shown() == {"theory": True, "typing": True, "practical": True}


# ---------------------------------------------------------------- the examiner's pages

def test_results_page_shows_the_table_and_draws_the_charts(client, engine, finished):
    sid, _, _ = finished
    login(client, "examiner")
    html = client.get(f"/examiner/sessions/{sid}/results").get_data(as_text=True)
    assert "成绩汇总" in html and 'id="session-results"' in html
    assert html.count('data-candidate="') == 3 and "缺考" in html
    assert html.count("<svg") == 3 and "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    table = table_of(engine, sid)
    svgs = {root.get("class"): root for root in (ET.fromstring(m) for m in re.findall(r"<svg.*?</svg>", html, re.S))}
    for css, part in (("chart-theory", "theory"), ("chart-practical", "practical")):
        (root,) = [r for c, r in svgs.items() if css in c.split()]
        counts = [int(r.get("data-count")) for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]
        assert sum(counts) == len(table.scores(part)) and root.get("role") == "img"
    (rates,) = [r for c, r in svgs.items() if "chart-rates" in c.split()]
    bars = [(int(r.get("data-passed")), int(r.get("data-decided"))) for r in rates.iter(f"{SVG}rect")
            if r.get("class") == "rate-bar"]
    assert bars == [(r.passed, r.decided) for r in table.rates()]
    assert "合格率" in html and "data-decided=" in html


def test_export_xlsx_and_csv_hold_the_table(client, engine, finished):
    sid, _, _ = finished
    login(client, "examiner")
    resp = client.get(f"/examiner/sessions/{sid}/results/export.xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(resp.data))
    ws = wb["成绩汇总"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:6] == ("准考证号", "姓名", "身份证号", "工作单位", "考场座位", "理论成绩")
    assert "用户名" not in rows[0] and {"证书编号", "实操·打字得分", "实操·任务1", "打字准确率（%）"} <= set(rows[0])
    by_user = {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}
    assert set(by_user) == {"cand1", "cand2", "cand3"}
    table = table_of(engine, sid)
    one = row_of(table, "cand1")
    # every exported cell is text (exam.tabular, OWASP CSV injection), a number as the CSV writes it
    assert float(by_user["cand1"]["理论成绩"]) == pytest.approx(float(one.theory.score), abs=0.01)
    assert isinstance(by_user["cand1"]["理论成绩"], str)
    assert by_user["cand1"]["理论结论"] == "合格" and by_user["cand1"]["打字结论"] == "达标"
    assert by_user["cand1"]["总体结论"] == ("合格" if one.overall else "不合格")
    tasks = [k for k in rows[0] if k.startswith("实操·任务")]
    assert len(tasks) == len(one.practical_tasks) and sum(
        Fraction(by_user["cand1"][k]) for k in tasks + ["实操·打字得分"]) == pytest.approx(float(one.practical.score), abs=0.05)
    three = by_user["cand3"]
    assert three["理论成绩"] is None and three["总体结论"] == "不合格" and three["备注"] == "缺考"
    assert str(standard.THEORY_PASS_MARK) in dict(wb["说明"].iter_rows(min_row=2, values_only=True))["合格规则"]

    resp = client.get(f"/examiner/sessions/{sid}/results/export.csv")
    assert resp.data.startswith(b"\xef\xbb\xbf")
    lines = resp.data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("准考证号,姓名") and len(lines) == 4
    by_csv = {r[1]: r for r in csv.reader(lines[1:])}
    for name in by_user:                                       # CSV and XLSX say the same, cell by cell
        assert by_csv[name] == [v or "" for v in by_user[name].values()]
    assert client.get(f"/examiner/sessions/{sid}/results/export.pdf").status_code == 404

    login(client, "cand1")
    assert client.get(f"/examiner/sessions/{sid}/results/export.xlsx").status_code == 403


def test_examiner_publishes_through_the_page_and_candidates_then_see_scores(client, engine, users, make_session):
    sid = make_session(opens_in=dt.timedelta(hours=-3), closes_in=dt.timedelta(hours=-1), candidates=("cand1",))
    with write_session(engine) as db:
        db.get(ExamSession, sid).results_release = "published"
    t0 = utcnow() - dt.timedelta(hours=2, minutes=50)
    theory_id = sit_theory(engine, sid, users["cand1"], t0, correct=True)
    typing_id = sit_typing(engine, sid, users["cand1"], t0, chars=80)
    practical_id = sit_practical(engine, sid, users["cand1"], t0)

    login(client, "cand1")
    pages = {"theory": f"/candidate/attempts/{theory_id}/result", "typing": f"/candidate/typing/{typing_id}/result",
             "practical": f"/candidate/practical/{practical_id}/result"}
    for page in pages.values():
        html = client.get(page).get_data(as_text=True)
        assert 'id="results-hold"' in html and "成绩尚未公布" in html, page
    assert 'id="score"' not in client.get(pages["theory"]).get_data(as_text=True)
    assert "逐字比对" not in client.get(pages["typing"]).get_data(as_text=True)
    home = client.get("/candidate").get_data(as_text=True)
    assert "字/分" not in home and "已提交" in home and "成绩待公布" in home

    login(client, "examiner")
    token = csrf_token(client, f"/examiner/sessions/{sid}/results")
    assert client.post(f"/examiner/sessions/{sid}/results/publish").status_code == 400  # no CSRF token
    resp = client.post(f"/examiner/sessions/{sid}/results/publish", data={"csrf_token": token})
    assert resp.status_code == 302                                   # not confirmed: nothing published
    assert "勾选“确认发布”" in client.get(resp.location).get_data(as_text=True)
    with Session(engine) as db:
        assert db.get(ExamSession, sid).results_published_at is None
    assert "将发布：报名 1 人，实考 1 人，缺考 0 人" in client.get(f"/examiner/sessions/{sid}/results").get_data(as_text=True)
    resp = client.post(f"/examiner/sessions/{sid}/results/publish", data={"csrf_token": token, "confirm": "y"})
    assert resp.status_code == 302
    assert "成绩已发布" in client.get(resp.location).get_data(as_text=True)

    login(client, "cand1")
    html = client.get(pages["theory"]).get_data(as_text=True)
    assert 'id="results-hold"' not in html and 'id="score"' in html
    assert "逐字比对" in client.get(pages["typing"]).get_data(as_text=True)
    assert "总分" in client.get(pages["practical"]).get_data(as_text=True)
    assert "字/分" in client.get("/candidate").get_data(as_text=True)
    notes = client.get("/notifications").get_data(as_text=True)
    assert "成绩已公布" in notes and pages["theory"] in notes


def test_scores_show_at_once_under_the_immediate_release(client, engine, users, finished):
    sid, _, ids = finished
    login(client, "cand1")
    html = client.get(f"/candidate/attempts/{ids['theory1']}/result").get_data(as_text=True)
    assert 'id="score"' in html and 'id="results-hold"' not in html


def test_examiner_sets_a_publication_time_and_the_timed_run_publishes(client, engine, users, make_session, app):
    sid = make_session(opens_in=dt.timedelta(hours=-3), closes_in=dt.timedelta(hours=-1), candidates=("cand1",))
    login(client, "examiner")
    token = csrf_token(client, f"/examiner/sessions/{sid}/results")
    url = f"/examiner/sessions/{sid}/results/schedule"
    from exam.timeutil import to_local
    tz = app.config["TIMEZONE"]
    past = to_local(utcnow() - dt.timedelta(hours=2), tz).strftime("%Y-%m-%dT%H:%M")
    html = client.post(url, data={"csrf_token": token, "results_release": "published", "publish_at": past},
                       follow_redirects=True).get_data(as_text=True)
    assert "定时发布时间：应晚于现在" in html
    with Session(engine) as db:
        assert db.get(ExamSession, sid).results_publish_at is None
    html = client.post(url, data={"csrf_token": token, "results_release": "sometimes", "publish_at": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "发布设置未保存：成绩显示方式：请从列表中选择" in html
    html = client.post(url, data={"csrf_token": token, "results_release": "published", "publish_at": "明天"},
                       follow_redirects=True).get_data(as_text=True)
    assert "定时发布时间：时间格式应为" in html
    ends = to_local(utcnow() + dt.timedelta(minutes=30), tz).strftime("%Y-%m-%dT%H:%M")
    with write_session(engine) as db:
        db.get(ExamSession, sid).closes_at = utcnow() + dt.timedelta(hours=2)
    html = client.post(url, data={"csrf_token": token, "results_release": "published", "publish_at": ends},
                       follow_redirects=True).get_data(as_text=True)
    assert "定时发布时间：应不早于考试结束时间" in html
    with write_session(engine) as db:
        db.get(ExamSession, sid).closes_at = utcnow() - dt.timedelta(hours=1)

    when = (utcnow() + dt.timedelta(hours=1)).replace(second=0, microsecond=0)
    local = to_local(when, tz).strftime("%Y-%m-%dT%H:%M")
    html = client.post(url, data={"csrf_token": token, "results_release": "published", "publish_at": local},
                       follow_redirects=True).get_data(as_text=True)
    assert "自动发布" in html and "发布前考生看不到成绩" in html
    with Session(engine) as db:
        s = db.get(ExamSession, sid)
        assert s.results_release == "published" and s.results_publish_at == when
    (entry,) = audit(engine, "results.schedule", sid)
    assert entry.actor_id == users["examiner"] and entry.detail["after"]["release"] == "published"

    outcome = publication.publish(engine, sid, when, actor_id=None)  # what the scheduler's step calls
    assert outcome.published
    (entry,) = audit(engine, "results.publish", sid)
    assert entry.actor_id is None and entry.detail["scheduled"] is True
    html = client.post(url, data={"csrf_token": token, "results_release": "immediate", "publish_at": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert "成绩已发布，如需更改请先撤回发布" in html


def test_only_examiners_reach_the_results_pages(client, finished):
    sid, _, _ = finished
    for who in ("cand1", "trainer"):
        login(client, who)
        assert client.get(f"/examiner/sessions/{sid}/results").status_code == 403
        token = csrf_token(client, "/no-such-page")
        assert client.post(f"/examiner/sessions/{sid}/results/publish", data={"csrf_token": token}).status_code == 403
    login(client, "examiner")
    assert client.get("/examiner/sessions/999999/results").status_code == 404


def test_a_candidate_named_like_a_formula_is_exported_as_text(client, engine, finished):
    """Issue 17.6 through the examiner's download: a name that a spreadsheet would run is written as
    text in the XLSX (no formula element anywhere in the sheet) and neutralised in the CSV."""
    import zipfile

    from sqlalchemy import update

    from exam.accounts.models import User
    from exam.db import write_connection
    sid, _, _ = finished
    attack = "=HYPERLINK(\"http://evil.example\",\"点我\")"
    with write_connection(engine) as conn:
        conn.execute(update(User.__table__).where(User.__table__.c.username == "cand2").values(display_name=attack))
    login(client, "examiner")
    data = client.get(f"/examiner/sessions/{sid}/results/export.xlsx").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    names = [r[1] for r in load_workbook(io.BytesIO(data))["成绩汇总"].iter_rows(min_row=2, values_only=True)]
    assert "'" + attack in names
    text = client.get(f"/examiner/sessions/{sid}/results/export.csv").data.decode("utf-8-sig")
    assert [r[1] for r in csv.reader(text.splitlines()[1:]) if r[1].startswith("'=")] == ["'" + attack]


def test_export_carries_what_hr_and_the_certifying_body_file_and_whole_ids_only_by_permission(client, engine, users,
                                                                                              finished):
    from certificates.models import Certificate
    from exam.accounts.models import CandidateProfile
    from exam.audit.models import AuditEvent
    from exam.sessions.models import Enrollment, Room
    from sqlmodel import Session, select
    from tests.integration.rosters import ident

    sid, _, _ = finished
    whole = ident(21)
    with write_session(engine) as db:
        db.add(CandidateProfile(user_id=users["cand1"], id_number=whole, employer="华东呼叫中心"))
        room = Room(name="第9考场", location="二楼", seats=30)
        db.add(room)
        db.flush()
        enrolment = db.exec(select(Enrollment).where(Enrollment.session_id == sid,
                                                     Enrollment.candidate_id == users["cand1"])).one()
        enrolment.room_id, enrolment.seat_no = room.id, 7
        db.add(Certificate(number="HJ-2026-000123", candidate_id=users["cand1"], level="junior", session_id=sid,
                           holder_name="cand1", id_masked=whole[:6] + "********" + whole[-4:], theory_score="100",
                           practical_score="80", typing_cpm="80", issued_on=dt.date(2026, 12, 7),
                           expires_on=dt.date(2029, 12, 7), issuer="测试中心"))
    login(client, "examiner")

    def sheet(query=""):
        resp = client.get(f"/examiner/sessions/{sid}/results/export.xlsx{query}")
        assert resp.status_code == 200
        rows = list(load_workbook(io.BytesIO(resp.data))["成绩汇总"].iter_rows(values_only=True))
        return {r[1]: dict(zip(rows[0], r)) for r in rows[1:]}

    def csv_ids(query=""):
        resp = client.get(f"/examiner/sessions/{sid}/results/export.csv{query}")
        assert resp.status_code == 200
        rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
        return {r["姓名"]: r["身份证号"] for r in rows}

    def events(action):
        with Session(engine) as db:
            return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))

    masked = whole[:6] + "********" + whole[-4:]
    one = sheet()["cand1"]
    assert one["身份证号"] == masked and one["工作单位"] == "华东呼叫中心"
    assert one["考场座位"] == "第9考场 7 号" and one["证书编号"] == "HJ-2026-000123"
    assert one["打字速度（字/分）"] == "80" and one["打字准确率（%）"] is not None
    assert csv_ids()["cand1"] == masked
    # an examiner of the session: masked only — the page offers no whole-ID export, and a crafted
    # ?id=full is refused 403 on both doors (not quietly masked), each refusal on the record
    page = client.get(f"/examiner/sessions/{sid}/results").get_data(as_text=True)
    assert "id=full" not in page and "仅限考务主管导出" in page
    for fmt in ("xlsx", "csv"):
        resp = client.get(f"/examiner/sessions/{sid}/results/export.{fmt}?id=full")
        assert resp.status_code == 403 and "完整身份证号仅限考务主管导出" in resp.get_data(as_text=True)
        assert whole.encode() not in resp.data
    assert events("results.export_full_id") == []
    refused = events("results.export_full_id_refused")
    assert [(e.actor_id, e.subject_id, e.detail["format"]) for e in refused] == [
        (users["examiner"], sid, "xlsx"), (users["examiner"], sid, "csv")]
    # the 考务主管: offered on the page, whole IDs on both doors, each export audited
    login(client, "chief")
    page = client.get(f"/examiner/sessions/{sid}/results").get_data(as_text=True)
    assert "export.xlsx?id=full" in page and "仅限考务主管导出" not in page
    assert sheet("?id=full")["cand1"]["身份证号"] == whole
    assert csv_ids("?id=full")["cand1"] == whole
    assert [(e.actor_id, e.subject_id, e.detail["format"]) for e in events("results.export_full_id")] == [
        (users["chief"], sid, "xlsx"), (users["chief"], sid, "csv")]
    # an installation may widen it (RESULTS_FULL_ID_ROLES), still audited
    client.application.config["RESULTS_FULL_ID_ROLES"] = ("examiner", "chief")
    login(client, "examiner")
    assert csv_ids("?id=full")["cand1"] == whole
    assert events("results.export_full_id")[-1].actor_id == users["examiner"]
