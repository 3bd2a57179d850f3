"""The wire format of an answer, checked without touching the database.

Answers name options by their position on the candidate's screen ("0", "0,2") or by "T"/"F", so a
page never needs to know an option's original index, let alone the key. Fill-in and short answers
are the typed text itself, kept as typed (normalising is the marker's business). "" clears an answer.
"""

from __future__ import annotations

#: Sequence numbers of saves are the page's millisecond clock at most; JavaScript counts exactly up to
#: 2**53. Every autosaving page (answers, typed text, practical tasks) is held to it.
MAX_SEQ = 2**53

MAX_FILL_CHARS = 200
MAX_SHORT_CHARS = 5000
_TEXT_LIMITS = {"fill": MAX_FILL_CHARS, "short": MAX_SHORT_CHARS}


class AnswerFormatError(ValueError):
    pass


def normalise(kind: str, option_count: int, raw: object) -> str:
    if raw is None or raw == "":
        return ""
    if not isinstance(raw, str):
        raise AnswerFormatError("答案应为文本")
    if kind in _TEXT_LIMITS:
        if len(raw) > _TEXT_LIMITS[kind]:
            raise AnswerFormatError(f"答案不能超过 {_TEXT_LIMITS[kind]} 字")
        return raw if raw.strip() else ""
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
