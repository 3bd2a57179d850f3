"""Trainers' item statistics pages: HTTP in, ``stats_service`` call, template or CSV out.

Only trainers see these pages: they show answer keys next to how candidates answered, which must
never reach a candidate, and examiners have their own results pages.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup

from exam import standard, web
from question_bank import charts, stats, stats_service

bp = Blueprint("stats", __name__, url_prefix="/trainer/stats", template_folder="templates")


@bp.route("/")
@web.roles_required("trainer")
def index():
    return render_template("question_bank/stats_index.html",
                           sessions=stats_service.sessions_overview(web.db()))


@bp.route("/<int:session_id>")
@web.roles_required("trainer")
def session(session_id: int):
    result = _statistics(session_id)
    items, sort = stats_service.sort_items(result.items, request.args.get("sort", "order"))
    points = [charts.Point(label=f"{r.ref}（v{r.version}）", facility=r.stats.facility,
                           discrimination=r.stats.discrimination_index, flagged=bool(r.flags),
                           note="；".join(r.flags)) for r in result.items]
    return render_template(
        "question_bank/stats_session.html", result=result, items=items, sort=sort,
        sorts=stats_service.SORTS, percent=stats_service.percent,
        of_full_marks=stats_service.of_full_marks, number=stats_service.number,
        level=standard.level(result.session.level),
        scatter=Markup(charts.facility_discrimination(points)),
        histogram=Markup(charts.score_histogram(result.totals)),
        thresholds=(stats.HARD_FACILITY, stats.EASY_FACILITY, stats.LOW_DISCRIMINATION),
        min_responses=stats.MIN_RESPONSES)


@bp.route("/<int:session_id>.csv")
@web.roles_required("trainer")
def session_csv(session_id: int):
    result = _statistics(session_id)
    body = stats_service.items_csv(result, request.args.get("sort", "order"))
    filename = f"item-statistics-session-{session_id}.csv"
    return Response(body.encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


def _statistics(session_id: int) -> stats_service.SessionStats:
    result = stats_service.session_statistics(web.db(), session_id)
    if result is None:
        abort(404)
    return result
