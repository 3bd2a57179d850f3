"""Reading a typed reply the way an examiner would before looking for a key point in it (pure: no
database, no Flask).

Three things a plain substring test gets wrong, each handled here:

- **Times, dates and numbers.** "下午6:00", "18点", "晚上六点" and "18:00" are one time; "幸福路18号" is an
  address, not a time. Before matching, a clock time becomes a token ``ʈHHMM`` (24-hour) — or
  ``ʈʔHHMM`` when the reply gives no part of the day and the hour could be either ("六点") — a date
  "6月3号" becomes "6月3日", a Chinese numeral in front of a unit ("三个工作日", "两小时", "八十六元")
  becomes digits, and 块/块钱 become 元. An entry is normalised the same way, and an entry's
  unambiguous time also accepts the reply's ambiguous one twelve hours apart ("六点前" for "18:00前").
- **Negation.** A hit counts only when no negator (不/没/别/无法/不能/未/无 …) stands before it in the
  same clause (clauses end at ，。！？；), so "我不理解您为什么这么激动" does not show understanding and
  "我们没办法给您退" offers no refund. Fixed phrases that contain a negator but say something positive
  (不好意思, 不客气, 没问题, 不便 …) are not negators.
- **Synonyms.** A key point is a list of alternatives (``any``) or of groups that must all be present
  (``all``, each item a word or a list of interchangeable words); each alternative is tried as above.

Every answer carries its evidence — the words matched, the words seen but negated — so an examiner
can see why the machine suggests what it does.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_NUM = "零〇一二两三四五六七八九十百千"
_NUM = rf"(?:\d+|[{_CN_NUM}]+)"

# Parts of the day and how they move an hour (am: as said; pm: +12 below 12; 中午: 12/13 …).
_PM = ("下午", "傍晚", "晚上", "今晚", "明晚", "夜里", "夜间", "晚")
_AM = ("凌晨", "早上", "早晨", "上午", "明早", "今早", "清早", "早")
_NOON = ("中午",)
_PERIOD = "|".join(sorted((*_PM, *_AM, *_NOON), key=len, reverse=True))

_CLOCK = re.compile(rf"({_PERIOD})?\s*(\d{{1,2}})\s*[:：]\s*(\d{{2}})")
_DIAN = re.compile(rf"({_PERIOD})?\s*({_NUM})\s*[点點时](?!(?:[点钟]|儿))\s*(半|整|钟|(?:({_NUM})\s*分)|(?:(\d{{2}})(?!\d)))?")
_DATE = re.compile(rf"({_NUM})\s*月\s*({_NUM})\s*[日号號]")
_UNIT = re.compile(rf"([{_CN_NUM}]+)(?=\s*(?:个|小时|天|元|块|分钟|秒|周|月|年|次|位|号|折|倍|张|份|台|户|度|G|M|兆))")
_YUAN = re.compile(r"(\d+(?:\.\d+)?)\s*块钱?")
_MONEY_TAIL = re.compile(rf"({_NUM})\s*[块元]\s*([{_CN_NUM}\d])\s*[角毛]?(?![\d{_CN_NUM}])")
_DECIMAL = re.compile(r"(\d+)\.(\d+)")

NEGATORS = ("没有", "无法", "不能", "不会", "不可以", "不用", "不行", "没法", "未能", "不", "没", "别", "未", "无", "甭", "非")
#: Phrases with a negator character that are not negations: they are kept as they are.
NOT_NEGATION = ("不好意思", "不客气", "不用客气", "没问题", "不便", "不满", "不好", "不舒服", "不方便", "不高兴",
                "不清楚的地方", "不明白的地方", "无论", "非常", "无误", "不错", "没关系", "不管", "不断", "不及时",
                "不到位", "不周", "不了解", "并非", "别的", "无人", "不理想", "不正常", "没收到", "未到账",
                "没到账", "不到账", "不上网", "没信号", "不通", "不知道您", "是不是", "能不能", "可不可以",
                "会不会", "有没有", "要不要", "行不行", "对不起", "来不及", "不止", "不仅", "不少")
_CLAUSE = re.compile(r"[，,。．.！!？?；;\n、]|但是|不过|可是")
_DIGITS = f"[0-9{_CN_NUM}]+"
NEGATION_WINDOW = 6  # characters before a hit that a negator may stand in


def cn_number(text: str) -> int | None:
    """A Chinese numeral ("十八", "二十四", "一〇八六", "两") as an int, or None."""
    if not text:
        return None
    if text.isdigit():
        return int(text)
    if all(ch in _CN_DIGITS for ch in text):  # digit by digit: 一〇八六
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        elif ch in "十百千":
            unit = {"十": 10, "百": 100, "千": 1000}[ch]
            total += (current or 1) * unit
            current = 0
        else:
            return None
    return total + current


_MINUTES_PER_HOUR = 60  # a clock's minutes, not the standard's pass mark


def _clock(period: str | None, hour: int, minute: int) -> str | None:
    if not (0 <= hour <= 24 and minute in range(_MINUTES_PER_HOUR)):
        return None
    if period in _PM and hour < 12:
        hour += 12
    elif period in _NOON and hour < 6:
        hour += 12
    elif period in _AM and hour == 12:
        hour = 0
    ambiguous = period is None and 1 <= hour <= 12
    return f"ʈ{'ʔ' if ambiguous else ''}{hour % 24:02d}{minute:02d}"


def _dian(m: re.Match) -> str:
    period, hour_text, tail = m.group(1), m.group(2), m.group(3) or ""
    hour = cn_number(hour_text)
    if hour is None:
        return m.group(0)
    # "一点" without anything that makes it a clock time is "a little" (一点时间, 有一点)
    if hour_text == "一" and not period and not tail:
        return m.group(0)
    minute = 30 if tail == "半" else 0
    if m.group(4):
        minute = cn_number(m.group(4)) or 0
    elif m.group(5):
        minute = int(m.group(5))
    token = _clock(period, hour, minute)
    return token if token else m.group(0)


def canonical(text: str) -> str:
    """Times, dates, numbers and currency written one way (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _CLOCK.sub(lambda m: _clock(m.group(1), int(m.group(2)), int(m.group(3))) or m.group(0), text)
    text = _DIAN.sub(_dian, text)
    text = _DATE.sub(lambda m: f"{cn_number(m.group(1))}月{cn_number(m.group(2))}日"
                     if cn_number(m.group(1)) is not None and cn_number(m.group(2)) is not None else m.group(0), text)
    text = _MONEY_TAIL.sub(_money, text)
    text = _UNIT.sub(lambda m: str(n) if (n := cn_number(m.group(1))) is not None else m.group(1), text)
    text = _YUAN.sub(r"\1元", text)
    return _DECIMAL.sub(r"\1点\2", text)  # the point would be lost with the punctuation


def _money(m: re.Match) -> str:
    """"36块5", "三十六元五角" → "36.5元"."""
    whole, tenth = cn_number(m.group(1)), cn_number(m.group(2))
    return f"{whole}.{tenth}元" if whole is not None and tenth is not None and tenth < 10 else m.group(0)


def squeeze(text: str) -> str:
    """Case-folded, without whitespace, punctuation or symbols (the phrase lists' normal form)."""
    return "".join(ch for ch in text.casefold() if unicodedata.category(ch)[0] not in "ZPSC")


def normal(text: str) -> str:
    return squeeze(canonical(text))


def clauses(text: str) -> list[str]:
    """The reply's clauses, each normalised (negation never reaches across a clause boundary)."""
    return [c for c in (normal(part) for part in _CLAUSE.split(canonical(text))) if c]


@lru_cache(maxsize=8192)
def _pattern(word: str, strict: bool = False) -> re.Pattern:
    """An alternative as a regex over normalised text; a 24-hour time also accepts the 12-hour one
    unless ``strict`` (a wrong answer must be said unambiguously to count against anyone)."""
    if "{数字}" in word:  # the phrase lists' placeholder (exam.service_phrases)
        return re.compile(_DIGITS.join(_pattern(part, strict).pattern for part in word.split("{数字}")))
    out, last = [], 0
    norm = normal(word)
    for m in re.finditer(r"ʈ(ʔ?)(\d{2})(\d{2})", norm):
        out.append(re.escape(norm[last:m.start()]))
        hour, minute = int(m.group(2)), m.group(3)
        if m.group(1):  # the entry itself is ambiguous: any reading
            options = {f"ʈʔ{hour:02d}{minute}", f"ʈ{hour:02d}{minute}", f"ʈ{(hour + 12) % 24:02d}{minute}"}
        else:
            options = {f"ʈ{hour:02d}{minute}"}
            if strict:
                pass
            elif 13 <= hour <= 23 or hour == 0:
                options.add(f"ʈʔ{(hour - 12) % 24 or 12:02d}{minute}")
            elif 1 <= hour <= 12:
                options.add(f"ʈʔ{hour:02d}{minute}")
        out.append("(?:" + "|".join(sorted(options)) + ")")
        last = m.end()
    out.append(re.escape(norm[last:]))
    return re.compile("".join(out))


def _masked(clause: str) -> str:
    """The clause with positive phrases that contain a negator character blanked out."""
    for phrase in NOT_NEGATION:
        p = squeeze(phrase)
        if p in clause:
            clause = clause.replace(p, "□" * len(p))
    return clause


def negated_at(clause: str, start: int) -> str | None:
    """The negator standing before position ``start`` of ``clause`` (within the window), or None."""
    before = _masked(clause)[max(0, start - NEGATION_WINDOW):start]
    for neg in NEGATORS:
        if neg in before:
            return neg
    return None


@dataclass
class Evidence:
    """Why a reply was read as it was: words found, words found under a negation (with the negator)."""

    matched: list[str] = field(default_factory=list)
    negated: list[str] = field(default_factory=list)

    def as_json(self) -> dict:
        return {"matched": self.matched, "negated": self.negated}


def find_word(text: str | Sequence[str], word: str, strict: bool = False) -> tuple[bool, str | None]:
    """(found un-negated, negator seen when found only under a negation)."""
    parts = clauses(text) if isinstance(text, str) else list(text)
    pattern, seen = _pattern(word, strict), None
    if not pattern.pattern or pattern.pattern == _DIGITS:
        return False, None
    for clause in parts:
        for m in pattern.finditer(clause):
            # the word itself may begin with a negator ("不收费"): then only what precedes it counts
            neg = negated_at(clause, m.start())
            if neg is None:
                return True, None
            seen = neg
    return False, seen


def _group(item: str | Iterable[str]) -> list[str]:
    return [item] if isinstance(item, str) else list(item)


def meets(text: str, point: dict, evidence: Evidence | None = None) -> bool:
    """Whether ``text`` says what the key point or condition ``point`` asks for: one of ``any`` and
    every group of ``all`` (a group is a word or a list of interchangeable words), none negated."""
    evidence = evidence if evidence is not None else Evidence()
    parts = clauses(text)
    ok = True
    if "any" in point:
        ok = _one_of(parts, point["any"], evidence)
    for group in point.get("all") or ():
        if not _one_of(parts, _group(group), evidence):
            ok = False
    return ok


def _one_of(parts: list[str], words: Iterable[str], evidence: Evidence) -> bool:
    found = False
    for word in words:
        hit, neg = find_word(parts, word)
        if hit:
            evidence.matched.append(word)
            found = True
            break
        if neg:
            evidence.negated.append(f"{neg}…{word}")
    return found


def words_of(point: dict) -> list[str]:
    """Every alternative a key point names (for checking a script's entries)."""
    out = list(point.get("any") or [])
    for group in point.get("all") or ():
        out += _group(group)
    return out


def list_hits(text: str, entries: Iterable[str], strict: bool = False) -> Evidence:
    """Which entries of a phrase list ``text`` says (un-negated), and which it says only negated."""
    parts, evidence = clauses(text), Evidence()
    for entry in dict.fromkeys(entries):
        hit, neg = find_word(parts, entry, strict)
        if hit:
            evidence.matched.append(entry)
        elif neg:
            evidence.negated.append(f"{neg}…{entry}")
    return evidence
