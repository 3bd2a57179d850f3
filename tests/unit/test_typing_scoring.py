"""The typing scoring engine on hand-made cases, each worked out by hand in its comment."""

from __future__ import annotations

import pytest

from exam import standard
from typing_test.normalise import normalise
from typing_test.scoring import CORRECT, EXTRA, MISSING, UNTYPED, WRONG, score

LINE1 = "您好，很高兴为您服务，请问有什么可以帮您？"  # 21 characters
LINE2 = "请您稍等，我马上为您查询相关信息。"  # 17
LINE3 = "感谢您的耐心等待，您的问题已经为您记录并转交专人处理。"  # 27
PASSAGE = "\n".join([LINE1, LINE2, LINE3])
PASSAGE_CHARS = 21 + 17 + 27
PASSAGE_HAN = 18 + 15 + 25  # without the seven punctuation marks


def kinds(result):
    return [(s.kind, s.expected, s.typed) for s in result.segments]


def test_line_lengths_are_what_the_comments_say():
    assert [len(LINE1), len(LINE2), len(LINE3)] == [21, 17, 27]


def test_perfect_copy_in_one_minute():
    r = score(PASSAGE, PASSAGE, 60, 60)
    assert (r.correct_chars, r.typed_chars, r.accuracy) == (PASSAGE_CHARS, PASSAGE_CHARS, 1.0)
    assert r.net_cpm == r.gross_cpm == r.correct_han == PASSAGE_HAN  # speed counts Han characters only
    assert kinds(r) == [(CORRECT, normalise(PASSAGE), normalise(PASSAGE))]


def test_speed_is_per_minute_of_the_seconds_given():
    r = score(LINE1, LINE1, 30, 30)  # 18 correct Han characters (of 21) in half a minute
    assert r.net_cpm == pytest.approx(36.0) and r.gross_cpm == pytest.approx(36.0)


def test_substitutions_cost_the_wrong_characters_only():
    typed = LINE1.replace("高兴", "高星").replace("帮您", "邦您")  # two wrong characters
    r = score(LINE1, typed, 60, 60)
    assert (r.correct_chars, r.wrong_chars, r.typed_chars) == (19, 2, 21)
    assert r.accuracy == pytest.approx(19 / 21)
    assert [(k, e, t) for k, e, t in kinds(r) if k == WRONG] == [(WRONG, "兴", "星"), (WRONG, "帮", "邦")]


def test_omitted_characters_are_missing_and_do_not_lower_accuracy():
    typed = LINE1.replace("很高兴", "高兴")  # 很 left out
    r = score(LINE1, typed, 60, 60)
    assert (r.correct_chars, r.missing_chars, r.typed_chars, r.accuracy) == (20, 1, 20, 1.0)
    assert (MISSING, "很", "") in kinds(r)


def test_inserted_characters_are_extra_and_lower_accuracy():
    typed = LINE1.replace("服务", "服务了")
    r = score(LINE1, typed, 60, 60)
    assert (r.correct_chars, r.extra_chars, r.typed_chars) == (21, 1, 22)
    assert r.accuracy == pytest.approx(21 / 22)
    assert (EXTRA, "", "了") in kinds(r)


def test_a_skipped_line_costs_only_itself():
    r = score(PASSAGE, LINE1 + LINE3, 60, 60)
    assert r.correct_chars == 21 + 27 and r.accuracy == 1.0
    assert r.missing_chars == 17 and r.untyped_chars == 0
    assert [k for k, _, _ in kinds(r)] == [CORRECT, MISSING, CORRECT]


def test_a_repeated_line_costs_only_itself():
    r = score(PASSAGE, LINE1 + LINE1 + LINE2 + LINE3, 60, 60)
    assert r.correct_chars == PASSAGE_CHARS and r.extra_chars == 21
    assert r.accuracy == pytest.approx(PASSAGE_CHARS / (PASSAGE_CHARS + 21))


def test_an_unfinished_passage_is_not_punished_for_the_untyped_tail():
    r = score(PASSAGE, LINE1 + "请您稍等", 60, 60)
    assert (r.correct_chars, r.typed_chars, r.accuracy) == (25, 25, 1.0)
    assert r.missing_chars == 0 and r.untyped_chars == PASSAGE_CHARS - 25
    assert kinds(r)[-1][0] == UNTYPED


def test_a_wrong_last_character_is_wrong_where_it_was_typed_not_matched_far_ahead():
    # "的" appears later in the passage; a plain global alignment would skip 20 characters to
    # match it there and call them missing. The candidate typed it in place of "马".
    typed = LINE1 + "请您稍等，我的"
    r = score(PASSAGE, typed, 60, 60)
    assert (r.correct_chars, r.wrong_chars, r.missing_chars) == (27, 1, 0)
    assert (WRONG, "马", "的") in kinds(r)


def test_stopping_after_a_phrase_the_passage_repeats_later_leaves_the_rest_untyped():
    # "感谢您的来电" occurs twice; the candidate stops after the first, with a typo just before it.
    # Matching it to the second occurrence costs the same edits; it must stay where it was typed.
    passage = "您好，这里是客服中心。感谢您的来电，请问您要办理什么业务？我们为您处理完毕，再次感谢您的来电。"
    typed = "您好，这里是客服重心。感谢您的来电"
    r = score(passage, typed, 60, 60)
    assert (r.correct_chars, r.wrong_chars, r.missing_chars) == (16, 1, 0)
    assert r.untyped_chars == len(normalise(passage)) - 17
    assert "".join(s.typed for s in r.segments) == normalise(typed)


def test_an_extra_character_at_the_very_end_is_kept():
    r = score(LINE1 + LINE2, LINE1 + "吗", 60, 60)
    assert "".join(s.typed for s in r.segments) == normalise(LINE1) + "吗"
    assert r.correct_chars == 21 and r.typed_chars == 22


def test_full_width_and_half_width_punctuation_are_the_same_character():
    half = LINE1.replace("，", ",").replace("？", "?")
    r = score(LINE1, half, 60, 60)
    assert r.correct_chars == 21 and r.accuracy == 1.0


def test_punctuation_counts_as_characters():
    r = score(LINE1, LINE1.replace("，", "").replace("？", ""), 60, 60)  # three marks left out
    assert r.correct_chars == 18 and r.missing_chars == 2 and r.untyped_chars == 1


def test_line_breaks_and_spaces_are_not_characters():
    r = score(PASSAGE, LINE1 + "\n\n" + " ".join(LINE2) + "\r\n" + LINE3 + "\u3000", 60, 60)
    assert r.correct_chars == r.typed_chars == PASSAGE_CHARS


def test_empty_input_scores_zero_and_fails():
    r = score(PASSAGE, "", 600, 600)
    assert (r.correct_chars, r.typed_chars, r.net_cpm, r.accuracy, r.passed) == (0, 0, 0.0, 0.0, False)
    assert kinds(r) == [(UNTYPED, r.segments[0].expected, "")] and r.untyped_chars == PASSAGE_CHARS


def test_zero_seconds_gives_zero_speed_not_an_error():
    r = score(PASSAGE, LINE1, 0, 0)
    assert (r.net_cpm, r.gross_cpm, r.passed) == (0.0, 0.0, False)
    assert r.correct_chars == 21 and r.accuracy == 1.0


def test_garbage_with_no_anchor_is_wrong_not_scattered_matches():
    r = score(PASSAGE, "abcdefg", 60, 60)
    assert "".join(s.typed for s in r.segments) == "abcdefg"
    assert r.correct_chars == 0 and r.typed_chars == 7 and r.missing_chars == 0


def test_pass_needs_both_the_standard_speed_and_the_minimum_accuracy():
    needed = standard.TYPING_CHARS_PER_MINUTE
    text = ("您好请问有什么可以帮您" * 20)[:needed]
    assert score(text, text, 60, 60).passed
    assert not score(text, text[:-1], 60, 60).passed  # one character short of the speed
    typo = text[:10] + "错" + text[11:]
    fast = score(text, typo, 30, 30)  # twice the speed but 49/50 accuracy = 98 %
    assert fast.passed and fast.accuracy == pytest.approx(0.98)
    assert not score(text, typo, 30, 30, min_accuracy=0.99).passed


def test_segments_reassemble_both_texts():
    typed = LINE1.replace("很", "") + "多余" + LINE2.replace("马上", "码上") + LINE3[:5]
    r = score(PASSAGE, typed, 60, 60)
    assert "".join(s.expected for s in r.segments) == normalise(PASSAGE)
    assert "".join(s.typed for s in r.segments) == normalise(typed)


def test_invariants_hold_on_random_mistakes():
    import random
    rng = random.Random(5)
    ref = normalise(PASSAGE * 3)
    for _ in range(300):
        chars = list(ref[: rng.randrange(0, len(ref) + 1)])
        for _ in range(rng.randrange(0, 8)):
            if not chars:
                break
            at = rng.randrange(len(chars))
            action = rng.choice("swap drop add")
            if action == "swap":
                chars[at] = rng.choice("的了是我您，。")
            elif action == "drop":
                del chars[at:at + rng.randrange(1, 12)]
            else:
                chars[at:at] = list(ref[rng.randrange(len(ref)):][:rng.randrange(1, 6)])
        typed = "".join(chars)
        r = score(ref, typed, 60, 60)
        assert "".join(s.expected for s in r.segments) == ref
        assert "".join(s.typed for s in r.segments) == typed
        assert r.correct_chars + r.wrong_chars + r.extra_chars == r.typed_chars == len(typed)
        assert 0 <= r.accuracy <= 1


# ---------------------------------------------------------------- the rule of issue 15

LONG = normalise(PASSAGE * 20)  # 1,160 Han characters: more than 10 minutes at 100 字/分


def test_speed_is_measured_over_the_time_limit_not_the_time_used():
    # 40 characters and 交卷 after 30 s of a 10-minute test: 40 ÷ 10 min, not 40 ÷ 0.5 min
    typed = LONG[:40]
    han = standard.han_count(typed)
    r = score(LONG, typed, 30, 600)
    assert r.used_seconds == 30 and r.seconds == 600 and not r.whole_passage
    assert r.net_cpm == pytest.approx(han / 10) and not r.passed and r.accuracy == 1.0


def test_only_the_whole_passage_is_timed_by_the_time_used():
    r = score(PASSAGE, PASSAGE, 60, 600)
    assert r.whole_passage and r.seconds == 60 and r.net_cpm == PASSAGE_HAN and r.passed
    # the time used never exceeds the limit
    assert score(PASSAGE, PASSAGE, 900, 600).seconds == 600


def test_the_first_and_last_lines_alone_are_not_the_whole_passage():
    # reaching the end is not enough: the middle skipped leaves far less than 95 % correct
    r = score(PASSAGE, LINE1 + LINE3, 20, 600)
    assert r.untyped_chars == 0 and not r.whole_passage and r.seconds == 600
    assert not r.passed


def test_punctuation_and_digits_count_for_accuracy_but_never_for_speed():
    heavy = "订单号：2026-1207-0042，电话：138-0013-8000（工作日9:00—18:00）。请核对：姓名、地址、邮编。"
    han = standard.han_count(heavy)
    assert han < len(normalise(heavy)) / 2  # a punctuation-heavy line
    r = score(heavy, heavy, 60, 60)
    assert r.correct_han == han and r.net_cpm == han and r.correct_chars == len(normalise(heavy))
    wrong_digit = heavy.replace("0042", "0043")
    r2 = score(heavy, wrong_digit, 60, 60)
    assert r2.correct_han == han and r2.accuracy < 1.0  # a wrong digit costs accuracy, not speed


def test_han_means_every_cjk_unified_ideograph_block():
    for char in ("中", "\u3400", "\U00020000", "\U0002A700", "\U0002B740", "\U0002B820", "\U0002CEB0",
                 "\U0002EBF0", "\U00030000", "\U00031350", "\U000323B0", "\uFA0E"):
        assert standard.is_han(char), hex(ord(char))
    for char in ("，", "。", "1", "a", "ー", "\u3007", "\u2F00", "\uF900"):
        assert not standard.is_han(char), hex(ord(char))


def test_the_alignment_shows_the_passages_own_punctuation():
    from typing_test.scoring import as_written
    typed = LINE1.replace("，", ",").replace("？", "?").replace("帮您", "邦您")
    r = score(LINE1, typed, 60, 60)
    shown = as_written(LINE1, typed, r.segments)
    assert "".join(s.expected for s in shown) == LINE1
    assert [s.typed for s in shown if s.kind == CORRECT][0].startswith("您好，很高兴")  # full-width kept
    assert [(s.expected, s.typed) for s in shown if s.kind == WRONG] == [("帮", "邦")]
