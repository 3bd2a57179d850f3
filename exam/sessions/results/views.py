"""A session's results: the table, XLSX/CSV export, charts, publication (examiners only).

HTTP in, a call to the read model or the publication, a page or a file out; the writes (publish,
schedule, withdraw) go through ``exam.sessions.results.publication``, each audited there.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from exam import web
from exam.audit.service import record
from exam.db import write_connection
from exam.sessions import managed
from exam.sessions.results import publication
from exam.sessions.results import table as results
from exam.sessions.results import charts as results_charts
from exam.sessions.results import export as results_export
from exam.sessions.models import ExamSession
from exam.sessions.results import visibility
from exam.sessions.results.visibility import PUBLISHED, RELEASE_NAMES
from exam.sessions.results.forms import PublishForm, ScheduleForm, UnpublishForm
from exam.timeutil import local_to_utc, to_local

bp = Blueprint("session_results", __name__, url_prefix="/examiner")

MAX_FLASHED_REASONS = 5
#: Who may export whole ID numbers: the 考务主管, who files with the 认定 body (HR's copy and the
#: session's examiners get them masked; an admin manages accounts, not sessions, and never reaches
#: this page). ``RESULTS_FULL_ID_ROLES`` in the configuration overrides it. Every such export is
#: audited, and so is a refused request for one.
FULL_ID_ROLES = ("chief",)
FULL_ID_REFUSED = "完整身份证号仅限考务主管导出（报送认定机构用）；您可以导出脱敏的成绩表，或请考务主管导出"


def may_export_full_id() -> bool:
    """Whether the signed-in user may have whole ID numbers in an export (the page offers the link
    only then; the export refuses anyone else)."""
    return current_user.role in current_app.config.get("RESULTS_FULL_ID_ROLES", FULL_ID_ROLES)


def _session(session_id: int) -> ExamSession:
    return managed.managed_session(session_id)


def _back(session_id: int):
    return redirect(url_for("session_results.index", session_id=session_id))


@bp.route("/sessions/<int:session_id>/results")
@managed.manages_session
def index(session_id: int):
    exam_session = _session(session_id)
    table = results.session_table(web.db(), exam_session, web.now())
    charts = [results_charts.theory_histogram(table.scores("theory")),
              results_charts.practical_histogram(table.scores("practical")),
              results_charts.pass_rates(table.rates())]
    pub = visibility.of(exam_session)
    schedule = ScheduleForm(results_release=pub.release, publish_at=to_local(pub.publish_at, web.tz()))
    return render_template("session_results/index.html", exam_session=exam_session, table=table,
                           charts=[(c, Markup(c.svg)) for c in charts], publish_form=PublishForm(),
                           schedule_form=schedule, unpublish_form=UnpublishForm(), now=web.now(),
                           may_full_id=may_export_full_id())


@bp.route("/sessions/<int:session_id>/results/export.<fmt>")
@managed.manages_session
def export(session_id: int, fmt: str):
    if fmt not in ("xlsx", "csv"):
        abort(404)
    exam_session = _session(session_id)
    table = results.session_table(web.db(), exam_session, web.now())
    full_id = request.args.get("id") == "full"
    if full_id:
        if not may_export_full_id():
            # refused outright rather than quietly masked: a file that looks like the filing copy
            # but is not would be worse than no file; the attempt is on the record
            with write_connection(web.engine()) as conn:
                record(conn, "results.export_full_id_refused", "exam_session", session_id,
                       actor_id=current_user.id, format=fmt, role=current_user.role)
            return render_template("error.html", message=FULL_ID_REFUSED, status=403), 403
        with write_connection(web.engine()) as conn:   # whole ID numbers leave the system: say who took them
            record(conn, "results.export_full_id", "exam_session", session_id, actor_id=current_user.id,
                   format=fmt, rows=len(table.rows))
    if fmt == "xlsx":
        body = results_export.to_xlsx(table, web.now(), web.tz(), full_id)
        mimetype = results_export.XLSX_TYPE
    else:
        body, mimetype = results_export.to_csv(table, full_id), results_export.CSV_TYPE
    disposition = results_export.content_disposition(results_export.filename(table, fmt),
                                                     f"session-{session_id}-results.{fmt}")
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": disposition})


@bp.route("/sessions/<int:session_id>/results/publish", methods=["POST"])
@managed.manages_session
def publish(session_id: int):
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    _session(session_id)
    if not form.confirm.data:
        flash("成绩未发布：请先核对人数和成绩，勾选“确认发布”后再点“立即发布成绩”", "error")
        return _back(session_id)
    outcome = publication.publish(web.engine(), session_id, web.now(), actor_id=current_user.id)
    if outcome.already:
        flash("本场成绩此前已发布，未作改动")
    elif outcome.published:
        flash("成绩已发布，已通知本场全部考生")
    else:
        shown = outcome.reasons[:MAX_FLASHED_REASONS]
        more = len(outcome.reasons) - len(shown)
        flash("成绩暂不能发布：" + "；".join(shown) + (f"；另有 {more} 项，见下方列表" if more > 0 else ""), "error")
    return _back(session_id)


@bp.route("/sessions/<int:session_id>/results/schedule", methods=["POST"])
@managed.manages_session
def schedule(session_id: int):
    _session(session_id)
    form = ScheduleForm()
    if not form.validate_on_submit():
        errors = [f"{field.label.text}：{e}" for field in form for e in field.errors]
        flash("发布设置未保存：" + "；".join(errors or ["表单已过期，请刷新页面后重试"]), "error")
        return _back(session_id)
    tz = web.tz()
    publish_at = local_to_utc(form.publish_at.data, tz) if form.publish_at.data else None
    refused = publication.schedule(web.engine(), session_id, form.results_release.data, publish_at, web.now(),
                                   current_user.id, tz)
    if refused:
        flash("发布设置未保存：" + "；".join(refused), "error")
        return _back(session_id)
    when = f"，将于 {to_local(publish_at, tz).strftime('%Y-%m-%d %H:%M')} 自动发布" if publish_at else "，未设定时发布"
    hold = "；发布前考生看不到成绩" if form.results_release.data == PUBLISHED else ""
    flash(f"已保存：{RELEASE_NAMES[form.results_release.data]}{when}{hold}")
    return _back(session_id)


@bp.route("/sessions/<int:session_id>/results/unpublish", methods=["POST"])
@managed.manages_session
def unpublish(session_id: int):
    _session(session_id)
    form = UnpublishForm()
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors]
        flash("未撤回：" + "；".join(errors or ["表单已过期，请刷新页面后重试"]), "error")
        return _back(session_id)
    if publication.unpublish(web.engine(), session_id, form.reason.data.strip(), current_user.id):
        flash("已撤回成绩发布；再次发布时不会重复通知考生")
    else:
        flash("本场成绩尚未发布，无需撤回", "error")
    return _back(session_id)
