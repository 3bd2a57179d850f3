"""The bank's pictures in the database: stored once by content hash, linked to the versions that show
them, and found for whoever may see them.

No Flask here: ``service`` stores and links a version's pictures whichever door the version comes
through, the importer asks which pictures the bank already holds, the exporter reads their bytes, and
the media view asks ``visible`` — the one rule for who may see a picture:

* a trainer: every picture of the bank (authoring, preview, review);
* a candidate: only a picture a version on their own theory attempt's paper shows;
* an examiner or chief examiner: a picture a version shows on a paper of a session they manage
  (``exam.sessions.managed``), for marking and appeals.

Nothing here deletes a picture: a version never changes, so a frozen paper keeps showing what it
showed (the links' foreign key refuses a delete).
"""

from __future__ import annotations

from sqlalchemy import exists, insert
from sqlmodel import Session, select

from question_bank.formats import media
from question_bank.models import ItemMedia, ItemVersionMedia
from question_bank.validation import ItemError


def existing(session: Session, hashes) -> set[str]:
    hashes = list(dict.fromkeys(hashes))
    if not hashes:
        return set()
    return set(session.exec(select(ItemMedia.sha256).where(ItemMedia.sha256.in_(hashes))))


def store(session: Session, pictures) -> None:
    """Add the pictures the bank does not hold yet (the same bytes are stored once)."""
    pictures = {p.sha256: p for p in pictures}
    have = existing(session, pictures)
    rows = [{"sha256": p.sha256, "mime": p.mime, "width": p.width, "height": p.height, "size": p.size,
             "data": p.data} for sha, p in pictures.items() if sha not in have]
    if rows:
        session.execute(insert(ItemMedia), rows)


def link(session: Session, version_id: int, stem: str) -> None:
    """Record which stored pictures a new version's stem shows; ItemError names a picture the bank lacks."""
    shown = media.refs(stem)
    if not shown:
        return
    held = existing(session, shown)
    missing = [sha for sha in shown if sha not in held]
    if missing:
        raise ItemError("stem", f"题干中的图片 {missing[0][:12]}… 不在题库的图片库中（请随 Moodle XML 或 QTI 文件一并导入图片）")
    session.execute(insert(ItemVersionMedia), [{"version_id": version_id, "sha256": sha} for sha in shown])


def pictures(session: Session, hashes) -> dict[str, media.Picture]:
    """The stored pictures with these hashes, bytes included (exports)."""
    hashes = list(dict.fromkeys(hashes))
    if not hashes:
        return {}
    return {row.sha256: media.Picture(row.sha256, row.mime, row.width, row.height, row.data)
            for row in session.exec(select(ItemMedia).where(ItemMedia.sha256.in_(hashes)))}


def _shows(sha256: str):
    """Versions that show the picture."""
    return select(ItemVersionMedia.version_id).where(ItemVersionMedia.sha256 == sha256)


def visible(session: Session, sha256: str, user_id: int, role: str) -> ItemMedia | None:
    """The picture if this user may see it (see the module docstring), else None."""
    from exam.delivery.models import Attempt, PaperSlot
    from exam.sessions import managed

    if role == "trainer":
        return session.get(ItemMedia, sha256)
    on_paper = exists().where(PaperSlot.item_version_id.in_(_shows(sha256)), PaperSlot.attempt_id == Attempt.id)
    if role == "candidate":
        query = select(Attempt.id).where(Attempt.candidate_id == user_id, on_paper)
    elif role in managed.MANAGER_ROLES:
        query = managed.visible(session, select(Attempt.id).where(on_paper), user_id, role, Attempt.session_id)
    else:
        return None
    return session.get(ItemMedia, sha256) if session.exec(query.limit(1)).first() is not None else None
