"""The work-order normalisers: phone numbers, names, keyword coverage and follow-up deadlines."""

import datetime as dt
from fractions import Fraction

import pytest

from practical import work_order as wo

MONDAY = dt.datetime(2024, 5, 13, 10, 20)
FRIDAY = dt.datetime(2024, 7, 5, 16, 30)


# --------------------------------------------------------------- phone numbers

@pytest.mark.parametrize("written", [
    "13608512476", "136 0851 2476", "136-0851-2476", "136.0851.2476", "(136) 0851 2476",
    "+86 136 0851 2476", "+86-13608512476", "+8613608512476", "0086 136 0851 2476", "8613608512476",
    "１３６０８５１２４７６", "１３６　０８５１　２４７６", "＋８６ １３６－０８５１－２４７６",
    "一三六零八五一二四七六", "幺三六 零八五幺 二四七六", "幺三六 洞八五幺 二四七六", "一三六〇八五幺二四七六",
    " 136 0851 2476 ",
])
def test_mobile_numbers_in_many_written_forms(written):
    phone = wo.parse_phone(written)
    assert phone.kind == "mobile" and phone.digits == "13608512476"
    assert phone.display() == "136 0851 2476"


@pytest.mark.parametrize("written,digits,area", [
    ("0851-85527319", "085185527319", "0851"), ("（0851）8552 7319", "085185527319", "0851"),
    ("0851 8552 7319", "085185527319", "0851"), ("+86 851 8552 7319", "085185527319", "0851"),
    ("０８５１－８５５２７３１９", "085185527319", "0851"), ("零八五幺 八五五二 七三幺九", "085185527319", "0851"),
    ("010-62345678", "01062345678", "010"), ("021 6123 4567", "02161234567", "021"),
    ("0086 10 6234 5678", "01062345678", "010"), ("0856-5221234", "08565221234", "0856"),
])
def test_landlines_keep_their_area_code(written, digits, area):
    phone = wo.parse_phone(written)
    assert (phone.kind, phone.digits, phone.area) == ("landline", digits, area)
    assert phone.display() == f"{area}-{digits[len(area):]}"


@pytest.mark.parametrize("written,why", [
    ("1360851247", "11 位"), ("136085124761", "11 位"), ("12608512476", "号段"),
    ("85527319", "缺少区号"), ("0851-855273", "7–8 位"),
    ("013-6085124", "区号"), ("+86 136085124", "区号"), ("0851-05527319", "不能以 0 或 1 开头"),
    ("136-0851-247a", "非数字"), ("136 0851 2476 转 8", "非数字"), ("", "未填写"), ("  ", "未填写"),
    ("+1 415 555 0100", "+86"), ("23608512476", "不是有效的电话号码"),
])
def test_malformed_numbers_are_refused_in_chinese(written, why):
    with pytest.raises(wo.PhoneError) as exc:
        wo.parse_phone(written)
    assert why in str(exc.value)


def test_comparing_phones_says_what_is_wrong():
    assert wo.compare_phone("13608512476", "＋86 136-0851-2476").ok
    short = wo.compare_phone("13608512476", "136 0851 247")
    assert not short.ok and short.message.startswith("应为 11 位手机号，录入的是 10 位")
    assert "缺少区号 0851" in wo.compare_phone("0851-85527319", "8552 7319").message
    typo = wo.compare_phone("13608512476", "13608512467")
    assert not typo.ok and "第 10 位起不同" in typo.message and "136 0851 2476" in typo.message
    kind = wo.compare_phone("0851-85527319", "13608512476")
    assert "应为固定电话" in kind.message and "录入的是手机号" in kind.message
    assert wo.compare_phone("13608512476", "").message.startswith("未填写")
    assert wo.compare_phone("13608512476", "").share == 0 and wo.compare_phone("13608512476", "13608512476").share == 1


# --------------------------------------------------------------- names and categories

def test_names_are_trimmed_and_folded():
    assert wo.normalise_name("  王 秀兰 ") == "王秀兰"
    assert wo.normalise_name("Ｌｉ　Ｌｅｉ") == "LiLei"
    assert wo.normalise_name("阿依古丽•买买提") == wo.normalise_name("阿依古丽・买买提") == "阿依古丽·买买提"
    assert wo.compare_name(["王秀兰", "王女士"], " 王女士").ok
    assert wo.compare_name("刘建华", "刘 建华").ok
    wrong = wo.compare_name("刘建华", "刘建化")
    assert not wrong.ok and "第 3 个字有误" in wrong.message
    assert wo.compare_name("刘建华", "").message.startswith("未填写")
    assert wo.compare_category("故障报修", "故障报修").ok
    assert "应为“故障报修”" in wo.compare_category("故障报修", "业务咨询").message


# --------------------------------------------------------------- keyword coverage

GROUPS = [
    {"name": "无法上网", "any": ["断网", "上不了网", "无法上网"]},
    {"name": "光猫亮红灯", "any": ["红灯", "LOS"]},
    {"name": "已自行重启", "any": ["重启", "拔电源"]},
    {"name": "开始时间", "any": ["昨晚", "昨天晚上"]},
]


def test_coverage_is_the_share_of_groups_mentioned():
    full = wo.coverage("昨晚起断网，光猫LOS灯亮，已重启", GROUPS)
    assert full.share == 1 and full.missing == []
    half = wo.coverage("宽带上不了网，光猫亮红灯", GROUPS)
    assert half.share == Fraction(1, 2) and half.missing == ["已自行重启", "开始时间"]
    assert wo.coverage("", GROUPS).share == 0
    assert wo.coverage("随便写", []).share == 1


def test_coverage_ignores_width_case_and_spacing():
    assert wo.coverage("光猫 ｌｏｓ 灯闪", GROUPS).found == ["光猫亮红灯"]
    assert wo.coverage("光猫 los 灯闪", GROUPS).found == ["光猫亮红灯"]
    assert wo.coverage("昨 天 晚 上 断  网", GROUPS).found == ["无法上网", "开始时间"]


def test_summary_message_names_the_missing_points():
    result = wo.compare_summary(GROUPS, "断网，亮红灯")
    assert not result.ok and result.share == Fraction(1, 2)
    assert "缺少要点‘已自行重启’、‘开始时间’" in result.message
    assert wo.compare_summary(GROUPS, "  ").message == "未填写"


# --------------------------------------------------------------- follow-up deadlines

@pytest.mark.parametrize("text,moment", [
    ("24小时内", dt.datetime(2024, 5, 14, 10, 20)), ("二十四小时之内", dt.datetime(2024, 5, 14, 10, 20)),
    ("48 小时以内", dt.datetime(2024, 5, 15, 10, 20)), ("半小时内", dt.datetime(2024, 5, 13, 10, 50)),
    ("一个半小时内", dt.datetime(2024, 5, 13, 11, 50)), ("30分钟内", dt.datetime(2024, 5, 13, 10, 50)),
    ("3天内", dt.datetime(2024, 5, 16, 10, 20)), ("两个工作日内", dt.datetime(2024, 5, 15, 18)),
    ("次日10:00前", dt.datetime(2024, 5, 14, 10)), ("第二天上午", dt.datetime(2024, 5, 14, 12)),
    ("翌日下午3点", dt.datetime(2024, 5, 14, 15)), ("隔天", dt.datetime(2024, 5, 14, 18)),
    ("一周内", dt.datetime(2024, 5, 20, 10, 20)),
    ("明天下午3点前", dt.datetime(2024, 5, 14, 15)), ("明天下午三点之前", dt.datetime(2024, 5, 14, 15)),
    ("明天 15:00 前", dt.datetime(2024, 5, 14, 15)), ("明日15点", dt.datetime(2024, 5, 14, 15)),
    ("明天上午十点半前", dt.datetime(2024, 5, 14, 10, 30)), ("明天10点20分前", dt.datetime(2024, 5, 14, 10, 20)),
    ("明天上午", dt.datetime(2024, 5, 14, 12)), ("明天", dt.datetime(2024, 5, 14, 18)),
    ("今天下班前", dt.datetime(2024, 5, 13, 18)), ("今晚8点前", dt.datetime(2024, 5, 13, 20)),
    ("下午3点前", dt.datetime(2024, 5, 13, 15)), ("3点前", dt.datetime(2024, 5, 13, 15)),
    ("中午前", dt.datetime(2024, 5, 13, 12)), ("后天", dt.datetime(2024, 5, 15, 18)),
    ("周三", dt.datetime(2024, 5, 15, 18)), ("星期一", dt.datetime(2024, 5, 13, 18)),
    ("下周一上午10点", dt.datetime(2024, 5, 20, 10)), ("5月14日17:00前", dt.datetime(2024, 5, 14, 17)),
    ("5月14号下午5点", dt.datetime(2024, 5, 14, 17)), ("2024-05-20", dt.datetime(2024, 5, 20, 18)),
    ("明天下午３点前回电", dt.datetime(2024, 5, 14, 15)), ("14号下午3点", dt.datetime(2024, 5, 14, 15)),
    ("5号", dt.datetime(2024, 6, 5, 18)), ("2024年5月20日", dt.datetime(2024, 5, 20, 18)),
    ("3-5天内", dt.datetime(2024, 5, 18, 10, 20)),  # a range is held to its latest end
])
def test_follow_up_promises_become_deadlines(text, moment):
    assert wo.parse_follow_up(text, MONDAY) == moment


def test_working_days_skip_the_weekend_and_next_week_is_the_calendar_week():
    assert wo.parse_follow_up("两个工作日内", FRIDAY) == dt.datetime(2024, 7, 9, 18)
    assert wo.parse_follow_up("下周一中午12点前", FRIDAY) == dt.datetime(2024, 7, 8, 12)
    assert wo.parse_follow_up("7月8日12:00前", FRIDAY) == dt.datetime(2024, 7, 8, 12)
    assert wo.parse_follow_up("下午3点前", FRIDAY) == dt.datetime(2024, 7, 6, 15)  # already past: next day


def test_deadlines_compare_as_hours_after_the_call():
    truth = wo.parse_follow_up("明天下午3点前", MONDAY)
    assert wo.hours_after(MONDAY, truth) == Fraction(86, 3)
    assert wo.hours_after(MONDAY, wo.parse_follow_up("24小时内", MONDAY)) == 24


@pytest.mark.parametrize("text", ["尽快", "有消息就通知", "2月30日", "明天25点", ""])
def test_unreadable_promises_are_refused_in_chinese(text):
    with pytest.raises(wo.FollowUpError) as exc:
        wo.parse_follow_up(text, MONDAY)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))


def test_comparing_follow_ups():
    assert wo.compare_follow_up("24小时内", "明天上午10点前", MONDAY, 30).ok  # 20 minutes apart
    assert not wo.compare_follow_up("24小时内", "明天上午10点前", MONDAY, 10).ok
    assert wo.compare_follow_up("明天下午3点前", "5月14日15:00", MONDAY, 0).ok
    late = wo.compare_follow_up("明天下午3点前", "明天下午", MONDAY, 30)
    assert not late.ok and "相差 3 小时" in late.message and "5月14日 15:00" in late.message
    odd = wo.compare_follow_up("明天下午3点前", "尽快", MONDAY, 30)
    assert not odd.ok and "无法识别" in odd.message


def test_chinese_numbers():
    assert [wo.cn_number(t) for t in ("24", "二十四", "十二", "十", "两", "三", "1.5")] == [
        24, 24, 12, 10, 2, 3, Fraction(3, 2)]
    with pytest.raises(wo.FollowUpError):
        wo.cn_number("好几")


def test_next_day_is_the_day_after_the_call_even_before_that_hour():
    early = dt.datetime(2024, 5, 13, 9, 40)
    assert wo.parse_follow_up("次日10:00前", early) == dt.datetime(2024, 5, 14, 10)  # not 10:00 the same day
    assert wo.parse_follow_up("10:00前", early) == dt.datetime(2024, 5, 13, 10)
    assert wo.compare_follow_up("次日10:00前", "明天上午10点前", early, 0).ok
    assert not wo.compare_follow_up("次日10:00前", "今天10点前", early, 30).ok


def test_working_days_said_on_a_monday_mean_the_date_people_mean():
    monday = dt.datetime(2024, 6, 3, 14, 15)
    assert wo.parse_follow_up("3个工作日内", monday) == dt.datetime(2024, 6, 6, 18)
    for written in ("周四前", "本周四下班前", "6月6日前", "6月6号", "三个工作日之内", "2024-06-06"):
        assert wo.compare_follow_up("3个工作日内", written, monday, 30).ok, written
    wrong = wo.compare_follow_up("3个工作日内", "周三前", monday, 30)
    assert not wrong.ok and "6月6日 18:00" in wrong.message
    assert not wo.compare_follow_up("3个工作日内", "72小时内", monday, 30).ok


def test_holidays_and_make_up_working_days_come_from_the_calendar():
    thursday = dt.datetime(2024, 9, 26, 10)
    national_day = wo.WorkCalendar(frozenset(dt.date(2024, 10, d) for d in range(1, 8)),
                                   frozenset({dt.date(2024, 9, 29), dt.date(2024, 10, 12)}))
    # Fri 27, Sun 29 (make-up), Mon 30, then the holiday week, Tue 8
    assert wo.parse_follow_up("3个工作日内", thursday, national_day) == dt.datetime(2024, 9, 30, 18)
    assert wo.parse_follow_up("5个工作日内", thursday, national_day) == dt.datetime(2024, 10, 9, 18)
    assert wo.parse_follow_up("5个工作日内", thursday) == dt.datetime(2024, 10, 3, 18)  # weekends only
    assert wo.compare_follow_up("5个工作日内", "10月9日前", thursday, 0, national_day).ok
    assert wo.parse_follow_up("半个工作日内", thursday, national_day) == dt.datetime(2024, 9, 26, 22)
