"""The occupational standard for 呼叫服务员 (T/GSOCCIA 001-2020), as data.

Every figure the rest of the code needs — levels, pass marks, typing speed, function areas and their
weights — lives here, so a revision of the standard is an edit to this one file. Sources are cited
by section of ``reference/000_342c68456648d604.txt``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

#: Section 1.7: both parts are scored out of 100 and each is passed at 60.
FULL_MARKS = 100
THEORY_PASS_MARK = 60
PRACTICAL_PASS_MARK = 60

#: Section 2.2.1 ("每分钟输入汉字 50 个"): net correct Chinese characters a minute. Required at every
#: level because each higher level includes the lower one.
TYPING_CHARS_PER_MINUTE = 50

#: Our rule, not the standard's: a typing result at 50 字/分 must also be this accurate (correct
#: characters / typed characters, punctuation included) to pass; instances may set
#: ``CALLEXAM_TYPING_MIN_ACCURACY``.
DEFAULT_TYPING_MIN_ACCURACY = 0.95

#: What "汉字" means in "每分钟输入汉字 50 个": a code point with the Unicode property
#: Unified_Ideograph — the CJK Unified Ideographs block, every extension block (A to J) and the twelve
#: characters of the compatibility block that are unified ideographs themselves (NFKC folds the other
#: compatibility ideographs onto unified ones before anything is counted). Punctuation, digits and
#: Latin letters are typed and aligned like any character, but never count towards speed.
HAN_RANGES = (
    (0x3400, 0x4DBF),    # Extension A
    (0x4E00, 0x9FFF),    # CJK Unified Ideographs
    (0x20000, 0x2A6DF),  # Extension B
    (0x2A700, 0x2B73F),  # Extension C
    (0x2B740, 0x2B81F),  # Extension D
    (0x2B820, 0x2CEAF),  # Extension E
    (0x2CEB0, 0x2EBEF),  # Extension F
    (0x2EBF0, 0x2EE5F),  # Extension I
    (0x30000, 0x3134F),  # Extension G
    (0x31350, 0x323AF),  # Extension H
    (0x323B0, 0x3347F),  # Extension J
)
HAN_IN_COMPATIBILITY_BLOCK = frozenset(chr(c) for c in (
    0xFA0E, 0xFA0F, 0xFA11, 0xFA13, 0xFA14, 0xFA1F, 0xFA21, 0xFA23, 0xFA24, 0xFA27, 0xFA28, 0xFA29))


_HAN = re.compile("[" + "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in HAN_RANGES)
                  + "".join(sorted(HAN_IN_COMPATIBILITY_BLOCK)) + "]")


def is_han(char: str) -> bool:
    return _HAN.fullmatch(char) is not None


def han_count(text: str) -> int:
    """Han characters in ``text`` (a regular expression's character class: C speed, about 0.1 ms for
    a 3,000-character passage, where a Python loop over the ranges took 10 ms)."""
    return len(_HAN.findall(text))


#: A passage must hold more Han characters than a fast typist (this many 字/分, twice the standard's
#: pace) can type in the level's time limit, so nobody runs out of text and the time a candidate
#: used never has to stand in for the time limit.
TYPING_FAST_TYPIST_CPM = 100


@dataclass(frozen=True)
class TypingRule:
    """The typing component of a level's practical assessment.

    ``minutes`` is the server-side time limit; ``practical_points`` the typing part's share of the
    practical's 100 points. Lower levels weigh typing more because data entry is most of their work
    (section 2.2.1 1.1.1, 1.2.3); higher levels spend the practical's points on guidance and analysis.
    """

    minutes: int
    practical_points: int


TYPING_RULES = MappingProxyType({
    "junior": TypingRule(minutes=10, practical_points=20),
    "intermediate": TypingRule(minutes=10, practical_points=15),
    "senior": TypingRule(minutes=10, practical_points=10),
})

@dataclass(frozen=True)
class PracticalPart:
    """``count`` scenarios of one kind (``practical.kinds``), each worth ``points`` of the practical's 100."""

    kind: str
    count: int
    points: int


@dataclass(frozen=True)
class PracticalPaper:
    """A level's practical paper: its time limit and its scenarios, which with the typing part's points
    make the full 100. The kinds follow the level's skill table (section 2.2): routine calls and data
    entry at the basic level; complaints and quality inspection (业务指导与日常管理) at the middle one;
    data analysis, forecasting and scheduling, and written training and script work at the top."""

    minutes: int
    parts: tuple[PracticalPart, ...]


PRACTICAL_PAPERS = MappingProxyType({
    "junior": PracticalPaper(60, (PracticalPart("call", 2, 20), PracticalPart("work_order", 2, 20))),
    "intermediate": PracticalPaper(75, (PracticalPart("call", 1, 25), PracticalPart("complaint", 1, 30),
                                        PracticalPart("qa", 1, 30))),
    "senior": PracticalPaper(90, (PracticalPart("call", 1, 15), PracticalPart("kpi", 1, 25),
                                  PracticalPart("staffing", 1, 25), PracticalPart("written", 1, 25))),
})

#: Two examiners' marks of one task further apart than this share of its points are reconciled by a
#: third marking instead of averaged.
DOUBLE_MARK_TOLERANCE = Fraction(1, 5)

#: Section 1.7: theory is a closed-book written exam, practical an on-site hands-on assessment.
ASSESSMENT_PARTS = MappingProxyType({
    "theory": "理论知识考试（闭卷）",
    "practical": "操作技能考核（现场实际操作）",
})

#: The reference labels its basic table (2.2.1) 高级 and its management table (2.2.3) 初级, while
#: stating that the levels are progressive and each higher one includes the lower. We follow the
#: progression; this mapping records which reference table each of our levels is built from, so the
#: reading can be changed here alone.
LEVEL_MAPPING_NOTE = (
    "标准原文 2.2.1 节（标为“高级”）为基础要求，2.2.3 节（标为“初级”）为管理要求；"
    "按“高级别包括低级别的要求”的递进关系，本系统以 2.2.1 节为初级、2.2.2 节为中级、2.2.3 节为高级。"
)


@dataclass(frozen=True)
class FunctionArea:
    """A 职业功能 of one level with its 比重 (percentage of the theory paper's points)."""

    code: str
    name: str
    weight: int


@dataclass(frozen=True)
class Level:
    code: str
    name: str
    rank: int
    source_section: str
    areas: tuple[FunctionArea, ...]

    def area(self, code: str) -> FunctionArea:
        for area in self.areas:
            if area.code == code:
                return area
        raise KeyError(f"{self.name}没有职业功能 {code!r}")

    @property
    def area_codes(self) -> tuple[str, ...]:
        return tuple(a.code for a in self.areas)


#: Names of the function areas; a level may name an area more specifically.
AREA_NAMES = MappingProxyType({
    "computer": "计算机使用",
    "seat_tools": "坐席工具使用",
    "service": "服务技能运用",
    "guidance": "业务指导与管理",
    "basics": "相关基础知识",
})

LEVELS: MappingProxyType[str, Level] = MappingProxyType({
    "junior": Level(
        code="junior", name="初级", rank=1, source_section="2.2.1",
        areas=(
            FunctionArea("computer", "计算机使用", 20),
            FunctionArea("seat_tools", "坐席工具使用", 10),
            FunctionArea("service", "服务技能运用", 50),
            FunctionArea("basics", "相关基础知识", 20),
        ),
    ),
    "intermediate": Level(
        code="intermediate", name="中级", rank=2, source_section="2.2.2",
        areas=(
            FunctionArea("computer", "计算机使用", 10),
            FunctionArea("seat_tools", "坐席工具使用", 10),
            FunctionArea("service", "服务技能运用", 40),
            FunctionArea("guidance", "业务指导与日常管理", 30),
            FunctionArea("basics", "相关基础知识", 10),
        ),
    ),
    "senior": Level(
        code="senior", name="高级", rank=3, source_section="2.2.3",
        areas=(
            FunctionArea("computer", "计算机使用", 10),
            FunctionArea("seat_tools", "坐席工具使用", 10),
            FunctionArea("service", "服务技能运用", 30),
            FunctionArea("guidance", "业务指导、培训与管理", 40),
            FunctionArea("basics", "相关基础知识", 10),
        ),
    ),
})


def level(code: str) -> Level:
    try:
        return LEVELS[code]
    except KeyError:
        raise KeyError(f"未知等级 {code!r}，应为 {', '.join(LEVELS)} 之一") from None


def level_code(word: str) -> str | None:
    """The level a file or a tag names by code or Chinese name ("senior", "高级"), or None."""
    return _LEVEL_WORDS.get(word)


def area_code(word: str) -> str | None:
    """The function area a file or a tag names by code, general name or a level's own name, or None."""
    return _AREA_WORDS.get(word)


def theory_passed(score: float | Fraction) -> bool:
    return score >= THEORY_PASS_MARK


def practical_passed(score: float | Fraction) -> bool:
    return score >= PRACTICAL_PASS_MARK


def typing_passed(net_chars_per_minute: float, accuracy: float = 1.0,
                  min_accuracy: float = DEFAULT_TYPING_MIN_ACCURACY) -> bool:
    return net_chars_per_minute >= TYPING_CHARS_PER_MINUTE and accuracy >= min_accuracy


def overall_passed(theory: bool | float | Fraction | None, practical: bool | float | Fraction | None,
                   typing: bool | None) -> bool | None:
    """The certificate rule (section 1.7 and 2.2.1): theory passed at THEORY_PASS_MARK, practical at
    PRACTICAL_PASS_MARK, and the typing requirement met. Theory and practical may be given as scores or
    as verdicts; None is a part not decided yet (unmarked, still open). Any failed part fails the whole,
    whatever is still undecided; otherwise an undecided part leaves the whole undecided (None)."""
    verdicts = [_verdict(theory, THEORY_PASS_MARK), _verdict(practical, PRACTICAL_PASS_MARK), typing]
    if False in verdicts:
        return False
    return None if None in verdicts else True


def _verdict(part: bool | float | Fraction | None, pass_mark: int) -> bool | None:
    if part is None or isinstance(part, bool):
        return part
    return part >= pass_mark


def typing_rule(level_code: str) -> TypingRule:
    return TYPING_RULES[level(level_code).code]


def typing_passage_min_han(level_code: str) -> int:
    """A passage of this level needs MORE Han characters than this (100 字/分 × the time limit)."""
    return TYPING_FAST_TYPIST_CPM * typing_rule(level_code).minutes


def typing_timed_seconds(used_seconds: float, limit_seconds: float, whole_passage_typed: bool) -> float:
    """The time typing speed is measured over: the test's time limit, unless the candidate typed the
    whole passage, who alone is timed by the time actually used. Finishing early therefore never makes
    a short burst fast: 40 characters and 交卷 after 30 s of a 10-minute test are 4 字/分."""
    used, limit = max(float(used_seconds or 0), 0.0), max(float(limit_seconds or 0), 0.0)
    return min(used, limit) if whole_passage_typed else limit


def typing_speed(correct_han: int, timed_seconds: float) -> float:
    """Net speed in 汉字/分: correct Han characters per minute of ``typing_timed_seconds``."""
    return correct_han / (timed_seconds / 60) if timed_seconds > 0 else 0.0


def typing_points(level_code: str, net_chars_per_minute: float, accuracy: float,
                  min_accuracy: float = DEFAULT_TYPING_MIN_ACCURACY) -> Fraction:
    """The typing part's points: full at the required speed, in proportion below it (to whole
    tenths of a point), none when accuracy is under the minimum (fast but careless typing is not the
    skill the standard asks for: "具有录入后复核的习惯")."""
    full = typing_rule(level_code).practical_points
    if accuracy < min_accuracy or net_chars_per_minute <= 0:
        return Fraction(0)
    share = min(Fraction(net_chars_per_minute).limit_denominator(1000) / TYPING_CHARS_PER_MINUTE, 1)
    return Fraction(int(full * share * 10), 10)


def practical_paper(level_code: str) -> PracticalPaper:
    return PRACTICAL_PAPERS[level(level_code).code]


def _check() -> None:
    assert set(TYPING_RULES) == set(LEVELS), "every level needs a typing rule"
    assert set(PRACTICAL_PAPERS) == set(LEVELS), "every level needs a practical paper"
    for code, paper in PRACTICAL_PAPERS.items():
        total = TYPING_RULES[code].practical_points + sum(p.count * p.points for p in paper.parts)
        assert total == FULL_MARKS, f"{code} practical paper sums to {total}"
    for lvl in LEVELS.values():
        total = sum(a.weight for a in lvl.areas)
        assert total == FULL_MARKS, f"{lvl.name} weights sum to {total}"


_check()

# Words files and tags use for levels and areas (codes, Chinese names, a level's own area names).
_LEVEL_WORDS = {w: lvl.code for lvl in LEVELS.values() for w in (lvl.code, lvl.name)}
_AREA_WORDS = {
    **{a.name: a.code for lvl in LEVELS.values() for a in lvl.areas},
    **{name: code for code, name in AREA_NAMES.items()},
    **{code: code for code in AREA_NAMES},
}
