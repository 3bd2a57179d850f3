"""Erlang C against published worked examples, its properties, and the boundaries where one agent
turns on exact arithmetic."""

import math
from decimal import Decimal, localcontext
from fractions import Fraction

import pytest

from practical import staffing

# --------------------------------------------------------------- published worked examples

# Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example",
# https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm : 100 calls in 30 minutes,
# AHT 180 s, 80 % in 20 s, maximum occupancy 85 %, shrinkage 30 %. Traffic 10 Erlangs; with 14 agents
# Pw = 0.1741, service level 88.8 %, ASA 7.8 s, 82.6 % answered immediately, occupancy 71.4 %;
# 14 ÷ 0.7 = 20 agents to schedule.
CCH = dict(calls=100, interval_s=1800, aht_s=180)


def test_callcentrehelper_traffic_and_probability_of_waiting():
    assert staffing.traffic(**CCH) == 10
    assert round(staffing.erlang_c(14, 10), 4) == 0.1741
    assert round(1 - staffing.erlang_c(14, 10), 3) == 0.826


def test_callcentrehelper_service_level_asa_and_occupancy_with_14_agents():
    assert round(staffing.service_level(14, **CCH, target_answer_s=20), 3) == 0.888
    assert round(staffing.average_speed_of_answer(14, **CCH), 1) == 7.8
    assert round(staffing.occupancy(14, **CCH), 3) == 0.714


def test_callcentrehelper_agents_required():
    # 13 agents fall just short of 80 %, 14 meet it; 30 % shrinkage makes 20.
    assert staffing.service_level(13, **CCH, target_answer_s=20) < 0.8
    assert staffing.agents_required(**CCH, target_level=0.8, target_answer_s=20) == 14
    assert staffing.agents_required(**CCH, target_level=0.8, target_answer_s=20, max_occupancy=0.85,
                                    shrinkage=0.3) == 20


# pyworkforce (rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_erlang.py) tests the same
# example (raw_positions 14, positions 20, service_level 0.888, occupancy 0.714, waiting_probability
# 0.174) and, in test_over_occupancy_erlangc, a 70 % occupancy cap: raw_positions 15, positions 22,
# service_level 0.941, occupancy 0.667, waiting_probability 0.102. (It states the target answer time as
# asa=0.33 minutes = 19.8 s; the rounded figures are the same at 20 s.)
def test_pyworkforce_occupancy_cap():
    plan = staffing.plan(**CCH, target_level=0.8, target_answer_s=20, max_occupancy=0.7, shrinkage=0.3)
    assert (plan.on_phones, plan.scheduled, plan.by_occupancy) == (15, 22, True)
    assert round(plan.service_level, 3) == 0.941
    assert round(plan.occupancy, 3) == 0.667
    assert round(staffing.erlang_c(15, 10), 3) == 0.102


def test_pyworkforce_example_as_a_plan():
    plan = staffing.plan(**CCH, target_level=0.8, target_answer_s=20, max_occupancy=0.85, shrinkage=0.3)
    assert (plan.on_phones, plan.scheduled, plan.by_occupancy) == (14, 20, False)
    assert round(plan.service_level, 3) == 0.888 and round(plan.occupancy, 3) == 0.714


# Footbridge "Call Calc" application note, http://www.al911.org/qos_calc.htm : "2 call takers handling
# 60-second calls arriving at a rate of 30/hour shows that fewer than 8 percent of callers will wait more
# than 10 seconds"; "If the calls actually take 60 seconds plus 20 seconds … the QOS falls to 14 percent".
def test_al911_call_calc_examples():
    waiting_longer = 1 - staffing.service_level(2, 30, 3600, 60, 10)
    assert 0.07 < waiting_longer < 0.08
    assert round(1 - staffing.service_level(2, 30, 3600, 80, 10), 2) == 0.14


# --------------------------------------------------------------- against the textbook formula

def _erlang_c_factorials(n: int, a: Fraction) -> Fraction:
    """C(N, A) = (A^N/N! · N/(N−A)) ÷ (Σ_{k<N} A^k/k! + A^N/N! · N/(N−A)), in exact fractions."""
    top = a ** n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a ** k / math.factorial(k) for k in range(n)) + top)


@pytest.mark.parametrize("n,a", [(2, Fraction(1, 2)), (5, Fraction(5, 2)), (14, Fraction(10)), (30, Fraction(553, 20)),
                                 (60, Fraction(1157, 20))])
def test_recurrence_matches_the_factorial_formula(n, a):
    assert staffing.erlang_c(n, a) == pytest.approx(float(_erlang_c_factorials(n, a)), rel=1e-12)


def test_no_queue_when_agents_do_not_exceed_traffic():
    assert staffing.erlang_c(10, 10) == 1.0
    assert staffing.service_level(10, **CCH, target_answer_s=20) == 0.0
    assert staffing.average_speed_of_answer(9, **CCH) == math.inf
    assert staffing.erlang_c(3, 0) == 0.0


def test_no_calls_need_no_agents():
    assert staffing.agents_required(0, 1800, 180, 0.8, 20, shrinkage=0.3) == 0


# --------------------------------------------------------------- properties

def test_service_level_increases_with_agents():
    levels = [staffing.service_level(n, 300, 1800, 240, 20) for n in range(41, 80)]
    assert all(b > a for a, b in zip(levels, levels[1:]))
    assert levels[-1] < 1


@pytest.mark.parametrize("calls,aht,target,t", [(100, 180, 0.8, 20), (37, 300, 0.9, 15), (1200, 150, 0.8, 20),
                                                 (5, 600, 0.7, 30), (4000, 200, 0.95, 10)])
def test_agents_required_is_minimal(calls, aht, target, t):
    n = staffing.agents_required(calls, 1800, aht, target, t)
    assert staffing.service_level(n, calls, 1800, aht, t) >= target
    assert staffing.service_level(n - 1, calls, 1800, aht, t) < target


def test_five_hundred_agents_compute_without_overflow():
    # 480 Erlangs: A^N and N! alone would overflow a float (170! does).
    sl = staffing.service_level(500, 4800, 1800, 180, 20)
    assert 0 < staffing.erlang_c(500, 480) < 1 and 0 < sl < 1
    a = staffing.traffic(4800, 1800, 180)
    assert sl == pytest.approx(float(staffing.service_level_precise(500, a, Fraction(20), Fraction(180))), abs=1e-10)
    n = staffing.agents_required(4800, 1800, 180, 0.8, 20)
    assert 480 < n < 520 and staffing.service_level(n - 1, 4800, 1800, 180, 20) < 0.8


# --------------------------------------------------------------- exactness where a whole agent turns

def test_shrinkage_gross_up_is_exact():
    # Floats make 21 ÷ (1 − 0.3) = 30.000000000000004 and ceil adds an agent nobody needs.
    assert math.ceil(21 / (1 - 0.3)) == 31
    assert staffing.gross_up(21, 0.3) == 30
    assert staffing.gross_up(9, 0.55) == 20
    assert staffing.gross_up(14, 0.3) == 20
    assert staffing.gross_up(15, 0.3) == 22


def test_occupancy_cap_is_exact():
    # A = 153 × 90 ÷ 1800 = 7.65 Erlangs; 9 agents are exactly 85 % occupied, which meets a cap of
    # 85 %. In floats 7.65 / 9 = 0.8500000000000001 and a tenth agent would be demanded.
    assert 7.65 / 9 > 0.85
    plan = staffing.plan(153, 1800, 90, 0.5, 20, max_occupancy=0.85)
    assert plan.on_phones == 9 and plan.occupancy == 0.85


def _exact_service_level(n: int, a: Fraction, t: Fraction, aht: Fraction) -> Decimal:
    """Independent of the module: factorial-formula C in fractions, e^−x in 60-digit decimal."""
    c = _erlang_c_factorials(n, a)
    with localcontext() as ctx:
        ctx.prec = 60
        x_frac = (n - a) * t / aht
        x = Decimal(x_frac.numerator) / Decimal(x_frac.denominator)
        return 1 - Decimal(c.numerator) / Decimal(c.denominator) * (-x).exp()


def test_target_a_hair_from_the_service_level_is_decided_exactly():
    # SL(14) for the Call Centre Helper example, to ~60 digits. A target 1e-18 below it is met by 14
    # agents and one 1e-18 above it is not. Both lie inside float rounding: the float service level
    # is on the same side of both, so a float comparison would get one of them wrong and only the
    # high-precision recheck tells them apart.
    exact = _exact_service_level(14, Fraction(10), Fraction(20), Fraction(180))
    below = Fraction(exact - Decimal("1e-18"))
    above = Fraction(exact + Decimal("1e-18"))
    sl = staffing.service_level(14, **CCH, target_answer_s=20)
    assert (sl >= below) == (sl >= above)
    assert abs(float(below) - sl) < staffing.GUARD
    assert staffing.agents_required(**CCH, target_level=below, target_answer_s=20) == 14
    assert staffing.agents_required(**CCH, target_level=above, target_answer_s=20) == 15


def test_inputs_are_read_as_written_decimals():
    assert staffing.exact(0.3) == Fraction(3, 10)
    assert staffing.exact(Decimal("0.85")) == Fraction(17, 20)
    with pytest.raises(TypeError):
        staffing.exact(True)


@pytest.mark.parametrize("kwargs", [dict(target_level=1), dict(target_level=0), dict(shrinkage=1),
                                    dict(max_occupancy=1.2), dict(max_occupancy=0)])
def test_impossible_parameters_are_refused(kwargs):
    args = dict(calls=100, interval_s=1800, aht_s=180, target_level=0.8, target_answer_s=20) | kwargs
    with pytest.raises(ValueError):
        staffing.agents_required(**args)
