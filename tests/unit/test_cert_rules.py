"""The certificate issue rule, expiry, numbering and the shared view, without a database."""

from __future__ import annotations

import datetime as dt
import json
from fractions import Fraction

import pytest

from certificates import numbering, rules
from certificates.view import (EXPIRED, REVOKED, SIGNED_FIELDS, VALID, CertificateView, decimal_text, mask_id,
                               status_on)
from exam import standard
from exam.sessions.results.table import ABSENT, DONE, Part, ResultRow

PASS_T, PASS_P, SPEED = standard.THEORY_PASS_MARK, standard.PRACTICAL_PASS_MARK, standard.TYPING_CHARS_PER_MINUTE


def row(cid, theory, practical, cpm, typing_ok=None):
    """A results row as the read model gives it, with verdicts from the standard."""
    t = Part(DONE, 1, Fraction(theory), standard.theory_passed(theory)) if theory is not None else Part(ABSENT, passed=False)
    p = Part(DONE, 2, Fraction(practical), standard.practical_passed(practical))
    ok = standard.typing_passed(cpm) if typing_ok is None else typing_ok
    y = Part(DONE, 3, passed=ok, net_cpm=cpm, accuracy=0.99)
    return ResultRow(cid, cid, f"u{cid}", f"考生{cid}", None, t, p, y, True)


def test_only_candidates_who_passed_all_three_parts_are_granted():
    rows = [row(1, PASS_T, PASS_P, SPEED),                     # exactly at every line: granted
            row(2, PASS_T - 0.5, 90, 80),                       # theory just under
            row(3, 90, PASS_P - Fraction(1, 10), 80),           # practical just under
            row(4, 90, 90, SPEED - 0.1),                        # typing too slow
            row(5, 90, 90, 80, typing_ok=False),                # fast but failed on accuracy
            row(6, None, 90, 80),                               # absent from theory
            row(7, Fraction(171, 2), Fraction(723, 10), 61.25)]
    granted = rules.grants("junior", rows)
    assert [g.candidate_id for g in granted] == [1, 7]
    assert granted[1] == rules.Grant(7, "junior", Fraction(171, 2), Fraction(723, 10), 61.25)


def test_undecided_rows_are_not_granted():
    undecided = ResultRow(9, 9, "u9", "考生9", None, Part("pending", 1, None, None),
                          Part(DONE, 2, Fraction(90), True), Part(DONE, 3, passed=True, net_cpm=70), False)
    assert rules.grants("senior", [undecided]) == []


@pytest.mark.parametrize("issued, years, expires", [
    (dt.date(2026, 5, 1), 3, dt.date(2029, 4, 30)),
    (dt.date(2026, 1, 1), 1, dt.date(2026, 12, 31)),
    (dt.date(2028, 2, 29), 3, dt.date(2031, 2, 27)),
    (dt.date(2028, 2, 29), 4, dt.date(2032, 2, 28)),
])
def test_expiry_is_the_day_before_the_anniversary(issued, years, expires):
    assert rules.expires_on(issued, years) == expires


def test_expiry_needs_at_least_a_year():
    with pytest.raises(ValueError, match="至少 1 年"):
        rules.expires_on(dt.date(2026, 1, 1), 0)


def test_settings_come_from_config_then_environment(monkeypatch):
    assert rules.settings({"CERTIFICATE_VALID_YEARS": 5, "CERTIFICATE_ISSUER": "某考点", "TIMEZONE": "UTC"}) \
        == (5, "某考点", "UTC")
    monkeypatch.setenv("CALLEXAM_CERTIFICATE_VALID_YEARS", "2")
    assert rules.settings({}) == (2, rules.DEFAULT_ISSUER, rules.DEFAULT_TIMEZONE)
    monkeypatch.delenv("CALLEXAM_CERTIFICATE_VALID_YEARS")
    assert rules.settings({})[0] == rules.DEFAULT_VALID_YEARS == 3


def test_config_has_the_default_validity(tmp_path, monkeypatch):
    from exam import config
    monkeypatch.delenv("CALLEXAM_CERTIFICATE_VALID_YEARS", raising=False)
    assert config.load({"INSTANCE_PATH": str(tmp_path)})["CERTIFICATE_VALID_YEARS"] == 3


def test_numbers_say_occupation_year_level_and_serial():
    assert numbering.number("junior", 2026, 123) == "HJ-2026-C-000123"
    assert numbering.number("intermediate", 2027, 1) == "HJ-2027-Z-000001"
    assert numbering.number("senior", 2026, 999999) == "HJ-2026-G-999999"
    assert set(numbering.LEVEL_LETTERS) == set(standard.LEVELS)
    assert len(set(numbering.LEVEL_LETTERS.values())) == len(standard.LEVELS)


def test_typed_numbers_are_normalised_and_parsed():
    assert numbering.normalise(" ｈｊ－２０２６－ｃ－０００１２３ ") == "HJ-2026-C-000123"
    assert numbering.normalise("hj—2026—g—000007") == "HJ-2026-G-000007"
    assert numbering.parse("hj-2026-z-000042") == (2026, "intermediate", 42)
    assert numbering.parse("HJ-2026-X-000042") is None
    assert numbering.parse("HJ-2026-C-42") is None


@pytest.mark.parametrize("raw, masked", [
    ("11010119900307123X", "110***********123X"),
    ("110101199003071234", "110***********1234"),
    ("1234567", "*******"),
    ("", ""),
    (None, ""),
])
def test_the_id_number_keeps_the_first_three_and_last_four(raw, masked):
    assert mask_id(raw) == masked


@pytest.mark.parametrize("value, text", [
    (Fraction(171, 2), "85.5"), (Fraction(86), "86"), (86.0, "86"), (61.25, "61.3"), (Fraction(2, 3), "0.7"),
    (100, "100"), (None, ""),
])
def test_scores_are_printed_with_one_decimal_at_most(value, text):
    assert decimal_text(value) == text


def _view(**kw):
    base = dict(number="HJ-2026-C-000001", holder_name="张三", id_masked="110***********123X", level_code="junior",
                level_name="初级", theory_score="85.5", practical_score="72", typing_cpm="61.3",
                issued_on=dt.date(2026, 5, 1), expires_on=dt.date(2029, 4, 30), issuer="callexam 演示考点")
    return CertificateView(**{**base, **kw})


def test_the_signed_fields_are_everything_but_the_status_and_json_ready():
    view = _view(status=REVOKED)
    fields = view.fields()
    assert tuple(fields) == SIGNED_FIELDS and "status" not in fields
    assert fields["issued_on"] == "2026-05-01" and fields["expires_on"] == "2029-04-30"
    assert json.loads(json.dumps(fields, sort_keys=True)) == fields
    again = CertificateView.from_fields(fields)
    assert again == view.with_status(VALID) and again.status_name == "有效"
    with pytest.raises(ValueError, match="缺少字段：姓名|缺少字段：holder_name"):
        CertificateView.from_fields({k: v for k, v in fields.items() if k != "holder_name"})


def test_status_revoked_beats_expired_and_expiry_day_is_still_valid():
    end = dt.date(2029, 4, 30)
    assert status_on(False, end, end) == VALID
    assert status_on(False, end, end + dt.timedelta(days=1)) == EXPIRED
    assert status_on(True, end, end) == REVOKED
    assert status_on(True, end, end + dt.timedelta(days=9)) == REVOKED
