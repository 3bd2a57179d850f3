"""Live proctoring: the examiner's room view (polled JSON) and the actions on attempts; the candidate's status poll."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("proctoring", __name__)
