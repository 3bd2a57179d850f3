"""The trainer's typing passages (打字文章): list and filter, write and edit, preview a passage as the
candidate will copy it with its less common characters marked, retire and restore."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.exc import IntegrityError

from exam import standard, web
from exam.db import write_session
from typing_test import difficulty, passages
from typing_test.models import MAX_PASSAGE_CHARS, MIN_PASSAGE_CHARS, PASSAGE_STATUSES, TypingPassage
from typing_test.passage_forms import PassageFilterForm, PassageForm

bp = Blueprint("passages", __name__, url_prefix="/trainer/passages", template_folder="templates")


def _passage_or_404(passage_id: int) -> TypingPassage:
    passage = passages.get(web.db(), passage_id)
    if passage is None:
        abort(404)
    return passage


def _save(form: PassageForm, passage_id: int | None) -> int | None:
    """Create or update; on a problem, put each message beside its field and return None."""
    try:
        data = passages.validate(form.raw())
        with write_session(web.engine()) as db:
            if passage_id is None:
                saved = passages.create(db, data, author_id=current_user.id)
            else:
                saved = passages.update(db, passage_id, data)
            return saved.id
    except passages.PassageError as exc:
        problems = exc.problems
    except IntegrityError:  # another trainer took the same 编号 between the check and the commit
        problems = [("ref", f"“{form.ref.data}”已被另一篇文章使用")]
    for name, text in problems:
        field = getattr(form, name, form.text)
        field.errors = list(field.errors) + [text]
    return None


@bp.route("/")
@web.roles_required("trainer")
def index():
    form = PassageFilterForm(request.args)
    level = form.level.data if form.level.data in standard.LEVELS else None
    status = form.status.data if form.status.data in PASSAGE_STATUSES else None
    rows = passages.list_passages(web.db(), level=level, status=status, query=form.q.data)
    return render_template("typing_test/passages.html", form=form, rows=rows, statuses=PASSAGE_STATUSES,
                           label=difficulty.difficulty_label, label_classes=difficulty.LABEL_CLASSES,
                           long_enough=passages.long_enough)


@bp.route("/new", methods=["GET", "POST"])
@web.roles_required("trainer")
def new():
    form = PassageForm()
    if request.method == "GET":
        form.level.data = request.args.get("level") if request.args.get("level") in standard.LEVELS else "junior"
    elif form.validate_on_submit():
        saved = _save(form, None)
        if saved:
            flash("已保存打字文章。")
            return redirect(url_for("passages.detail", passage_id=saved))
    return render_template("typing_test/passage_form.html", form=form, passage=None,
                           limits=(MIN_PASSAGE_CHARS, MAX_PASSAGE_CHARS), length_rule=passages.length_rule())


@bp.route("/<int:passage_id>/edit", methods=["GET", "POST"])
@web.roles_required("trainer")
def edit(passage_id: int):
    passage = _passage_or_404(passage_id)
    form = PassageForm()
    if request.method == "GET":
        form.load(passage)
    elif form.validate_on_submit():
        if _save(form, passage_id):
            flash("已保存修改。已开始的打字考试仍使用修改前的文本。")
            return redirect(url_for("passages.detail", passage_id=passage_id))
    return render_template("typing_test/passage_form.html", form=form, passage=passage,
                           limits=(MIN_PASSAGE_CHARS, MAX_PASSAGE_CHARS), length_rule=passages.length_rule())


@bp.route("/<int:passage_id>")
@web.roles_required("trainer")
def detail(passage_id: int):
    passage = _passage_or_404(passage_id)
    rare = difficulty.rare_chars(passage.text)
    return render_template(
        "typing_test/passage_detail.html", passage=passage, paragraphs=difficulty.mark_rare(passage.text),
        rare=rare, han_count=len(difficulty.han_chars(passage.text)), label=difficulty.difficulty_label,
        label_classes=difficulty.LABEL_CLASSES,
        statuses=PASSAGE_STATUSES, author=passages.author_name(web.db(), passage), csrf_form=FlaskForm())


def _change_status(passage_id: int, change, message: str):
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        with write_session(web.engine()) as db:
            change(db, passage_id)
    except LookupError:
        abort(404)
    except passages.PassageError as exc:
        for text in exc.messages:
            flash(text, "error")
        return redirect(url_for("passages.detail", passage_id=passage_id))
    flash(message)
    return redirect(url_for("passages.detail", passage_id=passage_id))


@bp.route("/<int:passage_id>/retire", methods=["POST"])
@web.roles_required("trainer")
def retire(passage_id: int):
    return _change_status(passage_id, passages.retire, "文章已停用，新的打字考试不会再抽到它。")


@bp.route("/<int:passage_id>/restore", methods=["POST"])
@web.roles_required("trainer")
def restore(passage_id: int):
    return _change_status(passage_id, passages.restore, "文章已恢复使用。")
