import pytest

from question_bank.normalise import matches, normalise_answer


@pytest.mark.parametrize("typed,expected", [
    ("８０／２０", "80/20"),            # full-width digits and slash from a Chinese IME
    ("  服务水平\u3000 80/20  ", "服务水平 80/20"),  # ideographic space, stray spaces
    ("ＡＨＴ", "aht"),                  # full-width letters, case-folded
    ("Erlang\tC", "erlang c"),
    ("您好，请讲。", "您好,请讲。"),    # full-width comma folds; the ideographic full stop has no twin
])
def test_normalise_answer(typed, expected):
    assert normalise_answer(typed) == expected


def test_matches_any_accepted_answer_after_normalising_both_sides():
    accepted = ["80/20", "八十/二十"]
    assert matches("８０／２０", accepted)
    assert matches(" 八十/二十 ", accepted)
    assert not matches("80/30", accepted)
    assert not matches("   ", accepted)  # a blank answer is never right
    assert matches("您好,请讲", ["您好，请讲"])  # full-width and half-width comma are the same answer
    assert not matches("您好.请讲", ["您好。请讲"])  # but a Latin full stop is not the ideographic one
