"""Static files with content-hashed URLs and long cache lifetimes.

A room of candidates who start together each load the paper page and with it the style sheet and
scripts. Flask serves static files revalidated on every page (``no-cache``), so each start cost a
round trip and an app request per file. Every ``url_for('static', filename=…)`` now carries the
file's content hash (``?v=``, the first 12 hex digits of its SHA-256); a request whose ``v`` matches
the file is answered with a year's ``immutable`` lifetime, so a browser fetches each version of a
file once. A changed file gets a new hash, hence a new URL: nobody runs yesterday's script. A
request without ``v`` or with a stale one keeps Flask's default (revalidate).
"""

from __future__ import annotations

import hashlib
import os

from flask import Flask, request

YEAR = 365 * 24 * 3600


def _digest(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()[:12]


class _Hashes:
    """Content hashes by file name, remembered with the file's mtime and size (a deploy that
    replaces a file without restarting still gets the new hash)."""

    def __init__(self, folder: str):
        self.folder = folder
        self.known: dict[str, tuple[float, int, str]] = {}

    def get(self, filename: str) -> str | None:
        path = os.path.join(self.folder, filename)
        try:
            stat = os.stat(path)
        except OSError:
            return None
        seen = self.known.get(filename)
        if seen is None or seen[:2] != (stat.st_mtime, stat.st_size):
            seen = (stat.st_mtime, stat.st_size, _digest(path))
            self.known[filename] = seen
        return seen[2]


def init_app(app: Flask) -> None:
    hashes = _Hashes(app.static_folder)

    @app.url_defaults
    def _versioned(endpoint, values):
        if endpoint == "static" and "v" not in values:
            digest = hashes.get(values.get("filename", ""))
            if digest:
                values["v"] = digest

    default_max_age = app.get_send_file_max_age

    def max_age(filename):
        if filename and request.args.get("v") and request.args.get("v") == hashes.get(filename):
            return YEAR
        return default_max_age(filename)

    app.get_send_file_max_age = max_age

    @app.after_request
    def _immutable(response):
        if request.endpoint == "static" and response.cache_control.max_age == YEAR:
            response.cache_control.immutable = True
            response.cache_control.public = True
        return response
