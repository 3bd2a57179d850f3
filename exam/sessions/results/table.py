"""A session's results as one table: per enrolled candidate the theory, practical and typing outcome,
the overall (certificate) verdict and what is still missing.

The examiner's results page, its XLSX/CSV export, its charts and the publication's checks all read
this one model, so what the examiner sees, downloads and publishes cannot disagree. It costs a fixed
number of queries whatever the number of candidates (one per table), never one per candidate.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import func
from sqlmodel import Session, select

from exam import parts, standard
from exam.accounts.models import CandidateProfile, User
from certificates.models import Certificate
from exam.delivery.models import OPEN, Answer, Attempt, ManualMark, PaperSlot
from exam.sessions.models import Enrollment, ExamSession, Room
from exam.sessions.results import visibility
from exam.sessions.results.charts import RateBar as Rate
from practical import results as practical_results
from practical.models import OPEN as PRACTICAL_OPEN
from practical.results import VOID_REASON
from typing_test.models import OPEN as TYPING_OPEN
from typing_test.models import REVIEW_PENDING as TYPING_REVIEW_PENDING
from typing_test.models import TypingAttempt

# A part's state for one candidate.
NOT_STARTED, ABSENT, IN_PROGRESS, PENDING, DONE, VOID = "not_started", "absent", "open", "pending", "done", "void"
STATE_NAMES = {NOT_STARTED: "未参加", ABSENT: "缺考", IN_PROGRESS: "作答中", PENDING: "待评分", DONE: "已完成",
               VOID: "作废"}
TYPING_OPEN_PROBLEM = "打字测试尚未提交"  # the practical breakdown says the same; said once per candidate
TYPING_REVIEW_PROBLEM = "打字测试待核查，考评员确认前不计分"  # likewise (practical.results)


@dataclass(frozen=True)
class Part:
    """One candidate's outcome in one part. ``score`` is out of full marks (theory, practical);
    ``passed`` None while undecided; ``problems`` what must happen before it is final."""

    state: str
    attempt_id: int | None = None
    score: Fraction | None = None
    passed: bool | None = None
    net_cpm: float | None = None      # typing only
    accuracy: float | None = None     # typing only, 0…1
    problems: tuple[str, ...] = ()

    @property
    def state_name(self) -> str:
        return STATE_NAMES[self.state]


@dataclass(frozen=True)
class ResultRow:
    enrollment_id: int
    candidate_id: int
    username: str
    name: str
    ticket_number: str | None
    theory: Part
    practical: Part
    typing: Part
    practical_published: bool
    # What HR and the 认定 body file beside the scores (the export): who, where, which certificate,
    # the practical per task. The ID number is whole here; the export masks it unless asked.
    id_number: str = ""
    employer: str = ""
    seat: str = ""
    certificate_number: str = ""
    practical_tasks: tuple = ()        # practical.results.TaskLine per task, in paper order
    typing_points: Fraction | None = None

    @property
    def overall(self) -> bool | None:
        return standard.overall_passed(self.theory.passed, self.practical.passed, self.typing.passed)

    @property
    def absent(self) -> bool:
        return all(p.state == ABSENT for p in (self.theory, self.practical, self.typing))

    @property
    def void(self) -> bool:
        return any(p.state == VOID for p in (self.theory, self.practical, self.typing))

    @property
    def problems(self) -> list[str]:
        return list(dict.fromkeys(self.theory.problems + self.typing.problems + self.practical.problems))

    @property
    def notes(self) -> list[str]:
        """Short status notes for the table: absent, voided, pending, unpublished."""
        if self.absent:
            return ["缺考"]
        notes = [f"{parts.get(name).name}{part.state_name}" for name, part in self.parts()
                 if part.state in (ABSENT, IN_PROGRESS, PENDING, VOID)]
        if self.practical.state == DONE and not self.practical_published:
            notes.append("实操成绩未发布")
        return notes

    def parts(self) -> list[tuple[str, Part]]:
        return [("theory", self.theory), ("practical", self.practical), ("typing", self.typing)]

    @property
    def who(self) -> str:
        return f"{self.name}（准考证号 {self.ticket_number or '未分配'}）"


@dataclass(frozen=True)
class Table:
    exam_session: ExamSession
    rows: list[ResultRow]
    ended: bool  # both windows are closed
    problems_before_end: list[str] = field(default_factory=list)

    @property
    def publish_problems(self) -> list[str]:
        """Why the results cannot be published yet, one Chinese sentence per candidate."""
        reasons = list(self.problems_before_end)
        reasons += [f"{r.who}：{'；'.join(r.problems)}" for r in self.rows if r.problems]
        return reasons

    def scores(self, part: str) -> list[Fraction]:
        return [getattr(r, part).score for r in self.rows
                if getattr(r, part).state == DONE and getattr(r, part).score is not None]

    def rates(self) -> list[Rate]:
        """Pass rates per part and overall, among candidates with a verdict; absentees are left out."""
        present = [r for r in self.rows if not r.absent]
        out = []
        for name in ("theory", "practical", "typing"):
            verdicts = [getattr(r, name).passed for r in present if getattr(r, name).state != ABSENT]
            out.append(_rate(parts.get(name).name, verdicts))
        out.append(_rate("总体（取证）", [r.overall for r in present]))
        return out


def _rate(name: str, verdicts: list[bool | None]) -> Rate:
    decided = [v for v in verdicts if v is not None]
    return Rate(name, sum(decided), len(decided))


def session_table(db: Session, exam_session: ExamSession, now: dt.datetime) -> Table:
    """A fixed number of statements (ten on both databases, tests/integration/test_results.py counts
    them): enrolments with users, theory attempts, unmarked short answers, typing attempts, and the
    practical breakdowns (the session, attempts, typing attempts, tasks)."""
    sid = exam_session.id
    enrolled = db.exec(select(Enrollment.id, Enrollment.ticket_number, User.id, User.username, User.display_name,
                              CandidateProfile.id_number, CandidateProfile.employer, Room.name, Enrollment.seat_no)
                       .join(User, User.id == Enrollment.candidate_id)
                       .outerjoin(CandidateProfile, CandidateProfile.user_id == User.id)
                       .outerjoin(Room, Room.id == Enrollment.room_id)
                       .where(Enrollment.session_id == sid)).all()
    certificates = {cid: number for cid, number in db.exec(
        select(Certificate.candidate_id, Certificate.number)
        .where(Certificate.session_id == sid, Certificate.revoked_at.is_(None)).order_by(Certificate.revision))}
    theory = {a.candidate_id: a for a in db.exec(select(Attempt).where(Attempt.session_id == sid))}
    unmarked = dict(db.exec(
        select(Attempt.candidate_id, func.count())
        .select_from(PaperSlot)
        .join(Attempt, Attempt.id == PaperSlot.attempt_id)
        .join(Answer, (Answer.attempt_id == PaperSlot.attempt_id) & (Answer.position == PaperSlot.position))
        .outerjoin(ManualMark, (ManualMark.attempt_id == PaperSlot.attempt_id)
                   & (ManualMark.position == PaperSlot.position))
        .where(Attempt.session_id == sid, PaperSlot.kind == "short", Answer.value != "",
               ManualMark.attempt_id.is_(None))
        .group_by(Attempt.candidate_id)).all())
    typing = {t.candidate_id: t for t in db.exec(select(TypingAttempt).where(TypingAttempt.session_id == sid))}
    breakdowns = practical_results.session_breakdowns(db, sid)
    theory_closed = now >= exam_session.closes_at
    practical_closed = now >= exam_session.practical_window[1]
    published = visibility.of(exam_session).published
    rows = []
    for eid, ticket, cid, username, name, id_number, employer, room, seat_no in enrolled:
        b = breakdowns.get(cid)
        rows.append(ResultRow(eid, cid, username, name, ticket,
                              _theory(theory.get(cid), unmarked.get(cid, 0), theory_closed),
                              _practical(b, practical_closed),
                              _typing(typing.get(cid), practical_closed), published,
                              id_number or "", employer or "",
                              f"{room} {seat_no} 号" if room and seat_no else (room or ""),
                              certificates.get(cid, ""), tuple(b.tasks) if b else (),
                              b.typing_points if b else None))
    rows.sort(key=lambda r: (r.ticket_number or "", r.username))
    ended = theory_closed and practical_closed
    before_end = [] if ended else ["本场考试尚未结束：理论考试和实操考核的时间窗口都关闭后才能发布成绩"]
    return Table(exam_session, rows, ended, before_end)


def _missing(closed: bool) -> Part:
    """No attempt: absent (failed) once the window has closed, not started while it is open."""
    return Part(ABSENT, passed=False) if closed else Part(NOT_STARTED)


def _theory(attempt: Attempt | None, unmarked: int, closed: bool) -> Part:
    if attempt is None:
        return _missing(closed)
    score = Fraction(str(attempt.score)) if attempt.score is not None else None
    if attempt.submit_reason == VOID_REASON:
        return Part(VOID, attempt.id, passed=False)
    if attempt.status == OPEN:
        return Part(IN_PROGRESS, attempt.id, problems=("理论考试尚未交卷",))
    if unmarked or attempt.passed is None:
        count = f" {unmarked} 道" if unmarked else ""
        return Part(PENDING, attempt.id, score, problems=(f"理论考试有{count}简答题待评分",))
    return Part(DONE, attempt.id, score, attempt.passed)


def _typing(attempt: TypingAttempt | None, closed: bool) -> Part:
    if attempt is None:
        return _missing(closed)
    if attempt.submit_reason == VOID_REASON:
        return Part(VOID, attempt.id, passed=False)
    if attempt.status == TYPING_OPEN:
        return Part(IN_PROGRESS, attempt.id, problems=(TYPING_OPEN_PROBLEM,))
    if attempt.review == TYPING_REVIEW_PENDING:  # 待核查: undecided, not 达标, until an examiner decides
        return Part(PENDING, attempt.id, problems=(TYPING_REVIEW_PROBLEM,))
    return Part(DONE, attempt.id, passed=bool(attempt.passed), net_cpm=attempt.net_cpm, accuracy=attempt.accuracy)


def _practical(b: practical_results.Breakdown | None, closed: bool) -> Part:
    if b is None:
        return _missing(closed)
    attempt = b.attempt
    if attempt.submit_reason == VOID_REASON:
        return Part(VOID, attempt.id, passed=False)
    problems = tuple(p if p in (TYPING_OPEN_PROBLEM, TYPING_REVIEW_PROBLEM) else f"实操考核{p}" if p.startswith("第") else p
                     for p in b.problems)
    if attempt.status == PRACTICAL_OPEN:
        return Part(IN_PROGRESS, attempt.id, problems=problems)
    if problems:
        return Part(PENDING, attempt.id, problems=problems)
    return Part(DONE, attempt.id, b.total, b.passed)
