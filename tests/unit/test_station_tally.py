"""KeyTally and token_for with hand-made events: no display, no pynput."""

from __future__ import annotations

import datetime as dt
import enum
import types

import pytest

from typing_test.station_tally import KeyTally, interval_stats, iso_utc, percentile, token_for

T0 = dt.datetime(2026, 11, 23, 3, 0, 0, tzinfo=dt.timezone.utc)
T1 = T0 + dt.timedelta(seconds=15)


def typed(tally: KeyTally, tokens, start=0.0, step=0.1, injected=False):
    """Press and release each token in turn, ``step`` seconds apart; returns the next free time."""
    t = start
    for token in tokens:
        tally.press(token, t, injected)
        tally.release(token, t + step / 2)
        t += step
    return t


def chord(tally: KeyTally, modifier: str, key: str, t: float) -> float:
    tally.press(modifier, t)
    tally.press(key, t + 0.05)
    tally.release(key, t + 0.1)
    tally.release(modifier, t + 0.15)
    return t + 0.2


def test_counts_and_shape():
    tally = KeyTally()
    typed(tally, ["char", "char", "space", "c", "v", "other", "shift", "char"])
    out = tally.summary(T0, T1, activity="typing", attempt_id=12)
    assert out == {
        "activity": "typing", "attempt_id": 12,
        "window_start": "2026-11-23T03:00:00.000Z", "window_end": "2026-11-23T03:00:15.000Z",
        "keystrokes": 8, "char_keys": 6, "injected": 0,
        "intervals": {"count": 7, "median_ms": 100.0, "p10_ms": 100.0, "p90_ms": 100.0, "under_30ms": 0},
        "shortcuts": {"alt_tab": 0, "win": 0, "ctrl_c": 0, "ctrl_v": 0, "print_screen": 0},
    }


def test_summary_starts_a_new_window():
    tally = KeyTally()
    typed(tally, ["char"] * 5)
    tally.press("print_screen", 1.0)
    assert tally.summary(T0, T1)["keystrokes"] == 6
    empty = tally.summary(T1, T1 + dt.timedelta(seconds=15))
    assert empty["keystrokes"] == empty["char_keys"] == 0
    assert empty["intervals"] == {"count": 0, "median_ms": None, "p10_ms": None, "p90_ms": None,
                                  "under_30ms": 0}
    assert set(empty["shortcuts"].values()) == {0}
    assert "activity" not in empty and "attempt_id" not in empty


def test_intervals_between_consecutive_presses():
    tally = KeyTally()
    for t in (0.0, 0.010, 0.030, 0.130, 0.330, 0.730):  # gaps 10, 20, 100, 200, 400 ms
        tally.press("char", t)
        tally.release("char", t + 0.005)
    stats = tally.summary(T0, T1)["intervals"]
    assert stats == {"count": 5, "median_ms": 100.0, "p10_ms": 10.0, "p90_ms": 400.0, "under_30ms": 2}


def test_gap_across_window_boundary_counts_in_the_later_window():
    tally = KeyTally()
    tally.press("char", 1.0)
    assert tally.summary(T0, T1)["intervals"]["count"] == 0
    tally.press("char", 1.25)
    assert tally.summary(T1, T1)["intervals"]["median_ms"] == 250.0


def test_percentiles_are_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([7.0], 10) == 7.0
    values = [float(v) for v in range(1, 11)]  # 1..10
    assert (percentile(values, 10), percentile(values, 90), percentile(values, 100)) == (1.0, 9.0, 10.0)
    assert interval_stats([4.0, 1.0, 3.0, 2.0])["median_ms"] == 2.5  # mean of the two middle values


@pytest.mark.parametrize("modifier,key,name", [
    ("alt", "tab", "alt_tab"), ("ctrl", "c", "ctrl_c"), ("ctrl", "v", "ctrl_v"),
])
def test_each_chord_shortcut(modifier, key, name):
    tally = KeyTally()
    chord(tally, modifier, key, 0.0)
    out = tally.summary(T0, T1)
    assert out["shortcuts"][name] == 1
    assert sum(out["shortcuts"].values()) == 1
    assert out["keystrokes"] == 2
    assert out["char_keys"] == 0  # with Ctrl or Alt held a letter is a command, not text


def test_single_key_shortcuts_and_win_autorepeat():
    tally = KeyTally()
    typed(tally, ["print_screen", "print_screen", "cmd"])
    tally.press("cmd", 1.0)
    tally.press("cmd", 1.03)  # auto-repeat while held: a keystroke, not a second Win press
    tally.release("cmd", 1.1)
    out = tally.summary(T0, T1)
    assert out["shortcuts"] == {"alt_tab": 0, "win": 2, "ctrl_c": 0, "ctrl_v": 0, "print_screen": 2}
    assert out["keystrokes"] == 5


def test_alt_tab_counts_each_tab_while_alt_held():
    tally = KeyTally()
    tally.press("alt", 0.0)
    typed(tally, ["tab", "tab", "tab"], start=0.1)
    tally.release("alt", 1.0)
    tally.press("tab", 1.1)  # Alt released: a plain Tab
    assert tally.summary(T0, T1)["shortcuts"]["alt_tab"] == 3


def test_letters_without_ctrl_are_text_and_shift_does_not_make_a_chord():
    tally = KeyTally()
    typed(tally, ["c", "v"])
    tally.press("shift", 1.0)
    typed(tally, ["c", "v"], start=1.1)  # capital C, V
    out = tally.summary(T0, T1)
    assert out["shortcuts"]["ctrl_c"] == out["shortcuts"]["ctrl_v"] == 0
    assert out["char_keys"] == 4


def test_modifiers_held_across_windows():
    tally = KeyTally()
    tally.press("ctrl", 0.0)
    tally.press("alt", 0.01)
    first = tally.summary(T0, T1)
    assert first["keystrokes"] == 2 and first["shortcuts"]["ctrl_c"] == 0
    tally.press("c", 20.0)
    tally.press("tab", 20.1)
    second = tally.summary(T1, T1)
    assert second["shortcuts"]["ctrl_c"] == 1 and second["shortcuts"]["alt_tab"] == 1
    assert second["keystrokes"] == 2
    tally.release("ctrl", 21.0)
    tally.release("alt", 21.0)
    tally.press("c", 21.1)
    assert tally.summary(T1, T1)["shortcuts"]["ctrl_c"] == 0


def test_inactive_tracks_modifiers_but_counts_nothing():
    tally = KeyTally(active=False)
    tally.press("ctrl", 0.0)
    typed(tally, ["char", "char"], start=0.1)
    tally.active = True
    tally.press("v", 5.0)  # Ctrl pressed before the exam started and still held
    out = tally.summary(T0, T1)
    assert out["keystrokes"] == 1 and out["shortcuts"]["ctrl_v"] == 1
    assert out["intervals"]["count"] == 0  # no gap reaching back into the inactive time


def test_injected_and_unknown_tokens():
    tally = KeyTally()
    typed(tally, ["char", "char"], injected=True)
    typed(tally, ["char", "f5"], start=1.0)  # unknown tokens are "other"
    out = tally.summary(T0, T1)
    assert (out["keystrokes"], out["injected"], out["char_keys"]) == (4, 2, 3)


def test_iso_utc():
    beijing = dt.timezone(dt.timedelta(hours=8))
    assert iso_utc(dt.datetime(2026, 11, 23, 11, 0, 0, 123456, tzinfo=beijing)) == "2026-11-23T03:00:00.123Z"
    assert iso_utc("2026-11-23T03:00:00Z") == "2026-11-23T03:00:00Z"
    with pytest.raises(ValueError):
        iso_utc(dt.datetime(2026, 11, 23))


# --- token_for with a stand-in for the pynput.keyboard module ------------------------------------

FakeKey = enum.Enum("FakeKey", "alt alt_l alt_r alt_gr ctrl ctrl_r shift shift_r cmd cmd_r tab space "
                               "print_screen enter backspace")


class FakeKeyCode:
    def __init__(self, char=None, vk=None):
        self.char, self.vk = char, vk


KEYBOARD = types.SimpleNamespace(Key=FakeKey, KeyCode=FakeKeyCode)


def lower(key):
    return FakeKeyCode(key.char.lower(), key.vk) if key.char else key


@pytest.mark.parametrize("key,token", [
    (FakeKey.alt_l, "alt"), (FakeKey.alt_r, "alt"), (FakeKey.alt_gr, "other"), (FakeKey.ctrl_r, "ctrl"),
    (FakeKey.shift, "shift"), (FakeKey.cmd_r, "cmd"), (FakeKey.tab, "tab"), (FakeKey.space, "space"),
    (FakeKey.print_screen, "print_screen"), (FakeKey.enter, "other"), (FakeKey.backspace, "other"),
    (FakeKeyCode("a", 0x61), "char"), (FakeKeyCode("中"), "char"), (FakeKeyCode("5"), "char"),
    (FakeKeyCode(" "), "space"), (FakeKeyCode("c", 0x63), "c"), (FakeKeyCode("C", 0x43), "c"),
    (FakeKeyCode("v", 0x76), "v"), (FakeKeyCode("V"), "v"),
    (FakeKeyCode("\x03", 0x43), "c"), (FakeKeyCode("\x16", 0x56), "v"),  # Windows: Ctrl+C / Ctrl+V
    (FakeKeyCode("\x01", 0x41), "other"), (FakeKeyCode(None, 0x43), "c"), (FakeKeyCode(None, 0xFFBE), "other"),
    (None, "other"),
])
def test_token_for(key, token):
    assert token_for(key, KEYBOARD) == token
    assert token_for(key, KEYBOARD, canonical=lower) == token


def test_token_for_survives_a_failing_canonical():
    def broken(key):
        raise RuntimeError("boom")
    assert token_for(FakeKeyCode("C"), KEYBOARD, canonical=broken) == "c"
