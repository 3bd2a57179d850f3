"""居民身份证号码（GB 11643-1999）的校验与遮盖（纯函数，不依赖 Flask 或数据库）。

The number is the candidate's identity on the certificate and the key that stops one person from
being enrolled twice, so a typo is cheapest to catch at enrolment. Each check names the one thing
that is wrong, in the order a person would look: length, characters, the address code, the birth
date, and only then the check character — a typo in the date says "出生日期 19901301 不存在",
which points at the digits, where a bare checksum failure would not.

Input is normalised before checking because rosters come from Excel and from forms typed with a
Chinese input method: NFKC folds full-width digits and letters to ASCII, whitespace anywhere is
dropped, a lower-case x becomes X.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

LENGTH = 18
#: GB 11643-1999 §5.5 / ISO 7064:1983 MOD 11-2: weight of position i is 2**(17-i) mod 11.
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
#: The check character for a weighted sum mod 11 of 0, 1, …, 10.
CHECK_CHARACTERS = "10X98765432"
DIGITS = "0123456789"
#: Plausible ages of a call-centre agent sitting an exam: 16 is the legal minimum working age.
MIN_AGE, MAX_AGE = 16, 100

#: First two digits of the address code: the province-level divisions of GB/T 2260-2007
#: 《中华人民共和国行政区划代码》 (kept current by the Ministry of Civil Affairs' yearly list,
#: https://www.mca.gov.cn/mzsj/xzqh/2023/202301xzqh.html) — 11–15, 21–23, 31–37, 41–46, 50–54, 61–65,
#: plus 71 台湾, 81 香港, 82 澳门. Two codes that are not in GB/T 2260 but appear on 18-digit numbers:
#: 83 — 《港澳台居民居住证申领发放办法》 (国办发〔2018〕81号) gives holders of the residence permit a
#: 公民身份号码 whose address code is 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan);
#: 91 — "国外", the convention of widely used validators (kept because the brief asked for it).
PROVINCES = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省", "36": "江西省",
    "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区", "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区", "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区", "83": "台湾居民（居住证）",
    "91": "国外",
}

MALE, FEMALE = "男", "女"

_WHITESPACE = re.compile(r"\s+")
#: What Excel shows (and saves to CSV) once an 18-digit number has been stored as a number.
_SCIENTIFIC = re.compile(r"\d(\.\d+)?E\+?\d+")


class IdCardError(ValueError):
    """The number is not a valid 居民身份证号码; the message says why, in Chinese, for the user."""


@dataclass(frozen=True)
class IdCard:
    number: str            # 18 characters, check character upper-case
    birth_date: date
    sex: str               # 男 or 女
    province_code: str     # the first two digits

    @property
    def province(self) -> str:
        return PROVINCES[self.province_code]

    @property
    def masked(self) -> str:
        return mask(self.number)


def normalise(raw: str) -> str:
    """The number as it is stored: the same person typed twice in two ways compares equal."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def check_character(body: str) -> str:
    """The 18th character for the first 17 digits (ISO 7064 MOD 11-2)."""
    if len(body) != LENGTH - 1 or any(c not in DIGITS for c in body):
        raise ValueError(f"需要 17 位数字，实际为 {body!r}")
    return CHECK_CHARACTERS[sum(int(c) * w for c, w in zip(body, WEIGHTS)) % 11]


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def check(raw: str, today: date) -> IdCard:
    """The parsed number, or IdCardError naming the first thing wrong with it."""
    number = normalise(raw)
    if not number:
        raise IdCardError("身份证号不能为空")
    if _SCIENTIFIC.fullmatch(number):
        raise IdCardError(f"身份证号被 Excel 当作数字保存（显示为 {number}），后几位已经丢失："
                          "请把该列设置为“文本”格式后重新填写")
    if len(number) != LENGTH:
        hint = "（15 位的旧号码已停用，请填写 18 位号码）" if len(number) == 15 and number.isascii() \
            and number.isdigit() else ""
        raise IdCardError(f"身份证号应为 {LENGTH} 位，实际 {len(number)} 位{hint}")
    for position, char in enumerate(number[:-1], start=1):
        if char not in DIGITS:
            raise IdCardError(f"第 {position} 位应为数字，实际为“{char}”")
    if number[-1] not in DIGITS + "X":
        raise IdCardError(f"第 {LENGTH} 位应为数字或 X，实际为“{number[-1]}”")

    province = number[:2]
    if province not in PROVINCES:
        raise IdCardError(f"地区码 {province} 不是有效的省级行政区代码")

    digits = number[6:14]
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdCardError(f"出生日期 {digits} 不存在") from None
    if birth > today:
        raise IdCardError("出生日期晚于今天")
    age = age_on(birth, today)
    if age < MIN_AGE:
        raise IdCardError(f"按出生日期 {birth:%Y-%m-%d} 计算年龄为 {age} 岁，未满 {MIN_AGE} 岁")
    if age > MAX_AGE:
        raise IdCardError(f"按出生日期 {birth:%Y-%m-%d} 计算年龄为 {age} 岁，超过 {MAX_AGE} 岁，请核对出生日期")

    expected = check_character(number[:-1])
    if number[-1] != expected:
        raise IdCardError(f"第 {LENGTH} 位校验码应为 {expected}，实际为 {number[-1]}")
    return IdCard(number=number, birth_date=birth, sex=MALE if int(number[16]) % 2 else FEMALE,
                  province_code=province)


def mask(number: str) -> str:
    """"110101********1234": enough for a person to recognise their own number on a page or a
    certificate, not enough for a passer-by to copy it."""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
