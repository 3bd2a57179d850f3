"""A session's results: the table, XLSX export, charts, publication."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("session_results", __name__)
