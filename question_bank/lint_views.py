"""The bank report (命题质量报告) per level and the trainers' enemy decisions: HTTP in, the checker or
``enemies`` out. Trainers only: findings quote keys and answers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from exam import standard, web
from exam.db import write_session
from question_bank import enemies, lint, lint_charts, lint_service
from question_bank.forms import EnemyForm
from question_bank.models import ENEMY_DECISIONS, Item

bp = Blueprint("bank_lint", __name__, url_prefix="/trainer", template_folder="templates")


def _level() -> str:
    level = request.args.get("level", "junior")
    if level not in standard.LEVELS:
        abort(404)
    return level


@bp.route("/bank/report")
@web.roles_required("trainer")
def report():
    level = _level()
    result = lint_service.check_db(web.db(), [level])
    summary = result.levels[level]
    charts = [(caption, Markup(draw(summary))) for caption, draw in (
        ("单选题答案为最长选项的比例（红线为上限，虚线为随机时的期望）", lint_charts.longest_key),
        ("单选题答案位置（虚线为均匀分布时的期望）", lint_charts.key_positions),
        ("多选题正确项数的分布", lint_charts.key_counts))]
    ids = {e.ident: e.label for e in lint_service.entries_from_db(web.db())}
    return render_template("question_bank/bank_report.html", level=level, levels=standard.LEVELS,
                           summary=summary, findings=result.findings, charts=charts, labels=ids,
                           rules=lint.RULES, limit=lint.LONGEST_KEY_LIMIT, form=EnemyForm())


@bp.route("/bank/report.json")
@web.roles_required("trainer")
def report_json():
    return jsonify(lint_service.check_db(web.db(), [_level()]).as_json())


def _back(item_id: int):
    target = request.form.get("next", "")
    if target.startswith("/trainer/bank/report") and "//" not in target:
        return redirect(target)
    return redirect(url_for("items.detail", item_id=item_id) + "#lint")


@bp.route("/items/<int:item_id>/enemies", methods=["POST"])
@web.roles_required("trainer")
def decide(item_id: int):
    form = EnemyForm()
    if not form.validate_on_submit() or not (form.other.data or "").isdigit():
        abort(400)
    if form.decision.data not in ENEMY_DECISIONS:
        abort(400)
    try:
        with write_session(web.engine()) as db:
            db.get(Item, item_id) or abort(404)
            db.get(Item, int(form.other.data)) or abort(404)
            enemies.decide(db, item_id, int(form.other.data), form.decision.data, current_user.id,
                           form.reason.data or "")
        flash(f"已记录：{ENEMY_DECISIONS[form.decision.data]}。")
    except enemies.EnemyError as exc:
        flash(str(exc), "error")
    return _back(item_id)


@bp.route("/items/<int:item_id>/enemies/withdraw", methods=["POST"])
@web.roles_required("trainer")
def withdraw(item_id: int):
    form = EnemyForm()
    if not form.validate_on_submit() or not (form.other.data or "").isdigit():
        abort(400)
    try:
        with write_session(web.engine()) as db:
            enemies.withdraw(db, item_id, int(form.other.data), current_user.id)
        flash("已撤销该决定，检查器会重新提示这两题。")
    except enemies.EnemyError as exc:
        flash(str(exc), "error")
    return _back(item_id)
