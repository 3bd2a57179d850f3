"""The session results read model's rules without a database: each part's state and verdict, the overall
(certificate) verdict, notes, publication problems, pass rates and the export rows (the release rule: test_results_visibility.py)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from fractions import Fraction

from openpyxl import load_workbook

from exam import standard
from exam.delivery.models import Attempt
from exam.sessions.results import table as results
from exam.sessions.results import export as results_export
from exam.sessions.models import ExamSession
from practical.models import PracticalAttempt
from practical.results import Breakdown
from typing_test.models import TypingAttempt

UTC = dt.timezone.utc
T0 = dt.datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
PASS, FAIL = standard.THEORY_PASS_MARK, standard.THEORY_PASS_MARK - 1


def theory(status="submitted", score=None, passed=None, reason="candidate"):
    return Attempt(id=11, session_id=1, candidate_id=5, deadline=T0, status=status, score=score, passed=passed,
                   submit_reason=None if status == "open" else reason)


def typed(status="submitted", passed=True, cpm=62.5, accuracy=0.98, reason="candidate"):
    return TypingAttempt(id=12, session_id=1, candidate_id=5, passage_id=1, reference="", deadline=T0, status=status,
                         passed=passed, net_cpm=cpm, accuracy=accuracy, submit_reason=reason)


def breakdown(status="submitted", problems=(), points=Fraction(70), reason="candidate"):
    attempt = PracticalAttempt(id=13, session_id=1, candidate_id=5, ticket="S1", deadline=T0, status=status,
                               submit_reason=reason)
    return Breakdown(attempt, None, points, 10, [], list(problems))


def done(score: int | None = None, passed=True):
    return results.Part(results.DONE, 1, Fraction(score) if score is not None else None, passed)


def row(theory_part, practical_part, typing_part, published=True, ticket="20250301001"):
    return results.ResultRow(1, 5, "cand1", "张三", ticket, theory_part, practical_part, typing_part, published)


def test_theory_states():
    assert results._theory(None, 0, closed=False).state == results.NOT_STARTED
    absent = results._theory(None, 0, closed=True)
    assert absent.state == results.ABSENT and absent.passed is False
    assert results._theory(theory("open"), 0, False).problems == ("理论考试尚未交卷",)
    pending = results._theory(theory(score=55.0, passed=None), 2, True)
    assert pending.state == results.PENDING and pending.score == 55 and "2 道简答题待评分" in pending.problems[0]
    graded = results._theory(theory(score=72.5, passed=True), 0, True)
    assert graded.state == results.DONE and graded.score == Fraction(145, 2) and graded.passed is True
    void = results._theory(theory("void", reason="void"), 0, True)
    assert void.state == results.VOID and void.passed is False and not void.problems


def test_typing_and_practical_states():
    assert results._typing(typed("open", reason=None), True).problems == (results.TYPING_OPEN_PROBLEM,)
    t = results._typing(typed(), True)
    assert t.state == results.DONE and t.passed and t.net_cpm == 62.5 and t.accuracy == 0.98
    assert results._typing(typed("void", reason="void"), True).state == results.VOID
    p = results._practical(breakdown(), True)
    assert p.state == results.DONE and p.score == 70 and p.passed is standard.practical_passed(70)
    waiting = results._practical(breakdown(problems=["第 2 题（投诉处理）待考评员评分"]), True)
    assert waiting.state == results.PENDING and waiting.problems == ("实操考核第 2 题（投诉处理）待考评员评分",)
    voided = results._practical(breakdown("void", problems=["第 1 题（x）待考评员评分"], reason="void"), True)
    assert voided.state == results.VOID and not voided.problems


def test_overall_follows_the_standard():
    assert row(done(PASS), done(PASS), done()).overall is True
    assert row(done(FAIL, False), done(90), done()).overall is False
    assert row(done(90), done(90), done(passed=False)).overall is False
    pending = results.Part(results.PENDING, 1, Fraction(50), problems=("x",))
    assert row(pending, done(90), done()).overall is None
    assert row(pending, done(90), done(passed=False)).overall is False  # a failed part decides whatever is pending


def test_notes_and_problems_are_said_once_per_candidate():
    absent = results.Part(results.ABSENT, passed=False)
    assert row(absent, absent, absent).notes == ["缺考"] and row(absent, absent, absent).absent
    typing_open = results.Part(results.IN_PROGRESS, 2, problems=(results.TYPING_OPEN_PROBLEM,))
    practical_waiting = results.Part(results.PENDING, 3, problems=(results.TYPING_OPEN_PROBLEM, "实操考核第 1 题待评分"))
    r = row(done(80), practical_waiting, typing_open, published=False)
    assert r.problems == [results.TYPING_OPEN_PROBLEM, "实操考核第 1 题待评分"]
    assert r.notes == ["实操考核待评分", "打字测试作答中"]
    assert row(done(80), done(80), done(), published=False).notes == ["实操成绩未发布"]
    assert "准考证号 20250301001" in r.who and "未分配" in row(done(), done(), done(), ticket=None).who


def _session(**kw):
    values = dict(id=1, name="2025 年 3 月 初级", level="junior", opens_at=T0, closes_at=T0 + dt.timedelta(hours=2),
                  duration_minutes=90, item_count=20)
    values.update(kw)
    return ExamSession(**values)


def test_publish_problems_and_rates():
    absent = results.Part(results.ABSENT, passed=False)
    rows = [row(done(80), done(70), done()), row(done(40, False), absent, absent),
            row(absent, absent, absent),
            row(results.Part(results.PENDING, 1, problems=("理论考试有 1 道简答题待评分",)), done(65), done())]
    table = results.Table(_session(), rows, ended=True)
    assert table.publish_problems == [rows[3].who + "：理论考试有 1 道简答题待评分"]
    rates = {r.name: (r.passed, r.decided) for r in table.rates()}
    assert rates == {"理论考试": (1, 2), "实操考核": (2, 2), "打字测试": (2, 2), "总体（取证）": (1, 2)}
    assert table.scores("theory") == [80, 40] and table.scores("practical") == [70, 65]
    early = results.Table(_session(), [], ended=False, problems_before_end=["本场考试尚未结束"])
    assert early.publish_problems == ["本场考试尚未结束"]


def test_export_cells_are_text_the_same_in_csv_and_xlsx_and_files_open():
    absent = results.Part(results.ABSENT, passed=False)
    t = results.Part(results.DONE, 2, passed=True, net_cpm=61.26, accuracy=0.9712)
    rows = [row(done(Fraction(145, 2)), done(70), t), row(absent, absent, absent, ticket="20250301002")]
    table = results.Table(_session(name='初级/第"1"场'), rows, ended=True)
    values = results_export.row_values(rows[0], 0)
    assert values[5] == 72.5 and values[6] == "合格" and values[10] == 61.3 and values[11] == 97.1
    assert values[12] == "达标" and values[13] == "合格"
    assert results_export.row_values(rows[1], 0)[5:] == [None, "缺考", None, "缺考", None, None, None, "缺考", "不合格",
                                                         "", "缺考"]

    wb = load_workbook(io.BytesIO(results_export.to_xlsx(table, T0, "Asia/Shanghai")))
    sheet = list(wb[results_export.SHEET_RESULTS].iter_rows(values_only=True))
    # every cell text (exam.tabular: no formula can hide in a name), the same text as the CSV's
    assert sheet[0] == results_export.columns(table) and sheet[1][5] == "72.5" and len(sheet) == 3
    notes = dict(wb[results_export.SHEET_NOTES].iter_rows(min_row=2, values_only=True))
    assert notes["等级"] == standard.level("junior").name and "2025-03-01 09:00" in notes["理论考试时间"]

    data = results_export.to_csv(table)
    assert data.startswith(b"\xef\xbb\xbf")
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert parsed[0] == list(results_export.columns(table)) and parsed[2][5] == ""
    assert parsed[1] == [v or "" for v in sheet[1]]  # CSV and XLSX agree cell by cell (61.3, not 61.30)

    name = results_export.filename(table, "xlsx")
    assert name == "初级_第_1_场-成绩汇总.xlsx"
    header = results_export.content_disposition(name, "session-1-results.xlsx")
    assert header.startswith('attachment; filename="session-1-results.xlsx"; filename*=UTF-8\'\'')
    assert "%E6%88%90%E7%BB%A9" in header  # 成绩, percent-encoded
