from __future__ import annotations

import dataclasses
import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from exam import standard, web
from exam.access.manager import AccessManager
from exam.db import write_session
from exam.sessions import agenda, locks, managed, scheduling, service
from exam.sessions.rooms import service as rooms
from exam.sessions.forms import SIGNIN_MODES, SessionForm, practical_minutes_needed
from exam.sessions.models import ExamSession
from exam.sessions.scheduling import PlanError, SessionPlan
from exam.timeutil import local_to_utc, to_local
from practical.kinds import kind
from question_bank.assembly import AssemblyError
from question_bank.models import PaperBlueprint

bp = Blueprint("sessions", __name__, url_prefix="/examiner")


@bp.route("/sessions")
@web.roles_required(*managed.MANAGER_ROLES)
def index():
    """The timetable: a list grouped by day, or a month calendar (``?view=month&month=2026-05``)."""
    db, now, tz = web.db(), web.now(), web.tz()
    level = request.args.get("level") if request.args.get("level") in standard.LEVELS else None
    when = request.args.get("when") if request.args.get("when") in ("upcoming", "past") else ""
    room_id = request.args.get("room", type=int)
    filters = {"level": level or "", "when": when, "room": room_id or ""}
    context = {"filters": filters, "rooms": rooms.rooms(db), "levels": standard.LEVELS}
    only = managed.managed_ids(db, current_user.id, current_user.role)   # an examiner: their sessions
    if request.args.get("view") == "month":
        today = to_local(now, tz).date()
        try:
            year, month_no = (int(x) for x in request.args.get("month", "").split("-"))
            dt.date(year, month_no, 1)
        except ValueError:
            year, month_no = today.year, today.month
        return render_template("sessions/calendar.html", **context, year=year, month_no=month_no,
                               weeks=agenda.month(db, year, month_no, now, tz, level, room_id, only),
                               prev=agenda.shift_month(year, month_no, -1), next=agenda.shift_month(year, month_no, 1),
                               this_month=(today.year, today.month))
    return render_template("sessions/index.html", **context, days=agenda.listing(db, now, tz, level, when, room_id, only))


def _with_choices(form: SessionForm, before: SessionPlan | None = None) -> SessionForm:
    """Offers what may be chosen now, plus whatever the session already has (kept even if a room was
    deactivated or an account switched off since)."""
    db, kept = web.db(), before or SessionPlan("", "", web.now(), web.now(), 0, 0)
    offered = {r.id: r for r in rooms.rooms(db) if r.active or r.id in kept.room_ids}
    form.rooms.choices = [SelectChoice(r.id, f"{r.name}（{r.seats} 座{'，' + r.location if r.location else ''}）"
                                             f"{'' if r.active else '（已停用）'}") for r in offered.values()]
    examiners = {u.id: u for u in scheduling.examiner_accounts(db)}
    examiners.update({u.id: u for u in scheduling.people(db, kept.examiner_ids)})
    form.examiners.choices = [SelectChoice(u.id, f"{u.display_name}（{u.username}）") for u in examiners.values()]
    candidates = {u.id: u for u in service.candidates(db)}
    candidates.update({u.id: u for u in scheduling.people(db, kept.candidate_ids)})
    form.candidates.choices = [SelectChoice(u.id, f"{u.display_name}（{u.username}）") for u in candidates.values()]
    form.blueprint_id.choices = [SelectChoice(0, "不用规则：按职业功能比重随机抽题（填写题量）")] + [
        SelectChoice(r.id, f"{standard.LEVELS[r.level].name} · {r.name}") for r in service.blueprint_choices(db)]
    pools = scheduling.approved_scenarios(db)
    for level in standard.LEVELS:
        for part, fld in form.practical_fields(level):
            choices = {s.id: s.title for s in pools.get((level, part.kind), [])}
            if level == kept.level:
                for title_id in kept.practical_scenarios.get(part.kind, []):
                    choices.setdefault(title_id, f"场景 {title_id}（已不是已审核场景）")
            fld.choices = [SelectChoice(i, t) for i, t in choices.items()]
    return form


def _plan(form: SessionForm) -> SessionPlan:
    tz, level = web.tz(), form.level.data
    utc = lambda value: local_to_utc(value, tz) if value else None  # noqa: E731
    return SessionPlan(
        name=form.name.data, level=level, opens_at=utc(form.opens_at.data), closes_at=utc(form.closes_at.data),
        duration_minutes=form.duration_minutes.data, item_count=form.item_count.data or 0,
        blueprint_id=form.blueprint_id.data or None, practical_opens_at=utc(form.practical_opens_at.data),
        practical_closes_at=utc(form.practical_closes_at.data),
        practical_scenarios={part.kind: sorted(set(fld.data))
                             for part, fld in form.practical_fields(level) if fld.data},
        room_ids=list(dict.fromkeys(form.rooms.data or [])),
        examiner_ids=list(dict.fromkeys(form.examiners.data or [])),
        candidate_ids=list(dict.fromkeys(form.candidates.data or [])),
        double_marking=bool(form.double_marking.data), signin_mode=form.signin_mode.data,
        results_release=form.results_release.data, notes=(form.notes.data or "").strip())


def _form_values(plan: SessionPlan) -> dict:
    tz = web.tz()
    local = lambda value: to_local(value, tz).replace(tzinfo=None) if value else None  # noqa: E731
    values = {"name": plan.name, "level": plan.level, "opens_at": local(plan.opens_at),
              "closes_at": local(plan.closes_at), "duration_minutes": plan.duration_minutes,
              "item_count": plan.item_count, "blueprint_id": plan.blueprint_id or 0,
              "practical_opens_at": local(plan.practical_opens_at),
              "practical_closes_at": local(plan.practical_closes_at), "rooms": plan.room_ids,
              "examiners": plan.examiner_ids, "candidates": plan.candidate_ids,
              "double_marking": plan.double_marking, "signin_mode": plan.signin_mode,
              "results_release": plan.results_release, "notes": plan.notes}
    for code, ids in plan.practical_scenarios.items():
        values[f"practical_{plan.level}_{code}"] = ids
    return values


#: The fields a started part fixes (``exam.sessions.locks``): shown disabled; a browser does not post a
#: disabled field, so saving takes their stored values, and a request that sends a changed value anyway
#: is refused by ``scheduling.update`` with the reason.
THEORY_LOCKED = ("level", "opens_at", "duration_minutes", "item_count", "blueprint_id")
PRACTICAL_LOCKED = ("practical_opens_at", "double_marking")


def _lock(form: SessionForm, started: locks.Started, stored: dict) -> None:
    names = list(THEORY_LOCKED if started.theory else ()) + list(PRACTICAL_LOCKED if started.practical else ())
    if started.practical:
        names += [f.name for code in standard.LEVELS for _part, f in form.practical_fields(code)]
    for name in names:
        f = form[name]
        f.render_kw = {**(f.render_kw or {}), "disabled": True, "aria-describedby": "started-notice"}
        if request.method == "POST" and name not in request.form:   # disabled: the browser sent nothing
            f.data = stored.get(name, [] if f.type == "SelectMultipleField" else f.default)


def _assigned(plan: SessionPlan, before: list[int]) -> SessionPlan:
    """Only a chief examiner assigns examiners: an examiner's form keeps the session's examiners as
    they were, and a session an examiner creates has that examiner (so their own conflicts are
    checked like anyone's)."""
    if current_user.role == managed.CHIEF:
        return plan
    return dataclasses.replace(plan, examiner_ids=list(before))


def _refused(form: SessionForm, exc: PlanError) -> list[str]:
    if exc.paper_error is not None:
        target = form.item_count if isinstance(exc.paper_error, AssemblyError) else form.blueprint_id
        target.errors = list(target.errors) + [str(exc.paper_error)]
    return exc.reasons


def _render_form(form: SessionForm, reasons: list[str], exam_session: ExamSession | None = None,
                 started: locks.Started | None = None):
    return render_template("sessions/new.html", form=form, reasons=reasons, exam_session=exam_session,
                           started=started, levels=standard.LEVELS, practical_hint=_PRACTICAL_HINT)


_PRACTICAL_HINT = "时段须容纳实操试卷与打字测试：" + "，".join(
    f"{lvl.name}至少 {practical_minutes_needed(code)} 分钟" for code, lvl in standard.LEVELS.items())


@bp.route("/sessions/new", methods=["GET", "POST"])
@web.roles_required(*managed.MANAGER_ROLES)
def create():
    form, reasons = _with_choices(SessionForm()), []
    if form.validate_on_submit():
        try:
            with write_session(web.engine()) as db:
                session_id = scheduling.create(db, _assigned(_plan(form), [current_user.id]), current_user.id,
                                               web.tz()).id
            flash("已创建场次")
            return redirect(url_for("sessions.detail", session_id=session_id))
        except PlanError as exc:
            reasons = _refused(form, exc)
    return _render_form(form, reasons)


@bp.route("/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@managed.manages_session
def edit(session_id: int):
    exam_session = managed.managed_session(session_id)
    before = scheduling.plan_of(web.db(), exam_session)
    started = locks.started(web.db(), exam_session, web.now(), web.tz())
    if request.method == "GET":
        form = SessionForm(formdata=None, **_form_values(before))
    else:
        form = SessionForm()
    form, reasons = _with_choices(form, before), []
    _lock(form, started, _form_values(before))
    if form.validate_on_submit():
        try:
            with write_session(web.engine()) as db:
                current = db.get(ExamSession, session_id)
                changes = scheduling.update(db, current, _assigned(_plan(form), before.examiner_ids),
                                            current_user.id, web.tz(), web.now())
            flash(f"已保存场次修改（{len(changes)} 项）" if changes else "没有需要保存的修改")
            return redirect(url_for("sessions.detail", session_id=session_id))
        except PlanError as exc:
            reasons = _refused(form, exc)
    return _render_form(form, reasons, exam_session, started)


@bp.route("/sessions/<int:session_id>")
@managed.manages_session
def detail(session_id: int):
    exam_session = managed.managed_session(session_id)
    rows = service.results(web.db(), session_id)
    blueprint = web.db().get(PaperBlueprint, exam_session.blueprint_id) if exam_session.blueprint_id else None
    return render_template("sessions/detail.html", exam_session=exam_session, rows=rows, blueprint=blueprint,
                           access_rules=AccessManager.for_session(exam_session).requirements(exam_session, web.tz()),
                           level=standard.level(exam_session.level), pass_mark=standard.THEORY_PASS_MARK,
                           card=agenda.card(web.db(), exam_session, web.now()),
                           practical_limits=scheduling.scenario_titles(web.db(), exam_session.practical_scenarios),
                           kind_name=lambda code: kind(code).NAME,
                           signin_modes=SIGNIN_MODES)
