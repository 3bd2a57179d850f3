"""The scenario kinds (see ``base``); ``KINDS`` maps each code to its module."""

from __future__ import annotations

import importlib
from fractions import Fraction
from types import ModuleType

#: Kind codes in display order; each is a module of this package.
KIND_CODES = ("call", "work_order", "complaint", "qa", "kpi", "staffing", "written")

_loaded: dict[str, ModuleType] = {}


def kind(code: str) -> ModuleType:
    if code not in KIND_CODES:
        raise KeyError(f"未知的实操题型 {code!r}")
    if code not in _loaded:
        _loaded[code] = importlib.import_module(f"practical.kinds.{code}")
    return _loaded[code]


def manual_share(code: str, spec: dict) -> Fraction:
    """The share of a task's points an examiner marks: the kind's ``manual_share(spec)`` when its split
    depends on the rules a task was drawn under (the QA task), else its ``MANUAL_SHARE``."""
    module = kind(code)
    hook = getattr(module, "manual_share", None)
    return hook(spec) if hook is not None else module.MANUAL_SHARE


def names() -> dict[str, str]:
    return {code: kind(code).NAME for code in KIND_CODES}


#: Kinds whose candidate page is another kind's: a complaint is a simulated call with an angry caller.
_SHARED_TEMPLATES = {"complaint": "call"}


def template(code: str) -> str:
    """The page fragment that shows a task of this kind (``view``, ``answer``, ``readonly``, ``task``)."""
    return f"practical/kinds/{_SHARED_TEMPLATES.get(code, code)}.html"
