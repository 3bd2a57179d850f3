"""中国大陆手机号的校验与规范化（纯函数）。

The phone is how a candidate hears about a rescheduled session or a published result, so a roster
must not carry a number that cannot receive a text message. People write the same number many ways
(+86 138-0013-8000, 0086 13800138000, full-width digits from a Chinese input method, a cell Excel
turned into 13800138000.0); all of them are stored as the same 11 digits, so two spellings of one
number compare equal.
"""

from __future__ import annotations

import re
import unicodedata

LENGTH = 11
#: Second digit of a mainland mobile number (13x–19x; 10x, 11x and 12x are not mobile ranges).
SECOND_DIGITS = "3456789"
DIGITS = "0123456789"
#: Spaces, hyphens and dashes, dots and brackets people put between groups of digits (after NFKC,
#: which has already turned full-width ones into these).
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015.()\[\]]+")
_COUNTRY_PREFIXES = ("+86", "0086")


class PhoneError(ValueError):
    """Not a mainland mobile number; the message says why, in Chinese, for the user."""


def mobile(raw: str) -> str:
    """The 11-digit number, or PhoneError naming what is wrong."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    if not text:
        raise PhoneError("手机号不能为空")
    number = _SEPARATORS.sub("", text)
    for prefix in _COUNTRY_PREFIXES:
        if number.startswith(prefix):
            number = number[len(prefix):]
            break
    else:
        if number.startswith("+"):
            raise PhoneError(f"只支持中国大陆手机号（+86），实际为 {text}")
        if len(number) == LENGTH + 2 and number.startswith("861"):
            number = number[2:]
    for char in number:
        if char not in DIGITS:
            raise PhoneError(f"手机号只能包含数字，实际含有“{char}”")
    if len(number) != LENGTH:
        raise PhoneError(f"手机号应为 {LENGTH} 位，实际 {len(number)} 位")
    if number[0] != "1" or number[1] not in SECOND_DIGITS:
        raise PhoneError(f"手机号应以 13–19 开头，实际以 {number[:2]} 开头")
    return number


def mask_mobile(number: str) -> str:
    """"138****8000", the way Chinese services show a phone to anyone but its owner."""
    if len(number) != LENGTH:
        return "*" * len(number)
    return number[:3] + "****" + number[-4:]
