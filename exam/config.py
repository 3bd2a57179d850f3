"""Where the instance lives and what it is configured with.

The instance folder (database file, secret key) sits outside the package so that an upgrade never
touches exam-day data and no secret ever lands in the repository.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from exam import standard

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Seconds a save is still accepted after an attempt's deadline: covers a request in flight when
#: the clock runs out, never a candidate's extra work.
DEFAULT_GRACE_SECONDS = 15


def instance_path() -> Path:
    path = Path(os.environ.get("CALLEXAM_INSTANCE") or REPO_ROOT / "instance").resolve()
    private_folder(path)
    return path


def private_folder(path: Path) -> None:
    """The instance folder holds the database (ID numbers, phones, photos, password hashes), keys
    and the secret key: only the account running callexam may enter it (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        if path.stat().st_mode & 0o077:
            path.chmod(0o700)
    except PermissionError:     # not ours (a shared mount): leave it, the files inside are 0600
        pass


def secret_key(folder: Path) -> str:
    """Read the instance's secret key, creating it atomically on first run.

    Several server workers may start at once; O_EXCL makes exactly one of them the author and the
    others readers of the same key.
    """
    key_file = folder / "secret_key"
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for _ in range(50):
            text = key_file.read_text().strip()
            if text:
                return text
            import time
            time.sleep(0.01)
        raise RuntimeError(f"密钥文件 {key_file} 为空，请删除后重启")
    key = secrets.token_hex(32)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def database_url(folder: Path) -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'callexam.db'}"


def load(overrides: dict | None = None) -> dict:
    folder = instance_path() if not (overrides and "INSTANCE_PATH" in overrides) else Path(overrides["INSTANCE_PATH"])
    private_folder(folder)
    cfg = {
        "INSTANCE_PATH": str(folder),
        "SECRET_KEY": os.environ.get("CALLEXAM_SECRET_KEY") or secret_key(folder),
        "DATABASE_URL": database_url(folder),
        "GRACE_SECONDS": int(os.environ.get("CALLEXAM_GRACE_SECONDS", DEFAULT_GRACE_SECONDS)),
        # How often exam-station agents ask what is open and upload a summary window (seconds).
        "STATION_POLL_SECONDS": float(os.environ.get("CALLEXAM_STATION_POLL_SECONDS", 5)),
        "STATION_UPLOAD_SECONDS": float(os.environ.get("CALLEXAM_STATION_UPLOAD_SECONDS", 15)),
        "TYPING_MIN_ACCURACY": float(os.environ.get("CALLEXAM_TYPING_MIN_ACCURACY",
                                                    standard.DEFAULT_TYPING_MIN_ACCURACY)),
        "SCHEDULER_INTERVAL_SECONDS": float(os.environ.get("CALLEXAM_SCHEDULER_INTERVAL", 1)),
        # How often a candidate's page asks whether a proctor paused, extended or voided the attempt,
        # and how often the examiner's live board refreshes (seconds; exam.proctoring).
        "STATUS_POLL_SECONDS": float(os.environ.get("CALLEXAM_STATUS_POLL_SECONDS", 5)),
        "BOARD_POLL_SECONDS": float(os.environ.get("CALLEXAM_BOARD_POLL_SECONDS", 3)),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("CALLEXAM_SECURE_COOKIES") == "1",
        "WTF_CSRF_TIME_LIMIT": None,  # an exam lasts hours; the token is bound to the session anyway
        # Server-side sessions (exam.accounts.logins): idle timeouts per kind of account, a lifetime.
        "STAFF_IDLE_MINUTES": float(os.environ.get("CALLEXAM_STAFF_IDLE_MINUTES", 30)),
        "CANDIDATE_IDLE_MINUTES": float(os.environ.get("CALLEXAM_CANDIDATE_IDLE_MINUTES", 20)),
        "SESSION_MAX_HOURS": float(os.environ.get("CALLEXAM_SESSION_MAX_HOURS", 12)),
        # Behind a reverse proxy: trust this many proxies' X-Forwarded-For/-Proto/-Host (werkzeug's
        # ProxyFix), so addresses, throttles and Secure cookies see the browser's side.
        "PROXY_FIX": int(os.environ.get("CALLEXAM_PROXY_FIX", 0)),
        "CERTIFICATE_VALID_YEARS": int(os.environ.get("CALLEXAM_CERTIFICATE_VALID_YEARS", 3)),  # certificates.rules
        # Where server workers keep Jinja's compiled templates (exam.worker); shared by every worker.
        "JINJA_CACHE_PATH": os.environ.get("CALLEXAM_JINJA_CACHE") or str(folder / "jinja-cache"),
    }
    if overrides:
        cfg.update(overrides)
    return cfg
