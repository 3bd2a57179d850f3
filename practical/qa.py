"""Call quality inspection (通话质检) judged against a reference marking (pure: no database, no Flask),
and the call transcripts that the quality-inspection and work-order kinds both show.

A QA officer's marks are compared, item by item, with the reference marking the trainer agreed with
fellow inspectors. Two careful inspectors seldom give identical marks, so each item carries a
tolerance: ``1`` (±1 point) or ``"10%"`` (± that share of the item's maximum); without one it is
``DEFAULT_TOLERANCE``. A mark within the tolerance earns the item's full share; within twice the
tolerance, half of it (the inspector saw the fault but weighed it differently); further off, nothing.
With a tolerance of 0 only the exact mark counts. Marks may have one decimal (half points are common).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

DEFAULT_TOLERANCE = "10%"
HALF = Fraction(1, 2)

#: Who speaks a transcript line, and how the page names them.
SPEAKERS = {"agent": "座席", "customer": "客户"}
MAX_LINES = 40
MAX_LINE_CHARS = 300


# ---------------------------------------------------------------- transcripts

def transcript_problems(lines: object, path: str = "transcript", min_lines: int = 2) -> list[str]:
    if not isinstance(lines, list) or not min_lines <= len(lines) <= MAX_LINES:
        return [f"{path}：应为 {min_lines} 至 {MAX_LINES} 句对话的列表"]
    problems = []
    for n, line in enumerate(lines):
        where = f"{path}[{n}]"
        if not isinstance(line, dict):
            problems.append(f"{where}：应为对象 {{\"speaker\": …, \"text\": …}}")
            continue
        if line.get("speaker") not in SPEAKERS:
            problems.append(f"{where}.speaker：应为 agent（座席）或 customer（客户）")
        text = line.get("text")
        if not isinstance(text, str) or not text.strip():
            problems.append(f"{where}.text：不能为空")
        elif len(text) > MAX_LINE_CHARS:
            problems.append(f"{where}.text：不超过 {MAX_LINE_CHARS} 字")
    return problems


def transcript_view(lines: list[dict]) -> list[dict]:
    return [{"n": n, "role": line["speaker"], "speaker": SPEAKERS[line["speaker"]], "text": line["text"]}
            for n, line in enumerate(lines, 1)]


def transcript_text(lines: list[dict]) -> str:
    return "\n".join(line.get("text", "") for line in lines if isinstance(line, dict))


# ---------------------------------------------------------------- numbers

def is_number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def exact(x: int | float | str) -> Fraction:
    return Fraction(str(x))


def show(x: Fraction) -> str:
    """``7``, ``7.5``: how marks are written on a QA sheet."""
    return str(x.numerator) if x.denominator == 1 else f"{float(x):g}"


def tolerance_problem(value: object, maximum: Fraction) -> str | None:
    """Why ``value`` cannot be an item's tolerance, in Chinese, or None."""
    try:
        tol = tolerance(value, maximum)
    except ValueError as exc:
        return str(exc)
    if tol >= maximum:
        return "不能达到或超过该项满分"
    return None


def tolerance(value: object, maximum: Fraction) -> Fraction:
    """The tolerance in points; ValueError (Chinese) for anything but a number or a percentage."""
    if value is None:
        value = DEFAULT_TOLERANCE
    if is_number(value):
        if value < 0:
            raise ValueError("不能为负数")
        return exact(value)
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*%", unicodedata.normalize("NFKC", str(value)).strip())
    if not m:
        raise ValueError("应为分数（如 1）或满分的百分比（如 \"10%\"）")
    return maximum * Fraction(m.group(1)) / 100


def tolerance_label(value: object, maximum: Fraction) -> str:
    tol = tolerance(value, maximum)
    if isinstance(value, str) or value is None:
        return f"±{unicodedata.normalize('NFKC', str(value or DEFAULT_TOLERANCE)).strip()}（±{show(tol)} 分）"
    return f"±{show(tol)} 分"


def parse_score(raw: object, maximum: Fraction) -> Fraction | None:
    """A candidate's mark for an item, or None when blank; ValueError (Chinese) when it is not a mark."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise ValueError("应为数字")
    if is_number(raw):
        text = repr(raw) if isinstance(raw, float) else str(raw)
    elif isinstance(raw, str):
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", raw))
        text = re.sub(r"分$", "", text)
    else:
        raise ValueError("应为数字")
    if not re.fullmatch(r"\d+(?:\.\d+)?", text):
        raise ValueError(f"“{str(raw)[:20]}”不是分数，请填写 0 至 {show(maximum)} 的数字")
    value = Fraction(text)
    if (value * 10).denominator != 1:
        raise ValueError("最多保留一位小数")
    if value > maximum:
        raise ValueError(f"超出该项满分 {show(maximum)} 分")
    return value


# ---------------------------------------------------------------- agreement

@dataclass(frozen=True)
class Agreement:
    credit: Fraction  # 1, 1/2 or 0 of the item's share
    message: str  # Chinese, without the item's name


def agreement(given: Fraction | None, reference: Fraction, tol: Fraction, maximum: Fraction,
              tol_label: str) -> Agreement:
    rule = f"满分 {show(maximum)}，参考评分 {show(reference)} 分，允许误差 {tol_label}"
    if given is None:
        return Agreement(Fraction(0), f"未评分（{rule}）")
    off = abs(given - reference)
    mine = f"您评 {show(given)} 分（{rule}）"
    if off <= tol:
        return Agreement(Fraction(1), f"{mine}，在允许误差内")
    if off <= 2 * tol:
        return Agreement(HALF, f"{mine}，相差 {show(off)} 分，在两倍误差内，得该项一半分数")
    side = "偏高" if given > reference else "偏低"
    return Agreement(Fraction(0), f"{mine}，相差 {show(off)} 分（{side}），超出两倍误差，不得分")
