"""Roster import, seats, admission tickets."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rosters", __name__)
