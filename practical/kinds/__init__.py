"""The scenario kinds (see ``base``); ``KINDS`` maps each code to its module."""

from __future__ import annotations

import importlib
from fractions import Fraction
from types import ModuleType

from practical.kinds.base import AnswerError

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


def normalise_answer(code: str, spec: dict, raw: object, seed: int) -> dict:
    """A whole answer as stored (a form kind's save, a trainer's 试做 and ``callexam practical try``):
    refused when it carries a top-level key the kind does not declare in ``ANSWER_KEYS``, then the
    kind's own ``normalise_answer``. Every way in comes through here, so the rule is the same for all."""
    module = kind(code)
    _refuse_unknown_keys(module, raw, module.ANSWER_KEYS, getattr(module, "ANSWER_NOTE", ""))
    return module.normalise_answer(spec, raw, seed)


def saved_answer(code: str, spec: dict, stored: dict | None, raw: object, seed: int) -> dict:
    """What a candidate's save makes of the stored answer: for a kind whose answer only grows (the
    call: ``merge_answer``) the one reply a save carries, checked against its ``SAVE_KEYS``; for
    every other kind the whole answer (``normalise_answer``)."""
    module = kind(code)
    if not hasattr(module, "merge_answer"):
        return normalise_answer(code, spec, raw, seed)
    _refuse_unknown_keys(module, raw, module.SAVE_KEYS, getattr(module, "SAVE_NOTE", ""))
    return module.merge_answer(spec, stored, raw, seed)


def _refuse_unknown_keys(module: ModuleType, raw: object, keys: dict[str, str], note: str) -> None:
    """``AnswerError`` naming the unexpected top-level keys and the expected ones (with what each
    holds): a key the kind does not read — a field typed beside ``fields``, ``value`` for ``values`` —
    would otherwise be dropped without a word and the task marked as if left blank. A non-object is
    left to the kind, which says what shape it wants."""
    if not isinstance(raw, dict):
        return
    unknown = [key for key in raw if key not in keys]
    if not unknown:
        return
    named = "、".join(repr(key)[:40] for key in unknown[:5]) + (f" 等 {len(unknown)} 个" if len(unknown) > 5 else "")
    expected = "、".join(f"{key}（{meaning}）" for key, meaning in keys.items())
    raise AnswerError(f"答案格式错误：有多余的键 {named}；{module.NAME}的答案只能有这些键：{expected}"
                      + (f"；{note}" if note else ""))


def names() -> dict[str, str]:
    return {code: kind(code).NAME for code in KIND_CODES}


#: Kinds whose candidate page is another kind's: a complaint is a simulated call with an angry caller.
_SHARED_TEMPLATES = {"complaint": "call"}


def template(code: str) -> str:
    """The page fragment that shows a task of this kind (``view``, ``answer``, ``readonly``, ``task``)."""
    return f"practical/kinds/{_SHARED_TEMPLATES.get(code, code)}.html"
