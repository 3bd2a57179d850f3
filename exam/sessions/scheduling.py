"""Planning a session: create and edit with every check in one pass, so the examiner sees all that is
wrong at once — the plan's own faults (rooms, people, practical blueprint), what can no longer change
once the session has started (``exam.sessions.locks``), and conflicts with other sessions
(``exam.sessions.conflicts``). A save is one write transaction with one audit entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from sqlmodel import Session, delete, select

from exam import standard
from exam.accounts.models import User
from exam.audit.service import record
from exam.sessions import conflicts, locks, service
from exam.sessions.conflicts import ConflictError, Span
from exam.sessions.models import Enrollment, ExamSession, Room, SessionExaminer, SessionRoom
from exam.sessions.results import visibility
from exam.sessions.results.visibility import RELEASE_NAMES
from practical.kinds import kind
from practical.models import Scenario
from practical.scenarios import APPROVED
from question_bank.assembly import AssemblyError
from question_bank.blueprint import BlueprintError

SIGNIN_MODES = ("password", "id_last6")


@dataclass
class SessionPlan:
    """What the scheduling form says about a session (times in UTC)."""

    name: str
    level: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    duration_minutes: int
    item_count: int
    blueprint_id: int | None = None
    practical_opens_at: dt.datetime | None = None
    practical_closes_at: dt.datetime | None = None
    practical_scenarios: dict[str, list[int]] = field(default_factory=dict)
    room_ids: list[int] = field(default_factory=list)
    examiner_ids: list[int] = field(default_factory=list)
    candidate_ids: list[int] = field(default_factory=list)
    double_marking: bool = False
    signin_mode: str = "password"
    results_release: str = "immediate"
    notes: str = ""

    @property
    def practical_window(self) -> tuple[dt.datetime, dt.datetime]:
        return (self.practical_opens_at or self.opens_at, self.practical_closes_at or self.closes_at)

    @property
    def span(self) -> Span:
        p_opens, p_closes = self.practical_window
        return Span(min(self.opens_at, p_opens), max(self.closes_at, p_closes))


class PlanError(ConflictError):
    """The plan was refused: ``reasons`` (every one found) and, separately, the theory paper's problem
    (``paper_error``: AssemblyError or BlueprintError), which the form shows at its own field."""

    def __init__(self, reasons: list[str], paper_error: Exception | None = None):
        super().__init__(reasons + ([str(paper_error)] if paper_error else []))
        self.reasons, self.paper_error = reasons, paper_error


SCALARS = ("name", "level", "opens_at", "closes_at", "duration_minutes", "item_count", "blueprint_id",
           "practical_opens_at", "practical_closes_at", "practical_scenarios", "double_marking", "signin_mode",
           "results_release", "notes")


def plan_of(db: Session, session: ExamSession) -> SessionPlan:
    def ids(column, where):
        return sorted(db.exec(select(column).where(where)))
    values = {f: getattr(session, f) for f in SCALARS if f != "results_release"}
    values["results_release"] = visibility.of(session).release
    values["practical_scenarios"] = dict(session.practical_scenarios or {})
    return SessionPlan(**values,
                       room_ids=ids(SessionRoom.room_id, SessionRoom.session_id == session.id),
                       examiner_ids=ids(SessionExaminer.examiner_id, SessionExaminer.session_id == session.id),
                       candidate_ids=ids(Enrollment.candidate_id, Enrollment.session_id == session.id))


def examiner_accounts(db: Session) -> list[User]:
    return list(db.exec(select(User).where(User.role == "examiner", User.active == True)  # noqa: E712
                        .order_by(User.username)))


def people(db: Session, ids: list[int]) -> list[User]:
    return sorted(_users(db, ids).values(), key=lambda u: u.username)


def approved_scenarios(db: Session) -> dict[tuple[str, str], list[Scenario]]:
    """Approved scenarios by (level, kind): what a practical blueprint may choose from."""
    out: dict[tuple[str, str], list[Scenario]] = {}
    for s in db.exec(select(Scenario).where(Scenario.status == APPROVED).order_by(Scenario.ref, Scenario.id)):
        out.setdefault((s.level, s.kind), []).append(s)
    return out


def scenario_titles(db: Session, chosen: dict | None) -> dict[str, list[str]]:
    """The session's practical blueprint with titles, by part kind (for the detail page)."""
    ids = [i for v in (chosen or {}).values() for i in v]
    found = {s.id: s for s in db.exec(select(Scenario).where(Scenario.id.in_(ids)))} if ids else {}
    return {code: [found[i].title if i in found else f"（已删除的场景 {i}）" for i in v]
            for code, v in (chosen or {}).items() if v}


# ---------------------------------------------------------------- the plan's own faults

def _users(db: Session, ids: list[int]) -> dict[int, User]:
    return {u.id: u for u in db.exec(select(User).where(User.id.in_(ids)))} if ids else {}


def plan_faults(db: Session, plan: SessionPlan, before: SessionPlan | None = None) -> list[str]:
    """Rooms, examiners and candidates that cannot be chosen, settings out of range, and a practical
    blueprint the draw could not follow. What the session already had is kept even if it would not be
    offered now (a room deactivated since, an account switched off)."""
    kept = before or SessionPlan("", "", plan.opens_at, plan.closes_at, 0, 0)
    out: list[str] = []
    p_opens, p_closes = plan.practical_window
    if plan.closes_at <= plan.opens_at:
        out.append("理论考试关闭时间应晚于开考时间")
    if p_closes <= p_opens:
        out.append("实操结束时间应晚于实操开始时间")
    elif plan.practical_opens_at is not None and plan.level in standard.LEVELS:
        needed = standard.practical_paper(plan.level).minutes + standard.typing_rule(plan.level).minutes
        if p_closes - p_opens < dt.timedelta(minutes=needed):
            out.append(f"实操时段不足 {needed} 分钟（实操试卷与打字测试所需时间之和）")
    rooms = {r.id: r for r in db.exec(select(Room).where(Room.id.in_(plan.room_ids)))} if plan.room_ids else {}
    for rid in plan.room_ids:
        room = rooms.get(rid)
        if room is None:
            out.append(f"考场（编号 {rid}）不存在")
        elif not room.active and rid not in kept.room_ids:
            out.append(f"考场 {room.name} 已停用，不能安排新场次")
    people = _users(db, plan.examiner_ids + plan.candidate_ids)
    for uid in plan.examiner_ids:
        user = people.get(uid)
        if user is None or user.role != "examiner" or (not user.active and uid not in kept.examiner_ids):
            out.append(f"账号 {user.username if user else uid} 不是在用的考评员账号，不能安排为本场考评员")
    for uid in plan.candidate_ids:
        user = people.get(uid)
        if user is None or user.role != "candidate" or (not user.active and uid not in kept.candidate_ids):
            out.append(f"账号 {user.username if user else uid} 不是在用的考生账号，不能报名")
    if plan.signin_mode not in SIGNIN_MODES:
        out.append("签到方式只能是“本人密码”或“身份证号后六位”")
    if plan.results_release not in RELEASE_NAMES:
        out.append(f"成绩发布方式只能是{'或'.join(f'“{n}”' for n in RELEASE_NAMES.values())}")
    if plan.level in standard.LEVELS:
        out += practical_blueprint_faults(db, plan.level, plan.practical_scenarios)
    return out


def practical_blueprint_faults(db: Session, level: str, chosen: dict[str, list[int]]) -> list[str]:
    parts = {p.kind: p for p in standard.practical_paper(level).parts}
    out = []
    for code, ids in chosen.items():
        if not ids:
            continue
        part = parts.get(code)
        if part is None:
            out.append(f"实操组卷：{standard.level(level).name}实操试卷没有“{kind(code).NAME}”部分")
            continue
        found = {s.id: s for s in db.exec(select(Scenario).where(Scenario.id.in_(ids)))}
        usable = [i for i in ids if (s := found.get(i)) is not None and s.level == level and s.kind == code
                  and s.status == APPROVED]
        for i in ids:
            if i not in usable:
                s = found.get(i)
                out.append(f"实操组卷：场景“{s.title if s else i}”不是{standard.level(level).name}"
                           f"{kind(code).NAME}的已审核场景")
        if len(set(usable)) < part.count:
            out.append(f"实操组卷：{kind(code).NAME}每人抽 {part.count} 个场景，只选了 {len(set(usable))} 个"
                       f"（不限定则从全部已审核场景中抽取）")
    return out


# ---------------------------------------------------------------- conflicts with other sessions

def conflict_reasons(db: Session, plan: SessionPlan, tz: str, session_id: int | None = None) -> list[str]:
    span = plan.span
    return (conflicts.candidate_conflicts(db, plan.candidate_ids, span, tz, session_id)
            + conflicts.capacity_conflicts(db, plan.room_ids, len(set(plan.candidate_ids)))
            + conflicts.room_conflicts(db, plan.room_ids, span, tz, session_id)
            + conflicts.examiner_conflicts(db, plan.examiner_ids, span, tz, session_id))


def _paper_problem(db: Session, plan: SessionPlan) -> Exception | None:
    try:
        service.theory_paper(db, plan.level, plan.blueprint_id, plan.item_count)
    except (AssemblyError, BlueprintError) as exc:
        return exc
    return None


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.datetime) else value


# ---------------------------------------------------------------- create and update

def create(db: Session, plan: SessionPlan, actor_id: int | None, tz: str) -> ExamSession:
    """Raises PlanError listing everything wrong; nothing is written then."""
    reasons = plan_faults(db, plan) + conflict_reasons(db, plan, tz)
    if reasons:
        raise PlanError(reasons, _paper_problem(db, plan))
    try:
        created = service.create_session(
            db, created_by=actor_id, **{f: getattr(plan, f) for f in SCALARS},
            room_ids=plan.room_ids, examiner_ids=plan.examiner_ids, candidate_ids=plan.candidate_ids)
    except (AssemblyError, BlueprintError) as exc:
        raise PlanError([], exc) from exc
    record(db.connection(), "session.create", "exam_session", created.id, actor_id=actor_id,
           **{k: _jsonable(v) for k, v in asdict(plan_of(db, created)).items()})
    return created


def update(db: Session, session: ExamSession, plan: SessionPlan, actor_id: int | None, tz: str,
           now: dt.datetime) -> dict:
    """Applies the plan; returns the changed fields {field: [old, new]} (candidates as added/removed),
    also what the audit entry records. Raises PlanError listing everything wrong."""
    before = plan_of(db, session)
    _keep_seconds(plan, before)
    reasons = (plan_faults(db, plan, before) + locks.edit_limits(db, session, before, plan, now, tz)
               + conflict_reasons(db, plan, tz, session.id))
    if plan.results_release != visibility.of(session).release and visibility.of(session).published:
        reasons.append("成绩发布方式：本场成绩已发布，如需更改请先在成绩页撤回发布")
    paper_changes = (plan.level, plan.blueprint_id) != (before.level, before.blueprint_id) or (
        plan.blueprint_id is None and plan.item_count != before.item_count)
    if not paper_changes:
        plan.item_count = before.item_count
    if reasons:
        raise PlanError(reasons, _paper_problem(db, plan) if paper_changes else None)
    if paper_changes:
        try:
            session.paper, plan.item_count = service.theory_paper(db, plan.level, plan.blueprint_id, plan.item_count)
        except (AssemblyError, BlueprintError) as exc:
            raise PlanError([], exc) from exc
    for f in SCALARS:
        setattr(session, f, getattr(plan, f))
    session.name = plan.name.strip()
    session.practical_scenarios = plan.practical_scenarios or None
    db.add(session)
    _replace(db, SessionRoom, SessionRoom.room_id, "room_id", session.id, before.room_ids, plan.room_ids)
    _replace(db, SessionExaminer, SessionExaminer.examiner_id, "examiner_id", session.id,
             before.examiner_ids, plan.examiner_ids)
    removed = sorted(set(before.candidate_ids) - set(plan.candidate_ids))
    if removed:
        db.exec(delete(Enrollment).where(Enrollment.session_id == session.id, Enrollment.candidate_id.in_(removed)))
    service.enrol(db, session.id, plan.candidate_ids)
    db.flush()
    after = plan_of(db, session)
    changes = {f: [_jsonable(getattr(before, f)), _jsonable(getattr(after, f))]
               for f in SCALARS + ("room_ids", "examiner_ids") if getattr(before, f) != getattr(after, f)}
    added = sorted(set(after.candidate_ids) - set(before.candidate_ids))
    if added or removed:
        changes["candidates"] = {"added": added, "removed": removed}
    if changes:
        record(db.connection(), "session.update", "exam_session", session.id, actor_id=actor_id, changes=changes)
    return changes


TIMES = ("opens_at", "closes_at", "practical_opens_at", "practical_closes_at")


def _keep_seconds(plan: SessionPlan, before: SessionPlan) -> None:
    """The form shows times to the minute; a time sent back unchanged keeps its stored seconds, so
    an untouched field never counts as a change (nor as moving a started window)."""
    for f in TIMES:
        old, new = getattr(before, f), getattr(plan, f)
        if old is not None and new is not None and new == old.replace(second=0, microsecond=0):
            setattr(plan, f, old)


def _replace(db: Session, model, column, attr: str, session_id: int, old: list[int], new: list[int]) -> None:
    gone = set(old) - set(new)
    if gone:
        db.exec(delete(model).where(model.session_id == session_id, column.in_(gone)))
    for value in dict.fromkeys(new):
        if value not in old:
            db.add(model(session_id=session_id, **{attr: value}))
    db.flush()
