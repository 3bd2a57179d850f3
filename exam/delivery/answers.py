"""The wire format of an answer, checked without touching the database.

Answers name options by their position on the candidate's screen ("0", "0,2") or by "T"/"F", so a
page never needs to know an option's original index, let alone the key. "" clears an answer.
"""

from __future__ import annotations


class AnswerFormatError(ValueError):
    pass


def normalise(kind: str, option_count: int, raw: object) -> str:
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str):
        raise AnswerFormatError("答案应为文本")
    if kind == "truefalse":
        if raw not in ("T", "F"):
            raise AnswerFormatError("判断题答案应为 T 或 F")
        return raw
    try:
        picks = sorted({int(part) for part in raw.split(",")})
    except ValueError:
        raise AnswerFormatError("选项应为数字序号") from None
    if any(not 0 <= p < option_count for p in picks):
        raise AnswerFormatError("选项序号超出范围")
    if kind == "single" and len(picks) != 1:
        raise AnswerFormatError("单选题只能选一项")
    return ",".join(map(str, picks))
