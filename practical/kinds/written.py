"""书面任务（written）：高级考生按题目写一份电话服务脚本或新员工培训计划，由考评员按评分细则评分
（见 ``base`` 的接口说明）。标准 2.2.3 要求高级人员“能够制作或修改规范的、适用性强的电话服务脚本”
“能够根据培训教材和培训案例制定岗位培训计划”。

场景内容（spec）格式：

    {
      "task_type": "script" | "training_plan",   服务脚本 / 培训计划
      "prompt": "……",                             题目：要写什么、为谁、在什么情形下
      "materials": "……",                          可选：情境材料（业务规则、常见问题、人员情况等）
      "requirements": ["……", …],                  可选：写作要求，逐条显示给考生（1–10 条）
      "min_chars": 300, "max_chars": 1500,        字数要求（不计空白），max_chars 不超过 5000
      "guidance": "……"                            给考评员的评分要点，写进评分细则“内容准确”一项，考生看不到
    }

评分：全部由考评员按评分细则评定（MANUAL_SHARE = 1）。机器只给出一条字数提示，不计分：字数在要求范围内
即为通过，字数不足或超出由考评员在“结构完整”等项中酌情考虑。
"""

from __future__ import annotations

from fractions import Fraction

from practical.kinds.base import AnswerError, AutoResult, Check, text_problem
from typing_test.normalise import char_count  # characters as the typing test counts them

KIND = "written"
NAME = "书面任务"
LEVELS = ("senior",)
MANUAL = True
MANUAL_SHARE = Fraction(1)
#: The answer's top-level keys (``practical.kinds.normalise_answer`` refuses any other).
ANSWER_KEYS = {"text": "全文"}

TASK_TYPES = {"script": "电话服务脚本", "training_plan": "新员工培训计划"}
MAX_ANSWER_CHARS = 5000
MIN_LENGTH_BOUND = 50
MAX_PROMPT = 2000
MAX_MATERIALS = 3000
MAX_GUIDANCE = 1000


def _is_int(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def validate_spec(spec: dict) -> list[str]:
    problems: list[str] = []
    if spec.get("task_type") not in TASK_TYPES:
        problems.append("task_type：应为 script（电话服务脚本）或 training_plan（培训计划）")
    for key, limit in (("prompt", MAX_PROMPT), ("guidance", MAX_GUIDANCE)):
        if (why := text_problem(spec.get(key), limit)) is not None:
            problems.append(f"{key}：{why}")
    if "materials" in spec and (why := text_problem(spec["materials"], MAX_MATERIALS)) is not None:
        problems.append(f"materials：{why}")
    reqs = spec.get("requirements", [])
    if not isinstance(reqs, list) or len(reqs) > 10:
        problems.append("requirements：应为不超过 10 条的写作要求列表")
    else:
        for n, req in enumerate(reqs):
            if (why := text_problem(req, 200)) is not None:
                problems.append(f"requirements[{n}]：{why}")
    low, high = spec.get("min_chars"), spec.get("max_chars")
    if not _is_int(low) or not MIN_LENGTH_BOUND <= low < MAX_ANSWER_CHARS:
        problems.append(f"min_chars：应为 {MIN_LENGTH_BOUND} 至 {MAX_ANSWER_CHARS - 1} 的整数")
    elif not _is_int(high) or not low < high <= MAX_ANSWER_CHARS:
        problems.append(f"max_chars：应为大于 min_chars、不超过 {MAX_ANSWER_CHARS} 的整数")
    return problems


_NORMS = ("使用标准服务用语（开篇语问候并报工号、等待前后用语、致歉用语、结束语），称呼得体，"
          "不出现禁忌语、推诿或承诺做不到的事；涉及客户信息时注意核实身份、保护隐私。")
#: (key, name, share of the task, what the examiner looks for) per task type; shares sum to 1 and are
#: tenths, so that on a paper's whole-number points every criterion's maximum is a whole or half point,
#: the steps examiners mark in.
_CRITERIA = {
    "script": (
        ("structure", "结构完整", "1/5",
         "开场—了解并确认需求—解答或办理—客户不同反应的应对—确认是否还有其他需要—结束，各环节齐全、衔接自然。"),
        ("accuracy", "内容准确", "3/10",
         "业务口径与题目材料一致，处理办法、时限、费用等表述准确，没有误导客户的说法。"),
        ("norms", "符合服务规范", "3/10", _NORMS),
        ("practicality", "可操作性", "1/5",
         "座席拿来就能用：话术简洁口语化，分支（同意、拒绝、追问、情绪激动等）清楚，关键处有提示。"),
    ),
    "training_plan": (
        ("structure", "结构完整", "1/5",
         "包括培训目标、对象、内容模块、方式、日程与课时、讲师与场地、考核与效果跟踪。"),
        ("accuracy", "内容准确", "3/10",
         "内容切合题目中的人员与业务情况，业务知识、服务流程与考核要求表述准确，轻重安排得当。"),
        ("norms", "符合服务规范", "1/5",
         "把标准服务用语（开篇语、等待前后用语、致歉用语、结束语）、行为规范与禁忌、质检标准纳入培训和考核，"
         "并讲到客户信息保护与工作纪律。"),
        ("practicality", "可操作性", "3/10",
         "日程、课时、练习（模拟通话、录音复盘、跟听带教）与考核方式能在实际中落实；有上岗后的跟踪与改进安排。"),
    ),
}


def default_rubric(spec: dict) -> list[dict]:
    rows = []
    for key, name, points, description in _CRITERIA.get(spec.get("task_type"), _CRITERIA["script"]):
        if key == "accuracy" and str(spec.get("guidance") or "").strip():
            description += f"本题要点：{spec['guidance'].strip()}"
        rows.append({"key": key, "name": name, "points": points, "description": description})
    return rows


def _text_of(answer: dict | None) -> str:
    text = (answer or {}).get("text")
    return text if isinstance(text, str) else ""


def candidate_view(spec: dict, answer: dict | None, seed: int) -> dict:
    text = _text_of(answer)
    criteria = [{"name": c["name"], "share": f"{float(Fraction(c['points']) * 100):g}%"}
                for c in default_rubric({"task_type": spec["task_type"]})]
    return {
        "kind": KIND,
        "task_type": TASK_TYPES[spec["task_type"]],
        "prompt": spec["prompt"],
        "materials": spec.get("materials", ""),
        "requirements": list(spec.get("requirements", [])),
        "min_chars": spec["min_chars"],
        "max_chars": spec["max_chars"],
        "max_answer_chars": MAX_ANSWER_CHARS,
        "text": text,
        "count": char_count(text),
        "criteria": criteria,
        "scoring": "本题由考评员按评分细则评分（" + "、".join(f"{c['name']} {c['share']}" for c in criteria) + "）。",
        "answer_help": (f"请写 {spec['min_chars']}–{spec['max_chars']} 字（不计空格和换行）。"
                        "可用小标题、序号分段；答案随时自动保存。"),
    }


def normalise_answer(spec: dict, raw: object, seed: int) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise AnswerError("答案格式错误：应为 JSON 对象 {\"text\": \"…\"}")
    text = raw.get("text")
    if text is None:
        text = ""
    if not isinstance(text, str):
        raise AnswerError("答案格式错误：text 应为文字")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_ANSWER_CHARS:
        raise AnswerError(f"全文有 {len(text)} 字（含空白），不能超过 {MAX_ANSWER_CHARS} 字，请精简后再保存")
    return {"text": text}


def after_save(spec: dict, answer: dict, seed: int) -> dict | None:
    return None


def auto_grade(spec: dict, answer: dict | None, seed: int, points: Fraction) -> AutoResult:
    count, low, high = char_count(_text_of(answer)), spec["min_chars"], spec["max_chars"]
    bounds = f"要求 {low}–{high} 字"
    if count < low:
        ok, message = False, f"全文 {count} 字（不计空白），少于{bounds}的下限"
    elif count > high:
        ok, message = False, f"全文 {count} 字（不计空白），超过{bounds}的上限"
    else:
        ok, message = True, f"全文 {count} 字（不计空白），符合{bounds}"
    check = Check("length", "字数", ok, message + "；仅供考评员参考，不计分", Fraction(0), Fraction(0), "全文")
    return AutoResult(Fraction(0), Fraction(0), [check])
