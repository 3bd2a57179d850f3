"""Item-writing checks (命题质量检查): the rules of the assessment literature, as a pure engine.

The rules come from Haladyna, Downing & Rodriguez's taxonomy of multiple-choice item-writing guidelines
(Applied Measurement in Education 15(3), 2002): keep options homogeneous in length and content, make
every distractor plausible, balance the key's position, avoid "all/none of the above", word stems
positively (and emphasise a negative that cannot be avoided), and keep items independent, so that
no item gives away another's answer. A certification body adds what this product needs: a fill-in
must accept every correct wording, and a paper must not hold two items one of which answers the other.

No Flask and no database: the authoring form, the review page, the bank report and the
``callexam questions lint`` command all pass ``Entry`` objects (an ``ItemData`` with an identity and
whether it is approved) and the trainers' enemy decisions, and get ``Finding`` objects back.

Severity, decided so that a well-written bank passes while a cue that helps a guesser does not:

* ``error`` (错误) — a rule whose breach is unambiguous and always fixable by rewording: options
  "以上都对/都不对", an unemphasised negative stem, a fill-in with one accepted wording, an identical
  stem twice in a level, an undecided enemy pair, and the bank-wide cues (the longest option is the
  key in more than ``LONGEST_KEY_LIMIT`` of single-choice items; one multiple-choice key count in
  more than ``MODAL_KEY_COUNT_LIMIT`` of the items). ``callexam questions lint`` exits 1 when one
  concerns an approved item.
* ``warning`` (提示) — a heuristic a person must judge: this item's key is its longest option, an
  option far shorter or longer than the others, an option in a vocabulary nothing else uses, similar
  stems, an unbalanced key position (delivery shuffles options anyway), a key-count spread that never
  uses two or all options.
"""

from __future__ import annotations

import functools
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median
from typing import Hashable, Iterable, Sequence

from rapidfuzz import fuzz, process, utils

from exam import standard
from question_bank import sanitise
from question_bank.normalise import normalise_answer
from question_bank.validation import OPTION_LETTERS, ItemData

ERROR, WARNING = "error", "warning"
SEVERITIES = {ERROR: "错误", WARNING: "提示"}

#: Bank-wide thresholds (issue 19; the literature's chance level is 1/options).
LONGEST_KEY_LIMIT = 0.35            # share of single-choice items whose key is the longest option
MODAL_KEY_COUNT_LIMIT = 0.5         # share of multiple-choice items keying the same number of options
MIN_ITEMS_FOR_RATES = 10            # below this a bank-wide rate says nothing and is only reported
POSITION_P_VALUE = 0.01             # chi-square p below which key positions are called unbalanced
#: Near-duplicate stems: rapidfuzz ratio (0–100) of the plain stems, as ``similar.THRESHOLD``.
SIMILAR_STEM = 85.0
#: A phrase found in more than this share of a level's items is common vocabulary, not a cue.
COMMON_PHRASE_SHARE = 0.1
MIN_CUE_CHARS = 2                   # shorter answers ("是") match everywhere and cue nothing
MAX_KEY_PHRASE_CHARS = 20           # longer key options are sentences, not phrases another stem repeats
MIN_KEY_PHRASE_CHARS = 4            # a shorter key option ("监听") is ordinary vocabulary in other stems

RULES = {
    # code: (severity, name, what the rule guards against)
    "all_none_of_above": (ERROR, "“以上都对/都不对”类选项",
                          "选项在作答时随机排序，“以上”失去所指；且辨认出两个正确选项即可猜中"),
    "negative_stem": (ERROR, "否定式题干未加强调", "否定词容易被漏看，考生答错的是阅读而非知识"),
    "fill_single_answer": (ERROR, "填空题只接受一种写法", "同样正确的其他写法（同义词、简称、数字写法）会被判错"),
    "fill_single_term": (WARNING, "填空题只接受一个英文缩写或术语", "请确认确实没有其他正确写法（如中文名称）"),
    "duplicate_stem": (ERROR, "同一等级内题干相同", "一份试卷可能抽到同一题两次，统计也被扭曲"),
    "enemy_pair": (ERROR, "填空答案出现在另一题中（互斥题待确认）",
                   "填空题的答案出现在另一题的题干或选项中，同卷出现即把回忆变成辨认"),
    "longest_key_rate": (ERROR, "题库中“最长选项即答案”比例过高", "考生按“选最长”即可得分"),
    "key_count_modal": (ERROR, "多选题正确项数过于集中", "考生按“选 N 个”即可猜中"),
    "longest_key": (WARNING, "正确答案是最长的选项", "考生可凭长度猜中"),
    "distractor_length": (WARNING, "干扰项长度异常", "明显更短或更长的选项一眼可被排除或选中"),
    "distractor_vocabulary": (WARNING, "干扰项用语与题目无关", "与岗位无关的干扰项没有迷惑性，等于减少选项"),
    "similar_stem": (WARNING, "题干与其他题目相近", "可能是同一题的两个版本，应合并或改写"),
    "key_position": (WARNING, "正确答案位置不均衡", "导出或打印的固定顺序试卷上，考生可按位置猜测"),
    "key_count_spread": (WARNING, "多选题正确项数分布不全", "从不出现的正确项数成为线索"),
    "key_phrase_cue": (WARNING, "正确选项出现在另一题题干中（可能互斥）", "另一题的题干可能提示本题答案"),
}

_ALL_NONE = re.compile(
    r"以上(?:各项|所述|选项|说法|答案|做法|内容|几项|全部|都|均|皆|全)*(?:都|均|皆|全)?"
    r"(?:对|不对|正确|不正确|错误|是|不是|非|符合|不符合|对的|错的|可以|不可以)|"
    r"^(?:都对|都不对|全部正确|全都正确|全都不对|均正确|均不正确)$|"
    r"all of the above|none of the above", re.IGNORECASE)
_NEGATIVES = ("不正确", "不属于", "不应该", "不应当", "不应", "不是", "不能", "不得", "不包括", "不包含",
              "不符合", "不恰当", "不合适", "不妥当", "不妥", "不宜", "不需要", "不必", "不可以", "不可",
              "不对", "不准确", "不规范", "不合理", "不会", "错误的", "说法错误", "做法错误", "无关", "没有")
#: A negative followed by a comparison states a limit ("不宜超过几次"), not a negative question.
_NEGATIVE = re.compile("(?:" + "|".join(sorted(map(re.escape, _NEGATIVES), key=len, reverse=True))
                       + ")(?!超过|高于|低于|少于|多于|大于|小于|足)")
_ASIDE = re.compile(r"（[^）]*）|\([^)]*\)")   # a parenthesised aside ("（而不是读音）") is no question
#: Quoted speech (“你们是不是骗子？”) is the situation, not the question; short quotes are emphasis.
_SPEECH = re.compile(r"[“「『\"][^”」』\"]{7,}[”」』\"]")
_A_NOT_A = re.compile(r"(.)不\1")                    # 是不是、能不能: a yes-no question, not a negative
_EXCEPT = re.compile(r"除(?:了)?[^，。？?；]{1,30}?(?:以外|之外|外)")
_CLAUSE_BREAK = re.compile(r"[，。；：,;:]")
_EMPHASIS_TAGS = ("strong", "b", "em", "u")
_QUOTES = (("“", "”"), ("「", "」"), ("『", "』"), ('"', '"'))
_HAN = re.compile(r"[\u4e00-\u9fff]")
#: Characters too common to tell whether two Chinese phrases speak of the same thing.
_STOP_CHARS = frozenset("的了和与及或是在有为对把被等其之以于也而且就都不应该能可会要")
#: Personal attributes that have nothing to do with an agent's competence: an option about them is
#: a distractor nobody picks (the reviewer's "身高和外貌", "籍贯和年龄").
IRRELEVANT_WORDS = ("身高", "外貌", "相貌", "长相", "体重", "籍贯", "年龄", "星座", "血型", "属相", "生肖",
                    "发型", "民族", "婚否", "婚姻状况", "家庭住址", "宗教")


@dataclass(frozen=True)
class Entry:
    """One item as the checker sees it. ``ident`` identifies it in decisions (an item id, or a ref in
    files); ``label`` is what a person calls it (its ref, else ``#id``)."""

    ident: Hashable
    label: str
    data: ItemData
    approved: bool = True


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str         # what is wrong, in Chinese
    advice: str          # what to do, in Chinese
    idents: tuple = ()   # the items concerned (the first is the item the finding is about)
    labels: tuple[str, ...] = ()
    level: str | None = None
    blocking: bool = False   # an error that concerns approved items: fails the CLI

    @property
    def rule_name(self) -> str:
        return RULES[self.rule][1]

    @property
    def severity_name(self) -> str:
        return SEVERITIES[self.severity]

    def line(self) -> str:
        where = "、".join(self.labels) or (standard.LEVELS[self.level].name if self.level else "题库")
        return f"[{self.severity_name}] {where}｜{self.rule_name}：{self.message} 建议：{self.advice}"

    def as_json(self) -> dict:
        return {"rule": self.rule, "rule_name": self.rule_name, "severity": self.severity,
                "blocking": self.blocking, "level": self.level, "items": list(self.labels),
                "message": self.message, "advice": self.advice}


@dataclass(frozen=True)
class EnemyPair:
    """A suggested enemy pair: ``cue`` (a phrase of ``answered``'s answer) appears in ``cueing``."""

    answered: Hashable
    cueing: Hashable
    cue: str
    where: str           # "题干" or "选项"

    @property
    def pair(self) -> frozenset:
        return frozenset((self.answered, self.cueing))


@dataclass
class LevelSummary:
    """The bank-wide figures of one level, computed over its approved items."""

    level: str
    items: int = 0
    approved: int = 0
    single: int = 0
    longest_key: int = 0
    longest_key_chance: float = 0.0
    longest_key_p: float | None = None
    key_positions: Counter = field(default_factory=Counter)
    key_positions_expected: dict = field(default_factory=dict)
    key_position_p: float | None = None
    multiple: int = 0
    key_counts: Counter = field(default_factory=Counter)
    fill: int = 0
    errors: int = 0
    warnings: int = 0
    blocking: int = 0

    @property
    def name(self) -> str:
        return standard.LEVELS[self.level].name

    @property
    def longest_key_rate(self) -> float | None:
        return self.longest_key / self.single if self.single else None

    def line(self) -> str:
        rate = self.longest_key_rate
        longest = (f"单选最长项为答案 {_pct(rate)}（{self.longest_key}/{self.single}，随机约 "
                   f"{_pct(self.longest_key_chance)}，上限 {_pct(LONGEST_KEY_LIMIT)}）" if rate is not None
                   else "无单选题")
        positions = "/".join(f"{OPTION_LETTERS[i]}{self.key_positions.get(i, 0)}"
                             for i in range(max(self.key_positions, default=-1) + 1))
        counts = " ".join(f"{k}项:{self.key_counts[k]}" for k in sorted(self.key_counts)) or "无"
        return (f"{self.name}：{self.items} 题（已审核 {self.approved}）｜{longest}｜答案位置 {positions or '无'}"
                f"｜多选正确项数 {counts}｜错误 {self.errors}（已审核 {self.blocking}），提示 {self.warnings}")

    def as_json(self) -> dict:
        return {"level": self.level, "items": self.items, "approved": self.approved,
                "single": self.single, "longest_key": self.longest_key,
                "longest_key_rate": self.longest_key_rate, "longest_key_chance": self.longest_key_chance,
                "longest_key_p": self.longest_key_p,
                "key_positions": {OPTION_LETTERS[i]: n for i, n in sorted(self.key_positions.items())},
                "key_position_p": self.key_position_p, "multiple": self.multiple,
                "key_counts": {str(k): n for k, n in sorted(self.key_counts.items())}, "fill": self.fill,
                "errors": self.errors, "warnings": self.warnings, "blocking": self.blocking}


@dataclass
class Report:
    findings: list[Finding]
    levels: dict[str, LevelSummary]
    enemies: list[EnemyPair]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    def for_item(self, ident) -> list[Finding]:
        return [f for f in self.findings if ident in f.idents]

    def as_json(self) -> dict:
        return {"passed": not self.blocking, "levels": {c: s.as_json() for c, s in self.levels.items()},
                "findings": [f.as_json() for f in self.findings]}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


#: Plain text of authored markup, remembered: the checker reads every item of the bank on each run.
_plain = functools.lru_cache(maxsize=65536)(sanitise.plain)


def plain_stem(data: ItemData) -> str:
    return _plain(data.stem)


def plain_options(data: ItemData) -> list[str]:
    return [_plain(o) for o in data.options]


def _length(text: str) -> int:
    return len(re.sub(r"\s+", "", text))


# ---------------------------------------------------------------- rules on one item

def _finding(rule: str, message: str, advice: str, entries: Sequence[Entry] = (), level: str | None = None,
             blocking_if_approved: bool = True) -> Finding:
    severity = RULES[rule][0]
    blocking = severity == ERROR and bool(entries) and all(e.approved for e in entries) and blocking_if_approved
    return Finding(rule, severity, message, advice, tuple(e.ident for e in entries),
                   tuple(e.label for e in entries), level, blocking)


def longest_key(data: ItemData) -> bool:
    """Whether a single-choice key is strictly longer than every other option (ties are no cue)."""
    if data.kind != "single" or len(data.options) < 3:
        return False
    lengths = [_length(o) for o in plain_options(data)]
    key = data.key[0]
    return all(lengths[key] > n for i, n in enumerate(lengths) if i != key)


def _check_all_none(entry: Entry) -> list[Finding]:
    hits = [f"{OPTION_LETTERS[i]}“{text}”" for i, text in enumerate(plain_options(entry.data))
            if _ALL_NONE.search(text)]
    if not hits:
        return []
    return [_finding("all_none_of_above", f"选项 {'、'.join(hits)} 指向其他选项。",
                     "作答时选项随机排序，“以上”会失去所指：改写为一个具体的选项；"
                     "若多项都对，改为多选题。", [entry])]


def negative_words(data: ItemData) -> list[str]:
    """The negatives of a choice stem's question (its last clause, or a 除……外 anywhere) that are not
    emphasised with bold/italic/underline or quotation marks."""
    if data.kind not in ("single", "multiple"):
        return []
    text = _A_NOT_A.sub("", _SPEECH.sub("", _ASIDE.sub("", plain_stem(data))))
    clauses = [c for c in _CLAUSE_BREAK.split(text) if c.strip()]
    question = clauses[-1] if clauses else text
    words = _NEGATIVE.findall(question) + [m.group(0) for m in _EXCEPT.finditer(text)]
    return [w for w in dict.fromkeys(words) if not _emphasised(data.stem, w)]


def _emphasised(html_stem: str, word: str) -> bool:
    core = word[:2] if word.startswith("除") else word
    for tag in _EMPHASIS_TAGS:
        if re.search(fr"<{tag}>[^<]*{re.escape(core)}[^<]*</{tag}>", html_stem):
            return True
    return any(re.search(fr"{re.escape(a)}[^{re.escape(b)}]{{0,6}}{re.escape(core)}", _plain(html_stem))
               and re.search(fr"{re.escape(core)}[^{re.escape(a)}]{{0,6}}{re.escape(b)}", _plain(html_stem))
               for a, b in _QUOTES)


def _check_negative(entry: Entry) -> list[Finding]:
    words = negative_words(entry.data)
    if not words:
        return []
    shown = "、".join(f"“{w}”" for w in words)
    return [_finding("negative_stem", f"题干用否定方式提问（{shown}），且未加强调。",
                     "尽量改为正面提问；确需否定时，把否定词加粗（<strong>不正确</strong>）"
                     "或加引号（“不正确”）。", [entry])]


def _check_fill(entry: Entry) -> list[Finding]:
    data = entry.data
    if data.kind != "fill":
        return []
    distinct = {normalise_answer(a) for a in data.answers}
    if len(distinct) > 1:
        return []
    if re.fullmatch(r"[a-z][a-z0-9&/.\- ]*", next(iter(distinct))):
        return [_finding("fill_single_term", f"只接受“{data.answers[0]}”（英文缩写或术语，大小写已视为相同）。",
                         "若题干只问缩写，一种写法即可；若中文名称也算答对，把它加入可接受的答案。", [entry])]
    return [_finding("fill_single_answer", f"只接受“{data.answers[0]}”一种写法。",
                     "补充同样正确的其他写法（同义词、全称与简称、阿拉伯数字与汉字数字、带或不带单位），"
                     "每种写法一行；确实只有一种写法时，考虑改为选择题。", [entry])]


def _check_longest(entry: Entry) -> list[Finding]:
    if not longest_key(entry.data):
        return []
    lengths = [_length(o) for o in plain_options(entry.data)]
    key = entry.data.key[0]
    rest = max(n for i, n in enumerate(lengths) if i != key)
    return [_finding("longest_key", f"正确答案 {OPTION_LETTERS[key]} 有 {lengths[key]} 字，其余选项最长 {rest} 字。",
                     "把正确选项写得同样简洁，或把干扰项写得同样具体，使各选项长度相近。", [entry])]


def _check_distractor_length(entry: Entry) -> list[Finding]:
    data = entry.data
    if data.kind not in ("single", "multiple") or len(data.options) < 3:
        return []
    texts = plain_options(data)
    lengths = [_length(t) for t in texts]
    keyed = set(data.key)
    out = []
    for i, n in enumerate(lengths):
        if i in keyed:
            continue
        others = median(m for j, m in enumerate(lengths) if j != i)
        if n * 3 <= others and others - n >= 6:
            out.append(f"{OPTION_LETTERS[i]}“{texts[i]}”只有 {n} 字，其他选项中位 {others:g} 字")
        elif n >= others * 2.5 and n - others >= 10:
            out.append(f"{OPTION_LETTERS[i]}“{texts[i]}”有 {n} 字，其他选项中位 {others:g} 字")
    if not out:
        return []
    return [_finding("distractor_length", "；".join(out) + "。",
                     "改写该干扰项，使其与其他选项长度、结构相近（同为短语或同为完整句）。", [entry])]


def _check_distractor_vocabulary(entry: Entry, bank_bigrams: Counter | None = None) -> list[Finding]:
    """An option about a personal attribute, or one whose words occur nowhere else in the item or the
    bank while its sibling options share the item's vocabulary."""
    data = entry.data
    if data.kind not in ("single", "multiple"):
        return []
    texts = plain_options(data)
    keyed = set(data.key)
    stem = plain_stem(data)
    out = []
    for i, text in enumerate(texts):
        if i in keyed:
            continue
        irrelevant = [w for w in IRRELEVANT_WORDS if w in text and w not in stem]
        if irrelevant:
            out.append(f"{OPTION_LETTERS[i]}“{text}”谈的是{'、'.join(irrelevant)}，与岗位能力无关")
            continue
        if bank_bigrams is None:
            continue
        mine = _bigrams(text)
        if len(mine) < 3:
            continue
        context = _bigrams(stem + "｜".join(t for j, t in enumerate(texts) if j != i))
        known = sum(1 for b in mine if bank_bigrams[b] > _own_count(b, data))
        if not (mine & context) and known == 0:
            out.append(f"{OPTION_LETTERS[i]}“{text}”的用语在本题和题库中都没有出现过")
    if not out:
        return []
    return [_finding("distractor_vocabulary", "；".join(out) + "。",
                     "干扰项应是考生真实会犯的错误或常见误解：换成与题目同一主题、似是而非的说法。", [entry])]


@functools.lru_cache(maxsize=16384)
def _bigrams(text: str) -> frozenset[str]:
    han = [c for c in text if _HAN.match(c)]
    return frozenset(a + b for a, b in zip(han, han[1:]) if a not in _STOP_CHARS and b not in _STOP_CHARS)


def _item_text(data: ItemData) -> str:
    return " ".join([plain_stem(data), *plain_options(data), _plain(data.explanation)])


def _own_count(bigram: str, data: ItemData) -> int:
    return 1 if bigram in _bigrams(_item_text(data)) else 0


ITEM_RULES = (_check_all_none, _check_negative, _check_fill, _check_longest, _check_distractor_length)


def check_item(entry: Entry, bank_bigrams: Counter | None = None) -> list[Finding]:
    """The rules that look at one item alone (what the authoring form shows as the trainer types)."""
    found = [f for rule in ITEM_RULES for f in rule(entry)]
    return found + _check_distractor_vocabulary(entry, bank_bigrams)


# ---------------------------------------------------------------- rules across items

def _shares_level(a: ItemData, b: ItemData) -> bool:
    return bool(set(a.levels) & set(b.levels))


def similar_stems(entries: Sequence[Entry], focus: Hashable | None = None) -> list[Finding]:
    """Near-duplicate stems: identical within a level is an error, close (≥ SIMILAR_STEM) a warning.
    With ``focus`` (an ident) only the pairs of that item are compared (the item page's case)."""
    stems = [utils.default_process(plain_stem(e.data)) for e in entries]
    if len(entries) < 2:
        return []
    out = []
    for i in range(len(entries)):
        if focus is not None and entries[i].ident != focus:
            continue
        start = 0 if focus is not None else i + 1      # the whole bank compares each pair once
        hits = process.extract(stems[i], stems[start:], scorer=fuzz.ratio, processor=None,
                               score_cutoff=SIMILAR_STEM, limit=None)
        for _text, score, j in sorted(((t, sc, k + start) for t, sc, k in hits), key=lambda hit: hit[2]):
            if j == i:
                continue
            a, b = (entries[i], entries[j]) if i < j else (entries[j], entries[i])
            same_level = _shares_level(a.data, b.data)
            if same_level and stems[i] == stems[j]:
                out.append(_finding("duplicate_stem", f"{a.label} 与 {b.label} 的题干完全相同。",
                                    "删去其中一题，或改写为考查不同知识点的题目。", [a, b]))
                continue
            where = "同一等级" if same_level else "不同等级"
            advice = ("若考查同一知识点，保留较好的一题；否则改写题干，突出两题的区别。" if same_level else
                      "高等级的题目应考查本等级的要求：不要在高等级重复低等级的题目。")
            out.append(_finding("similar_stem", f"{a.label} 与 {b.label}（{where}）题干相似度 {score:.0f}%。",
                                advice, [a, b]))
    return out


def _cues(entry: Entry) -> list[str]:
    """What ``entry``'s answer is, in words another item could reveal: every accepted fill-in
    answer, and a choice item's keyed options when they are phrases rather than sentences."""
    data = entry.data
    if data.kind == "fill":
        phrases = [normalise_answer(a) for a in data.answers]
    elif data.kind in ("single", "multiple"):
        texts = plain_options(data)
        phrases = [normalise_answer(texts[k]) for k in data.key
                   if MIN_KEY_PHRASE_CHARS <= _length(texts[k]) <= MAX_KEY_PHRASE_CHARS]
    else:
        return []
    return [p for p in dict.fromkeys(phrases) if len(p.replace(" ", "")) >= MIN_CUE_CHARS]


def _finder(cue: str):
    """A test for ``cue`` in a text; a number must stand alone ("80" is not in "180" or "8080")."""
    if cue[0].isdigit() or cue[-1].isdigit():
        pattern = re.compile(("(?<![0-9.])" if cue[0].isdigit() else "") + re.escape(cue)
                             + ("(?![0-9])" if cue[-1].isdigit() else ""))
        return lambda text: bool(pattern.search(text))
    return lambda text: cue in text


def suggest_enemies(entries: Sequence[Entry], focus: Hashable | None = None) -> list[EnemyPair]:
    """Pairs where one item's answer appears in another item of the same level: a fill-in answer in
    the other's stem or options, a choice key phrase in the other's stem. Phrases that occur in more
    than COMMON_PHRASE_SHARE of the level's items are ordinary vocabulary and are skipped."""
    # each item's options joined by a separator no cue contains: one search instead of one per option
    shown = [(normalise_answer(plain_stem(e.data)), "\x00".join(normalise_answer(o) for o in plain_options(e.data)))
             for e in entries]
    by_level: dict[str, list[int]] = defaultdict(list)
    for n, e in enumerate(entries):
        for lv in e.data.levels:
            by_level[lv].append(n)
    found: dict[frozenset, EnemyPair] = {}
    for n, e in enumerate(entries):
        cues = _cues(e)
        if not cues:
            continue
        peers = sorted({m for lv in e.data.levels for m in by_level[lv] if m != n})
        watched = set(peers) if focus is None or e.ident == focus else {m for m in peers if entries[m].ident == focus}
        if not watched:
            continue
        limit = max(2, COMMON_PHRASE_SHARE * len(peers))
        for cue in cues:
            found_in = _finder(cue)
            if e.ident != focus and focus is not None and not any(
                    found_in(shown[m][0]) or found_in(shown[m][1]) for m in watched):
                continue       # the focused item does not show this cue: no need to count it elsewhere
            in_stem = [m for m in peers if found_in(shown[m][0])]
            in_options = [m for m in peers if e.data.kind == "fill" and m not in in_stem
                          and found_in(shown[m][1])]
            if len(in_stem) + len(in_options) > limit:
                continue
            for m, where in [(m, "题干") for m in in_stem if m in watched] + [(m, "选项") for m in in_options
                                                                              if m in watched]:
                pair = EnemyPair(e.ident, entries[m].ident, cue, where)
                found.setdefault(pair.pair, pair)
    return list(found.values())


def _enemy_findings(entries: Sequence[Entry], pairs: list[EnemyPair], decisions: dict) -> list[Finding]:
    by_ident = {e.ident: e for e in entries}
    out = []
    for pair in pairs:
        if pair.pair in decisions:
            continue
        a, b = by_ident[pair.answered], by_ident[pair.cueing]
        rule = "enemy_pair" if a.data.kind == "fill" else "key_phrase_cue"
        out.append(_finding(
            rule, f"{a.label} 的答案“{pair.cue}”出现在 {b.label} 的{pair.where}中。",
            f"改写其中一题，使其不再提示另一题的答案；或由培训师确认两题为互斥题（组卷时不同卷出现），"
            f"若并无提示作用则标记为“不互斥”。题库文件中可在 {a.label} 写 \"enemies\": [\"{b.label}\"]。",
            [a, b]))
    return out


# ---------------------------------------------------------------- bank-wide rates per level

def _poisson_binomial_tail(probabilities: Sequence[float], at_least: int) -> float:
    """P(at least ``at_least`` successes) among independent trials with these probabilities."""
    dist = [1.0]
    for p in probabilities:
        nxt = [0.0] * (len(dist) + 1)
        for k, q in enumerate(dist):
            nxt[k] += q * (1 - p)
            nxt[k + 1] += q * p
        dist = nxt
    return min(1.0, sum(dist[at_least:]))


def _chi_square_sf(x: float, df: int) -> float:
    """Upper tail of the chi-square distribution: the regularised gamma Q(df/2, x/2)."""
    if x <= 0:
        return 1.0
    a, z = df / 2.0, x / 2.0
    if z < a + 1:   # series for P, then Q = 1 − P
        term = total = 1.0 / a
        k = a
        for _ in range(500):
            k += 1
            term *= z / k
            total += term
            if term < total * 1e-12:
                break
        return max(0.0, 1.0 - total * math.exp(-z + a * math.log(z) - math.lgamma(a)))
    b, c, d = z + 1 - a, 1e300, 1 / (z + 1 - a)   # Lentz's continued fraction for Q
    h = d
    for i in range(1, 500):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = 1e-300 if abs(d) < 1e-300 else d
        c = b + an / c
        c = 1e-300 if abs(c) < 1e-300 else c
        d = 1 / d
        step = d * c
        h *= step
        if abs(step - 1) < 1e-12:
            break
    return min(1.0, math.exp(-z + a * math.log(z) - math.lgamma(a)) * h)


def summarise_level(level: str, entries: Sequence[Entry]) -> LevelSummary:
    mine = [e for e in entries if level in e.data.levels]
    s = LevelSummary(level, items=len(mine), approved=sum(e.approved for e in mine))
    approved = [e.data for e in mine if e.approved]
    singles = [d for d in approved if d.kind == "single" and len(d.options) >= 3]
    s.single = len(singles)
    s.longest_key = sum(longest_key(d) for d in singles)
    if singles:
        chances = [1 / len(d.options) for d in singles]
        s.longest_key_chance = sum(chances) / len(chances)
        s.longest_key_p = _poisson_binomial_tail(chances, s.longest_key)
    every_single = [d for d in approved if d.kind == "single"]
    s.key_positions = Counter(d.key[0] for d in every_single)
    expected: dict[int, float] = defaultdict(float)
    for d in every_single:
        for i in range(len(d.options)):
            expected[i] += 1 / len(d.options)
    s.key_positions_expected = dict(expected)
    cells = [(s.key_positions.get(i, 0), e) for i, e in expected.items() if e > 0]
    if len(cells) > 1:
        chi = sum((o - e) ** 2 / e for o, e in cells)
        s.key_position_p = _chi_square_sf(chi, len(cells) - 1)
    multiples = [d for d in approved if d.kind == "multiple"]
    s.multiple = len(multiples)
    s.key_counts = Counter(len(d.key) for d in multiples)
    s.fill = sum(1 for d in approved if d.kind == "fill")
    return s


def _rate_findings(s: LevelSummary, entries: Sequence[Entry]) -> list[Finding]:
    out = []
    approved = [e for e in entries if s.level in e.data.levels and e.approved]
    name = s.name
    rate = s.longest_key_rate
    if s.single >= MIN_ITEMS_FOR_RATES and rate is not None and rate > LONGEST_KEY_LIMIT:
        cued = [e for e in approved if longest_key(e.data)]
        out.append(Finding("longest_key_rate", ERROR,
                           f"{name}已审核单选题中 {s.longest_key}/{s.single}（{_pct(rate)}）的答案是最长选项，"
                           f"随机约为 {_pct(s.longest_key_chance)}（p = {s.longest_key_p:.2g}），上限 "
                           f"{_pct(LONGEST_KEY_LIMIT)}。",
                           f"逐题改写标有“正确答案是最长的选项”的题目（共 {len(cued)} 题），"
                           f"至少改到 {math.floor(LONGEST_KEY_LIMIT * s.single)} 题以下。",
                           level=s.level, blocking=True))
    if s.multiple >= MIN_ITEMS_FOR_RATES:
        modal, count = s.key_counts.most_common(1)[0]
        if count / s.multiple > MODAL_KEY_COUNT_LIMIT:
            out.append(Finding("key_count_modal", ERROR,
                               f"{name}已审核多选题中 {count}/{s.multiple}（{_pct(count / s.multiple)}）恰有 {modal} 个"
                               f"正确选项。", f"让正确项数分散在 2 个到全部选项之间，任一项数不超过 "
                               f"{_pct(MODAL_KEY_COUNT_LIMIT)}。", level=s.level, blocking=True))
        option_counts = {len(e.data.options) for e in approved if e.data.kind == "multiple"}
        missing = [n for n in sorted({2, *option_counts}) if not s.key_counts.get(n)
                   and any(len(e.data.options) >= n for e in approved if e.data.kind == "multiple")]
        if missing:
            out.append(Finding("key_count_spread", WARNING,
                               f"{name}没有正确项数为 {'、'.join(map(str, missing))} 的多选题"
                               f"（现有分布：{' '.join(f'{k}项:{n}' for k, n in sorted(s.key_counts.items()))}）。",
                               "写几道这样的多选题，让“从不出现”的项数不再成为线索。", level=s.level))
    if (s.key_position_p is not None and sum(s.key_positions.values()) >= 2 * MIN_ITEMS_FOR_RATES
            and s.key_position_p < POSITION_P_VALUE):
        shown = "、".join(f"{OPTION_LETTERS[i]} {s.key_positions.get(i, 0)} 题（期望 {e:.0f}）"
                         for i, e in sorted(s.key_positions_expected.items()))
        out.append(Finding("key_position", WARNING,
                           f"{name}单选题答案位置：{shown}，卡方检验 p = {s.key_position_p:.2g}。",
                           "作答时选项已随机排序，此项只影响导出、打印的固定顺序试卷；调整部分题目的选项顺序即可。",
                           level=s.level))
    return out


# ---------------------------------------------------------------- the whole bank

def bank_vocabulary(entries: Iterable[Entry]) -> Counter:
    """In how many items each content bigram occurs (stems, options, explanations)."""
    counts: Counter = Counter()
    for e in entries:
        counts.update(_bigrams(_item_text(e.data)))
    return counts


def check_bank(entries: Sequence[Entry], decisions: dict | None = None, levels: Iterable[str] | None = None) -> Report:
    """Every rule over ``entries`` (retired items left out by the caller). ``decisions`` maps a
    frozenset of two idents to "enemy" or "not_enemy"; a decided pair is not reported again.
    ``levels`` limits the report to items of those levels (cross-item rules still see the bank)."""
    decisions = decisions or {}
    wanted = list(levels or standard.LEVELS)
    vocabulary = bank_vocabulary(entries)
    in_scope = [e for e in entries if set(e.data.levels) & set(wanted)]
    scope_ids = {e.ident for e in in_scope}
    findings = [f for e in in_scope for f in check_item(e, vocabulary)]
    findings += [f for f in similar_stems(entries) if scope_ids & set(f.idents)]
    enemies = suggest_enemies(entries)
    findings += [f for f in _enemy_findings(entries, enemies, decisions) if scope_ids & set(f.idents)]
    summaries = {}
    for code in wanted:
        summary = summarise_level(code, entries)
        findings += _rate_findings(summary, entries)
        summaries[code] = summary
    by_ident = {e.ident: e for e in entries}
    for code, summary in summaries.items():
        mine = [f for f in findings if f.level == code
                or (f.level is None and any(code in by_ident[i].data.levels for i in f.idents))]
        summary.errors = sum(f.severity == ERROR for f in mine)
        summary.warnings = sum(f.severity == WARNING for f in mine)
        summary.blocking = sum(f.blocking for f in mine)
    findings.sort(key=lambda f: (f.severity != ERROR, f.labels, f.rule))
    return Report(findings, summaries, enemies)


def check_against_bank(entry: Entry, others: Sequence[Entry], decisions: dict | None = None) -> list[Finding]:
    """What the authoring form and the review page show for one item: its own rules, and its
    near-duplicates and enemy suggestions among ``others`` (the rest of the bank)."""
    bank = [entry if e.ident == entry.ident else e for e in others]
    if not any(e.ident == entry.ident for e in others):
        bank.append(entry)
    found = check_item(entry, bank_vocabulary(bank))
    found += similar_stems(bank, focus=entry.ident)
    found += _enemy_findings(bank, suggest_enemies(bank, focus=entry.ident), decisions or {})
    return found


def render_text(report: Report, summary_only: bool = False) -> str:
    lines = ["题库命题质量检查（依据 Haladyna、Downing 与 Rodriguez 的命题规则）"]
    lines += [s.line() for s in report.levels.values()]
    if not summary_only:
        lines += [""] + [f.line() for f in report.findings]
    blocking = len(report.blocking)
    lines.append("")
    lines.append(f"未通过：已审核题目有 {blocking} 处错误，需修改后重新检查。" if blocking else
                 f"通过：已审核题目没有错误（提示 {sum(f.severity == WARNING for f in report.findings)} 条，供命题人参考）。")
    return "\n".join(lines)
