"""话务预测与排班: from a day's forecast calls per interval, the candidate works out how many agents to
schedule in each interval with Erlang C (see ``base`` for the interface, ``practical.staffing`` for
the maths).

The expected counts are recomputed at grading time from the spec (and the seed when the trainer asks
for per-candidate variation of the forecast), never stored or sent to the page.

Scoring (machine only): the points are split equally over the intervals. The exact count earns the
interval's share; a count one agent off earns half of it, because that is the typical slip of
rounding the shrinkage gross-up or stopping the search one agent early, while the method was right;
anything further earns nothing. Each message names the interval and says why.
"""

from __future__ import annotations

import random
import re
import unicodedata
from fractions import Fraction

from practical import staffing
from practical.kinds.base import AnswerError, AutoResult, Check, share

KIND = "staffing"
NAME = "话务预测与排班"
LEVELS = ("senior",)
MANUAL = False
MANUAL_SHARE = Fraction(0)
#: The answer's top-level keys (``practical.kinds.normalise_answer`` refuses any other).
ANSWER_KEYS = {"agents": "时段序号 → 排班人数"}

OFF_BY_ONE_SHARE = Fraction(1, 2)
INTERVAL_MINUTES = (15, 30, 60)
MAX_INTERVALS = 48
MAX_AGENTS_ANSWER = 10_000
MAX_SCHEDULED = 5000

FORMULAS = (
    "话务量 A（爱尔兰）= 时段呼叫量 × 平均处理时长（秒）÷ 时段长度（秒）",
    "Erlang B 递推：B(0) = 1，B(n) = A·B(n−1) ÷ (n + A·B(n−1))",
    "Erlang C（呼叫需排队的概率）：C(N, A) = N·B(N) ÷ (N − A·(1 − B(N)))，要求 N > A",
    "服务水平 SL = 1 − C(N, A) × e^(−(N − A) × 目标应答秒数 ÷ 平均处理时长)",
    "在线所需人数 N：使 SL 达到目标（并使占有率 A ÷ N 不超过上限，如有）的最小整数",
    "排班人数 = ⌈N ÷ (1 − 缩减率)⌉（向上取整）",
)


def _is_num(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _minutes(text: object) -> int | None:
    m = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", str(text or ""))
    return int(m.group(1)) * 60 + int(m.group(2)) if m else None


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _pct(x: float) -> str:
    value = staffing.exact(x) * 100
    return f"{value.numerator}%" if value.denominator == 1 else f"{float(value):g}%"


def validate_spec(spec: dict) -> list[str]:
    problems: list[str] = []
    if not str(spec.get("instructions") or "").strip():
        problems.append("instructions：不能为空")
    start, width = _minutes(spec.get("start")), spec.get("interval_minutes")
    if start is None:
        problems.append("start：应为 HH:MM 格式的第一个时段开始时间，如 08:00")
    if width not in INTERVAL_MINUTES:
        problems.append(f"interval_minutes：应为 {'、'.join(map(str, INTERVAL_MINUTES))} 之一")
    forecast = spec.get("forecast")
    if not isinstance(forecast, list) or not 1 <= len(forecast) <= MAX_INTERVALS:
        problems.append(f"forecast：应为 1 至 {MAX_INTERVALS} 个时段的预测呼叫量")
        forecast = None
    else:
        for n, calls in enumerate(forecast):
            if not isinstance(calls, int) or isinstance(calls, bool) or not 0 <= calls <= 100_000:
                problems.append(f"forecast[{n}]：应为 0 至 100000 的整数")
        if start is not None and width in INTERVAL_MINUTES and start + width * len(forecast) > 24 * 60:
            problems.append("forecast：时段超出当天 24:00")
    aht = spec.get("aht_s")
    if isinstance(aht, list):
        if forecast is not None and len(aht) != len(forecast):
            problems.append("aht_s：按时段给出时，个数应与 forecast 相同")
        for n, x in enumerate(aht):
            if not _is_num(x) or not 10 <= x <= 3600:
                problems.append(f"aht_s[{n}]：应为 10 至 3600 秒")
    elif not _is_num(aht) or not 10 <= aht <= 3600:
        problems.append("aht_s：应为 10 至 3600 秒（或按时段给出的列表）")
    level = spec.get("target_level")
    if not _is_num(level) or not 0.5 <= level <= 0.99:
        problems.append("target_level：服务水平目标应为 0.5 至 0.99 之间的小数，如 0.8")
    t = spec.get("target_answer_s")
    if not _is_num(t) or not 1 <= t <= 600:
        problems.append("target_answer_s：目标应答时间应为 1 至 600 秒")
    s = spec.get("shrinkage", 0)
    if not _is_num(s) or not 0 <= s <= 0.6:
        problems.append("shrinkage：缩减率应为 0 至 0.6 之间的小数，如 0.3")
    occ = spec.get("max_occupancy")
    if occ is not None and (not _is_num(occ) or not 0.5 <= occ <= 1):
        problems.append("max_occupancy：最高占有率应为 0.5 至 1 之间的小数，或不设（null）")
    jitter = spec.get("jitter", 0)
    if not _is_num(jitter) or not 0 <= jitter <= 0.3:
        problems.append("jitter：每位考生预测量的随机浮动比例应为 0 至 0.3")
    if not problems:
        top = [int(c * (1 + jitter)) + 1 for c in forecast]
        for n, calls in enumerate(top):
            try:
                need = staffing.agents_required(calls, width * 60, _aht(spec, n), level, t, occ, s)
            except ValueError as exc:
                problems.append(f"forecast[{n}]：{exc}")
                continue
            if need > MAX_SCHEDULED:
                problems.append(f"forecast[{n}]：所需座席超过 {MAX_SCHEDULED} 人，请调整预测量")
    return problems


def _aht(spec: dict, index: int) -> float:
    aht = spec["aht_s"]
    return aht[index] if isinstance(aht, list) else aht


def forecasts(spec: dict, seed: int) -> list[int]:
    """The forecast this candidate sees: the spec's, each moved by up to ± ``jitter`` for this seed."""
    jitter = spec.get("jitter", 0)
    if not jitter:
        return list(spec["forecast"])
    rng = random.Random(seed)
    return [max(0, int(c * (1 + jitter * (2 * rng.random() - 1)) + 0.5)) for c in spec["forecast"]]


def labels(spec: dict) -> list[str]:
    start, width = _minutes(spec["start"]), spec["interval_minutes"]
    return [f"{_clock(start + i * width)}–{_clock(start + (i + 1) * width)}" for i in range(len(spec["forecast"]))]


def plans(spec: dict, seed: int) -> list[staffing.Plan]:
    width = spec["interval_minutes"] * 60
    return [staffing.plan(calls, width, _aht(spec, i), spec["target_level"], spec["target_answer_s"],
                          spec.get("max_occupancy"), spec.get("shrinkage", 0))
            for i, calls in enumerate(forecasts(spec, seed))]


def default_rubric(spec: dict) -> list[dict]:
    return []


def _target_text(spec: dict) -> str:
    return f"{_pct(spec['target_level'])} 的呼叫在 {spec['target_answer_s']:g} 秒内接听"


def candidate_view(spec: dict, answer: dict, seed: int) -> dict:
    given = (answer or {}).get("agents") or {}
    aht_varies = isinstance(spec["aht_s"], list)
    occ = spec.get("max_occupancy")
    return {
        "kind": KIND,
        "instructions": spec["instructions"],
        "date": spec.get("date", ""),
        "interval_minutes": spec["interval_minutes"],
        "intervals": [{"index": i, "label": label, "calls": calls, "aht_s": _aht(spec, i),
                       "value": given.get(str(i), "")}
                      for i, (label, calls) in enumerate(zip(labels(spec), forecasts(spec, seed)))],
        "aht_varies": aht_varies,
        "aht_s": None if aht_varies else spec["aht_s"],
        "target": _target_text(spec),
        "target_level": _pct(spec["target_level"]),
        "target_answer_s": spec["target_answer_s"],
        "shrinkage": _pct(spec.get("shrinkage", 0)),
        "max_occupancy": None if occ is None else _pct(occ),
        "formulas": list(FORMULAS),
        "scoring": "每个时段单独计分：人数完全正确得该时段全部分数，相差 1 人得一半，其余不得分。",
        "answer_help": "每个时段填写应排班的座席人数（整数，已计入缩减率）。",
    }


def _parse_count(raw: object, where: str) -> int | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise AnswerError(f"{where}：应为非负整数（人数）")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str):
        text = unicodedata.normalize("NFKC", raw).strip().replace(" ", "")
        text = re.sub(r"(人|名)$", "", text)
        if not re.fullmatch(r"\d{1,6}", text):
            raise AnswerError(f"{where}：“{raw[:20]}”不是人数，请填写非负整数")
        raw = int(text)
    if not isinstance(raw, int) or not 0 <= raw <= MAX_AGENTS_ANSWER:
        raise AnswerError(f"{where}：应为 0 至 {MAX_AGENTS_ANSWER} 的整数（人数）")
    return raw


def normalise_answer(spec: dict, raw: object, seed: int) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise AnswerError("答案格式错误：应为 JSON 对象")
    agents = raw.get("agents") or {}
    if not isinstance(agents, dict):
        raise AnswerError("答案格式错误：agents 应为对象（时段序号 → 人数）")
    names, out = labels(spec), {}
    for key, value in agents.items():
        index = int(key) if isinstance(key, int) or (isinstance(key, str) and key.isdigit()) else -1
        if not 0 <= index < len(names):
            raise AnswerError(f"agents：没有时段 {key!r}")
        count = _parse_count(value, f"第 {index + 1} 个时段（{names[index]}）")
        if count is not None:
            out[str(index)] = count
    return {"agents": {k: out[k] for k in sorted(out, key=int)}}


def after_save(spec: dict, answer: dict, seed: int) -> dict | None:
    return None


def _explain(spec: dict, p: staffing.Plan) -> str:
    s = spec.get("shrinkage", 0)
    if p.on_phones == 0:
        return "该时段无呼叫，无需排班"
    what = (f"话务量 {float(p.traffic):.2f} 爱尔兰，在线需 {p.on_phones} 人"
            f"（服务水平 {p.service_level:.1%}，占有率 {p.occupancy:.1%}"
            + (f"，人数由占有率上限 {_pct(spec['max_occupancy'])} 决定）" if p.by_occupancy else "）"))
    return what + (f"，按缩减率 {_pct(s)} 上调为 {p.scheduled} 人" if s else "")


def _why_wrong(spec: dict, p: staffing.Plan, given: int, calls: int, aht: float) -> str:
    s = staffing.exact(spec.get("shrinkage", 0))
    if s and given == p.on_phones:
        return f"这是在线所需人数，未按缩减率 {_pct(spec.get('shrinkage', 0))} 上调"
    if given > p.scheduled:
        return f"多排了 {given - p.scheduled} 人，{p.scheduled} 人已能达标"
    on_phones = int(given * (1 - s))
    cap = spec.get("max_occupancy")
    width = spec["interval_minutes"] * 60
    if on_phones <= p.traffic:
        return f"扣除缩减后约 {on_phones} 人在线，不超过话务量 {float(p.traffic):.2f} 爱尔兰，排队会越积越长"
    sl = staffing.service_level(on_phones, calls, width, aht, spec["target_answer_s"])
    if sl < staffing.exact(spec["target_level"]):
        return (f"扣除缩减后约 {on_phones} 人在线，服务水平约 {sl:.1%}，低于目标 {_pct(spec['target_level'])}")
    return f"扣除缩减后约 {on_phones} 人在线，占有率约 {float(p.traffic / on_phones):.1%}，超过上限 {_pct(cap)}"


def auto_grade(spec: dict, answer: dict, seed: int, points: Fraction) -> AutoResult:
    given = (answer or {}).get("agents") or {}
    calls = forecasts(spec, seed)
    checks = []
    for i, (label, p, each) in enumerate(zip(labels(spec), plans(spec, seed), share(points, len(calls)))):
        mine = given.get(str(i))
        if not isinstance(mine, int) or isinstance(mine, bool):
            earned, ok = Fraction(0), False
            msg = f"{label}：未填写；应为 {p.scheduled} 人。{_explain(spec, p)}"
        elif mine == p.scheduled:
            earned, ok = each, True
            msg = f"{label}：{mine} 人，正确。{_explain(spec, p)}"
        else:
            off = abs(mine - p.scheduled)
            earned, ok = (each * OFF_BY_ONE_SHARE if off == 1 else Fraction(0)), False
            credit = "相差 1 人，得该时段一半分数" if off == 1 else f"相差 {off} 人，不得分"
            msg = (f"{label}：填写 {mine} 人，应为 {p.scheduled} 人，{credit}。"
                   f"{_why_wrong(spec, p, mine, calls[i], _aht(spec, i))}。正确算法：{_explain(spec, p)}")
        checks.append(Check(f"interval.{i}", f"时段 {label}", ok, msg, earned, each, label))
    return AutoResult(sum((c.points for c in checks), Fraction(0)), Fraction(points), checks)
