"""Reading and judging what a candidate typed into a work order (工单) after a call (pure: no database,
no Flask). The kind ``practical.kinds.work_order`` turns these results into checks and points.

Candidates type the way callers speak and the way their input method happens to be set, and that must
never decide a mark: every comparison works on normalised values.

Phone numbers (``parse_phone``). NFKC folds full-width digits, ``＋`` and brackets to half-width; the
spoken digits 零/〇/洞 0, 幺/一 1, 两/二 2, 三 … 九 are read as digits (callers say 幺 for 1 and 洞 for 0 so
they are not misheard); spaces, dashes, dots and brackets are layout. A ``+86``/``0086`` country prefix
(or a bare ``86`` before an 11-digit mobile) is dropped, and a landline written internationally gets its
trunk ``0`` back. A mobile is 11 digits starting 13–19; a landline is an area code (010 and 02x have
three digits, every other 0xxx four; 00 and 01x other than 010 do not exist) plus a 7–8 digit local
number that does not start with 0 or 1.
Two numbers are the same when these national digits are equal. Extensions (转) are not accepted.

Names (``normalise_name``): NFKC, no whitespace, and the several dots used in transliterated names
(•・‧.) written as ``·``. A field may accept more than one form (full name, 王女士), listed by the trainer.

Follow-up promises (``parse_follow_up``) become one structured value: the deadline as a moment, read
relative to when the call took place, and compared as hours after the call. Accepted forms:

- a duration: ``24小时内``, ``半小时内``, ``两个工作日内``, ``3天内`` (a range, ``3-5天内``, counts to its
  end) — N hours/minutes; N days = N × 24 h, N weeks = N × 7 days; N working days = the end of the
  working day (18:00) of the Nth working day after the call's day, as people mean it: ``3个工作日内``
  said on a Monday is Thursday, ``周四前`` and that date match it. Saturdays, Sundays and the
  scenario's public holidays are not working days, its make-up working days (调休上班) are
  (``WorkCalendar``); a fractional count (``半个工作日``) is counted in hours of whole days;
- a day and/or a time: ``今天``/``明天``/``次日``/``第二天``/``后天``/``大后天``, ``周三``/``下周一``,
  ``5月14日``/``14号``/
  ``2024-05-14`` (a date already past is next year's, a bare ``14号`` next month's), then a period
  (上午, 中午, 下午, 晚上 …) and a clock time (``3点``, ``三点半``, ``15:30``), then ``前``/``之前``/``内``.
  A day without a time means the end of the working day (18:00, also ``下班前``); a period without a
  time means its end (上午 12:00, 中午 12:00, 下午 18:00, 晚上 22:00); an hour from 1 to 7 without a period
  is in the afternoon, because callbacks are promised in working hours; a time without a day is on the
  call's day (the next day when that moment has already passed). A bare weekday is the first such day
  from the call's day on; 下周 is the next calendar week.

Problem summaries (``coverage``): the share of the trainer's keyword groups the text mentions, each
group a set of synonyms of which any one counts; both sides NFKC, case-folded, without whitespace.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from fractions import Fraction

SPOKEN_DIGITS = {"零": "0", "〇": "0", "洞": "0", "幺": "1", "一": "1", "二": "2", "两": "2", "三": "3",
                 "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
_LAYOUT = re.compile(r"[\s\-‐‑‒–—―_.·()/]+")
_NAME_DOTS = str.maketrans({"•": "·", "・": "·", "‧": "·", ".": "·", "･": "·"})

END_OF_DAY = dt.time(18, 0)
PERIOD_END = {"凌晨": 6, "早上": 12, "早晨": 12, "上午": 12, "中午": 12, "下午": 18, "傍晚": 19,
              "晚上": 22, "夜里": 22, "夜间": 22}
_AFTERNOON = ("下午", "傍晚", "晚上", "夜里", "夜间")
WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6,
            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}


def nfkc(text: object) -> str:
    return unicodedata.normalize("NFKC", "" if text is None else str(text)).strip()


# ---------------------------------------------------------------- phone numbers

class PhoneError(ValueError):
    """Why a text is not a phone number, in Chinese."""


@dataclass(frozen=True)
class Phone:
    kind: str  # "mobile" or "landline"
    digits: str  # national form: 11 mobile digits, or the landline's area code (with 0) and local number
    area: str = ""

    @property
    def label(self) -> str:
        return "手机号" if self.kind == "mobile" else "固定电话"

    def display(self) -> str:
        if self.kind == "mobile":
            return f"{self.digits[:3]} {self.digits[3:7]} {self.digits[7:]}"
        return f"{self.area}-{self.digits[len(self.area):]}"


def phone_digits(raw: object) -> str:
    """The digits of ``raw`` (a leading ``+`` kept), or PhoneError when something else is in it."""
    text = "".join(SPOKEN_DIGITS.get(ch, ch) for ch in nfkc(raw))
    plus = text.startswith("+")
    text = _LAYOUT.sub("", text.lstrip("+"))
    if not text:
        raise PhoneError("未填写号码")
    bad = next((ch for ch in text if ch not in "0123456789"), None)
    if bad is not None:
        raise PhoneError(f"含有非数字的“{bad}”")
    return ("+" if plus else "") + text


def parse_phone(raw: object) -> Phone:
    digits = phone_digits(raw)
    d, international = digits.lstrip("+"), digits.startswith("+")
    if d.startswith("0086"):
        d, international = d[4:], True
    elif international:
        if not d.startswith("86"):
            raise PhoneError("只受理中国大陆号码（国家代码 +86）")
        d = d[2:]
    elif len(d) == 13 and d.startswith("861"):
        d = d[2:]
    if international and d and d[0] != "0" and not (d[0] == "1" and len(d) == 11):
        d = "0" + d
    if d.startswith("1"):
        if len(d) != 11:
            raise PhoneError(f"手机号应为 11 位，这里是 {len(d)} 位")
        if d[1] not in "3456789":
            raise PhoneError("不是有效的手机号段（第 2 位应为 3–9）")
        return Phone("mobile", d)
    if d.startswith("0") and len(d) >= 3:
        if d[1] == "0" or (d[1] == "1" and d[2] != "0"):
            raise PhoneError(f"区号 {d[:3]}… 不存在（三位区号只有 010 和 020–029）")
        area = d[:3] if d[1] in "12" else d[:4]
        local = d[len(area):]
        if not 7 <= len(local) <= 8:
            raise PhoneError(f"固定电话应为区号加 7–8 位本地号码，区号 {area} 之后是 {len(local)} 位")
        if local[0] in "01":
            raise PhoneError("本地号码不能以 0 或 1 开头")
        return Phone("landline", d, area)
    if 7 <= len(d) <= 8:
        raise PhoneError(f"固定电话缺少区号（只有 {len(d)} 位本地号码）")
    raise PhoneError(f"不是有效的电话号码（{len(d)} 位数字；手机号为 1 开头的 11 位，固定电话以区号 0 开头）")


@dataclass(frozen=True)
class FieldResult:
    ok: bool
    message: str  # why, in Chinese, without the field's name
    share: Fraction = Fraction(0)  # of the field's points; 1 when ok


def _right(message: str) -> FieldResult:
    return FieldResult(True, message, Fraction(1))


def _wrong(message: str, share: Fraction = Fraction(0)) -> FieldResult:
    return FieldResult(False, message, share)


def _first_difference(a: str, b: str) -> int:
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def compare_phone(truth: str, given: object) -> FieldResult:
    want = parse_phone(truth)
    if not nfkc(given):
        return _wrong(f"未填写；应为{want.label} {want.display()}")
    try:
        got = parse_phone(given)
    except PhoneError as exc:
        try:
            digits = phone_digits(given).lstrip("+")
        except PhoneError:
            digits = None
        if want.kind == "mobile" and digits is not None and len(digits) != 11:
            return _wrong(f"应为 11 位手机号，录入的是 {len(digits)} 位（{given}）")
        if want.kind == "landline" and digits is not None and want.digits.endswith(digits):
            return _wrong(f"缺少区号 {want.area}；应为 {want.display()}")
        return _wrong(f"应为{want.label} {want.display()}，录入的“{given}”{exc}")
    if got.digits == want.digits:
        return _right(f"{got.display()}，正确")
    if got.kind != want.kind:
        return _wrong(f"应为{want.label} {want.display()}，录入的是{got.label} {got.display()}")
    n = _first_difference(got.digits, want.digits) + 1
    return _wrong(f"与通话中的号码不符：应为 {want.display()}，录入的是 {got.display()}（第 {n} 位起不同）")


# ---------------------------------------------------------------- names and categories

def normalise_name(raw: object) -> str:
    return re.sub(r"\s+", "", nfkc(raw)).translate(_NAME_DOTS)


def accepted_names(truth: object) -> list[str]:
    return [truth] if isinstance(truth, str) else list(truth or [])


def compare_name(truth: object, given: object) -> FieldResult:
    accepted = accepted_names(truth)
    shown = "或".join(f"“{a}”" for a in accepted)
    mine = normalise_name(given)
    if not mine:
        return _wrong(f"未填写；应为{shown}")
    if mine in {normalise_name(a) for a in accepted}:
        return _right(f"“{mine}”，正确")
    main = normalise_name(accepted[0])
    if len(mine) == len(main):
        wrong = [str(i + 1) for i, (x, y) in enumerate(zip(mine, main)) if x != y]
        if len(wrong) < len(main):
            return _wrong(f"应为{shown}，录入的是“{mine}”（第 {'、'.join(wrong)} 个字有误）")
    return _wrong(f"应为{shown}，录入的是“{mine}”")


def compare_category(truth: str, given: object) -> FieldResult:
    mine = nfkc(given)
    if not mine:
        return _wrong(f"未选择；应为“{truth}”")
    if mine == nfkc(truth):
        return _right(f"“{mine}”，正确")
    return _wrong(f"应为“{truth}”，选择的是“{mine}”")


# ---------------------------------------------------------------- keyword coverage

def fold(text: object) -> str:
    return re.sub(r"\s+", "", nfkc(text).casefold())


@dataclass(frozen=True)
class Coverage:
    share: Fraction
    found: list[str]
    missing: list[str]


def coverage(text: object, groups: list[dict]) -> Coverage:
    """``groups`` are ``{"name": 要点, "any": [同义词, …]}``; a group counts when any of its words is in the text."""
    mine = fold(text)
    found, missing = [], []
    for group in groups:
        hit = any(fold(word) and fold(word) in mine for word in group["any"])
        (found if hit else missing).append(group["name"])
    return Coverage(Fraction(len(found), len(groups)) if groups else Fraction(1), found, missing)


def compare_summary(groups: list[dict], given: object) -> FieldResult:
    if not fold(given):
        return _wrong("未填写")
    cov = coverage(given, groups)
    if not cov.missing:
        return _right(f"要点齐全（{len(cov.found)}/{len(groups)}）")
    lacking = "、".join(f"‘{name}’" for name in cov.missing)
    return _wrong(f"缺少要点{lacking}（记录了 {len(cov.found)}/{len(groups)} 个要点，按比例得分）", cov.share)


# ---------------------------------------------------------------- follow-up deadlines

class FollowUpError(ValueError):
    """Why a text is not a deadline this module can read, in Chinese."""


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: Monday to Friday, less ``holidays``, plus ``workdays`` (the
    weekend days worked to make up for a holiday, 调休上班). China's holidays are announced year by year,
    so they belong to the scenario whose call date they surround, not to a table in the code."""

    holidays: frozenset = frozenset()
    workdays: frozenset = frozenset()

    def is_working(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


WEEKDAYS_ONLY = WorkCalendar()


_CN = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_NUM = r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十]+"
_DURATION = re.compile(rf"(?P<n>{_NUM}|半)个?(?P<half>半)?(?P<unit>个?小时|钟头|分钟|个?工作日|天|日|个?星期|周)(?!\d|[点时号])")
_DAY = re.compile(r"大后天|后天|明天|明日|明早|明晚|今天|今日|今晚|当天|当日|次日|翌日|第二天|隔天|隔日"
                  r"|(?P<next>下下?|本|这)?(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"
                  r"|(?:(?P<y>\d{4})[年\-/](?P<m>\d{1,2})[月\-/]|(?P<m2>\d{1,2})月)?"
                  r"(?P<d>\d{1,2})(?(m)[日号]?|(?(m2)[日号]?|号))")  # 14号 alone needs its 号
_PERIOD = re.compile("|".join(PERIOD_END))
_CLOCK = re.compile(r"(?P<h>\d{1,2}|[零一二两三四五六七八九十]+)"
                    r"(?::(?P<mm>\d{2})|[点时](?P<rest>半|一刻|三刻|(?:\d{1,2}|[零一二三四五六七八九十]+)分?)?)")


def cn_number(text: str) -> Fraction:
    """``24``, ``二十四``, ``十二``, ``两``, ``1.5`` as a number; FollowUpError otherwise."""
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return Fraction(text)
    if text and all(ch in _CN or ch == "十" for ch in text) and text.count("十") <= 1:
        if "十" not in text:
            if len(text) == 1:
                return Fraction(_CN[text])
            return Fraction(int("".join(str(_CN[ch]) for ch in text)))
        tens, _, units = text.partition("十")
        if len(tens) <= 1 and len(units) <= 1:
            return Fraction((_CN[tens] if tens else 1) * 10 + (_CN[units] if units else 0))
    raise FollowUpError(f"无法识别数字“{text}”")


def _add_working_days(start: dt.datetime, days: Fraction, calendar: WorkCalendar) -> dt.datetime:
    whole, part = int(days), days - int(days)
    day = start.date()
    for _ in range(whole):
        day += dt.timedelta(days=1)
        while not calendar.is_working(day):
            day += dt.timedelta(days=1)
    if part:  # 半个工作日: the same clock time that many whole days on, plus the part in hours
        return dt.datetime.combine(day, start.time()) + dt.timedelta(hours=float(part * 24))
    return dt.datetime.combine(day, END_OF_DAY)


def _duration(m: re.Match, call_at: dt.datetime, calendar: WorkCalendar) -> dt.datetime:
    n = Fraction(1, 2) if m["n"] == "半" else cn_number(m["n"])
    if m["half"]:
        n += Fraction(1, 2)
    unit = m["unit"].lstrip("个")
    if unit == "工作日":
        return _add_working_days(call_at, n, calendar)
    hours = {"小时": n, "钟头": n, "分钟": n / 60, "天": n * 24, "日": n * 24, "星期": n * 168, "周": n * 168}[unit]
    return call_at + dt.timedelta(seconds=round(hours * 3600))


def _day(m: re.Match, call_at: dt.datetime) -> dt.date:
    today, word = call_at.date(), m.group(0)
    offsets = {"今": 0, "当": 0, "明": 1, "次": 1, "翌": 1, "第": 1, "隔": 1, "后": 2, "大": 3}
    if m["wd"]:
        target = WEEKDAYS[m["wd"]]
        if m["next"] in ("下", "下下"):
            monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(weeks=len(m["next"]))
            return monday + dt.timedelta(days=target)
        return today + dt.timedelta(days=(target - today.weekday()) % 7)
    if m["d"]:
        year, month = (int(m["y"]), int(m["m"])) if m["y"] else (today.year, int(m["m2"] or today.month))
        try:
            day = dt.date(year, month, int(m["d"]))
            if not m["y"] and day < today:  # a date already past means the next year's (or month's)
                day = day.replace(year=year + 1) if m["m2"] else day.replace(month=month % 12 + 1,
                                                                             year=year + month // 12)
        except ValueError:
            raise FollowUpError(f"没有这一天：“{word}”") from None
        return day
    return today + dt.timedelta(days=offsets[word[0]])


def _clock(m: re.Match, period: str | None) -> dt.timedelta:
    hour = int(cn_number(m["h"]))
    minute = 0
    if m["mm"]:
        minute = int(m["mm"])
    elif m["rest"]:
        rest = m["rest"].rstrip("分")
        minute = {"半": 30, "一刻": 15, "三刻": 45}.get(rest)
        minute = int(cn_number(rest)) if minute is None else minute
    if period in _AFTERNOON and hour < 12:
        hour += 12
    elif period == "中午" and hour < 6:
        hour += 12
    elif period is None and 1 <= hour <= 7:
        hour += 12
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise FollowUpError(f"时间“{m.group(0)}”不存在")
    return dt.timedelta(hours=hour, minutes=minute)


def parse_follow_up(text: object, call_at: dt.datetime, calendar: WorkCalendar = WEEKDAYS_ONLY) -> dt.datetime:
    """The deadline ``text`` promises for a call taken at ``call_at``."""
    raw = re.sub(r"\s+", "", nfkc(text))
    if not raw:
        raise FollowUpError("未填写")
    day_m = _DAY.search(raw)
    clock_m = _CLOCK.search(raw, day_m.end() if day_m else 0)
    period_m = _PERIOD.search(raw)
    period = period_m.group(0) if period_m else None
    if day_m and day_m.group(0) in ("今晚", "明晚"):
        period = "晚上"
    elif day_m and day_m.group(0) == "明早" and period is None:
        period = "上午"
    if day_m is None and clock_m is None and period is None and "下班" not in raw:
        dur = _DURATION.search(raw)
        if dur:
            return _duration(dur, call_at, calendar)
        raise FollowUpError("无法识别的时限，请写成“24小时内”“两个工作日内”“明天下午3点前”这样的形式")
    day = _day(day_m, call_at) if day_m else call_at.date()
    if clock_m and "下班" not in raw:
        offset = _clock(clock_m, period)
    elif period and "下班" not in raw:
        offset = dt.timedelta(hours=PERIOD_END[period])
    else:
        offset = dt.timedelta(hours=END_OF_DAY.hour, minutes=END_OF_DAY.minute)
    moment = dt.datetime.combine(day, dt.time()) + offset
    if day_m is None and moment <= call_at:
        moment += dt.timedelta(days=1)
    return moment


def hours_after(call_at: dt.datetime, moment: dt.datetime) -> Fraction:
    return Fraction(round((moment - call_at).total_seconds()), 3600)


def show_moment(moment: dt.datetime) -> str:
    return f"{moment.month}月{moment.day}日 {moment:%H:%M}"


def _hours(h: Fraction) -> str:
    return f"{float(h):.1f}".rstrip("0").rstrip(".")


def compare_follow_up(truth: str, given: object, call_at: dt.datetime, tolerance_minutes: int,
                      calendar: WorkCalendar = WEEKDAYS_ONLY) -> FieldResult:
    want = parse_follow_up(truth, call_at, calendar)
    about = f"通话后 {_hours(hours_after(call_at, want))} 小时，即 {show_moment(want)} 前"
    if not nfkc(given):
        return _wrong(f"未填写；应为“{truth}”（{about}）")
    try:
        got = parse_follow_up(given, call_at, calendar)
    except FollowUpError as exc:
        return _wrong(f"“{given}”{exc}；应为“{truth}”（{about}）")
    off = abs(hours_after(call_at, got) - hours_after(call_at, want))
    if off * 60 <= tolerance_minutes:
        return _right(f"“{given}”即 {show_moment(got)} 前，与承诺一致")
    return _wrong(f"应为“{truth}”（{about}），录入的“{given}”为 {show_moment(got)} 前，相差 {_hours(off)} 小时")
