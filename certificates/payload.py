"""The one byte form of a certificate's fields that the QR token signs.

Sorted keys, no spaces, UTF-8 (Chinese as itself, not ``\\u`` escapes, which would make the QR
code larger for nothing). Floats are refused: 86.0 and 86 print differently in different JSON
libraries, so scores travel as decimal strings (``certificates.view.decimal_text``) and the bytes a
verifier re-serialises are the bytes that were signed.
"""

from __future__ import annotations

import json
import math


def _check(value, where: str) -> None:
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return
    if isinstance(value, float):
        raise TypeError(f"字段 {where} 是浮点数 {value!r}：请用十进制字符串（如 \"86.5\"）" if math.isfinite(value)
                        else f"字段 {where} 不是有限数值")
    if isinstance(value, dict):
        for key, inner in value.items():
            if not isinstance(key, str):
                raise TypeError(f"字段 {where} 的键 {key!r} 不是字符串")
            _check(inner, f"{where}.{key}" if where else key)
        return
    if isinstance(value, (list, tuple)):
        for index, inner in enumerate(value):
            _check(inner, f"{where}[{index}]")
        return
    raise TypeError(f"字段 {where} 的类型 {type(value).__name__} 不能写入证书数据")


def canonical(fields: dict) -> bytes:
    if not isinstance(fields, dict):
        raise TypeError("证书数据必须是键值对（dict）")
    _check(fields, "")
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")
