"""The trainer's bank: list and search, write and edit items, preview them as candidates will see
them, read an item's history. Review moves and bulk actions are in ``review_views``."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlmodel import select

from exam import standard, web
from exam.db import write_session
from exam.delivery.answers import MAX_FILL_CHARS, MAX_SHORT_CHARS
from exam.delivery.service import Question
from question_bank import diff, enemies, lint_service, review, search, service, similar
from question_bank.forms import BulkForm, CommentForm, EnemyForm, ItemForm, ReviewForm, SearchForm
from question_bank.models import APPROVED, DIFFICULTIES, ENEMY_DECISIONS, ITEM_KINDS, SCORING, STATUSES, Item
from question_bank.transfer import field_message
from question_bank.validation import ItemError, markup_changes, validate

bp = Blueprint("items", __name__, url_prefix="/trainer", template_folder="templates")

# Other pages of the bank, linked from the list when their blueprint is installed.
BANK_LINKS = [("导入", "transfer.import_form"), ("导出", "transfer.export"), ("命题质量报告", "bank_lint.report")]


def _item_or_404(item_id: int) -> Item:
    item = web.db().get(Item, item_id)
    if item is None:
        abort(404)
    return item


@bp.route("/items")
@web.roles_required("trainer")
def index():
    form = SearchForm(request.args)
    filters = search.Filters.from_form(form)
    page = form.page.data if isinstance(form.page.data, int) and form.page.data > 0 else 1
    rows, total = search.search(web.db(), filters, page)
    bulk = BulkForm(next=request.full_path)
    return render_template("question_bank/index.html", form=form, rows=rows, total=total, page=page,
                           pages=max(1, -(-total // search.PAGE_SIZE)), bulk=bulk, kinds=ITEM_KINDS,
                           statuses=STATUSES, levels=standard.LEVELS, areas=standard.AREA_NAMES,
                           difficulties=DIFFICULTIES, tag_counts=search.tag_counts(web.db()),
                           categories=search.category_paths(web.db()),
                           bank_links=[(n, e) for n, e in BANK_LINKS if e in current_app.view_functions])


def _findings(item: Item | None, data) -> list:
    """The item-writing checks for what the trainer is writing, against the rest of the bank."""
    return lint_service.check_one(web.db(), item.id if item else None, data)


def _save(form: ItemForm, item: Item | None):
    """Validate, warn about near-duplicates, then create or revise. Returns the item id, or None
    when the form must be shown again (errors, a similar stem not yet confirmed, or the trainer
    asked only to check the item: ``g.lint_findings`` then holds what the checker found)."""
    try:
        data = validate(form.raw())
    except ItemError as exc:
        form.field_for(exc.field).errors = list(form.field_for(exc.field).errors) + [str(exc)]
        return None, []
    if request.form.get("check"):
        g.lint_findings = _findings(item, data)
        return None, []
    close = similar.similar_stems(web.db(), data.stem, exclude_item_id=item.id if item else None)
    if close and not form.confirm_similar.data:
        return None, close
    try:
        saved = _write(form, item, data)
    except ItemError as exc:            # a stem showing a picture the bank does not hold
        form.field_for(exc.field).errors = list(form.field_for(exc.field).errors) + [str(exc)]
        return None, []
    if saved[0]:        # what the sanitiser dropped beyond escaping is said, never silent
        for name, note in markup_changes(form.raw()):
            flash("保存时" + field_message(name, note))
    return saved


def _write(form: ItemForm, item: Item | None, data):
    with write_session(web.engine()) as db:
        if data.ref and (item is None or data.ref != item.ref) and service.existing_refs(db, [data.ref]):
            form.ref.errors = list(form.ref.errors) + [f"编号 {data.ref} 已被其他题目使用"]
            return None, []
        if item is None:
            version = service.add_item(db, data, author_id=current_user.id)
            flash("已创建题目（草稿）。提交审核并由另一位培训师审核通过后，才会进入试卷。")
            return version.item_id, []
        fresh = db.get(Item, item.id)
        fresh.ref = data.ref
        was = fresh.status
        version = service.revise_item(db, fresh, data, author_id=current_user.id)
        if version is None:
            flash("内容未改变，未生成新版本（标签和分类已保存）。")
        else:
            note = "，题目已退回草稿，需重新审核" if was != fresh.status else ""
            flash(f"已保存为第 {version.version} 版{note}。已组卷的试卷仍使用原版本。")
        return item.id, []


@bp.route("/items/new", methods=["GET", "POST"])
@web.roles_required("trainer")
def new():
    form = ItemForm()
    close = []
    if request.method == "GET":
        form.levels.data = [request.args.get("level", "junior")]
    if form.validate_on_submit():
        item_id, close = _save(form, None)
        if item_id:
            return redirect(url_for("items.detail", item_id=item_id))
    return render_template("question_bank/item_form.html", form=form, item=None, similar=close,
                           findings=g.get("lint_findings"), checked="lint_findings" in g)


@bp.route("/items/<int:item_id>/edit", methods=["GET", "POST"])
@web.roles_required("trainer")
def edit(item_id: int):
    item = _item_or_404(item_id)
    form = ItemForm()
    close = []
    if request.method == "GET":
        data = service.version_data(web.db(), service.latest_version(web.db(), item.id))
        form.load(data)
        g.lint_findings = _findings(item, data)
    elif form.validate_on_submit():
        saved, close = _save(form, item)
        if saved:
            return redirect(url_for("items.detail", item_id=item_id))
    return render_template("question_bank/item_form.html", form=form, item=item, similar=close,
                           findings=g.get("lint_findings"), checked="lint_findings" in g)


@bp.route("/items/<int:item_id>")
@web.roles_required("trainer")
def detail(item_id: int):
    item = _item_or_404(item_id)
    db = web.db()
    versions = service.versions_of(db, item_id)
    current = versions[0]
    data = service.version_data(db, current)
    comments = service.comments_of(db, item_id)
    names = service.user_names(db)
    used = service.used_versions(db, [v.id for v in versions])
    return render_template(
        "question_bank/item_detail.html", item=item, current=current, data=data, versions=versions,
        comments=comments, names=names, used=used, statuses=STATUSES, kinds=ITEM_KINDS,
        scoring=SCORING, difficulties=DIFFICULTIES, levels=standard.LEVELS, areas=standard.AREA_NAMES,
        moves={a: review.allowed(item, a) for a in review.MOVES}, action_names=review.ACTION_NAMES,
        review_form=ReviewForm(), comment_form=CommentForm(), is_author=current.created_by == current_user.id,
        findings=lint_service.check_one(db, item.id, data, approved=item.status == APPROVED),
        enemy_rows=enemies.enemies_of(db, item.id), enemy_form=EnemyForm(), labels=_labels(db),
        decisions=ENEMY_DECISIONS)


def _labels(db) -> dict[int, str]:
    """Item id -> what people call it, for findings that name other items."""
    return {i: lint_service.label(i, r) for i, r in db.exec(select(Item.id, Item.ref))}


@bp.route("/items/<int:item_id>/preview")
@web.roles_required("trainer")
def preview(item_id: int):
    """The item exactly as a candidate's paper shows it: same partial, same markup, no key."""
    _item_or_404(item_id)
    version = service.version_number(web.db(), item_id, request.args.get("version", type=int)) or abort(404)
    q = Question(position=0, kind=version.kind, area=version.area, stem=version.stem, options=list(version.options),
                 points=standard.FULL_MARKS, scoring=version.scoring)
    return render_template("question_bank/item_preview.html", q=q, version=version, kinds=ITEM_KINDS,
                           max_fill=MAX_FILL_CHARS, max_short=MAX_SHORT_CHARS)


@bp.route("/items/<int:item_id>/diff")
@web.roles_required("trainer")
def history_diff(item_id: int):
    item = _item_or_404(item_id)
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    old, new = (service.version_number(web.db(), item_id, n) if n else None for n in (a, b))
    if old is None or new is None:
        abort(404)
    changes = diff.compare(service.version_data(web.db(), old), service.version_data(web.db(), new))
    return render_template("question_bank/item_diff.html", item=item, a=old, b=new, changes=changes)
