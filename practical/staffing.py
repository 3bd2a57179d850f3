"""Erlang C staffing: how many agents an interval needs to answer its forecast calls on target.

Pure and stdlib only, so the staffing scenario can grade a candidate's plan without a database and the
maths can be tested on its own against published worked examples (see ``tests/unit/test_staffing.py``).

Model (M/M/N, callers never give up): traffic A = calls × AHT ÷ interval (Erlangs);
C(N, A) is the probability a call waits; the service level (share answered within t seconds) is
SL = 1 − C(N, A)·e^{−(N−A)·t/AHT}; ASA = C(N, A)·AHT ÷ (N − A); occupancy = A ÷ N.

Why the recurrence: A^N and N! overflow a float near N = 170 and lose precision well before that,
while Erlang B by B(0) = 1, B(n) = A·B(n−1) ÷ (n + A·B(n−1)) stays in (0, 1] at every step.
C follows from B: C = N·B ÷ (N − A·(1 − B)).

Why exact arithmetic at the edges: one whole agent turns on each comparison. Inputs are read as the
decimals a trainer typed (``0.3`` is 3/10, not the float nearest it), so traffic, the occupancy test
A/N ≤ max and the shrinkage gross-up ⌈N ÷ (1 − s)⌉ are exact fractions: 21 agents at 30 % shrinkage
are 30 scheduled, where floats give 30.000000000000004 and ``math.ceil`` 31. The service level holds
e^{−x}, which no fraction can; floats carry it to ~1e-13 here, so a float result farther than
``GUARD`` from the target decides, and a closer one is recomputed in 60-digit ``decimal`` (whose
``exp`` is correctly rounded). A tie at that precision counts as meeting the target.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext
from fractions import Fraction
from numbers import Rational

#: Float service levels within this distance of the target are re-decided in high precision.
GUARD = 1e-9
_PRECISION = 60
#: No real interval needs more; it stops a search for an unreachable target instead of looping.
MAX_AGENTS = 100_000

Number = int | float | Fraction | Decimal


def exact(x: Number) -> Fraction:
    """``x`` as the decimal it was written as: floats go through ``repr``, so 0.3 is 3/10."""
    if isinstance(x, bool):
        raise TypeError("应为数字")
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ValueError("应为有限数字")
        return Fraction(repr(x))
    if isinstance(x, (Rational, Decimal)):
        return Fraction(x)
    raise TypeError("应为数字")


def traffic(calls: Number, interval_s: Number, aht_s: Number) -> Fraction:
    """Offered load in Erlangs, exactly."""
    interval, aht = exact(interval_s), exact(aht_s)
    if interval <= 0 or aht <= 0:
        raise ValueError("时段长度和平均处理时长应为正数")
    if exact(calls) < 0:
        raise ValueError("呼叫量不能为负")
    return exact(calls) * aht / interval


def _erlang_b_steps(a: float):
    """Yields B(1, A), B(2, A), … by the stable recurrence."""
    b, n = 1.0, 0
    while True:
        n += 1
        ab = a * b
        b = ab / (n + ab)
        yield n, b


def _c_from_b(n: int, a: float, b: float) -> float:
    return n * b / (n - a * (1.0 - b))


def erlang_c(agents: int, traffic: Number) -> float:
    """Probability a call has to wait; 1 when the agents cannot keep up (N ≤ A)."""
    a = float(exact(traffic))
    if a < 0 or agents < 0:
        raise ValueError("话务量和座席数不能为负")
    if a == 0:
        return 0.0
    if agents <= a:
        return 1.0
    b = 1.0
    for n, b in _erlang_b_steps(a):
        if n == agents:
            break
    return _c_from_b(agents, a, b)


def _sl_from_c(c: float, n: int, a: float, t: float, aht: float) -> float:
    return 1.0 - c * math.exp(-(n - a) * t / aht)


def service_level(agents: int, calls: Number, interval_s: Number, aht_s: Number, target_answer_s: Number) -> float:
    """Share of calls answered within ``target_answer_s``; 0 when N ≤ A (the queue grows without end)."""
    a = traffic(calls, interval_s, aht_s)
    if agents <= a:
        return 0.0
    c = erlang_c(agents, a)
    return _sl_from_c(c, agents, float(a), float(exact(target_answer_s)), float(exact(aht_s)))


def average_speed_of_answer(agents: int, calls: Number, interval_s: Number, aht_s: Number) -> float:
    """Mean wait over all calls, in seconds: C·AHT ÷ (N − A); infinite when N ≤ A."""
    a = traffic(calls, interval_s, aht_s)
    if agents <= a:
        return math.inf
    return erlang_c(agents, a) * float(exact(aht_s)) / (agents - float(a))


def occupancy(agents: int, calls: Number, interval_s: Number, aht_s: Number) -> float:
    """Share of the agents' time on calls, A ÷ N (above 1 means more work than agents)."""
    if agents <= 0:
        raise ValueError("座席数应为正整数")
    return float(traffic(calls, interval_s, aht_s) / agents)


def _dec(x: Fraction) -> Decimal:
    return Decimal(x.numerator) / Decimal(x.denominator)


def service_level_precise(agents: int, a: Fraction, t: Fraction, aht: Fraction) -> Decimal:
    """The service level to ~60 significant digits, for decisions a float cannot make."""
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        ad = _dec(a)
        if agents <= ad:
            return Decimal(0)
        b = Decimal(1)
        for n in range(1, agents + 1):
            ab = ad * b
            b = ab / (n + ab)
        c = agents * b / (agents - ad * (1 - b))
        return 1 - c * (-(agents - ad) * _dec(t) / _dec(aht)).exp()


def _meets(sl: float, target: Fraction, agents: int, a: Fraction, t: Fraction, aht: Fraction) -> bool:
    if abs(sl - float(target)) > GUARD:
        return sl >= target
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        return service_level_precise(agents, a, t, aht) >= _dec(target)


@dataclass(frozen=True)
class Plan:
    """One interval's requirement: ``on_phones`` agents answering (the Erlang C figure), ``scheduled``
    after shrinkage, and what the ``on_phones`` agents achieve."""

    traffic: Fraction
    on_phones: int
    scheduled: int
    service_level: float
    occupancy: float
    asa_s: float
    by_occupancy: bool  # the occupancy cap, not the service level, set ``on_phones``


def gross_up(agents: int, shrinkage: Number) -> int:
    """⌈N ÷ (1 − shrinkage)⌉, exactly."""
    s = exact(shrinkage)
    if not 0 <= s < 1:
        raise ValueError("缩减率应在 0 与 1 之间（不含 1）")
    need = Fraction(agents) / (1 - s)
    return -(-need.numerator // need.denominator)


def plan(calls: Number, interval_s: Number, aht_s: Number, target_level: Number, target_answer_s: Number,
         max_occupancy: Number | None = None, shrinkage: Number = 0) -> Plan:
    """The smallest N meeting the service level (and A/N ≤ max occupancy), then grossed up."""
    a = traffic(calls, interval_s, aht_s)
    target, t, aht = exact(target_level), exact(target_answer_s), exact(aht_s)
    if not 0 < target < 1:
        raise ValueError("服务水平目标应大于 0 且小于 1")
    if t < 0:
        raise ValueError("目标应答时间不能为负")
    cap = None if max_occupancy is None else exact(max_occupancy)
    if cap is not None and not 0 < cap <= 1:
        raise ValueError("最高占有率应大于 0 且不超过 1")
    if a == 0:
        return Plan(a, 0, 0, 1.0, 0.0, 0.0, False)
    af, tf, ahtf = float(a), float(t), float(aht)
    n_sl = None
    for n, b in _erlang_b_steps(af):
        if n > MAX_AGENTS:
            raise ValueError("所需座席数超出计算范围，请检查话务量与目标")
        if n <= a:
            continue
        sl = _sl_from_c(_c_from_b(n, af, b), n, af, tf, ahtf)
        if _meets(sl, target, n, a, t, aht):
            n_sl = n
            break
    n_occ = 0 if cap is None else -(-(a / cap).numerator // (a / cap).denominator)
    raw = max(n_sl, n_occ)
    return Plan(a, raw, gross_up(raw, shrinkage), service_level(raw, calls, interval_s, aht_s, target_answer_s),
                float(a / raw), average_speed_of_answer(raw, calls, interval_s, aht_s), raw > n_sl)


def agents_required(calls: Number, interval_s: Number, aht_s: Number, target_level: Number,
                    target_answer_s: Number, max_occupancy: Number | None = None, shrinkage: Number = 0.0) -> int:
    """Agents to schedule: the Erlang C minimum, raised to respect the occupancy cap, then ⌈N ÷ (1 − s)⌉.
    No calls need no agents."""
    return plan(calls, interval_s, aht_s, target_level, target_answer_s, max_occupancy, shrinkage).scheduled
