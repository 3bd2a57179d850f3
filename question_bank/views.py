"""The trainer's view of the bank. Authoring, review and import arrive with the question-bank work;
for now trainers can browse what the seed loader put in, by level and function area."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from exam import standard, web
from question_bank import service
from question_bank.models import ITEM_KINDS, ItemVersion

bp = Blueprint("items", __name__, url_prefix="/trainer", template_folder="templates")


@bp.route("/items")
@web.roles_required("trainer")
def index():
    level = request.args.get("level", "junior")
    if level not in standard.LEVELS:
        level = "junior"
    query = service.for_level(service.latest_versions_query(), level).order_by(
        ItemVersion.area, ItemVersion.id)
    versions = list(web.db().exec(query))
    counts: dict[str, int] = {}
    for v in versions:
        counts[v.area] = counts.get(v.area, 0) + 1
    return render_template("question_bank/index.html", versions=versions, level=standard.level(level),
                           levels=standard.LEVELS, counts=counts, kinds=ITEM_KINDS)
