"""The keyboard monitor against a real X server (Xvfb) driven by xdotool, and the command's exit
code without a display.

xdotool injects through XTest, which X11 does not flag as injected, so ``injected`` stays 0 here;
the flag is exercised by the tally's unit tests.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.timezone.utc)


#: The monitor's clock in these tests: each key press it stamps is 50 ms after the one before, so the
#: intervals it reports are known exactly however busy the machine is (nothing here is timed).
STEP_MS = 50


@pytest.fixture
def monitor(xvfb, monkeypatch):
    monkeypatch.setenv("DISPLAY", xvfb)  # pynput and Xlib read it when they connect
    from typing_test.station_agent import KeyboardMonitor
    ticks = itertools.count()
    mon = KeyboardMonitor(clock=lambda: next(ticks) * STEP_MS / 1000)
    mon.start()
    yield mon
    mon.stop()


def xdotool(display: str, *args: str) -> None:
    subprocess.run(["xdotool", *args], check=True, timeout=20, env={**os.environ, "DISPLAY": display})


def settle(monitor, expected_keystrokes: int, timeout: float = 5.0) -> None:
    """The listener thread receives events a little after xdotool returns."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with monitor._lock:
            if monitor._tally.keystrokes >= expected_keystrokes:
                break
        time.sleep(0.02)
    time.sleep(0.1)  # and nothing more should arrive


def spy_on_joins(monkeypatch, listener) -> list[tuple[float, bool]]:
    """Records each ``join`` that ``stop()`` makes on the listener thread: its timeout and whether the
    listener had ended when it returned (False: the join gave up at its timeout). A join without a
    timeout fails at once instead of blocking: it would wait for the next key on the desk."""
    joins = []
    real = listener.join

    def join(timeout=None):
        assert timeout is not None, "stop() waits for the keyboard listener without a bound"
        real(timeout)
        joins.append((timeout, not listener.is_alive()))

    monkeypatch.setattr(listener, "join", join)
    return joins


def test_typing_and_forbidden_shortcuts_are_counted(xvfb, monitor, monkeypatch):
    monitor.set_active(True)
    xdotool(xvfb, "type", "--delay", "20", "hello world")
    xdotool(xvfb, "key", "alt+Tab", "ctrl+c", "ctrl+v", "super", "Print")
    settle(monitor, 19)
    listener = monitor._listener
    joins = spy_on_joins(monkeypatch, listener)
    monitor.stop()  # no extra key event is sent: stop() must not depend on one
    # The wake-up ended the listener inside stop()'s bounded join: without it the thread would still
    # be blocked in the X RECORD read, waiting for a key nobody pressed (the next test's fallback).
    assert joins and all(ended for _timeout, ended in joins)
    assert not listener.is_alive()
    out = monitor.take_summary(NOW, NOW, activity="typing", attempt_id=12)

    # 11 keys typed, then alt+Tab, ctrl+c, ctrl+v (two each), super, Print
    assert out["keystrokes"] == 11 + 8
    assert out["char_keys"] == 11  # "hello world"; c and v under Ctrl are commands, not text
    assert out["injected"] == 0
    assert out["shortcuts"] == {"alt_tab": 1, "win": 1, "ctrl_c": 1, "ctrl_v": 1, "print_screen": 1}
    gaps = out["intervals"]   # every press stamped by the monitor's clock, every gap reported
    assert gaps["count"] == out["keystrokes"] - 1
    assert gaps["p10_ms"] == gaps["median_ms"] == gaps["p90_ms"] == STEP_MS
    assert gaps["under_30ms"] == 0
    assert (out["activity"], out["attempt_id"]) == ("typing", 12)


def test_nothing_is_counted_while_inactive(xvfb, monitor):
    xdotool(xvfb, "type", "--delay", "10", "abc")
    xdotool(xvfb, "key", "ctrl+c")
    time.sleep(0.3)
    monitor.set_active(True)
    xdotool(xvfb, "key", "Print")
    settle(monitor, 1)
    out = monitor.take_summary(NOW, NOW)
    assert out["keystrokes"] == 1
    assert out["shortcuts"]["ctrl_c"] == 0 and out["shortcuts"]["print_screen"] == 1


def test_stop_falls_back_to_the_next_key_if_the_wake_up_fails(xvfb, monitor, monkeypatch):
    """Without our extra X connection pynput's listener only ends on the next key event (the pitfall):
    stop() must still return, and that key must not be counted."""
    import Xlib.display

    def refuse(*args, **kwargs):
        raise OSError("no connection for you")

    monitor.set_active(True)
    listener = monitor._listener
    joins = spy_on_joins(monkeypatch, listener)
    monkeypatch.setattr(Xlib.display, "Display", refuse)
    monitor.stop(timeout=0.3)
    # stop() returned with no key pressed: any wait it made was bounded and gave up, and the
    # listener is still blocked in the X RECORD read, a daemon thread that counts nothing
    assert all(not ended for _timeout, ended in joins)
    assert listener.is_alive() and listener.daemon and not monitor.alive
    xdotool(xvfb, "key", "shift")
    listener.join(2)
    assert not listener.is_alive()
    assert monitor.take_summary(NOW, NOW)["keystrokes"] == 0  # counting ended with stop()


def test_command_without_display_exits_2_with_a_chinese_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    result = subprocess.run([sys.executable, "-m", "exam.cli", "station", "--server", "http://127.0.0.1:9",
                             "--code", "X", "--state-dir", str(tmp_path)],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "未检测到图形界面" in result.stderr and "桌面会话" in result.stderr
    assert "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())  # nothing registered, nothing written
