"""Marking a scripted call (the simulated call and the complaint): every criterion says who decides it.

**Machine-decided** (``decided_by == "machine"``) only where the rule is exact and procedural: the
opening in the first reply, the hold phrases around a hold, the prescribed special-situation phrases
when the script's caller is silent, speaks dialect, is a nuisance or strays off topic, the closing in
the last reply, and the centre's taboo-word and habit lists. These are phrase-list checks
(``practical.phrases``) and their points are final.

**Examiner-confirmed** (``decided_by == "examiner"``) wherever meaning matters: each key point,
clarity, courtesy, calming an upset caller, and a complaint's empathy, apology, solution and follow-up
commitment. The machine *suggests* a verdict with its evidence — the turn, the words matched, the words
seen only under a negation, the courtesy detector's flags — and the examiner confirms or overrides each
one (``practical.marking``). These criteria carry ``EXAMINER_SHARE`` of the task's points (at least
half), so a wrong machine reading can always be corrected, and the task's score is final only once an
examiner has confirmed them.

Which criteria a task has, and what each is worth, follows from the script alone (``rubric``), never
from the path a candidate's replies took. A situation the path never met (the abusive branch of a
caller calmed in time) passes on a finished call and fails on an unfinished one.

Shares of the examiner's part (``EXAMINER_WEIGHTS``): in a call, the key points together 6, courtesy
2, clarity 2 and, when the script has an upset caller, calming them 1 — what the caller was told is
the heart of a call, so a polite call that tells the caller wrong things cannot pass on manners and
procedure alone; in a complaint the four steps 2 each, the key points together 4 and courtesy 3.
Machine weights (``WEIGHTS``): each opening part, hold
phrase, special situation, the closing and the habit check 1; taboo words 2.

Wrong information: a key point may list the wrong answers a candidate is likely to give (``wrong``:
"明天才能恢复", "路由器坏了"). Telling a customer something false is a serious error on any call-centre
quality form, whatever else the call did well, so when an answering reply says one, the machine
suggests 0 for every key point and for the substance criteria (``VOIDED_BY_WRONG_INFORMATION``), with
the turn and words as evidence; the examiner confirms or overrides as for any suggestion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from types import MappingProxyType

from exam.service_phrases import default_lists
from practical import courtesy, matcher, phrases
from practical.call_script import SPECIAL_TYPES, Replay, Step, replay, replies_of
from practical.kinds.base import AutoResult, Check

MACHINE, EXAMINER = "machine", "examiner"
EXAMINER_SHARE = MappingProxyType({"call": Fraction(3, 5), "complaint": Fraction(2, 3)})
WEIGHTS = MappingProxyType({"opening": 1, "hold": 1, "special": 1, "closing": 1, "habits": 1, "taboo": 2})
EXAMINER_WEIGHTS = MappingProxyType({
    "call": {"key_points": 6, "courtesy": 2, "clarity": 2, "soothing": 1},
    "complaint": {"acknowledge": 2, "apology": 2, "solution": 2, "follow_up": 2, "key_points": 4, "courtesy": 3},
})
HABIT_ALLOWANCE = 1
#: Criteria about the substance of the answer: a reply giving the caller wrong information (a key
#: point's ``wrong`` list) makes the machine suggest 0 for each of them and for every key point.
VOIDED_BY_WRONG_INFORMATION = ("clarity", "solution", "follow_up")
#: How the rubric states it (each key point's description, when the script lists wrong answers).
WRONG_INFORMATION_RULE = ("本通话任何一轮答复说出场景列出的错误说法（错误信息）时，各要点均不得分，本要点答对也不计："
                          "向客户提供错误信息是质检的致命差错。")

_OPENING = {
    "greeting": ("问候", "问候（如“您好”）"),
    "self_intro": ("自我介绍（工号）", "自我介绍（工号）"),
    "offer_help": ("询问需求", "询问需求（如“请问有什么可以帮您”）"),
    "outbound_purpose": ("说明来意", "核实对方身份或说明来意（如“请问是张先生吗”）"),
}
_SPECIAL = {
    "silent": ("空线用语", "来电不出声", "未使用空线用语（如“您好，请讲”“听不见您的声音”）"),
    "dialect": ("方言来电用语", "来电讲方言", "未礼貌请对方讲普通话（如“您方便讲普通话吗”）"),
    "abuse": ("骚扰来电应对", "骚扰辱骂来电", "未按特殊处理用语引导（如“请问您需要帮助吗”“如果没有业务需要咨询，再见”）"),
    "off_topic": ("无关来电应对", "来电与业务无关", "未引导回业务（如“请问您有业务需要咨询吗”）"),
}
_COMPLAINT = {
    "acknowledge": ("理解客户心情", "表示理解客户的心情（如“您的心情我非常理解”），且不晚于提出解决方案"),
    "apology": ("致歉", "真诚、具体地致歉（如“非常抱歉，给您带来了不便”）"),
    "solution": ("提出解决方案", "提出可行的解决方案（如“我马上为您申请……”）"),
    "follow_up": ("后续跟进承诺", "承诺处理时限或回电（如“24 小时内给您回电”）"),
}
_DESCRIPTIONS = {
    "courtesy": ("礼貌耐心、语气亲切", "称呼得体，用“您”“请”“谢谢”；不指责、不催促、不轻视客户，拒绝时给出替代办法。"
                                   "机器建议由礼貌检测器给出：发现脏话、指责、不耐烦则建议 0 分，仅有生硬拒绝建议一半。"),
    "clarity": ("表达清晰、答复准确完整", "按“开篇—了解需求—解答或办理—确认—结束”的步骤沟通，答复准确、完整、通俗。"
                                     "机器建议按要点答到的比例给出。"),
    "soothing": ("安抚情绪激动的客户（2.12）", "客户情绪激动、抱怨时先表示理解（“您的心情我非常理解，为了更有效地帮助您，"
                                           "请问您……”），不争辩、不轻视，再引回解决问题。"),
}


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    decided_by: str  # MACHINE or EXAMINER
    share: Fraction  # of the task's points
    credit: Fraction  # 0..1: the machine's verdict, or its suggestion for an examiner criterion
    message: str
    where: str = ""
    evidence: tuple = field(default=())  # dicts: {"turn", "matched", "negated", "flags", "note"}
    description: str = ""

    @property
    def verdict(self) -> str:
        return "met" if self.credit == 1 else "not_met" if self.credit == 0 else "partly_met"

    def points(self, task_points: Fraction) -> Fraction:
        return Fraction(task_points) * self.share * self.credit

    def as_json(self, task_points: Fraction) -> dict:
        return {"code": self.code, "name": self.name, "decided_by": self.decided_by, "verdict": self.verdict,
                "credit": str(self.credit), "points": str(self.points(task_points)),
                "max_points": str(Fraction(task_points) * self.share), "message": self.message,
                "where": self.where, "evidence": list(self.evidence)}


def _at(step: Step) -> str:
    return f"第 {step.number} 轮"


def _turns(steps: list[Step]) -> str:
    return "第 " + "、".join(str(s.number) for s in steps) + " 轮" if steps else ""


# ---------------------------------------------------------------- the machine's exact checks
# Each returns (code, name, weight, passed, message, where).

def _opening(played: Replay, lists: dict, outbound: bool) -> list[tuple]:
    first = played.steps[0]
    out = []
    for key in ("greeting", "self_intro", "outbound_purpose" if outbound else "offer_help"):
        name, missing = _OPENING[key]
        code = "opening.purpose" if key == "outbound_purpose" else f"opening.{key}"
        if first.reply is None:
            out.append((code, f"开篇语：{name}", WEIGHTS["opening"], False, f"第 1 轮：未作答，开篇语缺少{missing}", "第 1 轮"))
        elif phrases.contains(first.reply, lists[key]):
            out.append((code, f"开篇语：{name}", WEIGHTS["opening"], True, f"第 1 轮：开篇语包含{name}", "第 1 轮"))
        else:
            out.append((code, f"开篇语：{name}", WEIGHTS["opening"], False, f"第 1 轮：开篇语缺少{missing}", "第 1 轮"))
    return out


def _unmet(code: str, name: str, weight: int, played: Replay, situation: str) -> tuple:
    if played.finished:
        return (code, name, weight, True, f"本次通话未出现{situation}的情形", "")
    return (code, name, weight, False, f"通话未完成，未到达{situation}的环节", "")


def _judged(code: str, name: str, weight: int, results: list[tuple[Step, bool, str]]) -> tuple:
    failed = [(s, m) for s, ok, m in results if not ok]
    shown = failed or [(s, m) for s, ok, m in results]
    return (code, name, weight, not failed, "；".join(f"{_at(s)}：{m}" for s, m in shown), _turns([s for s, _ in shown]))


def _hold(played: Replay, lists: dict) -> list[tuple]:
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


def _special(played: Replay, lists: dict, kind: str) -> tuple:
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


def _closing(played: Replay, lists: dict) -> tuple:
    w = WEIGHTS["closing"]
    if not played.finished:
        return ("closing", "结束语", w, False, "通话未完成，没有结束语", "")
    last = played.steps[-1]
    if phrases.contains(last.reply, lists["closing"]):
        return ("closing", "结束语", w, True, f"{_at(last)}：使用了结束语", _at(last))
    return ("closing", "结束语", w, False, f"{_at(last)}：结束通话时缺少结束语（如“感谢您的来电，再见”）", _at(last))


def _found(played: Replay, entries: tuple[str, ...]) -> list[tuple[Step, dict[str, int]]]:
    return [(s, hits) for s in played.answered if (hits := phrases.occurrences(s.reply, entries))]


def _taboo(played: Replay, lists: dict) -> tuple:
    w, found = WEIGHTS["taboo"], _found(played, lists["taboo"])
    if found:
        said = "；".join(f"{_at(s)}：使用了禁忌语" + "、".join(f"“{e}”" for e in hits) for s, hits in found)
        return ("taboo", "禁忌语（本中心词表）", w, False, said, _turns([s for s, _ in found]))
    if not played.finished:
        return ("taboo", "禁忌语（本中心词表）", w, False, "通话未完成，无法认定全程未使用禁忌语", "")
    return ("taboo", "禁忌语（本中心词表）", w, True, "全程未使用本中心词表中的禁忌语", "")


def _habits(played: Replay, lists: dict) -> tuple:
    w, found = WEIGHTS["habits"], _found(played, lists["habits"])
    total = sum(sum(hits.values()) for _, hits in found)
    said = "；".join(f"{_at(s)}" + "、".join(f"“{e}”" + (f"×{n}" if n > 1 else "") for e, n in hits.items())
                    for s, hits in found)
    where, name = _turns([s for s, _ in found]), "口头禅（本中心词表）"
    if total > HABIT_ALLOWANCE:
        return ("habits", name, w, False, f"口头禅出现 {total} 次（{said}），全程最多允许 {HABIT_ALLOWANCE} 次", where)
    if not played.finished:
        return ("habits", name, w, False, "通话未完成，无法认定全程没有口头禅", where)
    if total:
        return ("habits", name, w, True, f"口头禅 {total} 次（{said}），在允许范围内", where)
    return ("habits", name, w, True, "全程未出现口头禅", "")


def _machine(spec: dict, played: Replay, lists: dict) -> list[tuple]:
    types = {t.get("type", "talk") for t in spec["turns"]}
    out = _opening(played, lists, spec.get("direction") == "outbound")
    if "hold" in types:
        out += _hold(played, lists)
    out += [_special(played, lists, kind) for kind in SPECIAL_TYPES if kind in types]
    return out + [_closing(played, lists), _taboo(played, lists), _habits(played, lists)]


# ---------------------------------------------------------------- the examiner's criteria: suggestions

def key_points(spec: dict) -> list[tuple[str, dict, dict]]:
    """(code, turn, point) of every key point of the script, in script order."""
    return [(f"point.{turn['id']}.{k}", turn, point)
            for turn in spec["turns"] for k, point in enumerate(turn.get("key_points") or [])]


def _flags(played: Replay) -> dict[int, list[courtesy.Flag]]:
    return {s.number: courtesy.flags(s.reply, s.number) for s in played.answered}


def _severe(flags: dict[int, list[courtesy.Flag]], number: int) -> list[courtesy.Flag]:
    return [f for f in flags.get(number, []) if f.severe]


def _key_point(played: Replay, turn: dict, point: dict, flags: dict) -> tuple[Fraction, str, str, list[dict]]:
    answering = {turn["id"], *(point.get("also") or [])}
    evidence, elsewhere, hit_rude = [], None, None
    for step in played.answered:
        ev = matcher.Evidence()
        met = matcher.meets(step.reply, point, ev)
        if not (ev.matched or ev.negated):
            continue
        entry = {"turn": step.number, "matched": ev.matched, "negated": ev.negated}
        if step.turn["id"] not in answering:
            entry["note"] = "不是答复这一问的那一轮"
            evidence.append(entry)
            elsewhere = elsewhere or (step if met else None)
            continue
        severe = _severe(flags, step.number)
        if met and not severe:
            evidence.append(entry)
            return Fraction(1), f"{_at(step)}答到：{point['name']}（{'、'.join(ev.matched)}）", _at(step), evidence
        if met:
            entry["note"] = "本轮语气指责或不耐烦，不作为有效答复"
            hit_rude = step
        evidence.append(entry)
    reached = next((s for s in played.steps if s.turn["id"] == turn["id"]), None)
    if reached is None:
        return Fraction(0), f"通话未进行到该环节：{point['name']}", "", evidence
    if hit_rude is not None:
        return Fraction(0), f"{_at(hit_rude)}提到了“{point['name']}”，但语气指责或不耐烦，建议不给分", _at(hit_rude), evidence
    said = "；".join(f"第 {e['turn']} 轮否定了" + "、".join(e["negated"]) for e in evidence if e["negated"])
    extra = f"（{said}）" if said else ""
    if elsewhere is not None:
        extra += f"；{_at(elsewhere)}提到，但不是在答复这一问"
    return Fraction(0), f"{_at(reached)}起未答到“{point['name']}”{extra}", _at(reached), evidence


def wrong_information(spec: dict, played: Replay) -> list[dict]:
    """Where a reply, answering the caller, says what a key point's ``wrong`` list names as false (the
    scenario's author lists the likely wrong answers: "明天才能恢复", "路由器坏了"). Giving a customer
    wrong information is a serious error in any call-centre quality form; the examiner confirms it."""
    found = []
    for _, turn, point in key_points(spec):
        answering = {turn["id"], *(point.get("also") or [])}
        for step in played.answered:
            if step.turn["id"] in answering and point.get("wrong"):
                ev = matcher.list_hits(step.reply, point["wrong"], strict=True)
                if ev.matched:
                    found.append({"turn": step.number, "point": point["name"], "matched": ev.matched, "negated": [],
                                  "note": "错误信息"})
    return found


def _courtesy(played: Replay, flags: dict, taboo_hit: bool) -> tuple[Fraction, str, list[dict]]:
    found = [f for fs in flags.values() for f in fs]
    evidence = [f.as_json() for f in found]
    if not played.answered:
        return Fraction(0), "未作答，无从评定", evidence
    if any(f.severe for f in found):
        return Fraction(0), "礼貌检测器发现：" + "；".join(f.describe() for f in found if f.severe), evidence
    credit, notes = Fraction(1), []
    if found:
        credit, notes = Fraction(1, 2), ["；".join(f.describe() for f in found)]
    if taboo_hit:
        credit, notes = min(credit, Fraction(1, 2)), notes + ["使用了禁忌语"]
    if not played.finished:
        credit, notes = min(credit, Fraction(1, 2)), notes + ["通话未完成"]
    return credit, ("；".join(notes) if notes else "未发现指责、不耐烦、脏话或生硬拒绝"), evidence


def _steps_hits(played: Replay, entries: tuple[str, ...], flags: dict, turns: set[str] | None = None):
    """The first answered step that says one of ``entries`` un-negated and without a severe flag, and the
    evidence of every step that said or negated one."""
    first, evidence = None, []
    for step in played.answered:
        if turns is not None and step.turn["id"] not in turns:
            continue
        ev = matcher.list_hits(step.reply, entries)
        if not (ev.matched or ev.negated):
            continue
        entry = {"turn": step.number, "matched": ev.matched, "negated": ev.negated}
        if ev.matched and _severe(flags, step.number):
            entry["note"] = "本轮语气指责或不耐烦"
        elif ev.matched and first is None:
            first = step
        evidence.append(entry)
    return first, evidence


def _soothing(spec: dict, played: Replay, lists: dict, flags: dict) -> tuple[Fraction, str, str, list[dict]]:
    upset_ids = {t["id"] for t in spec["turns"] if t.get("type") == "upset"}
    steps = [s for s in played.steps if s.turn["id"] in upset_ids]
    if not steps:
        if played.finished:
            return Fraction(1), "本次通话客户未出现情绪激动的情形", "", []
        return Fraction(0), "通话未完成，未到达客户情绪激动的环节", "", []
    good, evidence = 0, []
    for step in steps:
        if step.reply is None:
            evidence.append({"turn": step.number, "matched": [], "negated": [], "note": "未作答"})
            continue
        ev = matcher.list_hits(step.reply, lists["acknowledge"] + lists["apology"])
        severe = _severe(flags, step.number)
        entry = {"turn": step.number, "matched": ev.matched, "negated": ev.negated}
        if severe:
            entry["note"] = "本轮语气指责或不耐烦"
        elif ev.matched:
            good += 1
        evidence.append(entry)
    credit = Fraction(good, len(steps))
    msg = f"客户情绪激动的 {len(steps)} 轮中，{good} 轮先表示理解或致歉"
    return credit, msg, _turns(steps), evidence


def _complaint_step(key: str, played: Replay, lists: dict, flags: dict, solution_at: Step | None):
    name, wanted = _COMPLAINT[key]
    step, evidence = _steps_hits(played, lists[key], flags)
    if step is None:
        said = "；".join(f"第 {e['turn']} 轮" + ("否定了" + "、".join(e["negated"]) if e["negated"] else e.get("note", ""))
                        for e in evidence)
        prefix = "通话未完成，" if not played.finished else "全程"
        return Fraction(0), f"{prefix}未{wanted}" + (f"（{said}）" if said else ""), "", evidence
    if key == "acknowledge" and solution_at is not None and solution_at.number < step.number:
        return (Fraction(1, 2), f"{_at(step)}才表示理解，晚于{_at(solution_at)}提出的解决方案：应先安抚情绪，再解决问题",
                _at(step), evidence)
    return Fraction(1), f"{_at(step)}：{name}（{'、'.join(matcher.list_hits(step.reply, lists[key]).matched)}）", \
        _at(step), evidence


# ---------------------------------------------------------------- the rubric and the assessment

def _kind(complaint: bool) -> str:
    return "complaint" if complaint else "call"


def examiner_weights(spec: dict, complaint: bool) -> dict[str, int]:
    """The examiner criteria of this script and their weights (what ``rubric`` turns into points)."""
    weights = dict(EXAMINER_WEIGHTS[_kind(complaint)])
    types = {t.get("type", "talk") for t in spec.get("turns") or []}
    if "soothing" in weights and "upset" not in types:
        del weights["soothing"]
    if not key_points(spec):
        del weights["key_points"]
    return weights


def rubric(spec: dict, complaint: bool = False) -> list[dict]:
    """The examiner's criteria for this script, each with its share of the task's points (a string
    fraction summing to ``EXAMINER_SHARE``); key points share the key-point weight equally."""
    share = EXAMINER_SHARE[_kind(complaint)]
    weights = examiner_weights(spec, complaint)
    total = sum(weights.values())
    out = []
    for key, w in weights.items():
        part = share * Fraction(w, total)
        if key == "key_points":
            points = key_points(spec)
            # the wrong-information rule is part of the criterion the examiner confirms, not a surprise in
            # the suggestion: a 0 for a point answered right then agrees with the rubric (audit #10)
            rule = WRONG_INFORMATION_RULE if any(p.get("wrong") for _, _, p in points) else ""
            for code, turn, point in points:
                out.append({"key": code, "name": f"要点：{point['name']}", "points": str(part / len(points)),
                            "description": "答复客户这一问时讲到该要点（意思对即可，不必用原词）。机器按场景的同义词找，"
                                           "并排除否定说法，只在答复该问的轮次计。" + rule})
        elif key in _COMPLAINT:
            name, wanted = _COMPLAINT[key]
            out.append({"key": key, "name": name, "points": str(part), "description": wanted})
        else:
            name, description = _DESCRIPTIONS[key]
            out.append({"key": key, "name": name, "points": str(part), "description": description})
    return out


def assess(spec: dict, answer: dict, lists: dict | None = None, complaint: bool = False) -> list[Criterion]:
    """Every criterion of the task, machine-decided ones with their verdict, examiner ones with the
    machine's suggestion, in the order an examiner reads them."""
    lists = phrases.merged({**default_lists(), **(lists or {})}, spec.get("phrases"))
    played = replay(spec, replies_of(answer))
    machine = _machine(spec, played, lists)
    total = sum(w for _, _, w, _, _, _ in machine)
    share = 1 - EXAMINER_SHARE[_kind(complaint)]
    out = [Criterion(code, name, MACHINE, share * Fraction(w, total), Fraction(int(ok)), msg, where)
           for code, name, w, ok, msg, where in machine]
    flags = _flags(played)
    taboo_hit = any(not ok for code, _, _, ok, _, _ in machine if code == "taboo") and played.finished
    points = {code: (turn, point) for code, turn, point in key_points(spec)}
    wrong = wrong_information(spec, played)
    wrong_note = "；".join(f"第 {w['turn']} 轮就“{w['point']}”给出了错误信息（" + "、".join(w["matched"]) + "）"
                           for w in wrong)
    met_points = []
    solution_at = _steps_hits(played, lists["solution"], flags)[0] if complaint else None
    for item in rubric(spec, complaint):
        key, item_share = item["key"], Fraction(item["points"])
        if key in points:
            credit, msg, where, ev = _key_point(played, *points[key], flags)
            met_points.append(credit)
        elif key == "courtesy":
            credit, msg, ev = _courtesy(played, flags, taboo_hit)
            where = _turns([s for s in played.answered if flags.get(s.number)])
        elif key == "clarity":
            ratio = sum(met_points) / len(met_points) if met_points else Fraction(int(played.finished))
            credit, msg, ev, where = ratio, f"要点答到 {sum(met_points)}/{len(met_points)}", [], ""
            if any(f.severe for fs in flags.values() for f in fs):
                credit, msg = min(credit, Fraction(1, 2)), msg + "；有指责或不耐烦的答复"
            if not played.finished:
                credit, msg = min(credit, Fraction(1, 2)), msg + "；通话未完成"
        elif key == "soothing":
            credit, msg, where, ev = _soothing(spec, played, lists, flags)
        else:
            credit, msg, where, ev = _complaint_step(key, played, lists, flags, solution_at)
        if wrong and (key in points or key in VOIDED_BY_WRONG_INFORMATION):
            credit, msg, ev = Fraction(0), f"{wrong_note}：错误信息使本项建议为 0 分（{msg}）", [*ev, *wrong]
        out.append(Criterion(key, item["name"], EXAMINER, item_share, Fraction(credit), msg, where, tuple(ev),
                             item["description"]))
    return out


def grade(spec: dict, answer: dict, points: Fraction, lists: dict, complaint: bool = False) -> AutoResult:
    """The machine-decided points, with the suggestions for the examiner's criteria kept beside them."""
    found = assess(spec, answer, lists, complaint)
    checks = [Check(c.code, c.name, bool(c.credit), c.message, c.points(points),
                    Fraction(points) * c.share, c.where) for c in found if c.decided_by == MACHINE]
    suggestions = [c.as_json(points) for c in found if c.decided_by == EXAMINER]
    return AutoResult(points=sum((c.points for c in checks), Fraction(0)),
                      max_points=sum((c.max_points for c in checks), Fraction(0)), checks=checks,
                      suggestions=suggestions)
