"""Trying a scenario before candidates do: replies (or a form's fields) in, every criterion out, with
who decides it, the machine's verdict or suggestion and its evidence. The scenario page and
``callexam practical try`` both call ``run`` (pure: no database; the caller supplies the phrase lists).

The points are those the scenario's kind is worth on its level's practical paper
(``standard.PRACTICAL_PAPERS``), 100 when the kind is not on that paper, so a trainer sees the figures
an examiner will.
"""

from __future__ import annotations

import json
from fractions import Fraction

from exam import standard
from practical import call_grading
from practical.kinds import kind, manual_share, normalise_answer
from practical.kinds.base import AnswerError

CALL_KINDS = ("call", "complaint")
MAX_INPUT_CHARS = 200_000


class TrialError(ValueError):
    """Unusable replies, in Chinese, saying what and where."""


def points_for(level: str, kind_code: str) -> Fraction:
    for part in standard.practical_paper(level).parts:
        if part.kind == kind_code:
            return Fraction(part.points)
    return Fraction(100)


def parse_replies(text: str, where: str = "作答") -> object:
    """The JSON a trainer typed or a file held: a list of reply strings, ``{"replies": [...]}``, or a
    form's fields (an object)."""
    if not isinstance(text, str) or not text.strip():
        raise TrialError(f"{where}：内容为空，请给出回复列表，如 [\"您好……\", \"请您稍等……\"]")
    if len(text) > MAX_INPUT_CHARS:
        raise TrialError(f"{where}：内容有 {len(text)} 字，超过 {MAX_INPUT_CHARS} 字的上限")
    try:
        return json.loads(text)
    except ValueError as exc:
        raise TrialError(f"{where} 第 {getattr(exc, 'lineno', '?')} 行：JSON 格式错误（{exc.msg}）") from None


def _answer(kind_code: str, spec: dict, raw: object) -> dict:
    if kind_code in CALL_KINDS:
        if isinstance(raw, list):
            raw = {"replies": raw}
        if not isinstance(raw, dict) or not isinstance(raw.get("replies"), list):
            raise TrialError("作答格式错误：应为回复列表 [\"…\", \"…\"] 或 {\"replies\": [\"…\"]}")
        if not raw["replies"]:
            raise TrialError("作答为空：请至少给出一句回复")
    elif not isinstance(raw, dict):
        raise TrialError("作答格式错误：该题型应为 JSON 对象（各字段的填写内容）")
    try:
        return normalise_answer(kind_code, spec, raw, 1)
    except AnswerError as exc:
        raise TrialError(str(exc)) from None


def run(kind_code: str, level: str, spec: dict, raw: object, lists: dict) -> dict:
    """Every criterion for ``raw`` as JSON: ``max_points``, ``machine_points`` (machine-decided points
    earned), ``suggested_points`` (those plus the suggestions, as an examiner accepting every suggestion
    would give) and ``criteria``."""
    points = points_for(level, kind_code)
    answer = _answer(kind_code, spec, raw)
    if kind_code in CALL_KINDS:
        found = call_grading.assess(spec, answer, lists, complaint=kind_code == "complaint")
        criteria = [c.as_json(points) for c in found]
    else:
        module = kind(kind_code)
        result = module.auto_grade(spec, answer, 1, points)
        criteria = [{"code": c.code, "name": c.name, "decided_by": "machine",
                     "verdict": "met" if c.passed else "not_met", "points": str(c.points),
                     "max_points": str(c.max_points), "message": c.message, "where": c.where, "evidence": []}
                    for c in result.checks]
        suggested = {s["code"]: s for s in result.suggestions}  # the QA task's coaching comments
        if manual_share(kind_code, spec):
            for item in module.default_rubric(spec):
                if item["key"] in suggested:
                    hint = suggested[item["key"]]
                    criteria.append({key: hint[key] for key in ("code", "name", "decided_by", "verdict", "points",
                                                                "max_points", "message", "where", "evidence")}
                                    | {"guide": item.get("guide", [])})
                    continue
                top = points * Fraction(str(item["points"]))
                criteria.append({"code": item["key"], "name": item["name"], "decided_by": "examiner",
                                 "verdict": "not_judged", "points": "0", "max_points": str(top),
                                 "message": "由考评员按评分细则评定，机器不给建议", "where": "", "evidence": []})
    machine = sum((Fraction(c["points"]) for c in criteria if c["decided_by"] == "machine"), Fraction(0))
    suggested = sum((Fraction(c["points"]) for c in criteria), Fraction(0))
    return {"kind": kind_code, "max_points": _num(points), "machine_points": _num(machine),
            "suggested_points": _num(suggested),
            "examiner_points_max": _num(sum((Fraction(c["max_points"]) for c in criteria
                                             if c["decided_by"] == "examiner"), Fraction(0))),
            "criteria": [{**c, "points": _num(Fraction(c["points"])), "max_points": _num(Fraction(c["max_points"]))}
                         for c in criteria]}


def _num(value: Fraction) -> float:
    return round(float(value), 2)
