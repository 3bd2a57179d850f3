"""Trainer pages to import a file into the bank (upload → preview → confirm) and to export it.

The preview shows what would happen and changes nothing; the confirmation re-reads the upload kept
on the server (``exam.held_uploads``), never item content sent back by the browser, and imports all
of it in one transaction or nothing.
"""

from __future__ import annotations

import io

from flask import (
    Blueprint, flash, redirect, render_template, request, send_file, url_for,
)
from flask_login import current_user

from exam import held_uploads, standard, web
from exam.db import write_session
from exam.timeutil import to_local
from question_bank import importer
from question_bank.formats import place, sheet
from question_bank.importer import ACTIONS, BankImportError
from question_bank.models import ITEM_KINDS, STATUSES
from question_bank.transfer import Defaults
from question_bank.transfer_forms import ConfirmForm, ExportForm, ImportForm

bp = Blueprint("transfer", __name__, url_prefix="/trainer", template_folder="templates")

#: The Flask-session entry of the upload awaiting confirmation (one per signed-in user).
PENDING = "question_import"
XLSX = importer.MIMETYPES["xlsx"]


def _import_page(form, failure=None, status=200):
    return render_template("question_bank/transfer_import.html", form=form, failure=failure, place=place,
                           max_mb=importer.MAX_BYTES // (1024 * 1024)), status


@bp.route("/import", methods=["GET", "POST"])
@web.roles_required("trainer")
def import_form():
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form)
    filename = held_uploads.client_filename(form.file.data.filename)
    data = form.file.data.read()
    fmt = None if form.format.data == "auto" else form.format.data
    levels, area = list(form.levels.data or ()), form.area.data or None
    try:
        preview = importer.preview(web.db(), filename, data, fmt, Defaults(tuple(levels), area))
    except importer.PartialPossible as exc:
        preview = exc.preview         # the trainer may import the rest: the preview lists what is refused
    except BankImportError as exc:
        return _import_page(form, exc, 422)
    token = held_uploads.hold(PENDING, data, filename=filename, fmt=preview.fmt, levels=levels, area=area,
                              partial=bool(preview.refused))
    return render_template("question_bank/transfer_preview.html", preview=preview, form=ConfirmForm(token=token),
                           actions=ACTIONS, kinds=ITEM_KINDS, levels=standard.LEVELS, areas=standard.AREA_NAMES,
                           formats=importer.FORMATS, place=place)


@bp.route("/import/confirm", methods=["POST"])
@web.roles_required("trainer")
def import_confirm():
    pending, data = held_uploads.held(PENDING, ConfirmForm())
    if data is None:
        flash("这次导入已失效（已确认、已取消或超过一天），请重新上传文件", "error")
        return redirect(url_for(".import_form"))
    defaults = Defaults(tuple(pending["levels"]), pending["area"])
    try:
        with write_session(web.engine()) as db:
            preview = importer.preview(db, pending["filename"], data, pending["fmt"], defaults,
                                       partial=bool(pending.get("partial")))
            report = importer.commit(db, preview, current_user.id)
    except BankImportError as exc:      # only if the rules changed since the preview
        held_uploads.drop(PENDING)
        return _import_page(ImportForm(formdata=None), exc, 422)
    held_uploads.drop(PENDING)
    skipped = f"未导入 {len(preview.refused)} 题（见预览中的原因）。" if preview.refused else ""
    flash(f"已导入 {pending['filename']}：新增 {report.created} 题，更新 {report.updated} 题，"
          f"无变化 {report.unchanged} 题。{skipped}新增和改动的题目为草稿，审核通过后才能组卷。")
    return redirect(url_for("items.index"))


@bp.route("/import/cancel", methods=["POST"])
@web.roles_required("trainer")
def import_cancel():
    if ConfirmForm().validate_on_submit():
        held_uploads.drop(PENDING)
        flash("已取消导入，题库未改动")
    return redirect(url_for(".import_form"))


@bp.route("/import/template.xlsx")
@web.roles_required("trainer")
def template():
    return send_file(io.BytesIO(sheet.template_xlsx()), mimetype=XLSX, as_attachment=True,
                     download_name="题库导入模板.xlsx")


def _export_name(form: ExportForm) -> str:
    today = to_local(web.now(), web.tz()).strftime("%Y%m%d")
    level = standard.LEVELS[form.level.data].name if form.level.data else "全部等级"
    status = STATUSES[form.status.data] if form.status.data else "全部状态"
    return f"题库_{level}_{status}_{today}{importer.EXPORT_SUFFIX[form.format.data]}"


@bp.route("/export")
@web.roles_required("trainer")
def export():
    form = ExportForm(formdata=request.args or None, meta={"csrf": False})
    if "format" not in request.args or not form.validate():
        return render_template("question_bank/transfer_export.html", form=form)
    result = importer.export(web.db(), form.format.data, form.level.data or None, form.status.data or None)
    if result.left_out:
        shown = "；".join(result.left_out[:5]) + ("……" if len(result.left_out) > 5 else "")
        flash(f"导出 {result.exported} 题；另有 {len(result.left_out)} 题无法用 {importer.FORMATS[form.format.data]} "
              f"表示，未导出：{shown}", "error")
    if result.notes:
        shown = "；".join(result.notes[:5]) + ("……" if len(result.notes) > 5 else "")
        flash(f"{len(result.notes)} 题的部分内容 {importer.FORMATS[form.format.data]} 无法保存：{shown}")
    response = send_file(io.BytesIO(result.data), mimetype=importer.MIMETYPES[form.format.data], as_attachment=True,
                         download_name=_export_name(form))
    response.headers["X-Items-Exported"] = str(result.exported)
    response.headers["X-Items-Left-Out"] = str(len(result.left_out))
    return response


@bp.errorhandler(413)
def too_large(_exc):
    message = f"上传的文件太大：请不超过 {importer.MAX_BYTES // (1024 * 1024)} MB，可拆分后分批导入"
    return render_template("error.html", message=message, status=413), 413
