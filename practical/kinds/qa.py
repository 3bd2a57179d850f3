"""通话质检（qa）：考生以质检员身份听（读）一通录音文字，按质检评分表逐项打分，与参考评分比对
（见 ``base`` 的接口说明，比对规则见 ``practical.qa``）。

场景内容（spec）格式：

    {
      "instructions": "……",                   给考生的说明
      "background": "……",                     可选：业务背景（热线、客户资料、当时可用的处理办法）
      "transcript": [{"speaker": "agent" | "customer", "text": "……"}],   录音文字，4–40 句
      "rubric": [                              质检评分表，2–12 项
        {"key": "opening", "name": "开场规范", "max": 10,
         "description": "问候、报工号、询问需求是否完整",
         "tolerance": 1,                       可选：允许误差，分数（±1 分）或满分的百分比（"10%"），默认 10%
         "elements": [                         可选：逐要素计分，各要素分值之和须等于 max
           {"name": "问候", "points": 3, "met": true},      met：录音中座席是否做到（考生看不到）
           {"name": "报工号", "points": 4, "met": false}, …]}
      ],
      "reference": {"opening": 6, …},          参考评分：每项一个 0 至满分的分数，最多一位小数；有 elements 的项
                                               由要素推出（做到的要素分值之和），不必填写，填写则须与推出的一致
      "notes": {"opening": "未报工号"},         可选：参考评分的理由，只在评分结果中给出

      "coaching": {"listening": {…}}        可选：辅导评语的评阅要点，见 ``practical.qa_coaching``
    }

评分规则第 2 版（RULES_VERSION，现行）：打分占本题的 2/3，由机器评定——本题这部分分值按各项满分的比例分配，
考生的打分与参考评分相差不超过允许误差得该项全部分数，不超过两倍允许误差得一半，否则不得分；未打分的项不得分。
有要素的项，考生看到每个要素及其分值，参考评分由要素推出，评分结果逐一说明哪些要素做到、哪些没做到。
评语（每项不超过 300 字）是质检员给座席的辅导，占本题的 1/3，由考评员按评阅要点评定（``practical.qa_coaching``：
指出最薄弱的环节、说明应当怎样做、标准有规定用语的使用标准用语）；机器给出建议和依据，考评员确认或改判（改判须写理由）。
为什么是 1/3：标准中级工作要求中“业务指导”（能够利用电话监听手段对初级人员进行有效的帮助和指导）占 30 %，
辅导正是质检的目的；标准并没有规定质检题的分值如何划分，这是本系统的选择。质检不是与客户通话，
“考评员决定通话和投诉至少一半分值”的规则（practical.call_grading.EXAMINER_SHARE）不适用于本题型。

评分规则第 1 版：全部分值由机器按打分评定，评语不计分。组卷时把现行版本号写入冻结的题目（spec.rules_version）；
迁移 0018 之前抽取的质检题写为第 1 版，按考生作答时看到的规则评分，分数不变。
"""

from __future__ import annotations

import re
from fractions import Fraction

from practical import qa, qa_coaching
from practical.kinds.base import AnswerError, AutoResult, Check, text_problem

KIND = "qa"
NAME = "通话质检"
LEVELS = ("intermediate",)
MANUAL = True
#: The examiner's share under the current rules: the coaching comments (see the module docstring).
MANUAL_SHARE = Fraction(1, 3)
#: The answer's top-level keys (``practical.kinds.normalise_answer`` refuses any other).
ANSWER_KEYS = {"scores": "评分项 → 分数", "comments": "评分项 → 评语"}
#: The scoring rules in force; ``service.draw_paper`` writes it into the frozen task (``rules_version``).
#: Version 1 (machine-only, comments not scored) is what tasks drawn before migration 0018 keep.
RULES_VERSION = 2
RUBRIC_FROM_SPEC = True  # the examiner's criterion (the coaching comments) follows from the rubric

MAX_ITEMS = 12
MAX_ELEMENTS = 8
MAX_ITEM_POINTS = 100
MAX_COMMENT_CHARS = 300
MAX_TEXT = 1000
_KEY = re.compile(r"[a-z][a-z0-9_]{0,29}")


def rules(spec: dict) -> int:
    """The scoring rules a task was drawn under: the frozen ``rules_version``, else the current ones."""
    return spec.get("rules_version", RULES_VERSION)


def manual_share(spec: dict) -> Fraction:
    """The examiner's share of this task: none under rules 1 (comments not scored), else ``MANUAL_SHARE``."""
    return Fraction(0) if rules(spec) == 1 else MANUAL_SHARE


def _one_decimal(x: object) -> bool:
    return qa.is_number(x) and (qa.exact(x) * 10).denominator == 1


def _rubric_problems(rubric: object) -> tuple[list[str], dict[str, Fraction]]:
    """Problems of the rubric, and each valid item's maximum by key."""
    if not isinstance(rubric, list) or not 2 <= len(rubric) <= MAX_ITEMS:
        return [f"rubric：应为 2 至 {MAX_ITEMS} 个评分项"], {}
    problems, maxima = [], {}
    for n, item in enumerate(rubric):
        where = f"rubric[{n}]"
        if not isinstance(item, dict):
            problems.append(f"{where}：应为对象（key、name、max、description）")
            continue
        key = item.get("key")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            problems.append(f"{where}.key：应为小写英文字母开头的标识，如 opening")
            key = None
        elif key in maxima:
            problems.append(f"{where}.key：与前面的评分项重复")
            key = None
        if (why := text_problem(item.get("name"), 20)) is not None:
            problems.append(f"{where}.name：{why}")
        if (why := text_problem(item.get("description"), 300)) is not None:
            problems.append(f"{where}.description：{why}")
        top = item.get("max")
        if not _one_decimal(top) or not 0 < top <= MAX_ITEM_POINTS:
            problems.append(f"{where}.max：应为正数（不超过 {MAX_ITEM_POINTS}，最多一位小数）")
            continue
        if (why := qa.tolerance_problem(item.get("tolerance"), qa.exact(top))) is not None:
            problems.append(f"{where}.tolerance：{why}")
        if key is not None:
            maxima[key] = qa.exact(top)
            if "elements" in item:
                problems += _element_problems(item["elements"], qa.exact(top), f"{where}.elements")
    return problems, maxima


def _element_problems(elements: object, top: Fraction, where: str) -> list[str]:
    if not isinstance(elements, list) or not 1 <= len(elements) <= MAX_ELEMENTS:
        return [f"{where}：应为 1 至 {MAX_ELEMENTS} 个评分要素"]
    problems, total = [], Fraction(0)
    for n, element in enumerate(elements):
        at = f"{where}[{n}]"
        if not isinstance(element, dict):
            problems.append(f"{at}：应为对象（name、points、met）")
            continue
        if (why := text_problem(element.get("name"), 40)) is not None:
            problems.append(f"{at}.name：{why}")
        points = element.get("points")
        if not _one_decimal(points) or not points > 0:
            problems.append(f"{at}.points：应为正数（最多一位小数）")
        else:
            total += qa.exact(points)
        if not isinstance(element.get("met"), bool):
            problems.append(f"{at}.met：应为 true（录音中做到）或 false（没做到）")
    if not problems and total != top:
        problems.append(f"{where}：各要素分值之和为 {qa.show(total)} 分，应等于该项满分 {qa.show(top)} 分")
    return problems


def _from_elements(item: dict) -> Fraction:
    return sum((qa.exact(e["points"]) for e in item["elements"] if e["met"]), Fraction(0))


def reference_marks(spec: dict) -> dict[str, Fraction]:
    """The reference marking: an item with elements earns the points of the elements met, so the
    reference follows from the rubric; an item without them keeps the trainer's typed mark."""
    typed = spec.get("reference") or {}
    out = {}
    for item in spec["rubric"]:
        if item.get("elements"):
            out[item["key"]] = _from_elements(item)
        else:
            out[item["key"]] = qa.exact(typed[item["key"]])
    return out


def _element_reasons(item: dict) -> str:
    done = [e["name"] for e in item["elements"] if e["met"]]
    missed = [f"{e['name']}（{qa.show(qa.exact(e['points']))} 分）" for e in item["elements"] if not e["met"]]
    parts = ([f"做到：{'、'.join(done)}"] if done else []) + ([f"未做到：{'、'.join(missed)}"] if missed else [])
    return "；".join(parts)


def validate_spec(spec: dict) -> list[str]:
    problems: list[str] = []
    if (why := text_problem(spec.get("instructions"), MAX_TEXT)) is not None:
        problems.append(f"instructions：{why}")
    if "background" in spec and (why := text_problem(spec["background"], MAX_TEXT)) is not None:
        problems.append(f"background：{why}")
    problems += qa.transcript_problems(spec.get("transcript"), min_lines=4)
    rubric_problems, maxima = _rubric_problems(spec.get("rubric"))
    problems += rubric_problems
    rubric = spec.get("rubric") if isinstance(spec.get("rubric"), list) else None
    keys = [item.get("key") for item in rubric if isinstance(item, dict)] if rubric else []
    derived = {item["key"] for item in rubric or () if isinstance(item, dict) and item.get("key") in maxima
               and "elements" in item}
    reference = spec.get("reference", {})  # an item without elements then says it lacks its mark
    if not isinstance(reference, dict):
        return problems + ["reference：应为对象（评分项 key → 参考分数）"]
    for item in rubric or () if not problems else ():
        key = item["key"]
        if key in derived and key in reference and _one_decimal(reference[key]) \
                and qa.exact(reference[key]) != (want := _from_elements(item)):
            problems.append(f"reference.{key}：与评分要素推出的 {qa.show(want)} 分不符"
                            "（做到的要素分值之和；可删去该项，由要素推出）")
    for key, top in maxima.items():
        value = reference.get(key)
        if key in derived and key not in reference:
            continue
        if key not in reference:
            problems.append(f"reference.{key}：缺少该项的参考评分")
        elif not _one_decimal(value) or value < 0:
            problems.append(f"reference.{key}：应为不小于 0 的数（最多一位小数）")
        elif qa.exact(value) > top:
            problems.append(f"reference.{key}：超出该项满分 {qa.show(top)} 分")
    for key in reference if rubric else ():
        if key not in keys:
            problems.append(f"reference.{key}：评分表中没有这一项")
    if "rules_version" in spec:
        problems.append("rules_version：评分规则版本由系统在组卷时写入，场景内容中不能填写")
    if not problems:
        problems += qa_coaching.problems(spec.get("coaching"), keys)
    notes = spec.get("notes", {})
    if not isinstance(notes, dict):
        problems.append("notes：应为对象（评分项 key → 参考理由）")
    else:
        for key, note in notes.items():
            if key not in keys:
                problems.append(f"notes.{key}：评分表中没有这一项")
            elif (why := text_problem(note, 300)) is not None:
                problems.append(f"notes.{key}：{why}")
    return problems


def default_rubric(spec: dict) -> list[dict]:
    """The examiner's criterion: the coaching comments, with the marking guide that follows from the
    rubric (nothing under rules 1, or for content too broken to derive a guide from)."""
    if not manual_share(spec) or not isinstance(spec.get("rubric"), list) or _rubric_problems(spec["rubric"])[0]:
        return []
    try:
        lines = qa_coaching.guide(spec, reference_marks(spec))
    except (KeyError, TypeError, ValueError):
        return []
    return [{"key": qa_coaching.KEY, "name": qa_coaching.NAME, "points": str(MANUAL_SHARE),
             "description": "质检员写给座席的评语（各评分项的评语合起来看）：指出最薄弱的环节、说明应当怎样做、"
                            "标准有规定用语的使用标准用语。",
             "guide": lines}]


def _maximum(item: dict) -> Fraction:
    return qa.exact(item["max"])


_SCORING = {
    1: ("逐项与参考评分比对：相差在允许误差内得该项全部分数，在两倍允许误差内得一半，否则不得分。"
        "本题分值按各项满分的比例分配；评语不计分。"),
    2: ("打分占本题的 2/3：逐项与参考评分比对，相差在允许误差内得该项全部分数，在两倍允许误差内得一半，否则不得分，"
        "按各项满分的比例分配。评语占本题的 1/3，由考评员评阅：是否指出座席最薄弱的环节、是否说明应当怎样做、"
        "标准有规定用语的是否使用标准用语（不要把标准没有的规定说成标准的要求）。"),
}
_HELP = {
    1: "每项填写 0 至该项满分的分数，可保留一位小数；可为每项写简短评语，说明扣分或加分的理由。",
    2: "每项填写 0 至该项满分的分数，可保留一位小数；在评语栏写下给座席的辅导意见：哪里做得不好、应当怎样做。",
}


def candidate_view(spec: dict, answer: dict | None, seed: int) -> dict:
    answer = answer or {}
    scores, comments = answer.get("scores") or {}, answer.get("comments") or {}
    items = []
    for item in spec["rubric"]:
        top = _maximum(item)
        value = scores.get(item["key"])
        items.append({"key": item["key"], "name": item["name"], "max": qa.show(top),
                      "description": item["description"],
                      "tolerance": qa.tolerance_label(item.get("tolerance"), top),
                      "elements": [{"name": e["name"], "points": qa.show(qa.exact(e["points"]))}
                                   for e in item.get("elements") or ()],
                      "score": "" if value is None else qa.show(qa.exact(value)),
                      "comment": comments.get(item["key"], "")})
    return {
        "kind": KIND,
        "instructions": spec["instructions"],
        "background": spec.get("background", ""),
        "transcript": qa.transcript_view(spec["transcript"]),
        "items": items,
        "total_max": qa.show(sum((_maximum(i) for i in spec["rubric"]), Fraction(0))),
        "max_comment_chars": MAX_COMMENT_CHARS,
        "comments_scored": bool(manual_share(spec)),
        "scoring": _SCORING[rules(spec)],
        "answer_help": _HELP[rules(spec)],
    }


def comment_rows(spec: dict, answer: dict | None) -> list[dict]:
    """The candidate's comments item by item, as the examiner reads them beside the marking guide."""
    comments = (answer or {}).get("comments") or {}
    return [{"key": item["key"], "name": item["name"], "comment": comments.get(item["key"], "")}
            for item in spec["rubric"]]


def normalise_answer(spec: dict, raw: object, seed: int) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise AnswerError("答案格式错误：应为 JSON 对象 {\"scores\": {…}, \"comments\": {…}}")
    items = {item["key"]: item for item in spec["rubric"]}
    scores, comments = raw.get("scores") or {}, raw.get("comments") or {}
    if not isinstance(scores, dict):
        raise AnswerError("答案格式错误：scores 应为对象（评分项 → 分数）")
    if not isinstance(comments, dict):
        raise AnswerError("答案格式错误：comments 应为对象（评分项 → 评语）")
    out_scores, out_comments = {}, {}
    for key, value in scores.items():
        if key not in items:
            raise AnswerError(f"评分表中没有评分项 {key!r}")
        try:
            mark = qa.parse_score(value, _maximum(items[key]))
        except ValueError as exc:
            raise AnswerError(f"{items[key]['name']}：{exc}") from None
        if mark is not None:
            out_scores[key] = mark.numerator if mark.denominator == 1 else float(mark)
    for key, value in comments.items():
        if key not in items:
            raise AnswerError(f"评分表中没有评分项 {key!r}")
        if value is None:
            continue
        if not isinstance(value, str):
            raise AnswerError(f"{items[key]['name']}的评语：应为文字")
        text = value.replace("\r\n", "\n").strip()
        if len(text) > MAX_COMMENT_CHARS:
            raise AnswerError(f"{items[key]['name']}的评语：有 {len(text)} 字，不超过 {MAX_COMMENT_CHARS} 字")
        if text:
            out_comments[key] = text
    order = list(items)
    return {"scores": {k: out_scores[k] for k in order if k in out_scores},
            "comments": {k: out_comments[k] for k in order if k in out_comments}}


def after_save(spec: dict, answer: dict, seed: int) -> dict | None:
    return None


def auto_grade(spec: dict, answer: dict | None, seed: int, points: Fraction) -> AutoResult:
    """The marks against the reference (machine-decided, ``points`` × (1 − the examiner's share)) and,
    under the current rules, the machine's suggestion for the coaching comments with its evidence."""
    scores = (answer or {}).get("scores") or {}
    notes = spec.get("notes") or {}
    reference = reference_marks(spec)
    total = sum((_maximum(i) for i in spec["rubric"]), Fraction(0))
    share = manual_share(spec)
    machine = Fraction(points) * (1 - share)
    checks = []
    for item in spec["rubric"]:
        key, name, top = item["key"], item["name"], _maximum(item)
        each = machine * top / total
        tol = qa.tolerance(item.get("tolerance"), top)
        given = scores.get(key)
        result = qa.agreement(None if given is None else qa.exact(given), reference[key],
                              tol, top, qa.tolerance_label(item.get("tolerance"), top))
        message = f"{name}：{result.message}"
        if item.get("elements"):
            message += f"。参考评分依据：{_element_reasons(item)}"
        if notes.get(key):
            message += f"。参考理由：{notes[key]}"
        checks.append(Check(f"item.{key}", name, result.credit == 1, message, each * result.credit, each, name))
    suggestions = []
    if share:
        top = Fraction(points) * share
        credit, message, evidence = qa_coaching.assess(spec, answer, reference)
        verdict = "met" if credit == 1 else "not_met" if credit == 0 else "partly_met"
        suggestions.append({"code": qa_coaching.KEY, "name": qa_coaching.NAME, "decided_by": "examiner",
                            "verdict": verdict, "credit": str(credit), "points": str(top * credit),
                            "max_points": str(top), "message": message, "where": "评语", "evidence": evidence})
    return AutoResult(sum((c.points for c in checks), Fraction(0)), machine, checks, suggestions)
