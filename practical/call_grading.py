"""The machine checks of a scripted call (the simulated call and the complaint): service phrases where
the standard prescribes them, taboo words and verbal habits, and the complaint's four steps.

Which checks a task has, and what each is worth, depends on the script alone, never on the path a
candidate's replies took: every candidate of a scenario is marked out of the same checks. A check
about a situation the candidate's path never met (the abusive branch of a caller who was calmed in
time) passes on a finished call — handling the caller well enough not to meet it is no fault — and
fails on an unfinished one. Checks over the whole call (taboo words, habits, the closing) need the
call to be finished: an unfinished call cannot show them.

Weights (``WEIGHTS``): each opening part, each hold phrase, each special situation, each key point, the
closing and the habit check weigh 1; taboo words 2, because one such phrase can undo a whole call;
each of the complaint's steps 2, because they are what that scenario examines. The machine's share of
the task's points is split in proportion to the weights of the checks the script has.

Habits: a single filler in a whole call is a slip, two or more are a habit (``HABIT_ALLOWANCE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from exam.service_phrases import default_lists
from practical import phrases
from practical.call_script import SPECIAL_TYPES, Replay, Step, replay, replies_of
from practical.kinds.base import AutoResult, Check

WEIGHTS = MappingProxyType({
    "opening": 1, "hold": 1, "special": 1, "key_point": 1, "closing": 1, "habits": 1, "taboo": 2, "complaint": 2,
})
HABIT_ALLOWANCE = 1

_OPENING = {
    "greeting": ("问候", "问候（如“您好”）"),
    "self_intro": ("自我介绍（工号）", "自我介绍（工号）"),
    "offer_help": ("询问需求", "询问需求（如“请问有什么可以帮您”）"),
    "outbound_purpose": ("说明来意", "核实对方身份或说明来意（如“请问是张先生吗”）"),
}
_SPECIAL = {
    "silent": ("空线用语", "来电不出声", "未使用空线用语（如“您好，请讲”“听不见您的声音”）"),
    "dialect": ("方言来电用语", "来电讲方言", "未礼貌请对方讲普通话（如“您方便讲普通话吗”）"),
    "abuse": ("辱骂来电应对", "来电辱骂", "未按规范引导（如“请问您需要帮助吗”“如果没有业务需要咨询，再见”）"),
    "off_topic": ("无关来电应对", "来电与业务无关", "未引导回业务（如“请问您有业务需要咨询吗”）"),
}
_COMPLAINT = {
    "acknowledge": ("理解客户心情", "未表示理解客户的心情（如“您的心情我非常理解”）"),
    "apology": ("致歉", "未向客户致歉（如“非常抱歉，给您带来了不便”）"),
    "solution": ("提出解决方案", "未提出解决方案（如“我马上为您申请……”）"),
    "follow_up": ("后续跟进承诺", "未承诺处理时限或回电（如“24 小时内给您回电”）"),
}


@dataclass(frozen=True)
class Verdict:
    code: str
    name: str
    weight: int
    passed: bool
    message: str
    where: str = ""


def _at(step: Step) -> str:
    return f"第 {step.number} 轮"


def _turns(steps: list[Step]) -> str:
    return "第 " + "、".join(str(s.number) for s in steps) + " 轮" if steps else ""


# ---------------------------------------------------------------- the checks

def _opening(played: Replay, lists: dict, outbound: bool) -> list[Verdict]:
    first = played.steps[0]
    keys = ("greeting", "self_intro", "outbound_purpose" if outbound else "offer_help")
    out = []
    for key in keys:
        name, missing = _OPENING[key]
        code = "opening.purpose" if key == "outbound_purpose" else f"opening.{key}"
        if first.reply is None:
            out.append(Verdict(code, f"开篇语：{name}", WEIGHTS["opening"], False, f"第 1 轮：未作答，开篇语缺少{missing}", "第 1 轮"))
        elif phrases.contains(first.reply, lists[key]):
            out.append(Verdict(code, f"开篇语：{name}", WEIGHTS["opening"], True, f"第 1 轮：开篇语包含{name}", "第 1 轮"))
        else:
            out.append(Verdict(code, f"开篇语：{name}", WEIGHTS["opening"], False, f"第 1 轮：开篇语缺少{missing}", "第 1 轮"))
    return out


def _unmet(code: str, name: str, weight: int, played: Replay, situation: str) -> Verdict:
    if played.finished:
        return Verdict(code, name, weight, True, f"本次通话未出现{situation}的情形")
    return Verdict(code, name, weight, False, f"通话未完成，未到达{situation}的环节")


def _judged(code: str, name: str, weight: int, results: list[tuple[Step, bool, str]]) -> Verdict:
    failed = [(s, m) for s, ok, m in results if not ok]
    shown = failed or [(s, m) for s, ok, m in results]
    return Verdict(code, name, weight, not failed, "；".join(f"{_at(s)}：{m}" for s, m in shown),
                   _turns([s for s, _ in shown]))


def _hold(played: Replay, lists: dict) -> list[Verdict]:
    at = [i for i, s in enumerate(played.steps) if s.turn.get("type") == "hold"]
    w = WEIGHTS["hold"]
    if not at:
        return [_unmet("hold.before", "等待前用语", w, played, "需要查询等待"),
                _unmet("hold.after", "等待后用语", w, played, "需要查询等待")]
    before, after = [], []
    for i in at:
        step = played.steps[i]
        if step.reply is None:
            before.append((step, False, "未作答，缺少等待前用语"))
        elif phrases.contains(step.reply, lists["hold_before"]):
            before.append((step, True, "查询前请客户稍等"))
        else:
            before.append((step, False, "查询前未请客户稍等（等待前用语，如“请您稍等，我帮您核实一下”）"))
        nxt = played.steps[i + 1] if i + 1 < len(played.steps) else None
        if nxt is None or nxt.reply is None:
            after.append((nxt or Step(step.number + 1, step.turn, None), False, "通话未继续，缺少等待后用语"))
        elif phrases.contains(nxt.reply, lists["hold_after"]):
            after.append((nxt, True, "查询后感谢客户等待"))
        else:
            after.append((nxt, False, "查询后缺少等待后用语（如“感谢您的耐心等待”“让您久等了”）"))
    return [_judged("hold.before", "等待前用语", w, before), _judged("hold.after", "等待后用语", w, after)]


def _special(played: Replay, lists: dict, kind: str) -> Verdict:
    name, situation, missing = _SPECIAL[kind]
    code, w = f"special.{kind}", WEIGHTS["special"]
    steps = [s for s in played.steps if s.turn.get("type") == kind]
    if not steps:
        return _unmet(code, name, w, played, situation)
    results = []
    for step in steps:
        if step.reply is None:
            results.append((step, False, f"{situation}，未作答"))
        elif phrases.contains(step.reply, lists[kind]):
            results.append((step, True, f"{situation}，应对用语规范"))
        else:
            results.append((step, False, f"{situation}，{missing}"))
    return _judged(code, name, w, results)


def _key_points(spec: dict, played: Replay) -> list[Verdict]:
    out = []
    for turn in spec["turns"]:
        for k, point in enumerate(turn.get("key_points") or []):
            code, name = f"point.{turn['id']}.{k}", f"要点：{point['name']}"
            start = next((i for i, s in enumerate(played.steps) if s.turn["id"] == turn["id"]), None)
            if start is None:
                out.append(Verdict(code, name, WEIGHTS["key_point"], False, f"通话未进行到该环节：{point['name']}"))
                continue
            hit = next((s for s in played.steps[start:] if s.reply is not None and _meets(s.reply, point)), None)
            first = played.steps[start]
            if hit is not None:
                out.append(Verdict(code, name, WEIGHTS["key_point"], True, f"{_at(hit)}：{point['name']}", _at(hit)))
            else:
                out.append(Verdict(code, name, WEIGHTS["key_point"], False,
                                   f"{_at(first)}起：未做到“{point['name']}”", _at(first)))
    return out


def _meets(reply: str, point: dict) -> bool:
    if "any" in point and not phrases.contains(reply, point["any"]):
        return False
    return "all" not in point or len(phrases.find(reply, point["all"])) == len(set(point["all"]))


def _closing(played: Replay, lists: dict) -> Verdict:
    w = WEIGHTS["closing"]
    if not played.finished:
        return Verdict("closing", "结束语", w, False, "通话未完成，没有结束语")
    last = played.steps[-1]
    if phrases.contains(last.reply, lists["closing"]):
        return Verdict("closing", "结束语", w, True, f"{_at(last)}：使用了结束语", _at(last))
    return Verdict("closing", "结束语", w, False,
                   f"{_at(last)}：结束通话时缺少结束语（如“感谢您的来电，再见”）", _at(last))


def _found(played: Replay, entries: tuple[str, ...]) -> list[tuple[Step, dict[str, int]]]:
    return [(s, hits) for s in played.answered if (hits := phrases.occurrences(s.reply, entries))]


def _taboo(played: Replay, lists: dict) -> Verdict:
    w, found = WEIGHTS["taboo"], _found(played, lists["taboo"])
    if found:
        said = "；".join(f"{_at(s)}：使用了禁忌语" + "、".join(f"“{e}”" for e in hits) for s, hits in found)
        return Verdict("taboo", "禁忌语", w, False, said, _turns([s for s, _ in found]))
    if not played.finished:
        return Verdict("taboo", "禁忌语", w, False, "通话未完成，无法认定全程未使用禁忌语")
    return Verdict("taboo", "禁忌语", w, True, "全程未使用禁忌语")


def _habits(played: Replay, lists: dict) -> Verdict:
    w, found = WEIGHTS["habits"], _found(played, lists["habits"])
    total = sum(sum(hits.values()) for _, hits in found)
    said = "；".join(f"{_at(s)}" + "、".join(f"“{e}”" + (f"×{n}" if n > 1 else "") for e, n in hits.items())
                    for s, hits in found)
    where = _turns([s for s, _ in found])
    if total > HABIT_ALLOWANCE:
        return Verdict("habits", "口头禅", w, False,
                       f"口头禅出现 {total} 次（{said}），全程最多允许 {HABIT_ALLOWANCE} 次", where)
    if not played.finished:
        return Verdict("habits", "口头禅", w, False, "通话未完成，无法认定全程没有口头禅", where)
    if total:
        return Verdict("habits", "口头禅", w, True, f"口头禅 {total} 次（{said}），在允许范围内", where)
    return Verdict("habits", "口头禅", w, True, "全程未出现口头禅")


def _complaint(played: Replay, lists: dict) -> list[Verdict]:
    first = {key: next((s for s in played.answered if phrases.contains(s.reply, lists[key])), None)
             for key in _COMPLAINT}
    out, w = [], WEIGHTS["complaint"]
    for key, (name, missing) in _COMPLAINT.items():
        code, step = f"complaint.{key}", first[key]
        if step is None:
            prefix = "通话未完成，" if not played.finished else "全程"
            out.append(Verdict(code, name, w, False, prefix + missing))
        elif key == "acknowledge" and first["solution"] is not None and first["solution"].number < step.number:
            out.append(Verdict(code, name, w, False, f"{_at(step)}才表示理解，晚于{_at(first['solution'])}提出的解决方案："
                                                     "应先安抚情绪，再解决问题", _at(step)))
        else:
            out.append(Verdict(code, name, w, True, f"{_at(step)}：{name}", _at(step)))
    return out


# ---------------------------------------------------------------- points

def verdicts(spec: dict, answer: dict, lists: dict, complaint: bool = False) -> list[Verdict]:
    lists = phrases.merged({**default_lists(), **(lists or {})}, spec.get("phrases"))
    played = replay(spec, replies_of(answer))
    types = {t.get("type", "talk") for t in spec["turns"]}
    out = _opening(played, lists, spec.get("direction") == "outbound")
    if "hold" in types:
        out += _hold(played, lists)
    out += [_special(played, lists, kind) for kind in SPECIAL_TYPES if kind in types]
    out += _key_points(spec, played)
    if complaint:
        out += _complaint(played, lists)
    return out + [_closing(played, lists), _taboo(played, lists), _habits(played, lists)]


def grade(spec: dict, answer: dict, points: Fraction, manual_share: Fraction, lists: dict,
          complaint: bool = False) -> AutoResult:
    machine = Fraction(points) * (1 - manual_share)
    found = verdicts(spec, answer, lists, complaint)
    total = sum(v.weight for v in found)
    checks = []
    for v in found:
        worth = machine * v.weight / total
        checks.append(Check(v.code, v.name, v.passed, v.message, worth if v.passed else Fraction(0), worth, v.where))
    return AutoResult(points=sum((c.points for c in checks), Fraction(0)), max_points=machine, checks=checks)
