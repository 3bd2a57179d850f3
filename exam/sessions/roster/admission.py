"""What an admission ticket (准考证) says: gathered from the database into plain values for the PDF
renderer (``admission_pdf``), which never sees a database row. The exam rules printed on every
ticket live here, in one list, so the page, the PDF and the tests read the same sentences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session, select

from exam import standard
from exam.accounts.models import CandidateProfile, User
from exam.sessions.roster.idcard import mask
from exam.sessions.models import Enrollment, ExamSession, Room
from exam.timeutil import to_local

#: Minutes before the theory window opens that candidates must be at the room door.
ARRIVE_EARLY_MINUTES = 30
#: Candidates later than this after the window opened are not admitted.
LATE_LIMIT_MINUTES = 15

SIGNIN_RULES = {
    "id_last6": "登录考试系统时，账号填写准考证号，密码为本人身份证号码的后六位（末位 X 大小写均可）。",
    "password": "登录考试系统时，账号填写准考证号（或用户名），密码为本人账号密码；"
                "首次登录请使用考评员发放的初始密码。",
}


def rules(signin_mode: str) -> list[str]:
    """考场规则, in the order a candidate needs them on the day."""
    return [
        "考生须同时持本准考证和本人有效居民身份证参加考试，二者缺一不得入场。",
        f"请于理论考试开考前 {ARRIVE_EARLY_MINUTES} 分钟到达考场，接受身份核验后按准考证上的考场和座位号入座；"
        f"开考 {LATE_LIMIT_MINUTES} 分钟后不得进入考场。",
        "只准携带黑色签字笔、本准考证和身份证进入考场。手机、智能手表、耳机等一切电子设备须关机，"
        "交考务人员统一保管，不得带至座位。",
        SIGNIN_RULES.get(signin_mode, SIGNIN_RULES["password"]),
        f"理论知识考试为闭卷考试，满分 {standard.FULL_MARKS} 分，{standard.THEORY_PASS_MARK} 分合格；"
        f"操作技能考核 {standard.PRACTICAL_PASS_MARK} 分合格，含打字测试（每分钟正确录入汉字不少于 "
        f"{standard.TYPING_CHARS_PER_MINUTE} 个）。计时以服务器时间为准，答案随作答自动保存。",
        "考试过程中不得离开考试页面、切换窗口、复制粘贴或使用其他程序，系统会记录并报告考评员。",
        "遵守考场纪律，服从考务人员安排；提前交卷后应立即离开考场。违纪、作弊者按有关规定处理。",
    ]


@dataclass(frozen=True)
class AdmissionTicket:
    name: str
    masked_id: str
    ticket_number: str
    employer: str
    session_name: str
    level_name: str
    room_name: str | None
    room_location: str
    seat_no: int | None
    theory_window: tuple[dt.datetime, dt.datetime]       # local time
    practical_window: tuple[dt.datetime, dt.datetime]    # local time
    duration_minutes: int
    rules: tuple[str, ...]
    photo: bytes | None = None

    @property
    def seat_label(self) -> str:
        if self.room_name is None or self.seat_no is None:
            return "待安排（考前请查看本页或询问考务人员）"
        return f"{self.room_name} · {self.seat_no} 号座位"


def _ticket(session: ExamSession, enrolment: Enrollment, user: User, profile: CandidateProfile | None,
            room: Room | None, tz: str) -> AdmissionTicket:
    def local(pair):
        return to_local(pair[0], tz), to_local(pair[1], tz)
    return AdmissionTicket(
        name=user.display_name, masked_id=mask(profile.id_number) if profile and profile.id_number else "（未登记）",
        ticket_number=enrolment.ticket_number or "", employer=(profile.employer if profile else "") or "",
        session_name=session.name, level_name=standard.level(session.level).name,
        room_name=room.name if room else None, room_location=room.location if room else "",
        seat_no=enrolment.seat_no if room else None,
        theory_window=local((session.opens_at, session.closes_at)), practical_window=local(session.practical_window),
        duration_minutes=session.duration_minutes, rules=tuple(rules(session.signin_mode)),
        photo=profile.photo if profile else None)


def tickets_of_session(db: Session, session_id: int, tz: str, enrollment_id: int | None = None,
                       candidate_id: int | None = None) -> list[AdmissionTicket]:
    """The session's tickets in room and seat order (unseated last, by ticket number): the order
    they are handed out at the door. Narrowed to one enrolment or one candidate when asked."""
    session = db.get(ExamSession, session_id)
    if session is None:
        return []
    query = (select(Enrollment, User, CandidateProfile, Room)
             .join(User, User.id == Enrollment.candidate_id)
             .join(CandidateProfile, CandidateProfile.user_id == User.id, isouter=True)
             .join(Room, Room.id == Enrollment.room_id, isouter=True)
             .where(Enrollment.session_id == session_id))
    if enrollment_id is not None:
        query = query.where(Enrollment.id == enrollment_id)
    if candidate_id is not None:
        query = query.where(Enrollment.candidate_id == candidate_id)
    rows = db.exec(query).all()
    rows.sort(key=lambda r: (r[3] is None, r[3].name if r[3] else "", r[0].seat_no or 0, r[0].ticket_number or ""))
    return [_ticket(session, e, u, p, room, tz) for e, u, p, room in rows]


def missing_tickets(db: Session, session_id: int) -> int:
    return len(db.exec(select(Enrollment.id).where(Enrollment.session_id == session_id,
                                                   Enrollment.ticket_number.is_(None))).all())


@dataclass(frozen=True)
class CandidateTicket:
    """A line of the candidate's home page: where they sit and their ticket number."""

    session_id: int
    ticket_number: str | None
    seat: str | None


def candidate_tickets(db: Session, candidate_id: int) -> dict[int, CandidateTicket]:
    rows = db.exec(select(Enrollment, Room).join(Room, Room.id == Enrollment.room_id, isouter=True)
                   .where(Enrollment.candidate_id == candidate_id)).all()
    return {e.session_id: CandidateTicket(e.session_id, e.ticket_number,
                                          f"{room.name} {e.seat_no} 号" if room and e.seat_no else None)
            for e, room in rows}


def ticket_file_name(ticket: AdmissionTicket) -> str:
    return f"准考证_{ticket.ticket_number}_{ticket.name}.pdf"

