"""居民身份证号码与手机号的校验。

The valid numbers below were built by hand from GB 11643-1999: the check character is
CHECK_CHARACTERS[sum(digit_i * weight_i) mod 11] with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2
and CHECK_CHARACTERS = "1 0 X 9 8 7 6 5 4 3 2". Each constant's comment shows the weighted sum.
"""

from datetime import date

import pytest

from exam.sessions.roster.contact import PhoneError, mask_mobile, mobile
from exam.sessions.roster.idcard import (
    CHECK_CHARACTERS, FEMALE, MALE, PROVINCES, WEIGHTS, IdCard, IdCardError, check, check_character, mask,
    normalise,
)

TODAY = date(2024, 6, 1)

# GB 11643-1999 附录 A's own example (北京市朝阳区, 1949-12-31, 002 = female):
# 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 → "X".
STANDARD_EXAMPLE = "11010519491231002X"
# 北京市东城区, 1990-01-01, 001 (male): 7+9+0+5+0+4+2+9+54+0+0+9+0+5+0+0+2 = 106; mod 11 = 7 → "5".
DONGCHENG_MAN = "110101199001010015"
# Same, 002 (female): 106 - 2 + 4 = 108; mod 11 = 9 → "3".
DONGCHENG_WOMAN = "110101199001010023"
# 南京市玄武区, 2000-02-29 (a leap day), 004 (female):
# 21+18+0+5+0+8+4+0+0+0+0+18+20+45+0+0+8 = 147; mod 11 = 4 → "8".
LEAP_DAY = "320102200002290048"
# 乌鲁木齐市天山区, 1985-11-30, 123 (male): 42+45+0+5+0+8+2+9+48+15+7+9+30+0+8+8+6 = 242; mod 11 = 0 → "1".
URUMQI = "650102198511301231"
# 深圳市, 1995-06-15, 007 (male): 28+36+0+15+0+4+2+9+54+15+0+54+10+25+0+0+14 = 266; mod 11 = 2 → "X".
SHENZHEN_X = "44030119950615007X"
# GB 11643-1999 附录 A's second example (广东省汕头市, 1880-01-01): checksum right (195 mod 11 = 8 → "4"),
# but nobody born in 1880 sits an exam.
STANDARD_OLD = "440524188001010014"


def message(raw, today=TODAY):
    with pytest.raises(IdCardError) as info:
        check(raw, today)
    return str(info.value)


def with_check(body):
    return body + check_character(body)


# ---------------------------------------------------------------- the algorithm

def test_weights_are_powers_of_two_mod_11():
    assert WEIGHTS == tuple(2 ** (17 - i) % 11 for i in range(17))
    assert CHECK_CHARACTERS == "10X98765432"


@pytest.mark.parametrize("number", [STANDARD_EXAMPLE, DONGCHENG_MAN, DONGCHENG_WOMAN, LEAP_DAY, URUMQI,
                                    SHENZHEN_X, STANDARD_OLD])
def test_check_character_matches_hand_computed(number):
    assert check_character(number[:17]) == number[17]


def test_check_character_wants_seventeen_digits():
    with pytest.raises(ValueError):
        check_character("1101011990")


# ---------------------------------------------------------------- valid numbers

@pytest.mark.parametrize("number, birth, sex, province", [
    (STANDARD_EXAMPLE, date(1949, 12, 31), FEMALE, "11"),
    (DONGCHENG_MAN, date(1990, 1, 1), MALE, "11"),
    (DONGCHENG_WOMAN, date(1990, 1, 1), FEMALE, "11"),
    (LEAP_DAY, date(2000, 2, 29), FEMALE, "32"),
    (URUMQI, date(1985, 11, 30), MALE, "65"),
    (SHENZHEN_X, date(1995, 6, 15), MALE, "44"),
])
def test_valid_numbers(number, birth, sex, province):
    card = check(number, TODAY)
    assert card == IdCard(number=number, birth_date=birth, sex=sex, province_code=province)


def test_province_name_and_mask_on_the_card():
    card = check(URUMQI, TODAY)
    assert card.province == "新疆维吾尔自治区"
    assert card.masked == "650102********1231"


def test_lower_case_x_is_upper_cased():
    assert check("11010519491231002x", TODAY).number == STANDARD_EXAMPLE


def test_full_width_digits_and_spaces_are_normalised():
    full_width = "　１１０１０５１９４９１２３１００２ｘ "     # ideographic space, full-width digits and ｘ
    assert normalise(full_width) == STANDARD_EXAMPLE
    assert check(full_width, TODAY).number == STANDARD_EXAMPLE
    assert check(" 110101 19900101 0015\t", TODAY).number == DONGCHENG_MAN


def test_every_listed_province_code_is_accepted():
    expected = ({str(n) for n in range(11, 16)} | {"21", "22", "23"} | {str(n) for n in range(31, 38)}
                | {str(n) for n in range(41, 47)} | {str(n) for n in range(50, 55)}
                | {str(n) for n in range(61, 66)} | {"71", "81", "82", "83", "91"})
    assert set(PROVINCES) == expected
    for code in expected:
        assert check(with_check(code + "010119900101001"), TODAY).province_code == code


def test_age_boundaries_are_inclusive():
    assert check(with_check("11010120080601001"), TODAY).birth_date == date(2008, 6, 1)   # 16 today
    assert check(with_check("11010119240601001"), TODAY).birth_date == date(1924, 6, 1)   # 100 today


# ---------------------------------------------------------------- failures, one message each

def test_empty():
    assert message("") == "身份证号不能为空"
    assert message("   ") == "身份证号不能为空"
    assert message(None) == "身份证号不能为空"


def test_wrong_length():
    assert message(DONGCHENG_MAN[:17]) == "身份证号应为 18 位，实际 17 位"
    assert message(DONGCHENG_MAN + "1") == "身份证号应为 18 位，实际 19 位"


def test_old_fifteen_digit_number_gets_a_hint():
    assert message("110101900101001") == "身份证号应为 18 位，实际 15 位（15 位的旧号码已停用，请填写 18 位号码）"


def test_excel_scientific_notation():
    assert "被 Excel 当作数字保存" in message("1.10101E+17")
    assert "文本" in message("1.10101E+17")


def test_letter_among_the_first_seventeen():
    assert message("1101011990O101001X") == "第 11 位应为数字，实际为“O”"


def test_bad_last_character():
    assert message("11010119900101001A") == "第 18 位应为数字或 X，实际为“A”"


def test_wrong_check_character():
    assert message("110105194912310023") == "第 18 位校验码应为 X，实际为 3"
    assert message("110101199001010016") == "第 18 位校验码应为 5，实际为 6"
    assert message("11010119900101001X") == "第 18 位校验码应为 5，实际为 X"


def test_unknown_province():
    assert message(with_check("99010119900101001")) == "地区码 99 不是有效的省级行政区代码"
    assert message(with_check("00010119900101001")) == "地区码 00 不是有效的省级行政区代码"
    assert message(with_check("16010119900101001")) == "地区码 16 不是有效的省级行政区代码"


@pytest.mark.parametrize("digits", ["19900230", "19901301", "19900100", "19900431", "20230229"])
def test_impossible_birth_date(digits):
    assert message(with_check("110101" + digits + "001")) == f"出生日期 {digits} 不存在"


def test_birth_date_in_the_future():
    assert message(with_check("11010120300101001")) == "出生日期晚于今天"
    assert message(with_check("11010120240602001")) == "出生日期晚于今天"


def test_too_young():
    assert message(with_check("11010120080602001")) == "按出生日期 2008-06-02 计算年龄为 15 岁，未满 16 岁"
    assert message(with_check("11010120240601001")) == "按出生日期 2024-06-01 计算年龄为 0 岁，未满 16 岁"


def test_too_old():
    assert message(STANDARD_OLD) == "按出生日期 1880-01-01 计算年龄为 144 岁，超过 100 岁，请核对出生日期"


def test_age_depends_on_today():
    assert check(DONGCHENG_MAN, date(2006, 1, 1)).number == DONGCHENG_MAN
    assert "未满 16 岁" in message(DONGCHENG_MAN, date(2005, 12, 31))


# ---------------------------------------------------------------- masking

def test_mask_keeps_first_six_and_last_four():
    assert mask(DONGCHENG_MAN) == "110101********0015"
    assert mask(STANDARD_EXAMPLE) == "110105********002X"
    assert len(mask(DONGCHENG_MAN)) == 18


def test_mask_hides_short_strings_entirely():
    assert mask("12345") == "*****"
    assert mask("") == ""


# ---------------------------------------------------------------- mobile phones

@pytest.mark.parametrize("raw", [
    "13800138000",
    " 13800138000 ",
    "138 0013 8000",
    "138-0013-8000",
    "138.0013.8000",
    "+86 138 0013 8000",
    "+86-13800138000",
    "+8613800138000",
    "(+86) 138 0013 8000",
    "0086 13800138000",
    "0086-138-0013-8000",
    "8613800138000",
    "１３８００１３８０００",                 # full-width digits
    "＋８６　１３８－００１３－８０００",      # full-width plus, ideographic space, full-width hyphen
    "138—0013—8000",                      # em dashes
])
def test_mobile_forms(raw):
    assert mobile(raw) == "13800138000"


@pytest.mark.parametrize("number", ["13012345678", "14512345678", "15912345678", "16612345678",
                                    "17712345678", "18812345678", "19912345678"])
def test_mobile_ranges_13_to_19(number):
    assert mobile(number) == number


@pytest.mark.parametrize("raw, reason", [
    ("", "手机号不能为空"),
    ("   ", "手机号不能为空"),
    (None, "手机号不能为空"),
    ("1380013800", "手机号应为 11 位，实际 10 位"),
    ("138001380001", "手机号应为 11 位，实际 12 位"),
    ("+86 138 0013 800", "手机号应为 11 位，实际 10 位"),
    ("12800138000", "手机号应以 13–19 开头，实际以 12 开头"),
    ("010-12345678", "手机号应以 13–19 开头，实际以 01 开头"),
    ("23800138000", "手机号应以 13–19 开头，实际以 23 开头"),
    ("138a0013800", "手机号只能包含数字，实际含有“a”"),
    ("138/0013/8000", "手机号只能包含数字，实际含有“/”"),
    ("+1 415 555 0100", "只支持中国大陆手机号（+86），实际为 +1 415 555 0100"),
])
def test_mobile_failures(raw, reason):
    with pytest.raises(PhoneError) as info:
        mobile(raw)
    assert str(info.value) == reason


def test_mask_mobile():
    assert mask_mobile("13800138000") == "138****8000"
    assert mask_mobile("123") == "***"
