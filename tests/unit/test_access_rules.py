"""Each access rule on its own: pure classes given an AccessContext, no database."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from exam.access.base import AccessContext, SettingsError
from exam.throttle import Policy
from exam.access.rules import access_code, ip_subnet
from exam.access.rules.access_code import AccessCodeRule
from exam.access.rules.fullscreen import FullscreenRule
from exam.access.rules.idle_timeout import IdleTimeoutRule
from exam.access.rules.ip_subnet import IpSubnetRule, parse_subnets
from exam.access.rules.one_attempt import OneAttemptRule
from exam.access.rules.time_window import TimeWindowRule, is_open, window

UTC = dt.timezone.utc
OPENS = dt.datetime(2025, 3, 10, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def session(practical=None, rules=None, signin_mode="password"):
    p_opens, p_closes = practical or (None, None)
    return SimpleNamespace(
        id=1, opens_at=OPENS, closes_at=OPENS + dt.timedelta(hours=2),
        practical_window=(p_opens or OPENS, p_closes or OPENS + dt.timedelta(hours=2)),
        access_rules=rules or {}, signin_mode=signin_mode)


def ctx(part="theory", now=OPENS + dt.timedelta(minutes=5), attempt=None, ip=None, preflight=None, failures=0,
        exam_session=None, throttle=Policy("access_code", free=3, base_seconds=60), wait=0):
    return AccessContext(session=exam_session or session(), part=part, candidate_id=7, now=now, client_ip=ip,
                         preflight=preflight or {}, attempt=attempt, code_failures=failures, throttle=throttle,
                         code_wait=wait)


def attempt(status):
    return SimpleNamespace(status=status)


# ---------------------------------------------------------------- time window

def test_time_window_explains_not_yet_and_already_closed_in_local_time():
    rule = TimeWindowRule()
    assert rule.prevent_new_attempt(ctx(now=OPENS - dt.timedelta(minutes=1))) == "本场理论考试将于 03-10 09:00 开始，请到时再进入"
    assert rule.prevent_new_attempt(ctx(now=OPENS)) is None
    closed = ctx(now=OPENS + dt.timedelta(hours=2))
    assert rule.prevent_new_attempt(closed) == "本场理论考试已于 03-10 11:00 结束，不能再开始作答"


def test_time_window_lets_an_open_attempt_resume_after_the_window():
    late = ctx(now=OPENS + dt.timedelta(hours=3), attempt=attempt("open"))
    assert TimeWindowRule().prevent_new_attempt(late) is None


def test_typing_and_practical_follow_the_practical_window():
    s = session(practical=(OPENS + dt.timedelta(hours=3), OPENS + dt.timedelta(hours=5)))
    at_theory = ctx(part="typing", exam_session=s)
    assert TimeWindowRule().prevent_new_attempt(at_theory) == "本场打字测试将于 03-10 12:00 开始，请到时再进入"
    assert TimeWindowRule().prevent_new_attempt(ctx(part="theory", exam_session=s)) is None
    assert is_open(s, "practical", OPENS + dt.timedelta(hours=4))
    assert window(s, "theory") == (s.opens_at, s.closes_at)
    assert TimeWindowRule().end_time(ctx(part="practical", exam_session=s)) == OPENS + dt.timedelta(hours=5)
    text = TimeWindowRule().description(s, "Asia/Shanghai")
    assert text == "理论考试 03-10 09:00 至 11:00 开放；打字测试与实操考核 03-10 12:00 至 14:00 开放"
    assert TimeWindowRule().description(session(), "Asia/Shanghai") == "开放时间 03-10 09:00 至 11:00"


def test_time_window_accepts_naive_utc_values():
    naive = ctx(now=(OPENS - dt.timedelta(minutes=1)).replace(tzinfo=None))
    assert "将于" in TimeWindowRule().prevent_new_attempt(naive)


# ---------------------------------------------------------------- one attempt

@pytest.mark.parametrize("status, expected", [
    (None, None), ("open", None),
    ("submitted", "您已完成本部分考试，每位考生仅限作答一次"),
    ("void", "您本场的实操考核作答已被考评员作废，每位考生仅限作答一次；如需重新作答，请联系考评员处理"),
])
def test_one_attempt(status, expected):
    c = ctx(part="practical", attempt=attempt(status) if status else None)
    assert OneAttemptRule().prevent_new_attempt(c) == expected


# ---------------------------------------------------------------- IP subnet

def test_parse_subnets_numbers_the_lines_it_refuses():
    networks, errors = parse_subnets("10.1.0.0/16\n\n# 二号考场\n192.168.3.25\n10.2.3.4/16\nlab\n2001:db8::/64\n10.1.0.0/16")
    assert networks == ["10.1.0.0/16", "192.168.3.25/32", "2001:db8::/64"]
    assert errors == ["第 5 行「10.2.3.4/16」的主机位不为零，您是否想写 10.2.0.0/16？",
                      "第 6 行「lab」不是有效的 IP 网段，应写成 10.1.0.0/16、192.168.3.25 或 2001:db8::/64 这样的形式"]


def test_ip_subnet_settings_need_at_least_one_network():
    with pytest.raises(SettingsError) as exc:
        IpSubnetRule.clean_settings({"subnets": "# 只有注释"})
    assert exc.value.field == "subnets" and "至少填写一个" in str(exc.value)
    assert IpSubnetRule.make({"subnets": []}) is None
    assert IpSubnetRule.clean_settings({"subnets": "10.0.0.0/8"}) == {"subnets": ["10.0.0.0/8"]}


@pytest.mark.parametrize("ip, ok", [
    ("10.1.2.3", True), ("10.2.0.1", False), ("::ffff:10.1.9.9", True), ("2001:db8::5", True),
    ("2001:db9::5", False), ("127.0.0.1", False)])
def test_ip_subnet_allows_only_listed_networks(ip, ok):
    rule = IpSubnetRule({"subnets": ["10.1.0.0/16", "2001:db8::/64"]})
    reason = rule.prevent_access(ctx(ip=ip))
    assert (reason is None) == ok
    if not ok:
        assert reason == f"您当前的网络地址 {ip} 不在本场考试允许的考场网络内，请在考场内的考试机上作答，或举手联系监考老师"


def test_ip_subnet_refuses_an_unknown_address_and_applies_to_resuming():
    rule = IpSubnetRule({"subnets": ["10.1.0.0/16"]})
    assert rule.prevent_access(ctx(ip=None)) == "无法识别您当前的网络地址，不能开始考试，请举手联系监考老师"
    assert rule.prevent_access(ctx(ip="bogus")) is not None
    assert rule.prevent_access(ctx(ip="192.168.1.1", attempt=attempt("open"))) is not None
    assert ip_subnet.address("::ffff:10.0.0.1") == ip_subnet.address("10.0.0.1")


# ---------------------------------------------------------------- access code

def test_access_code_settings_generate_or_check_a_code():
    generated = AccessCodeRule.clean_settings({"code": ""})["code"]
    assert len(generated) == 6 and generated.isdigit()
    assert AccessCodeRule.clean_settings({"code": " ab 12３４ "}) == {"code": "AB1234"}
    with pytest.raises(SettingsError) as exc:
        AccessCodeRule.clean_settings({"code": "12"})
    assert exc.value.field == "code" and str(exc.value) == "「12」不能用作进场码：应为 4 至 12 位数字或字母"
    assert AccessCodeRule.make({}) is None


def test_access_code_checks_the_typed_code_and_counts_guesses():
    rule = AccessCodeRule({"code": "314159"})
    assert rule.is_preflight_check_required(ctx())
    assert not rule.is_preflight_check_required(ctx(attempt=attempt("open")))  # resuming asks nothing
    assert rule.validate_preflight_check(ctx(preflight={"access_code": "３１４１５９"})) == []
    empty = rule.validate_preflight_check(ctx(preflight={"access_code": "  "}))
    assert [(e.field, e.guess) for e in empty] == [("access_code", False)]
    wrong = rule.validate_preflight_check(ctx(preflight={"access_code": "271828"}, failures=1))
    assert wrong[0].guess and wrong[0].message.endswith("（还可再试 1 次）")
    last = rule.validate_preflight_check(ctx(preflight={"access_code": "271828"}, failures=2))
    assert last[0].message.endswith("（须等待 1 分钟后才能再试）")
    blocked = rule.validate_preflight_check(ctx(preflight={"access_code": "314159"}, failures=3, wait=45))
    assert not blocked[0].guess and "输错次数过多，请 45 秒后再试" in blocked[0].message
    # once the wait is over the candidate may try again (slowed, never locked out for good)
    assert rule.validate_preflight_check(ctx(preflight={"access_code": "314159"}, failures=3)) == []
    assert [f.name for f in rule.preflight_fields("typing")] == ["access_code"]
    assert rule.matches(" 314159") and not rule.matches("") and not rule.matches("31415")


def test_new_codes_keep_leading_zeros():
    codes = {access_code.new_code() for _ in range(200)}
    assert all(len(c) == 6 and c.isdigit() for c in codes) and len(codes) > 150


# ---------------------------------------------------------------- fullscreen

def test_fullscreen_needs_the_flag_from_a_capable_browser():
    rule = FullscreenRule.make({})
    assert FullscreenRule.make(None) is None
    errors = rule.validate_preflight_check(ctx(preflight={"fullscreen": "0"}))
    assert errors[0].field == "fullscreen" and "要求全屏作答" in errors[0].message and not errors[0].guess
    assert rule.validate_preflight_check(ctx(preflight={"fullscreen": "1"})) == []
    assert not rule.is_preflight_check_required(ctx(attempt=attempt("open")))
    assert rule.setup_attempt_page(ctx()) == {"fullscreen": True}
    assert [(f.name, f.kind) for f in rule.preflight_fields("theory")] == [("fullscreen", "hidden")]


# ---------------------------------------------------------------- idle timeout

@pytest.mark.parametrize("value, message", [
    ("", "「」不是整数分钟数"), ("ten", "「ten」不是整数分钟数"),
    ("0", "无操作锁屏时间应在 1 至 180 分钟之间"), ("181", "无操作锁屏时间应在 1 至 180 分钟之间")])
def test_idle_timeout_settings_are_checked(value, message):
    with pytest.raises(SettingsError) as exc:
        IdleTimeoutRule.clean_settings({"minutes": value})
    assert exc.value.field == "idle_minutes" and str(exc.value) == message


def test_idle_timeout_names_what_unlocks_the_page():
    rule = IdleTimeoutRule(IdleTimeoutRule.clean_settings({"minutes": " 15 "}))
    assert rule.description(session(), "Asia/Shanghai") == "连续 15 分钟无操作将锁屏，须输入登录密码解锁（答案保留，计时不停）"
    by_id = session(signin_mode="id_last6")
    assert rule.setup_attempt_page(ctx(exam_session=by_id)) == {"idleMinutes": 15, "unlockPrompt": "请输入身份证号后六位解锁"}
    with_code = session(rules={"access_code": {"code": "1234"}})
    assert "登录密码或进场码" in rule.description(with_code, "Asia/Shanghai")
    assert rule.prevent_new_attempt(ctx()) is None and rule.prevent_access(ctx()) is None
