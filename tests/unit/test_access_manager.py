"""The access manager: which rules a session has, and all their reasons gathered together."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from exam.access.base import AccessContext, AccessRule
from exam.throttle import Policy
from exam.access.manager import OPTIONAL, RULES, AccessManager, clean_settings

UTC = dt.timezone.utc
OPENS = dt.datetime(2025, 3, 10, 1, 0, tzinfo=UTC)


def session(rules):
    return SimpleNamespace(id=1, opens_at=OPENS, closes_at=OPENS + dt.timedelta(hours=2),
                           practical_window=(OPENS, OPENS + dt.timedelta(hours=2)), access_rules=rules,
                           signin_mode="password")


def ctx(s, now=OPENS + dt.timedelta(minutes=1), ip="10.1.1.1", preflight=None, attempt=None, failures=0, wait=0):
    return AccessContext(session=s, part="theory", candidate_id=3, now=now, client_ip=ip,
                         preflight=preflight or {}, attempt=attempt, code_failures=failures,
                         throttle=Policy("access_code", free=5, base_seconds=60))


ALL = {"access_code": {"code": "1234"}, "ip_subnet": {"subnets": ["10.1.0.0/16"]}, "fullscreen": {},
       "idle_timeout": {"minutes": 5}}


def test_every_rule_has_the_same_hooks():
    hooks = ["description", "prevent_access", "prevent_new_attempt", "is_preflight_check_required",
             "preflight_fields", "validate_preflight_check", "end_time", "setup_attempt_page", "clean_settings", "make"]
    for cls in RULES.values():
        assert issubclass(cls, AccessRule) and cls.code and cls.name
        assert all(callable(getattr(cls, hook)) for hook in hooks)
    assert set(OPTIONAL) == {"access_code", "ip_subnet", "fullscreen", "idle_timeout"}


def test_a_session_has_the_always_on_rules_plus_those_switched_on():
    assert [r.code for r in AccessManager.for_session(session({})).rules] == ["time_window", "one_attempt"]
    codes = [r.code for r in AccessManager.for_session(session(ALL)).rules]
    assert codes == ["time_window", "one_attempt", "ip_subnet", "access_code", "fullscreen", "idle_timeout"]
    # settings that switch nothing on (an empty code) give no rule; unknown codes are ignored
    assert len(AccessManager.for_session(session({"access_code": {}, "bogus": {}})).rules) == 2


def test_requirements_are_the_switched_on_rules_sentences():
    manager = AccessManager.for_session(session(ALL))
    assert manager.requirements(session(ALL), "Asia/Shanghai") == [
        "须在考场网络内的考试机上作答", "开始前须输入监考老师在考场公布的进场码",
        "须全屏作答，离开全屏将被记录并暂时遮挡试卷",
        "连续 5 分钟无操作将锁屏，须输入登录密码或进场码解锁（答案保留，计时不停）"]
    assert len(manager.descriptions(session(ALL), "Asia/Shanghai")) == 6


def test_every_reason_is_given_at_once_and_preflight_waits_for_them():
    s = session(ALL)
    decision = AccessManager.for_session(s).check_start(ctx(s, now=OPENS - dt.timedelta(minutes=1), ip="8.8.8.8",
                                                            preflight={"access_code": "9999"}))
    assert not decision.allowed and len(decision.reasons) == 2
    assert "8.8.8.8" in decision.reasons[0] and "将于" in decision.reasons[1]
    assert decision.errors == [] and not decision.wrong_guess  # a code typed too early is no guess


def test_preflight_errors_of_every_rule_are_gathered():
    s = session(ALL)
    decision = AccessManager.for_session(s).check_start(ctx(s, preflight={"access_code": "9999"}))
    assert [e.field for e in decision.errors] == ["access_code", "fullscreen"] and decision.wrong_guess
    assert len(decision.messages) == 2
    ok = AccessManager.for_session(s).check_start(ctx(s, preflight={"access_code": "1234", "fullscreen": "1"}))
    assert ok.allowed


def test_resuming_skips_preflight_but_not_the_address():
    s = session(ALL)
    manager = AccessManager.for_session(s)
    assert manager.check_start(ctx(s, attempt=SimpleNamespace(status="open"))).allowed
    assert not manager.check_start(ctx(s, ip="8.8.8.8", attempt=SimpleNamespace(status="open"))).allowed


def test_page_setup_and_end_time_are_merged():
    s = session(ALL)
    manager = AccessManager.for_session(s)
    setup = manager.setup_attempt_page(ctx(s))
    assert setup["fullscreen"] is True and setup["idleMinutes"] == 5
    assert manager.end_time(ctx(s)) == s.closes_at
    assert [f.name for f in manager.preflight_fields("theory")] == ["access_code", "fullscreen"]


def test_clean_settings_checks_each_switched_on_rule():
    cleaned, errors = clean_settings({"access_code": None, "ip_subnet": {"subnets": "300.1.1.1"},
                                      "fullscreen": {}, "idle_timeout": {"minutes": "abc"}})
    assert cleaned == {"fullscreen": {}}
    assert [e.field for e in errors] == ["subnets", "idle_minutes"]
    assert "第 1 行「300.1.1.1」" in str(errors[0])
