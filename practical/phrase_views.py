"""Trainers' editing of the service-phrase lists the call checks use: every list beside the standard's
own, one list's entries one a line, and a way back to the standard's list.

An edit applies to checks run from then on (a submission, a re-check); the conversation a candidate
was shown never changes, because branches read the standard's lists only (``practical.call_script``).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SubmitField, TextAreaField

from exam import web
from exam.accounts.models import User
from exam.db import write_session
from exam.service_phrases import PHRASE_LISTS, PLACEHOLDERS
from practical import phrases_service

bp = Blueprint("phrases", __name__, url_prefix="/trainer/phrases", template_folder="templates")


class PhraseListForm(FlaskForm):
    entries = TextAreaField("词语（每行一条）")
    submit = SubmitField("保存")


class ResetForm(FlaskForm):
    submit = SubmitField("恢复为标准用语")


def _known(key: str) -> None:
    if key not in PHRASE_LISTS:
        abort(404)


def _names(user_ids: set[int]) -> dict[int, str]:
    db = web.db()
    return {uid: user.display_name for uid in user_ids if uid is not None and (user := db.get(User, uid))}


@bp.route("")
@web.roles_required("trainer")
def index():
    overridden = phrases_service.overrides(web.db())
    in_force = phrases_service.lists(web.db())
    return render_template("practical/phrases.html", specs=PHRASE_LISTS, in_force=in_force, overridden=overridden,
                           names=_names({row.updated_by for row in overridden.values()}))


@bp.route("/<key>", methods=["GET", "POST"])
@web.roles_required("trainer")
def edit(key: str):
    _known(key)
    form, problems = PhraseListForm(), []
    row = phrases_service.overrides(web.db()).get(key)
    if form.validate_on_submit():
        entries = phrases_service.parse_entries(form.entries.data)
        try:
            with write_session(web.engine()) as db:
                differs = phrases_service.save_list(db, key, entries, current_user.id)
        except phrases_service.PhraseListError as exc:
            problems = exc.problems
        else:
            flash(f"已保存“{PHRASE_LISTS[key].name}”（{len(entries)} 条）" +
                  ("。" if differs else "，与标准用语相同，按标准用语执行。"))
            return redirect(url_for("phrases.edit", key=key))
    elif not form.is_submitted():
        form.entries.data = "\n".join(row.entries if row is not None else PHRASE_LISTS[key].entries)
    return render_template("practical/phrases_edit.html", key=key, spec=PHRASE_LISTS[key], form=form,
                           reset_form=ResetForm(), row=row, problems=problems, placeholders=PLACEHOLDERS,
                           names=_names({row.updated_by} if row is not None else set()),
                           max_entries=phrases_service.MAX_ENTRIES, max_chars=phrases_service.MAX_ENTRY_CHARS)


@bp.route("/<key>/reset", methods=["POST"])
@web.roles_required("trainer")
def reset(key: str):
    _known(key)
    if not ResetForm().validate_on_submit():
        abort(400)
    with write_session(web.engine()) as db:
        removed = phrases_service.reset_list(db, key, current_user.id)
    flash(f"“{PHRASE_LISTS[key].name}”已恢复为标准用语" if removed else f"“{PHRASE_LISTS[key].name}”本来就是标准用语")
    return redirect(url_for("phrases.edit", key=key))
