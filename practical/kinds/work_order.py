"""工单录入（work_order）：考生阅读一通电话的录音文字，把来电人、电话、业务类别、问题描述和座席承诺的时限
录入工单（见 ``base`` 的接口说明，字段的比对规则见 ``practical.work_order``）。

场景内容（spec）格式：

    {
      "instructions": "……",                        给考生的说明
      "call_time": "2024-05-13 10:20",             通话时间：相对时限（“明天”“24小时内”）据此换算
      "holidays": ["2024-06-10"],                  可选：通话前后的法定节假日（不算工作日）
      "workdays": ["2024-06-08"],                  可选：调休上班的周末（算工作日）
      "transcript": [{"speaker": "agent" | "customer", "text": "……"}],   录音文字，2–40 句
      "categories": ["故障报修", "账单查询", …],     业务类别的选项，2–12 项
      "fields": {
        "caller":    {"truth": "王秀兰" 或 ["王秀兰", "王女士"], "weight": 1},   可接受的写法
        "phone":     {"truth": "13985012345", "weight": 2},                 手机或带区号的固定电话
        "category":  {"truth": "故障报修", "weight": 1},                      须为 categories 之一
        "problem":   {"keywords": [{"name": "停机时间", "any": ["昨晚", "昨天晚上"]}, …], "weight": 3},
        "follow_up": {"truth": "明天下午3点前", "tolerance_minutes": 30, "weight": 2}
      }
    }

评分（全部由机器评定）：本题分值按各字段的 weight 分配。姓名、电话、类别、承诺时限须与通话内容一致才得该字段
的分（承诺时限按换算出的截止时刻比较，相差不超过 tolerance_minutes 分钟即算一致，默认 30）；问题描述按
关键词组的覆盖比例得分，每组写到任一同义词即算写到该要点。每项检查都说明错在哪里。
“N个工作日内”指通话当天之后第 N 个工作日的下班时间（18:00）：周一说“3个工作日内”即周四下班前；周六、周日
和 holidays 中的日期不算工作日，workdays 中的日期算。节假日每年由国务院公布，因此随场景填写，不写死在程序里。
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from practical import qa
from practical import work_order as wo
from practical.kinds.base import AnswerError, AutoResult, Check

KIND = "work_order"
NAME = "工单录入"
LEVELS = ("junior",)
MANUAL = False
MANUAL_SHARE = Fraction(0)

FIELD_KEYS = ("caller", "phone", "category", "problem", "follow_up")
LABELS = {"caller": "来电人姓名", "phone": "电话号码", "category": "业务类别", "problem": "问题描述",
          "follow_up": "承诺时限"}
#: The answer's top-level keys (``practical.kinds.normalise_answer`` refuses any other: a field typed
#: beside ``fields`` would be dropped and marked 未填写).
ANSWER_KEYS = {"fields": "工单的各栏都写在 fields 里：" + "、".join(f"{k} {LABELS[k]}" for k in FIELD_KEYS)}
HINTS = {
    "caller": "按来电人报的姓名填写；只报了姓的写“王女士”“李先生”",
    "phone": "手机号 11 位；固定电话请带区号，如 0851-86123456",
    "category": "从列表中选择最符合来电诉求的一项",
    "problem": "用自己的话概括来电人反映的问题、已了解到的情况和诉求",
    "follow_up": "填写座席向来电人承诺的回复或处理时限，如“2小时内”“后天上午11点前”",
}
MAX_CHARS = {"caller": 30, "phone": 40, "category": 40, "problem": 500, "follow_up": 50}
DEFAULT_TOLERANCE_MINUTES = 30
MAX_TOLERANCE_MINUTES = 240
MAX_INSTRUCTIONS = 1000
MAX_WEIGHT = 100


MAX_CALENDAR_DAYS = 60


def call_time(spec: dict) -> dt.datetime:
    return dt.datetime.strptime(spec["call_time"], "%Y-%m-%d %H:%M")


def work_calendar(spec: dict) -> wo.WorkCalendar:
    """The scenario's working days (holidays and make-up working days around its call date)."""
    def days(key: str) -> frozenset:
        return frozenset(dt.date.fromisoformat(d) for d in spec.get(key) or [])
    return wo.WorkCalendar(days("holidays"), days("workdays"))


def _calendar_problems(spec: dict) -> list[str]:
    problems, seen = [], {}
    for key, meaning in (("holidays", "法定节假日"), ("workdays", "调休上班日")):
        value = spec.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or len(value) > MAX_CALENDAR_DAYS:
            problems.append(f"{key}：应为不超过 {MAX_CALENDAR_DAYS} 个日期的列表（{meaning}，如 2024-06-10）")
            continue
        for n, text in enumerate(value):
            try:
                day = dt.date.fromisoformat(text) if isinstance(text, str) else None
            except ValueError:
                day = None
            if day is None:
                problems.append(f"{key}[{n}]：应为日期，格式如 2024-06-10")
            elif day in seen:
                problems.append(f"{key}[{n}]：{text} 已在 {seen[day]} 中列出")
            else:
                seen[day] = key
                if key == "workdays" and day.weekday() < 5:
                    problems.append(f"{key}[{n}]：{text} 是周{'一二三四五'[day.weekday()]}，本来就是工作日；"
                                    "workdays 只列调休上班的周六、周日")
    return problems


def _weight_problem(value: object) -> str | None:
    if not qa.is_number(value) or not 0 < value <= MAX_WEIGHT:
        return f"应为不超过 {MAX_WEIGHT} 的正数"
    return None


def _field_problems(spec: dict, fields: dict, when: dt.datetime | None,
                   calendar: wo.WorkCalendar = wo.WEEKDAYS_ONLY) -> list[str]:
    problems = []
    for key in FIELD_KEYS:
        field, path = fields.get(key), f"fields.{key}"
        if not isinstance(field, dict):
            problems.append(f"{path}：缺少该字段（应为对象，含 truth 或 keywords 与 weight）")
            continue
        if (why := _weight_problem(field.get("weight"))) is not None:
            problems.append(f"{path}.weight：{why}")
        truth = field.get("truth")
        if key == "caller":
            names = wo.accepted_names(truth) if isinstance(truth, (str, list)) else []
            if not names or not all(isinstance(n, str) and wo.normalise_name(n) for n in names):
                problems.append(f"{path}.truth：不能为空（姓名，或可接受写法的列表）")
            elif any(len(n) > MAX_CHARS["caller"] for n in names):
                problems.append(f"{path}.truth：不超过 {MAX_CHARS['caller']} 字")
        elif key == "phone":
            try:
                wo.parse_phone(truth)
            except wo.PhoneError as exc:
                problems.append(f"{path}.truth：不是有效的电话号码（{exc}）")
        elif key == "category":
            if not isinstance(truth, str) or truth not in (spec.get("categories") or []):
                problems.append(f"{path}.truth：应为 categories 中的一项")
        elif key == "problem":
            problems += _keyword_problems(field.get("keywords"), f"{path}.keywords")
        elif key == "follow_up":
            tol = field.get("tolerance_minutes", DEFAULT_TOLERANCE_MINUTES)
            if not isinstance(tol, int) or isinstance(tol, bool) or not 0 <= tol <= MAX_TOLERANCE_MINUTES:
                problems.append(f"{path}.tolerance_minutes：应为 0 至 {MAX_TOLERANCE_MINUTES} 的整数（分钟）")
            if not isinstance(truth, str) or not truth.strip():
                problems.append(f"{path}.truth：不能为空（如“明天下午3点前”）")
            elif when is not None:
                try:
                    if wo.parse_follow_up(truth, when, calendar) <= when:
                        problems.append(f"{path}.truth：截止时刻早于通话时间")
                except wo.FollowUpError as exc:
                    problems.append(f"{path}.truth：{exc}")
    extra = sorted(set(fields) - set(FIELD_KEYS))
    if extra:
        problems.append(f"fields：未知字段 {'、'.join(extra)}，只能是 {'、'.join(FIELD_KEYS)}")
    return problems


def _keyword_problems(groups: object, path: str) -> list[str]:
    if not isinstance(groups, list) or not 1 <= len(groups) <= 12:
        return [f"{path}：应为 1 至 12 个关键词组"]
    problems, names = [], set()
    for n, group in enumerate(groups):
        where = f"{path}[{n}]"
        if not isinstance(group, dict):
            problems.append(f"{where}：应为对象 {{\"name\": 要点, \"any\": [同义词, …]}}")
            continue
        name = group.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{where}.name：不能为空")
        elif name in names:
            problems.append(f"{where}.name：要点名称重复")
        names.add(name)
        words = group.get("any")
        if not isinstance(words, list) or not words:
            problems.append(f"{where}.any：应为非空的词语列表")
            continue
        for m, word in enumerate(words):
            if not isinstance(word, str) or not wo.fold(word) or len(word) > 30:
                problems.append(f"{where}.any[{m}]：应为 1 至 30 字的词语")
    return problems


def validate_spec(spec: dict) -> list[str]:
    problems: list[str] = []
    text = spec.get("instructions")
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_INSTRUCTIONS:
        problems.append(f"instructions：不能为空，且不超过 {MAX_INSTRUCTIONS} 字")
    when = None
    try:
        when = call_time(spec)
    except (KeyError, TypeError, ValueError):
        problems.append("call_time：应为通话时间，格式如 2024-05-13 10:20")
    calendar_problems = _calendar_problems(spec)
    problems += calendar_problems
    problems += qa.transcript_problems(spec.get("transcript"))
    cats = spec.get("categories")
    if not isinstance(cats, list) or not 2 <= len(cats) <= 12:
        problems.append("categories：应为 2 至 12 个业务类别")
    else:
        for n, cat in enumerate(cats):
            if not isinstance(cat, str) or not cat.strip() or len(cat) > MAX_CHARS["category"]:
                problems.append(f"categories[{n}]：应为不超过 {MAX_CHARS['category']} 字的类别名称")
        if len({c for c in cats if isinstance(c, str)}) != len(cats):
            problems.append("categories：类别不能重复")
    fields = spec.get("fields")
    if not isinstance(fields, dict):
        return problems + ["fields：应为对象（字段 → 正确值与权重）"]
    calendar = wo.WEEKDAYS_ONLY if calendar_problems else work_calendar(spec)
    return problems + _field_problems(spec, fields, when, calendar)


def default_rubric(spec: dict) -> list[dict]:
    return []


def _day_label(day: dt.date) -> str:
    return f"{day.month}月{day.day}日（周{'一二三四五六日'[day.weekday()]}）"


def calendar_note(spec: dict) -> str:
    """What the candidate needs to turn a promise into a date: the scenario's holidays and make-up days."""
    cal = work_calendar(spec)
    parts = []
    if cal.holidays:
        parts.append("法定节假日 " + "、".join(_day_label(d) for d in sorted(cal.holidays)))
    if cal.workdays:
        parts.append("调休上班 " + "、".join(_day_label(d) for d in sorted(cal.workdays)))
    return "；".join(parts)


def candidate_view(spec: dict, answer: dict | None, seed: int) -> dict:
    values = (answer or {}).get("fields") or {}
    form = []
    for key in FIELD_KEYS:
        item = {"key": key, "label": LABELS[key], "hint": HINTS[key], "max_chars": MAX_CHARS[key],
                "type": {"category": "select", "problem": "textarea"}.get(key, "text"),
                "value": values.get(key, "")}
        if key == "category":
            item["options"] = list(spec["categories"])
        form.append(item)
    return {
        "kind": KIND,
        "instructions": spec["instructions"],
        "call_time": spec["call_time"],
        "calendar_note": calendar_note(spec),
        "transcript": qa.transcript_view(spec["transcript"]),
        "form": form,
        "scoring": "各栏按通话内容核对：姓名、电话、类别、承诺时限须准确；问题描述按写到的要点比例得分。",
    }


def normalise_answer(spec: dict, raw: object, seed: int) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise AnswerError("答案格式错误：应为 JSON 对象 {\"fields\": {…}}")
    fields = raw.get("fields") or {}
    if not isinstance(fields, dict):
        raise AnswerError("答案格式错误：fields 应为对象（栏目 → 填写内容）")
    out = {}
    for key, value in fields.items():
        if key not in FIELD_KEYS:
            raise AnswerError(f"工单没有栏目 {key!r}")
        label = LABELS[key]
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            raise AnswerError(f"{label}：应填写文字")
        text = str(value).replace("\r\n", "\n").strip()
        if len(text) > MAX_CHARS[key]:
            raise AnswerError(f"{label}：有 {len(text)} 字，不超过 {MAX_CHARS[key]} 字")
        if key == "category" and text and text not in spec["categories"]:
            raise AnswerError(f"{label}：“{text[:20]}”不是可选的类别，请从列表中选择")
        if text:
            out[key] = text
    return {"fields": {k: out[k] for k in FIELD_KEYS if k in out}}


def after_save(spec: dict, answer: dict, seed: int) -> dict | None:
    return None


def _judge(spec: dict, key: str, given: str) -> wo.FieldResult:
    field = spec["fields"][key]
    if key == "caller":
        return wo.compare_name(field["truth"], given)
    if key == "phone":
        return wo.compare_phone(field["truth"], given)
    if key == "category":
        return wo.compare_category(field["truth"], given)
    if key == "problem":
        return wo.compare_summary(field["keywords"], given)
    return wo.compare_follow_up(field["truth"], given, call_time(spec),
                                field.get("tolerance_minutes", DEFAULT_TOLERANCE_MINUTES), work_calendar(spec))


def auto_grade(spec: dict, answer: dict | None, seed: int, points: Fraction) -> AutoResult:
    given = (answer or {}).get("fields") or {}
    weights = {key: qa.exact(spec["fields"][key]["weight"]) for key in FIELD_KEYS}
    total = sum(weights.values())
    checks = []
    for key in FIELD_KEYS:
        each = Fraction(points) * weights[key] / total
        result = _judge(spec, key, given.get(key, ""))
        label = LABELS[key]
        checks.append(Check(f"field.{key}", label, result.ok, f"{label}：{result.message}",
                            each * result.share, each, label))
    return AutoResult(sum((c.points for c in checks), Fraction(0)), Fraction(points), checks)
