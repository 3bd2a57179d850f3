"""Uploads awaiting confirmation: owner-only files, unguessable tokens, gone after a day."""

import os
import time

from question_bank import pending_uploads


def test_save_load_discard_and_sweep(tmp_path):
    token = pending_uploads.save(tmp_path, b"data")
    path = tmp_path / "imports" / token
    assert path.stat().st_mode & 0o077 == 0 and (tmp_path / "imports").stat().st_mode & 0o077 == 0
    assert pending_uploads.load(tmp_path, token) == b"data"
    for bad in ("../secret_key", "", None, "a" * 10):
        assert pending_uploads.load(tmp_path, bad) is None
    old = time.time() - pending_uploads.MAX_AGE_SECONDS - 60
    os.utime(path, (old, old))
    assert pending_uploads.load(tmp_path, token) is None
    fresh = pending_uploads.save(tmp_path, b"new")
    assert pending_uploads.sweep(tmp_path) == 1 and not path.exists()
    pending_uploads.discard(tmp_path, fresh)
    assert list((tmp_path / "imports").iterdir()) == []
