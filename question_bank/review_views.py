"""Review moves, comments and bulk actions on items: every change of an item's status goes through
``review.move`` so the four-eyes rule and the audit trail hold for one item or a hundred."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user

from exam import web
from exam.audit.service import record
from exam.db import write_session
from question_bank import review, service
from question_bank.forms import BULK_ACTIONS, BulkForm, CommentForm, ReviewForm
from question_bank.models import Item
from question_bank.validation import MAX_TAG_LEN

bp = Blueprint("item_review", __name__, url_prefix="/trainer/items")


def _safe_next(target: str | None) -> str:
    """Only paths inside the bank: never an open redirect."""
    if target and target.startswith("/trainer/items") and "//" not in target:
        return target
    return url_for("items.index")


@bp.route("/<int:item_id>/review", methods=["POST"])
@web.roles_required("trainer")
def move(item_id: int):
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with write_session(web.engine()) as db:
            item = db.get(Item, item_id) or abort(404)
            review.move(db, item, form.action.data, current_user.id, form.comment.data or "")
        flash(f"已{review.ACTION_NAMES[form.action.data]}。")
    except review.ReviewError as exc:
        flash(str(exc), "error")
    return redirect(url_for("items.detail", item_id=item_id))


@bp.route("/<int:item_id>/comments", methods=["POST"])
@web.roles_required("trainer")
def comment(item_id: int):
    form = CommentForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        with write_session(web.engine()) as db:
            item = db.get(Item, item_id) or abort(404)
            review.add_comment(db, item, current_user.id, form.body.data or "")
        flash("评论已添加。")
    except review.ReviewError as exc:
        flash(str(exc), "error")
    return redirect(url_for("items.detail", item_id=item_id) + "#comments")


@bp.route("/bulk", methods=["POST"])
@web.roles_required("trainer")
def bulk():
    """One action on the ticked items, all or nothing."""
    form = BulkForm()
    back = _safe_next(form.next.data)
    if not form.validate_on_submit():
        flash("操作无效，请刷新页面后重试。", "error")
        return redirect(back)
    ids = form.ids.data or []
    action, value = form.action.data, (form.value.data or "").strip()
    if not ids:
        flash("请先勾选题目。", "error")
        return redirect(back)
    if action in ("tag", "untag") and not (value and len(value) <= MAX_TAG_LEN and "<" not in value):
        flash(f"请填写标签（不超过 {MAX_TAG_LEN} 字）。", "error")
        return redirect(back)
    try:
        with write_session(web.engine()) as db:
            items = service.items_by_ids(db, ids)
            if action == "tag":
                service.add_tag(db, items, value)
            elif action == "untag":
                service.remove_tag(db, items, value)
            elif action == "move":
                service.move_to_category(db, items, value)
            else:
                review.move_many(db, items, action, current_user.id, form.comment.data or "")
            record(db.connection(), f"items.bulk.{action}", "item", 0, current_user.id,
                   items=[i.id for i in items], value=value)
        flash(f"已对 {len(items)} 道题目执行“{BULK_ACTIONS[action]}”。")
    except review.ReviewError as exc:
        flash("批量操作未执行（全部或全不）：\n" + str(exc), "error")
    return redirect(back)
