"""Trainers' scenario bank: list, create and edit (the kind's content as JSON, checked by the kind),
preview as the candidate sees it, approve (not one's own), retire and restore."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from exam import standard, web
from exam.db import write_session
from practical import phrases_service, scenarios, trial
from practical.kinds import KIND_CODES, kind, manual_share, names
from practical.models import APPROVED, DRAFT, RETIRED, SCENARIO_STATUSES, Scenario
from practical.scenario_forms import ScenarioForm, StatusForm, TryForm

bp = Blueprint("scenarios", __name__, url_prefix="/trainer/scenarios", template_folder="templates")


def _form(scenario: Scenario | None = None) -> ScenarioForm:
    form = ScenarioForm(obj=None)
    form.kind.choices = [SelectChoice(code, name) for code, name in names().items()]
    form.level.choices = [SelectChoice(code, lvl.name) for code, lvl in standard.LEVELS.items()]
    if scenario is not None and request.method == "GET":
        form.kind.data, form.level.data, form.title.data = scenario.kind, scenario.level, scenario.title
        form.minutes.data = scenario.minutes
        form.spec.data = json.dumps(scenario.spec, ensure_ascii=False, indent=2)
        form.rubric.data = json.dumps(scenario.rubric, ensure_ascii=False, indent=2) if scenario.rubric else ""
    return form


def _checked(form: ScenarioForm) -> scenarios.ScenarioData | None:
    problems = []
    try:
        spec = json.loads(form.spec.data or "")
    except ValueError as exc:
        problems.append(f"场景内容（JSON）第 {getattr(exc, 'lineno', '?')} 行：JSON 格式错误（{exc}）")
        spec = None
    rubric = None
    if (form.rubric.data or "").strip():
        try:
            rubric = json.loads(form.rubric.data)
        except ValueError as exc:
            problems.append(f"评分细则（JSON）第 {getattr(exc, 'lineno', '?')} 行：JSON 格式错误（{exc}）")
    if not problems:
        try:
            return scenarios.check({"kind": form.kind.data, "level": form.level.data, "title": form.title.data,
                                    "minutes": form.minutes.data, "spec": spec, "rubric": rubric})
        except scenarios.ScenarioError as exc:
            problems = exc.problems
    form.spec.errors = list(form.spec.errors) + problems
    return None


@bp.route("")
@web.roles_required("trainer")
def index():
    level, kind_code, status = request.args.get("level") or None, request.args.get("kind") or None, \
        request.args.get("status") or None
    rows = scenarios.list_scenarios(web.db(), level, kind_code, status)
    return render_template("practical/scenarios.html", rows=rows, kinds=names(), statuses=SCENARIO_STATUSES,
                           levels=standard.LEVELS, filters={"level": level, "kind": kind_code, "status": status},
                           papers=standard.PRACTICAL_PAPERS)


@bp.route("/new", methods=["GET", "POST"])
@web.roles_required("trainer")
def create():
    form = _form()
    if form.validate_on_submit():
        data = _checked(form)
        if data is not None:
            with write_session(web.engine()) as db:
                scenario_id = scenarios.create(db, data, current_user.id).id
            flash("已保存为草稿，请另一位培训师审核后使用")
            return redirect(url_for("scenarios.detail", scenario_id=scenario_id))
    return render_template("practical/scenario_form.html", form=form, scenario=None, kinds=KIND_CODES, kind=kind)


@bp.route("/<int:scenario_id>/edit", methods=["GET", "POST"])
@web.roles_required("trainer")
def edit(scenario_id: int):
    scenario = web.db().get(Scenario, scenario_id) or abort(404)
    form = _form(scenario)
    if form.validate_on_submit():
        data = _checked(form)
        if data is not None:
            with write_session(web.engine()) as db:
                scenarios.update(db, db.get(Scenario, scenario_id), data, current_user.id)
            flash("已保存；已审核的场景改动后回到草稿，需重新审核")
            return redirect(url_for("scenarios.detail", scenario_id=scenario_id))
    return render_template("practical/scenario_form.html", form=form, scenario=scenario, kinds=KIND_CODES, kind=kind)


@bp.route("/<int:scenario_id>")
@web.roles_required("trainer")
def detail(scenario_id: int, try_form: TryForm | None = None, tried: dict | None = None, status: int = 200):
    scenario = web.db().get(Scenario, scenario_id) or abort(404)
    module = kind(scenario.kind)
    return render_template("practical/scenario_detail.html", scenario=scenario, module=module,
                           view=module.candidate_view(scenario.spec, {}, 1), level=standard.level(scenario.level),
                           share=manual_share(scenario.kind, scenario.spec),
                           rubric=module.default_rubric(scenario.spec) if getattr(module, "RUBRIC_FROM_SPEC", False)
                           else scenario.rubric,
                           statuses=SCENARIO_STATUSES, form=StatusForm(), try_form=try_form or TryForm(), tried=tried,
                           call_kind=scenario.kind in trial.CALL_KINDS,
                           spec_json=json.dumps(scenario.spec, ensure_ascii=False, indent=2)), status


def _trial_input(scenario: Scenario, text: str) -> object:
    """A call's replies typed one per line, or JSON (a list, {"replies": […]}, or a form kind's fields)."""
    if scenario.kind in trial.CALL_KINDS and not text.lstrip().startswith(("[", "{")):
        if len(text) > trial.MAX_INPUT_CHARS:
            raise trial.TrialError(f"作答有 {len(text)} 字，超过 {trial.MAX_INPUT_CHARS} 字的上限")
        return [line.strip() for line in text.splitlines() if line.strip()]
    return trial.parse_replies(text)


@bp.route("/<int:scenario_id>/try", methods=["POST"])
@web.roles_required("trainer")
def try_scenario(scenario_id: int):
    """Try the scenario as a candidate would answer it: every criterion's verdict or suggestion with its
    evidence. Nothing is stored. JSON in (``{"replies": …}``) gets JSON back; the form gets the page."""
    scenario = web.db().get(Scenario, scenario_id) or abort(404)
    lists = phrases_service.lists(web.db())
    if request.is_json:  # the CSRF token came in the X-CSRFToken header (exam.request_caches)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "replies" not in body:
            return jsonify(error="请求格式错误：应为 JSON 对象 {\"replies\": [...]}"), 400
        try:
            return jsonify(trial.run(scenario.kind, scenario.level, scenario.spec, body["replies"], lists))
        except trial.TrialError as exc:
            return jsonify(error=str(exc)), 400
    form = TryForm()
    if not form.validate_on_submit():
        if form.errors.get("csrf_token"):
            abort(400)
        return detail(scenario_id, try_form=form, status=400)
    try:
        result = trial.run(scenario.kind, scenario.level, scenario.spec, _trial_input(scenario, form.replies.data or ""),
                           lists)
    except trial.TrialError as exc:
        form.replies.errors = [str(exc)]
        return detail(scenario_id, try_form=form, status=400)
    return detail(scenario_id, try_form=form, tried=result)


@bp.route("/<int:scenario_id>/status/<status>", methods=["POST"])
@web.roles_required("trainer")
def set_status(scenario_id: int, status: str):
    if not StatusForm().validate_on_submit() or status not in (DRAFT, APPROVED, RETIRED):
        abort(400)
    with write_session(web.engine()) as db:
        scenario = db.get(Scenario, scenario_id) or abort(404)
        if status == APPROVED and scenario.created_by == current_user.id:
            flash("不能审核自己编写的场景，请另一位培训师审核", "error")
        else:
            scenarios.set_status(db, scenario, status, current_user.id)
            flash(f"场景已设为“{SCENARIO_STATUSES[status]}”")
    return redirect(url_for("scenarios.detail", scenario_id=scenario_id))
