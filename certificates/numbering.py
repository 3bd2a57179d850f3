"""Certificate numbers a person can read aloud and type back: ``HJ-2026-C-000123``.

- ``HJ``: 呼叫 (hū jiào), the occupation, so the number says what kind of certificate it is;
- ``2026``: the year of issue (in the exam centre's time zone);
- ``C`` / ``Z`` / ``G``: the level, 初级 / 中级 / 高级 by the first letter of its pinyin;
- ``000123``: the serial within that year and level, from 1, never reused.

Serials come from ``certificate_counter`` through an UPDATE, which takes the counter row's lock until
the transaction ends: two publications running at once on PostgreSQL queue there rather than both
reading the same maximum. There is no check digit on purpose: the public look-up asks for the holder's
name as well, so a mistyped number simply finds nothing, and a shorter number is easier to type.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import text
from sqlalchemy.engine import Connection

from exam import standard

OCCUPATION = "HJ"
LEVEL_LETTERS = {"junior": "C", "intermediate": "Z", "senior": "G"}
SERIAL_DIGITS = 6
PATTERN = re.compile(r"^HJ-(\d{4})-([A-Z])-(\d{6})$")
#: The same number as people type it: dashes left out or put anywhere between the four parts.
_LOOSE = re.compile(r"^HJ-?(\d{4})-?([A-Z])-?(\d{6})$")
assert set(LEVEL_LETTERS) == set(standard.LEVELS), "every level needs a letter in certificate numbers"

_LEVEL_OF_LETTER = {letter: code for code, letter in LEVEL_LETTERS.items()}


def prefix(level: str, year: int) -> str:
    return f"{OCCUPATION}-{year:04d}-{LEVEL_LETTERS[standard.level(level).code]}"


def number(level: str, year: int, serial: int) -> str:
    return f"{prefix(level, year)}-{serial:0{SERIAL_DIGITS}d}"


def normalise(typed: str) -> str:
    """What a person typed or a spreadsheet held, as stored: full-width characters folded (NFKC),
    spaces dropped, upper case, any dash-like character as "-", and the dashes put back where they
    belong when they were left out (``hj2026c000002`` is ``HJ-2026-C-000002``)."""
    folded = unicodedata.normalize("NFKC", typed or "")
    folded = re.sub(r"[\u2010-\u2015\u2212\u30fc\uff0d_]", "-", folded)
    folded = re.sub(r"\s+", "", folded).upper()
    loose = _LOOSE.match(folded)
    return f"{OCCUPATION}-{loose.group(1)}-{loose.group(2)}-{loose.group(3)}" if loose else folded


def parse(value: str) -> tuple[int, str, int] | None:
    """(year, level code, serial) of a well-formed number, else None."""
    match = PATTERN.match(normalise(value))
    if match is None or match.group(2) not in _LEVEL_OF_LETTER:
        return None
    return int(match.group(1)), _LEVEL_OF_LETTER[match.group(2)], int(match.group(3))


def take(conn: Connection, level: str, year: int, count: int = 1) -> list[str]:
    """``count`` fresh numbers for ``level`` in ``year``, inside the caller's transaction."""
    if count <= 0:
        return []
    key = prefix(level, year)
    bump = text("UPDATE certificate_counter SET last = last + :n WHERE prefix = :p")
    if conn.execute(bump, {"n": count, "p": key}).rowcount == 0:
        if conn.dialect.name == "postgresql":
            conn.execute(text("INSERT INTO certificate_counter (prefix, last) VALUES (:p, 0) "
                              "ON CONFLICT (prefix) DO NOTHING"), {"p": key})
        else:
            conn.execute(text("INSERT OR IGNORE INTO certificate_counter (prefix, last) VALUES (:p, 0)"), {"p": key})
        conn.execute(bump, {"n": count, "p": key})
    last = conn.execute(text("SELECT last FROM certificate_counter WHERE prefix = :p"), {"p": key}).scalar_one()
    return [number(level, year, serial) for serial in range(last - count + 1, last + 1)]
