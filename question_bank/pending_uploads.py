"""Uploaded import files waiting for the trainer's confirmation, kept on the server.

The confirm step must not trust the browser with item content, so the preview keeps the uploaded
bytes in the instance folder under ``imports/<token>`` (readable by the server's user only) and the
confirmation parses them again. The token itself lives in the signed session of the user who
uploaded the file. Files go after the commit, on cancel, and in a sweep of anything older than a day
whenever a new file arrives. No Flask here: the folder is passed in.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from pathlib import Path

MAX_AGE_SECONDS = 24 * 3600
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32,64}$")


def _folder(instance_path: str | os.PathLike) -> Path:
    folder = Path(instance_path) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _path(instance_path, token: str) -> Path | None:
    """The file of ``token``, or None for anything that is not a token we could have made."""
    if not isinstance(token, str) or not _TOKEN_RE.match(token):
        return None
    return _folder(instance_path) / token


def save(instance_path, data: bytes) -> str:
    token = secrets.token_urlsafe(32)
    fd = os.open(_folder(instance_path) / token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    return token


def load(instance_path, token: str, max_age: float = MAX_AGE_SECONDS) -> bytes | None:
    """The bytes saved under ``token``; None when unknown or older than ``max_age``."""
    path = _path(instance_path, token)
    try:
        if path is None or time.time() - path.stat().st_mtime > max_age:
            return None
        return path.read_bytes()
    except FileNotFoundError:
        return None


def discard(instance_path, token: str) -> None:
    path = _path(instance_path, token)
    if path is not None:
        path.unlink(missing_ok=True)


def sweep(instance_path, max_age: float = MAX_AGE_SECONDS) -> int:
    """Remove files older than ``max_age``; returns how many went."""
    removed, limit = 0, time.time() - max_age
    for path in _folder(instance_path).iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass          # another worker swept it first
    return removed
