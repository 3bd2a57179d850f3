"""Candidate profiles as the examiner keeps them: the photo printed on the admission ticket.

A photo is checked by decoding it (Pillow, which reportlab depends on), not by its name or the
browser's content type: the ticket PDF would otherwise embed whatever was uploaded. Only JPEG and
PNG are kept — the formats every phone and camera produce and reportlab draws directly — and the
pixel size is checked from the header before anything is decoded, so a small file that expands to
an enormous image cannot exhaust the server's memory.
"""

from __future__ import annotations

import io

from sqlmodel import Session, select

from exam.accounts.models import CandidateProfile, User
from exam.audit import service as audit
from exam.sessions.models import Enrollment
from exam.timeutil import utcnow

MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_SIDE = 6000
MIN_SIDE = 80
TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


class PhotoError(ValueError):
    """The photo was refused; the message says why, in Chinese."""


def check_photo(data: bytes) -> str:
    """The photo's MIME type, or PhotoError."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise PhotoError("照片文件是空的")
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(f"照片超过 {MAX_PHOTO_BYTES // (1024 * 1024)} MB（实际 {len(data) / 1024 / 1024:.1f} MB）："
                         "请压缩或裁剪后再上传")
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            if kind not in TYPES:
                raise PhotoError(f"照片应为 JPEG 或 PNG 格式，实际为 {kind}")
            if max(width, height) > MAX_SIDE or min(width, height) < MIN_SIDE:
                raise PhotoError(f"照片尺寸 {width}×{height} 像素不合适：每边应在 {MIN_SIDE} 至 {MAX_SIDE} 像素之间")
            image.verify()
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoError("无法识别为图片，文件可能已损坏：请上传 JPEG 或 PNG 格式的照片") from None
    return TYPES[kind]


def set_photo(db: Session, session_id: int, candidate_id: int, data: bytes, actor_id: int | None) -> None:
    """Store the photo on the profile of a candidate enrolled in ``session_id`` (the page it is
    uploaded from); a profile is created for a candidate who has none yet."""
    mimetype = check_photo(data)
    enrolled = db.exec(select(Enrollment.id).where(
        Enrollment.session_id == session_id, Enrollment.candidate_id == candidate_id)).first()
    user = db.get(User, candidate_id)
    if enrolled is None or user is None:
        raise PhotoError("该考生没有报名本场次")
    profile = db.get(CandidateProfile, candidate_id) or CandidateProfile(user_id=candidate_id)
    replaced = profile.photo is not None
    profile.photo, profile.photo_type, profile.updated_at = data, mimetype, utcnow()
    db.add(profile)
    db.flush()
    audit.record(db.connection(), "candidate.photo", "user", candidate_id, actor_id=actor_id,
                 session_id=session_id, bytes=len(data), type=mimetype, replaced=replaced)


def photo(db: Session, candidate_id: int) -> tuple[bytes, str] | None:
    profile = db.get(CandidateProfile, candidate_id)
    if profile is None or not profile.photo:
        return None
    return profile.photo, profile.photo_type or "image/jpeg"
