"""话务数据分析: the candidate downloads a call log of their own, works out the asked KPIs and marks
which of them miss the standard's targets (see ``base`` for the interface).

The spec holds the generation parameters, never a log: each task's log is generated from its seed
(``log_for``), so neighbours cannot copy figures, and the expected figures are recomputed at grading
time rather than stored anywhere a page could leak them.

Scoring (machine only): ``VALUE_SHARE`` of the points is split equally over the asked KPIs, each right
when within its stated tolerance (``practical.kpi``); the rest is split equally over the asked KPIs
that have a target, each right when the candidate's marking (falls short or not) matches the exact
figure's. A KPI's marking only counts when its value was answered, so a blank paper scores 0 and
not the share of "nothing falls short". When no asked KPI has a target, the values carry all points.
"""

from __future__ import annotations

import datetime as dt
import re
from fractions import Fraction

from practical import kpi, kpi_targets
from practical.kinds.base import AnswerError, AutoResult, Check, share

KIND = "kpi"
NAME = "话务数据分析"
LEVELS = ("senior",)
MANUAL = False
MANUAL_SHARE = Fraction(0)
#: The answer's top-level keys (``practical.kinds.normalise_answer`` refuses any other).
ANSWER_KEYS = {"values": "指标 → 计算出的数值", "short_of_target": "判断为未达标的指标列表"}

VALUE_SHARE = Fraction(7, 10)
MAX_ANSWER_CHARS = 40
_RANGES = {"%": (0, 100), "秒": (0, 100_000)}

#: Generation parameters: (low, high, integer?) — shares are fractions of 1, times in seconds.
_LOG_FIELDS = {
    "calls": (50, 5000, True), "answered_share": (0.3, 1, False), "within_20s_share": (0, 1, False),
    "max_wait_s": (21, 1800, True), "abandon_mean_s": (1, 600, False), "talk_mean_s": (10, 3600, False),
    "hold_share": (0, 1, False), "hold_mean_s": (0, 1800, False), "acw_mean_s": (0, 1800, False),
    "fcr_share": (0, 1, False), "agents": (1, 500, True), "staffed_agent_hours": (0.5, 20000, False),
}
_OPTIONAL_LOG_FIELDS = {"overflow_share": (0, 0.3, False)}
_OTHER_LOG_FIELDS = {"date", "start", "profile", "categories"}


def _is_num(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _check_num(d: dict, key: str, bounds: tuple, where: str, problems: list[str]) -> None:
    lo, hi, integer = bounds
    x = d.get(key)
    if not _is_num(x) or (integer and not isinstance(x, int)) or not lo <= x <= hi:
        kind = "整数" if integer else "数"
        problems.append(f"{where}{key}：应为 {lo} 至 {hi} 之间的{kind}")


def validate_spec(spec: dict) -> list[str]:
    problems: list[str] = []
    if not str(spec.get("instructions") or "").strip():
        problems.append("instructions：不能为空")
    if spec.get("standard", "industry") not in kpi_targets.STANDARDS:
        problems.append(f"standard：应为 {'、'.join(kpi_targets.STANDARDS)} 之一")
    asked = spec.get("asked")
    if not isinstance(asked, list) or not asked:
        problems.append("asked：应为非空的指标列表")
    else:
        for n, key in enumerate(asked):
            if key not in kpi.KPIS:
                problems.append(f"asked[{n}]：未知指标 {key!r}，应为 {'、'.join(kpi.KPIS)} 之一")
        if len(set(map(str, asked))) != len(asked):
            problems.append("asked：指标不能重复")
    log = spec.get("log")
    if not isinstance(log, dict):
        return problems + ["log：应为 JSON 对象（话务记录的生成参数）"]
    for key in sorted(set(log) - set(_LOG_FIELDS) - set(_OPTIONAL_LOG_FIELDS) - _OTHER_LOG_FIELDS):
        problems.append(f"log.{key}：未知参数")
    for key, bounds in _LOG_FIELDS.items():
        _check_num(log, key, bounds, "log.", problems)
    for key, bounds in _OPTIONAL_LOG_FIELDS.items():
        if key in log:
            _check_num(log, key, bounds, "log.", problems)
    try:
        dt.date.fromisoformat(str(log.get("date")))
    except ValueError:
        problems.append("log.date：应为日期，如 2024-06-18")
    start = _minutes(log.get("start"))
    if start is None:
        problems.append("log.start：应为 HH:MM 格式的开始时间，如 08:00")
    profile = log.get("profile")
    if not isinstance(profile, list) or not 1 <= len(profile) <= 24 or not all(
            _is_num(w) and w > 0 for w in profile):
        problems.append("log.profile：应为 1 至 24 个正数（每小时的话务量权重）")
    elif start is not None and start + 60 * len(profile) > 24 * 60:
        problems.append("log.profile：统计时段超出当天 24:00")
    cats = log.get("categories")
    if cats is not None and (not isinstance(cats, list) or not cats or
                             not all(isinstance(c, str) and c.strip() for c in cats)):
        problems.append("log.categories：应为非空的业务类型名称列表")
    if not problems:
        answered = log["answered_share"] + log.get("overflow_share", 0)
        if answered > 1:
            problems.append("log.answered_share：与 overflow_share 之和不能超过 1")
        problems += _load_problems(log)
    return problems


def _load_problems(log: dict) -> list[str]:
    """Occupancy above 100 % is impossible, and a seed's log varies: handle time per call has a
    coefficient of variation near 0.75, so the total's relative spread is about 1.25/√answered. The
    expected occupancy plus four such spreads must stay at or below 100 %."""
    answered = log["calls"] * log["answered_share"]
    handle = log["talk_mean_s"] + log["hold_share"] * log["hold_mean_s"] + log["acw_mean_s"]
    load = answered * handle / (log["staffed_agent_hours"] * 3600)
    if load * (1 + 5 / answered ** 0.5) > 1:
        return [f"log.staffed_agent_hours：在线时长不足以处理预计话务（预计占有率约 {load:.0%}，"
                "随机生成后可能超过 100%），请增加在线时长或减少呼叫量"]
    return []


def _minutes(text: object) -> int | None:
    m = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", str(text or ""))
    return int(m.group(1)) * 60 + int(m.group(2)) if m else None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _standard(spec: dict) -> str:
    return spec.get("standard", "industry")


def staffed_seconds(spec: dict) -> int:
    hours = Fraction(repr(spec["log"]["staffed_agent_hours"]))
    return round(hours * 3600)


def period(spec: dict) -> str:
    start = _minutes(spec["log"]["start"])
    return f"{_clock(start)}–{_clock(start + 60 * len(spec['log']['profile']))}"


def log_for(spec: dict, seed: int) -> kpi.CallLog:
    """The task's own log; the spine serves it through ``practical.kpi_export``."""
    params = {k: v for k, v in spec["log"].items() if k != "staffed_agent_hours"}
    return kpi.CallLog(kpi.generate_log(seed, **params), staffed_seconds(spec), spec["log"]["date"], period(spec))


def figures(spec: dict, seed: int) -> kpi.KpiFigures:
    log = log_for(spec, seed)
    return kpi.compute(log.records, log.staffed_seconds)


def _classifiable(spec: dict) -> list[str]:
    return [k for k in spec["asked"] if kpi_targets.target(_standard(spec), k) is not None]


def default_rubric(spec: dict) -> list[dict]:
    return []


def candidate_view(spec: dict, answer: dict, seed: int) -> dict:
    standard = _standard(spec)
    answer = answer or {}
    values = answer.get("values") or {}
    hours = Fraction(staffed_seconds(spec), 3600)
    kpis = [kpi.KPIS[k] for k in spec["asked"]]
    return {
        "kind": KIND,
        "instructions": spec["instructions"],
        "date": spec["log"]["date"],
        "period": period(spec),
        "records": spec["log"]["calls"],
        "staffed_agent_hours": f"{float(hours):g}",
        "sl_threshold_s": kpi.SL_THRESHOLD_S,
        "standard": standard,
        "standard_name": kpi_targets.STANDARDS[standard],
        "kpis": [{"key": k.key, "name": k.name, "unit": k.unit, "definition": k.definition,
                  "tolerance": k.tolerance_label, "value": str(values.get(k.key, ""))} for k in kpis],
        "targets": [{"key": k.key, "name": k.name, "target": t.label, "note": t.note, "source": t.source}
                    for k in kpis if (t := kpi_targets.target(standard, k.key)) is not None],
        "no_target": [k.name for k in kpis if kpi_targets.target(standard, k.key) is None],
        "short_of_target": list(answer.get("short_of_target") or []),
        "download": {
            "formats": ["xlsx", "csv"],
            "hint": (f"请下载本题的话务记录（每位考生的数据不同）：共 {spec['log']['calls']} 条呼叫，"
                     f"统计时段 {spec['log']['date']} {period(spec)}，座席总在线时长 {float(hours):g} 小时。"
                     "Excel/WPS 请选 XLSX；CSV 为 UTF-8 编码。"),
        },
        "answer_help": ("比率填百分数（可带 % 号，不要填小数形式的比例），时长填秒数；可保留两位小数。"
                        f"再勾选未达到{kpi_targets.STANDARDS[standard]}的指标。"),
    }


def _normalise_value(key: str, raw: object) -> str | None:
    k = kpi.KPIS[key]
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str) and len(raw) > MAX_ANSWER_CHARS:
        raise AnswerError(f"{k.name}：内容过长，请只填写数字")
    try:
        number = kpi.parse_number(raw, k.unit)
    except ValueError as exc:
        raise AnswerError(f"{k.name}：{exc}，请填写数字（{'百分数' if k.unit == '%' else '秒数'}）") from None
    lo, hi = _RANGES[k.unit]
    if not lo <= number <= hi:
        raise AnswerError(f"{k.name}：应在 {lo} 至 {hi}{'%' if k.unit == '%' else ' 秒'} 之间")
    return format(number, "f")


def normalise_answer(spec: dict, raw: object, seed: int) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise AnswerError("答案格式错误：应为 JSON 对象")
    values = raw.get("values") or {}
    if not isinstance(values, dict):
        raise AnswerError("答案格式错误：values 应为对象（指标 → 数值）")
    out_values = {}
    for key, value in values.items():
        if key not in spec["asked"]:
            raise AnswerError(f"values：本题没有指标 {key!r}")
        text = _normalise_value(key, value)
        if text is not None:
            out_values[key] = text
    marked = raw.get("short_of_target") or []
    if not isinstance(marked, list):
        raise AnswerError("未达标指标：应为指标列表")
    allowed = _classifiable(spec)
    for key in marked:
        if key not in allowed:
            raise AnswerError(f"未达标指标：{key!r} 不是本题可判断是否达标的指标")
    chosen = set(marked)
    return {"values": {k: out_values[k] for k in spec["asked"] if k in out_values},
            "short_of_target": [k for k in allowed if k in chosen]}


def after_save(spec: dict, answer: dict, seed: int) -> dict | None:
    return None


def auto_grade(spec: dict, answer: dict, seed: int, points: Fraction) -> AutoResult:
    answer = answer or {}
    values = answer.get("values") or {}
    marked = set(answer.get("short_of_target") or [])
    standard = _standard(spec)
    figs = figures(spec, seed)
    exact = figs.values()
    asked = [k for k in spec["asked"] if exact[k] is not None]
    classifiable = [k for k in _classifiable(spec) if k in asked]
    value_points = points * VALUE_SHARE if classifiable else Fraction(points)
    results = kpi.grade(figs, values, keys=asked)
    checks = []
    for key, each in zip(asked, share(value_points, len(asked))):
        k, r = kpi.KPIS[key], results[key]
        right = kpi.display(r.expected, k.unit)
        if r.given is None:
            msg = f"{k.name}：未填写或无法识别；正确值为 {right}"
        else:
            mine = kpi.display(r.given, k.unit)
            verdict = "在允许误差内" if r.ok else "超出允许误差"
            msg = f"{k.name}：填写 {mine}，正确值 {right}，{verdict}（{k.tolerance_label}）"
        checks.append(Check(f"kpi.{key}", f"指标：{k.name}", r.ok, msg, each if r.ok else Fraction(0), each, k.name))
    short = kpi_targets.short_of_target({k: exact[k] for k in classifiable}, standard)
    for key, each in zip(classifiable, share(points - value_points, len(classifiable))):
        k, t = kpi.KPIS[key], kpi_targets.target(standard, key)
        why = t.direction(exact[key])  # a band missed: too low or too high
        truth = ("未达标" + (f"（{why}）" if why else "")) if key in short else "达标"
        said = "未达标" if key in marked else "达标"
        answered = key in values
        ok = answered and (key in marked) == (key in short)
        base = f"{k.name}：实际 {kpi.display(exact[key], k.unit)}，{kpi_targets.STANDARDS[standard]} {t.label}，{truth}"
        if not answered:
            msg = f"{base}；未填写该指标的数值，判断不计分"
        else:
            msg = f"{base}；您判断为{said}，{'正确' if ok else '错误'}"
        checks.append(Check(f"target.{key}", f"达标判断：{k.name}", ok, msg, each if ok else Fraction(0), each,
                            k.name))
    return AutoResult(sum((c.points for c in checks), Fraction(0)), Fraction(points), checks)
