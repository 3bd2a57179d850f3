"""The trainer's blueprints (组卷规则): write one, see how it fills each function area and type,
which cells the approved bank cannot fill and by how many items, and fix a paper when the mode asks."""

from __future__ import annotations

from fractions import Fraction

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from exam import standard, web
from exam.db import write_session
from question_bank import blueprint_service as service
from question_bank.blueprint import DIFFICULTIES, MODES, Blueprint as Rule, BlueprintError, TypeRule, default_blueprint, fmt
from question_bank.blueprint_draw import paper_summary, shortages
from question_bank.forms import BlueprintForm
from question_bank.models import ITEM_KINDS, PaperBlueprint

bp = Blueprint("blueprints", __name__, url_prefix="/trainer/blueprints")


def _number(text: str, what: str) -> Fraction:
    try:
        return Fraction((text or "").strip())
    except (ValueError, ZeroDivisionError):
        raise BlueprintError(f"{what}应为数字（如 1、0.5 或 1/2），现为“{text}”") from None


def _rule(form: BlueprintForm) -> Rule:
    types = []
    for kind, label in ITEM_KINDS.items():
        count = getattr(form, f"count_{kind}").data
        if count:
            types.append(TypeRule(kind, count, _number(getattr(form, f"points_{kind}").data, f"{label}每题分值")))
    shares = [(d, getattr(form, f"mix_{d}").data) for d in DIFFICULTIES]
    mix = tuple((d, Fraction(p, 100)) for d, p in shares if p) if any(p for _, p in shares) else ()
    return Rule(form.level.data, form.mode.data, tuple(types), mix, _number(form.tolerance.data, "平均难度允许偏差"))


def _fill(form: BlueprintForm, rule: Rule, name: str) -> None:
    form.name.data, form.level.data, form.mode.data = name, rule.level, rule.mode
    for t in rule.types:
        getattr(form, f"count_{t.kind}").data = t.count
        getattr(form, f"points_{t.kind}").data = fmt(t.points)
    for d, share in rule.difficulty_mix:
        getattr(form, f"mix_{d}").data = int(share * 100)
    form.tolerance.data = fmt(rule.difficulty_tolerance)


@bp.route("/")
@web.roles_required("trainer")
def index():
    rows = service.blueprints(web.db())
    return render_template("question_bank/blueprints.html", rows=rows, modes=MODES, levels=standard.LEVELS)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:blueprint_id>/edit", methods=["GET", "POST"])
@web.roles_required("trainer")
def edit(blueprint_id: int | None = None):
    row = web.db().get(PaperBlueprint, blueprint_id) if blueprint_id else None
    if blueprint_id and row is None:
        abort(404)
    form = BlueprintForm()
    if request.method == "GET":
        rule = service.of_row(row) if row else default_blueprint(request.args.get("level", "junior"))
        _fill(form, rule, row.name if row else f"{standard.LEVELS[rule.level].name}理论标准卷")
    elif form.validate_on_submit():
        try:
            with write_session(web.engine()) as db:
                fresh = db.get(PaperBlueprint, row.id) if row else None
                saved = service.save(db, _rule(form), form.name.data or "未命名规则", current_user.id, fresh)
                saved_id = saved.id
            flash("组卷规则已保存。")
            return redirect(url_for("blueprints.detail", blueprint_id=saved_id))
        except BlueprintError as exc:
            form.form_errors.append(str(exc))
    return render_template("question_bank/blueprint_form.html", form=form, row=row, kinds=ITEM_KINDS)


@bp.route("/<int:blueprint_id>")
@web.roles_required("trainer")
def detail(blueprint_id: int):
    row = web.db().get(PaperBlueprint, blueprint_id) or abort(404)
    plan = service.plan_of(row)
    pool = service.pool(web.db(), row.level)
    available: dict[tuple[str, str], int] = {}
    for item in pool:
        available[(item.area, item.kind)] = available.get((item.area, item.kind), 0) + 1
    short = shortages(plan, pool)
    fixed = paper_summary(service.slots_from_json(row.fixed_paper)) if row.fixed_paper else None
    return render_template(
        "question_bank/blueprint_detail.html", row=row, plan=plan, available=available, shortages=short,
        level=standard.level(row.level), kinds=ITEM_KINDS, modes=MODES, difficulties=DIFFICULTIES,
        cells={(c.area, c.kind): c for c in plan.cells}, fixed=fixed, fmt=fmt, csrf_form=FlaskForm())


@bp.route("/<int:blueprint_id>/fixed-paper", methods=["POST"])
@web.roles_required("trainer")
def generate(blueprint_id: int):
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        with write_session(web.engine()) as db:
            row = db.get(PaperBlueprint, blueprint_id) or abort(404)
            slots = service.generate_fixed(db, row)
        flash(f"已生成固定试卷，共 {len(slots)} 题。使用该规则的新场次将使用这份试卷。")
    except BlueprintError as exc:
        flash(str(exc), "error")
    return redirect(url_for("blueprints.detail", blueprint_id=blueprint_id))
