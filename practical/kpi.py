"""Call logs for the data-analysis scenario and the KPI figures a candidate must work out from them.

Pure: a seeded generator, the KPI definitions the candidate is shown, exact computation and grading
within stated tolerances. The log is generated from the task's seed, so every candidate gets a log of
their own and the same candidate always gets the same one; only ``random.Random.random`` is drawn
(its stream for an integer seed is stable across Python versions) and every other shape is built
from it here.

Definitions (shown to the candidate word for word through ``KPIS``) follow reference 000 part 三:
every rate over all calls offered (the log's rows) uses the standard's own denominator for 接通率
(“进入呼叫中心的呼叫总量”) and 服务水平 (“X 秒内应答电话数量与呼叫中心接入电话的百分比”), so one
count serves three KPIs and nothing depends on an unstated exclusion such as short abandons; the
per-call averages (AHT, ASA) and first-contact resolution are over answered calls, as the standard's
平均处理时间, 平均排队时间 and 一次性解决问题率 are; occupancy is handle time over staffed time
(呼入项目占有率). Figures are kept as exact fractions so a tolerance boundary is decided exactly.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from types import MappingProxyType

#: The standard's service-level threshold (000 三（四）: “80%的电话在 20 秒以内做出应答”).
SL_THRESHOLD_S = 20

DEFAULT_CATEGORIES = ("业务咨询", "账单查询", "业务办理", "故障报修", "投诉建议")


@dataclass(frozen=True)
class CallRecord:
    call_id: str
    offered_at: str  # "YYYY-MM-DD HH:MM:SS"
    wait_s: int  # in queue: until answered, until the caller hung up, 0 when never queued
    answered: bool
    abandoned: bool  # hung up while queued; neither flag: overflowed, never queued (溢出未接入)
    talk_s: int
    hold_s: int
    acw_s: int  # after-call work
    agent_id: str
    resolved_first_contact: bool
    category: str

    @property
    def handle_s(self) -> int:
        return self.talk_s + self.hold_s + self.acw_s

    @property
    def status(self) -> str:
        return "接通" if self.answered else "放弃" if self.abandoned else "溢出未接入"


@dataclass(frozen=True)
class CallLog:
    """A log as handed to the candidate: its rows and the staffed time occupancy is measured against."""

    records: list[CallRecord]
    staffed_seconds: int
    date: str = ""
    period: str = ""


# ---------------------------------------------------------------- generation

def _expo(rng: random.Random, mean: float) -> float:
    return -mean * math.log(1.0 - rng.random()) if mean > 0 else 0.0


def _erlang2(rng: random.Random, mean: float) -> float:
    """Handle times are humped, not exponential: a sum of two exponential halves."""
    return _expo(rng, mean / 2) + _expo(rng, mean / 2)


def _whole(x: float) -> int:
    return int(x + 0.5)


def generate_log(seed: int, calls: int = 1000, *, date: str = "2024-06-18", start: str = "08:00",
                 profile: tuple[float, ...] | list[float] = (1, 1, 1, 1), answered_share: float = 0.88,
                 overflow_share: float = 0.0, within_20s_share: float = 0.85, max_wait_s: int = 240,
                 abandon_mean_s: float = 40, talk_mean_s: float = 210, hold_share: float = 0.2,
                 hold_mean_s: float = 45, acw_mean_s: float = 40, fcr_share: float = 0.86, agents: int = 30,
                 categories: tuple[str, ...] | list[str] = DEFAULT_CATEGORIES) -> list[CallRecord]:
    """``calls`` offered calls spread over the hours of ``profile`` (relative weights, one an hour
    from ``start``); each answered, abandoned or overflowed by the given shares (expected values: the
    log's own counts vary by seed, which is the point)."""
    rng = random.Random(seed)
    weights = [float(w) for w in profile]
    total = sum(weights)
    bounds, acc = [], 0.0
    for w in weights:
        acc += w / total
        bounds.append(acc)
    offsets = []
    for _ in range(calls):
        u = rng.random()
        hour = next((i for i, b in enumerate(bounds) if u < b), len(bounds) - 1)
        offsets.append(hour * 3600 + int(rng.random() * 3600))
    offsets.sort()
    base = dt.datetime.fromisoformat(f"{date} {start}")
    cats = list(categories) or list(DEFAULT_CATEGORIES)
    out = []
    for n, offset in enumerate(offsets, 1):
        u = rng.random()
        answered, abandoned = u < answered_share, answered_share <= u < 1 - overflow_share
        talk = hold = acw = 0
        agent, resolved, wait = "", False, 0
        if answered:
            if rng.random() < within_20s_share:
                wait = min(SL_THRESHOLD_S, int(_expo(rng, 6)))
            else:
                wait = min(max_wait_s, SL_THRESHOLD_S + 1 + int(_expo(rng, max(1.0, (max_wait_s - 21) / 3))))
            talk = max(15, _whole(_erlang2(rng, talk_mean_s)))
            hold = _whole(_expo(rng, hold_mean_s)) if rng.random() < hold_share else 0
            acw = _whole(_expo(rng, acw_mean_s))
            agent = f"A{1 + int(rng.random() * agents):03d}"
            resolved = rng.random() < fcr_share
        elif abandoned:
            wait = min(900, 1 + int(_expo(rng, abandon_mean_s)))
        category = cats[int(rng.random() * len(cats))]
        when = (base + dt.timedelta(seconds=offset)).strftime("%Y-%m-%d %H:%M:%S")
        out.append(CallRecord(f"C{n:05d}", when, wait, answered, abandoned, talk, hold, acw, agent, resolved,
                              category))
    return out


# ---------------------------------------------------------------- the KPIs

@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    unit: str  # "%" or "秒"
    definition: str
    tolerance: Fraction  # percentage points for rates, seconds for times

    @property
    def tolerance_label(self) -> str:
        return f"±{_show(self.tolerance)} 个百分点" if self.unit == "%" else f"±{_show(self.tolerance)} 秒"


#: ±0.5 percentage point on rates and ±2 s on times: wide enough for rounding at any step a
#: candidate might take in a spreadsheet, narrow enough that a wrong denominator or a missing
#: component (hold, after-call work) falls outside.
RATE_TOLERANCE = Fraction(1, 2)
TIME_TOLERANCE = Fraction(2)

_OFFERED = "进线呼叫总数（记录中的全部呼叫，含接通、放弃和溢出未接入）"

KPIS: MappingProxyType[str, Kpi] = MappingProxyType({k.key: k for k in (
    Kpi("answer_rate", "接通率", "%", f"人工接通的呼叫数 ÷ {_OFFERED} × 100%", RATE_TOLERANCE),
    Kpi("service_level", "服务水平", "%",
        f"排队等待不超过 {SL_THRESHOLD_S} 秒即被接通的呼叫数 ÷ {_OFFERED} × 100%（等待恰为 {SL_THRESHOLD_S} 秒算作达标）",
        RATE_TOLERANCE),
    Kpi("abandon_rate", "放弃率", "%", f"排队中挂断（放弃）的呼叫数 ÷ {_OFFERED} × 100%", RATE_TOLERANCE),
    Kpi("aht", "平均处理时长", "秒", "已接通呼叫的（通话时长 + 保持时长 + 话后处理时长）之和 ÷ 接通的呼叫数", TIME_TOLERANCE),
    Kpi("asa", "平均应答速度（平均排队时间）", "秒", "已接通呼叫的排队等待时长之和 ÷ 接通的呼叫数（放弃和溢出的呼叫不计入）",
        TIME_TOLERANCE),
    Kpi("fcr", "一次性解决率", "%", "“首次解决”为“是”的已接通呼叫数 ÷ 接通的呼叫数 × 100%", RATE_TOLERANCE),
    Kpi("occupancy", "座席占有率", "%", "已接通呼叫的处理时长（通话 + 保持 + 话后处理）之和 ÷ 座席总在线时长 × 100%",
        RATE_TOLERANCE),
)})


def _show(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{float(x):g}"


@dataclass(frozen=True)
class KpiFigures:
    """The counts a log gives and the KPIs derived from them, exactly."""

    offered: int
    answered: int
    abandoned: int
    within_threshold: int
    handle_total_s: int
    wait_answered_total_s: int
    resolved: int
    staffed_seconds: int

    def _rate(self, part: int, whole: int) -> Fraction | None:
        return Fraction(100 * part, whole) if whole else None

    def values(self) -> dict[str, Fraction | None]:
        """Each KPI in display units (percent, seconds); None when its denominator is zero."""
        avg = (lambda total: Fraction(total, self.answered) if self.answered else None)
        return {
            "answer_rate": self._rate(self.answered, self.offered),
            "service_level": self._rate(self.within_threshold, self.offered),
            "abandon_rate": self._rate(self.abandoned, self.offered),
            "aht": avg(self.handle_total_s),
            "asa": avg(self.wait_answered_total_s),
            "fcr": self._rate(self.resolved, self.answered),
            "occupancy": self._rate(self.handle_total_s, self.staffed_seconds),
        }


def compute(log: list[CallRecord], staffed_seconds: int, threshold_s: int = SL_THRESHOLD_S) -> KpiFigures:
    answered = [r for r in log if r.answered]
    return KpiFigures(
        offered=len(log), answered=len(answered), abandoned=sum(r.abandoned for r in log),
        within_threshold=sum(r.wait_s <= threshold_s for r in answered),
        handle_total_s=sum(r.handle_s for r in answered), wait_answered_total_s=sum(r.wait_s for r in answered),
        resolved=sum(r.resolved_first_contact for r in answered), staffed_seconds=staffed_seconds)


# ---------------------------------------------------------------- answers and grading

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def parse_number(text: object, unit: str = "") -> Decimal:
    """A typed figure: full-width digits and signs, a trailing % (rates) or 秒 (times) and thousands
    commas are accepted; anything else raises ValueError saying why, in Chinese."""
    if isinstance(text, bool):
        raise ValueError("应为数字")
    if isinstance(text, (int, float)):
        if isinstance(text, float) and not math.isfinite(text):
            raise ValueError("应为有限数字")
        text = repr(text)
    if not isinstance(text, str):
        raise ValueError("应为数字")
    s = unicodedata.normalize("NFKC", text).strip().replace(" ", "")
    if unit == "%" and s.endswith("%"):
        s = s[:-1]
    elif unit == "秒":
        s = re.sub(r"(秒|s|S)$", "", s)
    if "," in s:
        if not _THOUSANDS.match(s):
            raise ValueError(f"“{text}”中的逗号只能用作千位分隔符")
        s = s.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", s):
        raise ValueError(f"“{text}”不是数字")
    try:
        return Decimal(s)
    except InvalidOperation:
        raise ValueError(f"“{text}”不是数字") from None


@dataclass(frozen=True)
class KpiResult:
    key: str
    expected: Fraction | None
    given: Fraction | None
    ok: bool
    tolerance: Fraction = field(default=Fraction(0))


def grade(figures: KpiFigures, answers: dict[str, object], tolerances: dict[str, Fraction] | None = None,
          keys: list[str] | None = None) -> dict[str, KpiResult]:
    """Per KPI: right when the given number is within its tolerance (inclusive) of the exact figure.
    ``tolerances`` overrides ``KPIS``' per key; a blank or unparsable answer is wrong."""
    values = figures.values()
    out = {}
    for key in keys or list(KPIS):
        tol = (tolerances or {}).get(key, KPIS[key].tolerance)
        raw = answers.get(key)
        try:
            given = None if raw in (None, "") else Fraction(parse_number(raw, KPIS[key].unit))
        except ValueError:
            given = None
        expected = values[key]
        ok = given is not None and expected is not None and abs(given - expected) <= tol
        out[key] = KpiResult(key, expected, given, ok, tol)
    return out


def display(value: Fraction | None, unit: str) -> str:
    """A figure as people read it: two decimals and its unit."""
    if value is None:
        return "无法计算"
    return f"{float(value):.2f}%" if unit == "%" else f"{float(value):.2f} 秒"
