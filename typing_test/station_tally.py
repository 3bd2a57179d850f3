"""Counting keystrokes for the exam-station agent, without knowing which keys were typed.

Privacy is the design constraint: the agent on a candidate's PC must never be a key logger. Every
key is reduced to a coarse *token* by ``token_for`` the moment it arrives, and ``KeyTally`` keeps
only counts, gaps between presses and shortcut counts. The only letters that survive are c and v,
and only because Ctrl+C / Ctrl+V must be told apart from other Ctrl chords; they are counted, never
stored in order.

Kept free of pynput (``token_for`` is handed the ``pynput.keyboard`` module) so it can be tested with
hand-made event sequences and imported without a display.

Tokens (anything else is treated as ``"other"``):

``"char"``          a key that types a printable character (letters other than c/v, digits, punctuation)
``"c"``, ``"v"``    the C and V letter keys, any case
``"space"``         the space bar
``"tab"``           Tab
``"print_screen"``  PrintScreen
``"alt"``, ``"ctrl"``, ``"shift"``, ``"cmd"``   modifiers, left and right alike (``cmd`` is Win/Super)
``"other"``         Enter, Backspace, arrows, function keys, AltGr, unmappable keys, ...
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import sys

MODIFIERS = frozenset({"alt", "ctrl", "shift", "cmd"})
CHAR_TOKENS = frozenset({"char", "c", "v", "space"})
TOKENS = MODIFIERS | CHAR_TOKENS | {"tab", "print_screen", "other"}

#: Gaps shorter than this are faster than anyone types by hand; many of them suggest pasted or
#: scripted input (or keys pressed as a chord, which is why it is a count and not a verdict).
FAST_GAP_MS = 30.0

SHORTCUTS = ("alt_tab", "win", "ctrl_c", "ctrl_v", "print_screen")

_KEY_TOKENS = {name: token for token in ("alt", "ctrl", "shift", "cmd")
               for name in (token, token + "_l", token + "_r")}
_KEY_TOKENS.update(tab="tab", space="space", print_screen="print_screen")
_CONTROL_LETTERS = {"\x03": "c", "\x16": "v"}  # what Windows and macOS report for C and V under Ctrl
_LETTER_VKS = {0x43: "c", 0x63: "c", 0x56: "v", 0x76: "v"}  # Windows VK_C/VK_V; X11 keysyms C c V v


def token_for(key, keyboard, canonical=None) -> str:
    """Reduce a pynput key to a token: the one place where a real key is seen, so it lives beside the
    token set for review. ``keyboard`` is the ``pynput.keyboard`` module, passed in so that this module
    never imports pynput; ``canonical`` is the listener's ``canonical`` method.

    Ctrl+C: X11 reports the C key under Ctrl as char ``'c'`` (vk = the keysym), Windows and macOS as
    the control character ``'\\x03'``; both, and a bare Windows VK_C, become ``"c"``.
    """
    if key is None:
        return "other"
    if isinstance(key, keyboard.Key):
        return _KEY_TOKENS.get(key.name, "other")
    try:
        key = canonical(key) if canonical else key  # lower-cases: Shift+C is still c
    except Exception:  # noqa: BLE001 - a convenience, never a reason to lose a key
        pass
    char = getattr(key, "char", None)
    if char:
        if char in _CONTROL_LETTERS or char.lower() in ("c", "v"):
            return _CONTROL_LETTERS.get(char) or char.lower()
        return "space" if char == " " else "char" if char.isprintable() else "other"
    if sys.platform == "darwin":  # macOS virtual key codes mean something else entirely
        return "other"
    return _LETTER_VKS.get(getattr(key, "vk", None), "other")


def iso_utc(moment: dt.datetime | str) -> str:
    """ISO 8601 in UTC with milliseconds and a ``Z``: windows can be shorter than a second apart, and
    the server uses window_start as part of an idempotency key."""
    if isinstance(moment, str):
        return moment
    if moment.tzinfo is None:
        raise ValueError("window times must be timezone-aware")
    moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least p % of the values at or below it.

    Chosen because it always returns a value that was actually observed and needs no interpolation
    rule the server would have to match; for the few dozen gaps in a window the difference from an
    interpolated percentile is immaterial.
    """
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def interval_stats(gaps_ms: list[float]) -> dict:
    """Median is the usual one (mean of the two middle values for an even count)."""
    values = sorted(gaps_ms)

    def rounded(value):
        return None if value is None else round(value, 1)

    return {
        "count": len(values),
        "median_ms": rounded(statistics.median(values)) if values else None,
        "p10_ms": rounded(percentile(values, 10)),
        "p90_ms": rounded(percentile(values, 90)),
        "under_30ms": sum(1 for v in values if v < FAST_GAP_MS),
    }


class KeyTally:
    """One window's counts, plus the keyboard state that outlives a window.

    ``active`` gates counting: outside an exam the agent still follows which modifiers are held, so
    that an Alt pressed before the exam started and still held makes a later Tab count as Alt+Tab,
    but nothing is counted. Not thread-safe; the caller holds a lock.
    """

    def __init__(self, active: bool = True):
        self.held: set[str] = set()
        self._active = active
        self._last_press: float | None = None
        self._reset_counts()

    def _reset_counts(self) -> None:
        self.keystrokes = 0
        self.char_keys = 0
        self.injected = 0
        self.gaps_ms: list[float] = []
        self.shortcuts = dict.fromkeys(SHORTCUTS, 0)

    @property
    def active(self) -> bool:
        return self._active

    @active.setter
    def active(self, value: bool) -> None:
        # A gap spanning time when nothing was counted is not a typing gap.
        if bool(value) != self._active:
            self._last_press = None
        self._active = bool(value)

    def press(self, token: str, t: float, injected: bool = False) -> None:
        """Record a key going down at time ``t`` (seconds, any monotonic clock).

        A press of a modifier that is already held is the OS auto-repeating it: it still counts as a
        keystroke (it reached the applications) but not as a fresh Win press.
        """
        if token not in TOKENS:
            token = "other"
        repeat = token in MODIFIERS and token in self.held
        if token in MODIFIERS:
            self.held.add(token)
        if not self._active:
            return
        self.keystrokes += 1
        if injected:
            self.injected += 1
        if self._last_press is not None:
            self.gaps_ms.append(max(0.0, (t - self._last_press) * 1000.0))
        self._last_press = t
        chord = self.held & {"ctrl", "alt", "cmd"}
        if token in CHAR_TOKENS and not chord:
            self.char_keys += 1  # with Ctrl/Alt/Win held the key is a command, not text
        if token == "tab" and "alt" in self.held:
            self.shortcuts["alt_tab"] += 1
        elif token == "cmd" and not repeat:
            self.shortcuts["win"] += 1
        elif token == "print_screen":
            self.shortcuts["print_screen"] += 1
        elif token == "c" and "ctrl" in self.held:
            self.shortcuts["ctrl_c"] += 1
        elif token == "v" and "ctrl" in self.held:
            self.shortcuts["ctrl_v"] += 1

    def release(self, token: str, t: float | None = None) -> None:
        """Only modifiers matter on release; ``t`` is accepted for symmetry with ``press``."""
        self.held.discard(token)

    def summary(self, window_start: dt.datetime | str, window_end: dt.datetime | str, *,
                activity: str | None = None, attempt_id: int | None = None) -> dict:
        """The window's counts in the upload's shape; starts the next window.

        Held modifiers and the time of the last press carry over, so a chord or a gap that straddles
        the boundary is counted once, in the window where it completes.
        """
        out: dict = {}
        if activity is not None:
            out["activity"] = activity
        if attempt_id is not None:
            out["attempt_id"] = attempt_id
        out.update({
            "window_start": iso_utc(window_start),
            "window_end": iso_utc(window_end),
            "keystrokes": self.keystrokes,
            "char_keys": self.char_keys,
            "injected": self.injected,
            "intervals": interval_stats(self.gaps_ms),
            "shortcuts": dict(self.shortcuts),
        })
        self._reset_counts()
        return out
