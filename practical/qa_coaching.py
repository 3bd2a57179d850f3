"""The QA officer's written coaching comments, marked by an examiner (pure: no database, no Flask).

A call-quality inspection ends in coaching: the inspector tells the agent what to work on. The
practical marks that writing as one examiner criterion, ``辅导评语``, with a short marking guide of
three points, each a third of the criterion (a point that does not apply is left out):

1. **names the weakest element** — the rubric item that lost the most points in the reference
   marking (so the weakest element follows from the rubric, as the reference marks do; items tied
   for the most lost points are each accepted);
2. **says what to do instead** — an instruction (应/建议/要/下次 …, not one right after 没/未: "没有先
   给安全指导" reports a fault) followed, in the same sentence, by what the agent should do; the cue
   must be the coach's own word, not one inside quotation marks (the 请 of a quoted “您好，请讲”);
3. **uses the standard's wording where it exists** — quotes the phrase or rule the standard
   (T/GSOCCIA 001-2020) really prescribes for that element; where the standard prescribes nothing
   for it (an emergency's order of steps is the hotline's own rule), the point does not apply, and a
   comment that cites the standard for something it does not say earns nothing for it.

The scenario's author writes, per rubric item that may be the weakest, the guide's specifics
(``spec["coaching"][item_key]``): ``advice`` (what a good comment tells the agent to do), ``names``
(words showing a comment names the fault), ``instead`` (words of the remedy) and optionally
``standard`` (``source`` clause, ``text`` as the standard words it, ``wording`` to look for). An
item without them gets a guide derived from its missed elements.

The machine only *suggests*: it looks for those words in the candidate's comments (negation is not
a reversal here — "没有复述户号" names the fault) and gives the evidence; the examiner confirms or
overrides the suggestion with a reason, as for every examiner criterion (``practical.marking``).
"""

from __future__ import annotations

import re
from fractions import Fraction

from practical import matcher, qa
from practical.kinds.base import text_problem

KEY = "coaching"
NAME = "辅导评语"
#: Words that make a clause an instruction to the agent: what a coach says before the remedy.
CUES = ("应该", "应当", "建议", "需要", "务必", "最好", "下次", "今后", "以后", "改为", "改用", "应", "要", "先",
        "可以", "请")
#: A cue right after these reports what was not done ("没有先…", "未…") rather than instructing.
FACT_NEGATORS = ("没", "未")
_SENTENCE = re.compile(r"[。！？；!?;\n]+")
_COLON = re.compile(r"[：:]")
MAX_WORDS = 20
MAX_WORD_CHARS = 40
_SPLIT = re.compile(r"[、，,（）()“”\"'；;：:]+")
PARTS = ("names", "instead", "standard")
PART_NAMES = {"names": "指出最薄弱的环节", "instead": "说明应当怎样做", "standard": "使用标准的用语"}


# ---------------------------------------------------------------- the guide

def lost(spec: dict, reference: dict[str, Fraction]) -> dict[str, Fraction]:
    return {item["key"]: qa.exact(item["max"]) - reference[item["key"]] for item in spec["rubric"]}


def weakest(spec: dict, reference: dict[str, Fraction]) -> list[dict]:
    """The rubric items that lost the most points in the reference marking (ties: each of them);
    empty when the reference gives every item full marks."""
    losses = lost(spec, reference)
    most = max(losses.values(), default=Fraction(0))
    return [item for item in spec["rubric"] if most > 0 and losses[item["key"]] == most]


def _fragments(names: list[str]) -> list[str]:
    out = []
    for name in names:
        out += [part for part in _SPLIT.split(name) if len(part) >= 2]
    return list(dict.fromkeys(out))


def entry(spec: dict, item: dict) -> dict:
    """The guide's specifics for one item: the author's, or derived from the elements it missed."""
    authored = (spec.get("coaching") or {}).get(item["key"])
    if authored:
        return authored
    missed = [e["name"] for e in item.get("elements") or () if not e["met"]]
    advice = ("补上参考评分中未做到的要素：" + "；".join(missed)) if missed else f"说明{item['name']}应当怎样改进"
    return {"advice": advice, "names": _fragments([item["name"], *missed]), "instead": _fragments(missed) or
            _fragments([item["name"]])}


def guide(spec: dict, reference: dict[str, Fraction]) -> list[str]:
    """The marking guide an examiner reads beside the comments, in Chinese, one line per point."""
    items = weakest(spec, reference)
    if not items:
        return ["参考评分各项均为满分：评语应肯定座席做得好的地方；本项按评语是否具体、准确评定。"]
    losses = lost(spec, reference)

    def shown(item: dict) -> str:
        missed = [e["name"] for e in item.get("elements") or () if not e["met"]]
        why = f"；未做到：{'；'.join(missed)}" if missed else ""
        return (f"「{item['name']}」（满分 {qa.show(qa.exact(item['max']))} 分，参考评分 "
                f"{qa.show(reference[item['key']])} 分，失 {qa.show(losses[item['key']])} 分{why}）")

    lines = ["1. 指出最薄弱的环节：参考评分中失分最多的是" + "或".join(shown(i) for i in items) + "。"]
    lines.append("2. 说明应当怎样做：" + "；或".join(entry(spec, i)["advice"] for i in items))
    quoted = [(i, entry(spec, i).get("standard")) for i in items]
    if any(std for _, std in quoted):
        lines.append("3. 使用标准的用语：" + "；".join(
            f"{i['name']}——标准 {std['source']}：“{std['text']}”" if std else f"{i['name']}——标准没有规定用语，本点不适用"
            for i, std in quoted))
    else:
        lines.append("3. 使用标准的用语：标准对这一环节没有规定用语，本点不适用（评语引用标准没有的规定，不算使用标准用语）。")
    lines.append("每点占本项的三分之一（不适用的点不计，其余各点平分）；机器按评语中的词语给出建议，考评员逐点核对后确认或改判。")
    return lines


# ---------------------------------------------------------------- the machine's suggestion

def _comments(answer: dict, spec: dict) -> list[tuple[dict, str]]:
    comments = (answer or {}).get("comments") or {}
    return [(item, comments[item["key"]]) for item in spec["rubric"] if comments.get(item["key"])]


def _said(comments: list[tuple[dict, str]], words: list[str]) -> list[tuple[dict, str]]:
    """(item whose comment says it, word) for each word some comment contains (negated or not)."""
    found = []
    for word in words:
        w = matcher.normal(word)
        for item, text in comments:
            if w and w in matcher.normal(text):
                found.append((item, word))
                break
    return found


_OPEN, _CLOSE = "“‘「『", "”’」』"


def _quoted_flags(text: str) -> list[bool]:
    """For each character of ``text``: whether it stands inside quotation marks (“…”, ‘…’, 「…」, 『…』,
    "…"): words the comment quotes — the agent's own or a model phrase — not the coach's."""
    flags, depth, straight = [], 0, False
    for ch in text:
        if ch in _CLOSE:
            depth = max(0, depth - 1)
            flags.append(False)
        elif ch in _OPEN:
            flags.append(False)
            depth += 1
        elif ch == '"':
            straight = not straight
            flags.append(False)
        else:
            flags.append(depth > 0 or straight)
    return flags


def _sentences_marked(text: str) -> list[tuple[str, str]]:
    """The comment's sentences, normalised, each with a copy in which quoted words are blanked (□).
    A colon introduces what follows as one piece (a model phrase: "应改为：您好！我是……请问有什么可以帮您？"),
    so a sentence holding one runs to the end."""
    canon = matcher.canonical(text)
    inside = _quoted_flags(canon)
    out, full, masked, colon = [], [], [], False
    for ch, quoted in zip(canon, inside):
        if _SENTENCE.match(ch) and not colon:
            out.append(("".join(full), "".join(masked)))
            full, masked = [], []
            continue
        colon = colon or bool(_COLON.match(ch))
        kept = matcher.squeeze(ch)
        full.append(kept)
        masked.append("□" * len(kept) if quoted else kept)
    out.append(("".join(full), "".join(masked)))
    return [(f, m) for f, m in out if f]


def _cue(before: str) -> str | None:
    """The instruction cue in ``before`` (the sentence up to the remedy), unless what follows it is only
    a fact negated ("没有先给安全指导" reports a fault; it tells nobody what to do)."""
    for cue in CUES:
        for at in (m.start() for m in re.finditer(re.escape(cue), before)):
            if not any(neg in before[max(0, at - 2):at] for neg in FACT_NEGATORS):
                return cue
    return None


def _instructed(comments: list[tuple[dict, str]], words: list[str]) -> list[tuple[dict, str, str]]:
    """(item, cue, word): a sentence of a comment that tells the agent to do ``word`` (a cue before it,
    as in "应先让客户说完、再复述核对")."""
    found = []
    for item, text in comments:
        for sentence, unquoted in _sentences_marked(text):
            for word in words:
                w = matcher.normal(word)
                at = sentence.find(w) if w else -1
                # the cue is the coach's word: a 请 inside a quoted “您好，请讲” tells the agent nothing
                cue = _cue(unquoted[:at]) if at >= 0 else None
                if cue is not None:
                    found.append((item, cue, word))
                    break
    return found


def _assess_one(spec: dict, item: dict, comments: list[tuple[dict, str]]) -> tuple[Fraction, list[str], list[dict]]:
    guide_entry = entry(spec, item)
    named = _said(comments, guide_entry["names"])
    told = _instructed(comments, guide_entry["instead"])
    std = guide_entry.get("standard")
    quoted = _said(comments, std["wording"]) if std else []
    met = {"names": bool(named), "instead": bool(told)}
    if std:
        met["standard"] = bool(quoted)
    notes = [f"{PART_NAMES[p]}：{'是' if ok else '否'}" for p, ok in met.items()]
    if not std:
        notes.append(f"{PART_NAMES['standard']}：不适用（标准对{item['name']}没有规定用语）")
    evidence = []
    if named:
        evidence.append({"item": named[0][0]["name"], "matched": [w for _, w in named], "negated": [],
                         "note": f"指出薄弱环节：{item['name']}"})
    if told:
        evidence.append({"item": told[0][0]["name"], "matched": [f"{c}…{w}" for _, c, w in told], "negated": [],
                         "note": "说明应当怎样做"})
    if quoted:
        evidence.append({"item": quoted[0][0]["name"], "matched": [w for _, w in quoted], "negated": [],
                         "note": f"引用标准 {std['source']}"})
    return Fraction(sum(met.values()), len(met)), notes, evidence


def assess(spec: dict, answer: dict | None, reference: dict[str, Fraction]) -> tuple[Fraction, str, list[dict]]:
    """The machine's suggested credit (0..1) for the coaching comments, why, and the evidence."""
    comments = _comments(answer or {}, spec)
    if not comments:
        return Fraction(0), "未写评语，无从辅导", []
    items = weakest(spec, reference)
    if not items:
        return Fraction(1), "参考评分各项均为满分；已写评语，请考评员核对评语是否具体、准确", []
    best = None
    for item in items:
        credit, notes, evidence = _assess_one(spec, item, comments)
        if best is None or credit > best[0]:
            best = (credit, f"按「{item['name']}」核对：" + "；".join(notes), evidence)
    return best


# ---------------------------------------------------------------- the author's content

def _words_problem(value: object) -> str | None:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_WORDS:
        return f"应为 1 至 {MAX_WORDS} 个词语的列表"
    for word in value:
        if not isinstance(word, str) or not matcher.normal(word) or len(word) > MAX_WORD_CHARS:
            return f"每个词语应为不超过 {MAX_WORD_CHARS} 字的文字"
    return None


def problems(coaching: object, keys: list[str]) -> list[str]:
    """Every problem of a scenario's ``coaching`` section, naming the field, in Chinese."""
    if coaching is None:
        return []
    if not isinstance(coaching, dict):
        return ["coaching：应为对象（评分项 key → 辅导评语的评阅要点）"]
    out = []
    for key, value in coaching.items():
        where = f"coaching.{key}"
        if key not in keys:
            out.append(f"{where}：评分表中没有这一项")
            continue
        if not isinstance(value, dict):
            out.append(f"{where}：应为对象（advice、names、instead，可选 standard）")
            continue
        if (why := text_problem(value.get("advice"), 300)) is not None:
            out.append(f"{where}.advice：{why}")
        for field in ("names", "instead"):
            if (why := _words_problem(value.get(field))) is not None:
                out.append(f"{where}.{field}：{why}")
        std = value.get("standard")
        if std is None:
            continue
        if not isinstance(std, dict):
            out.append(f"{where}.standard：应为对象（source 条款、text 标准原文、wording 要找的用语）")
            continue
        if (why := text_problem(std.get("source"), 60)) is not None:
            out.append(f"{where}.standard.source：{why}")
        if (why := text_problem(std.get("text"), 400)) is not None:
            out.append(f"{where}.standard.text：{why}")
        if (why := _words_problem(std.get("wording"))) is not None:
            out.append(f"{where}.standard.wording：{why}")
        elif isinstance(std.get("text"), str):
            text = matcher.normal(std["text"])
            for word in std["wording"]:
                if matcher.normal(word) not in text:
                    out.append(f"{where}.standard.wording：“{word}”不在标准原文（text）中——只能引用标准确有的用语")
    return out
