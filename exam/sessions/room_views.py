"""Exam rooms (考场) and their seats."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("rooms", __name__)
