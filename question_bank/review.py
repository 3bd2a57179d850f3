"""The review workflow: draft → in review → approved → retired, with the four-eyes rule.

Only approved items reach papers, and nobody approves their own words: the reviewer must differ from
whoever wrote the item's current version. Every move is written to the item's comment thread (so
the author reads why an item came back) and to the audit trail.
"""

from __future__ import annotations

from sqlmodel import Session

from exam.audit.service import record
from question_bank import service
from question_bank.models import APPROVED, DRAFT, IN_REVIEW, RETIRED, STATUSES, Item, ItemComment


class ReviewError(ValueError):
    """A move the workflow forbids; the message says why, in Chinese."""


# action -> (states it may start from, state it leads to, whether a comment is required)
MOVES = {
    "submit": ((DRAFT,), IN_REVIEW, False),
    "approve": ((IN_REVIEW,), APPROVED, False),
    "reject": ((IN_REVIEW,), DRAFT, True),
    "retire": ((DRAFT, IN_REVIEW, APPROVED), RETIRED, True),
    "restore": ((RETIRED,), DRAFT, False),
}
ACTION_NAMES = {"submit": "提交审核", "approve": "审核通过", "reject": "退回修改", "retire": "停用",
                "restore": "恢复为草稿", "comment": "评论"}


def allowed(item: Item, action: str) -> bool:
    return action in MOVES and item.status in MOVES[action][0]


def move(session: Session, item: Item, action: str, actor_id: int, comment: str = "") -> None:
    if action not in MOVES:
        raise ReviewError(f"未知操作 {action!r}")
    sources, target, needs_comment = MOVES[action]
    name = ACTION_NAMES[action]
    if item.status not in sources:
        raise ReviewError(f"题目 {item.ref or item.id} 当前为“{STATUSES[item.status]}”，不能{name}")
    comment = comment.strip()
    if needs_comment and not comment:
        raise ReviewError(f"{name}时请填写理由")
    version = service.latest_version(session, item.id)
    if action == "approve" and version.created_by == actor_id:
        raise ReviewError("不能审核自己编写的题目（当前版本由您编写），请由另一位培训师审核")
    if action in ("submit", "approve") and incomplete(version):
        raise ReviewError(f"题目 {item.ref or item.id} 是缺少参考答案或评分要点的简答题（导入时没有评分信息），"
                          f"请先编辑补全后再{name}")
    breaches = _lint_errors(session, item, version) if action == "approve" else []
    if breaches and not comment:
        shown = "；".join(breaches[:3]) + (f"；等（共 {len(breaches)} 处，见“命题质量检查”）" if len(breaches) > 3 else "")
        raise ReviewError(f"本题有 {len(breaches)} 处命题错误（{shown}）：请先修改，或确认互斥题；"
                          "确需通过时，请在意见中写明理由（记入审核记录）")
    before = item.status
    item.status = target
    session.add(item)
    session.add(ItemComment(item_id=item.id, version=version.version, author_id=actor_id, action=action,
                            body=comment or name))
    session.flush()
    record(session.connection(), f"item.{action}", "item", item.id, actor_id,
           version=version.version, before=before, after=target, comment=comment,
           **({"lint_errors": breaches} if breaches else {}))


def _lint_errors(session: Session, item: Item, version) -> list[str]:
    """The error-level item-writing findings the item would carry once approved (``lint``): an
    approval over them needs a written reason, so ``callexam questions lint`` never fails silently."""
    from question_bank import lint, lint_service
    found = lint_service.check_one(session, item.id, service.version_data(session, version), approved=True)
    return [f"{f.rule_name}：{f.message}" for f in found if f.severity == lint.ERROR]


def incomplete(version) -> bool:
    """A short answer imported without grader information: it waits as a draft until someone writes
    the reference answer and scoring points, because an examiner cannot mark against nothing."""
    key = version.key or {}
    return version.kind == "short" and not (key.get("reference") and key.get("points"))


def add_comment(session: Session, item: Item, actor_id: int, body: str) -> ItemComment:
    body = body.strip()
    if not body:
        raise ReviewError("评论不能为空")
    version = service.latest_version(session, item.id)
    comment = ItemComment(item_id=item.id, version=version.version, author_id=actor_id, body=body)
    session.add(comment)
    session.flush()
    return comment


def move_many(session: Session, items: list[Item], action: str, actor_id: int, comment: str = "") -> None:
    """One move for many items, all or nothing: if any item refuses, every refusal is reported (one
    line each) and the caller's transaction must be rolled back."""
    refused = []
    for item in items:
        try:
            move(session, item, action, actor_id, comment)
        except ReviewError as exc:
            refused.append(str(exc))
    if refused:
        raise ReviewError("\n".join(dict.fromkeys(refused)))
