"""Scoring a typing test: align what was typed against the passage and count correct Han characters.

Pure and fast (no database, no Flask): the server calls it at submission, the result page calls it
to draw the alignment, the benchmark times it.

The formula (also in the README); what counts as a Han character and which time speed is measured
over are defined once, in ``exam.standard`` (``is_han``, ``typing_timed_seconds``):

- both texts are normalised (``typing_test.normalise``: NFKC, whitespace removed);
- the typed text is aligned against the passage with a Levenshtein alignment (rapidfuzz,
  Hyyrö's bit-parallel algorithm); each aligned run is *correct*, *wrong* (typed in place of the
  passage's characters), *missing* (passage characters skipped inside the typed part) or *extra*
  (typed characters the passage does not have); the passage after the point the candidate reached is
  *untyped* and costs nothing;
- ``correct_han`` = Han characters in correct runs — the only characters speed counts;
  ``correct_chars`` / ``typed_chars`` = all correct / all typed characters, punctuation included;
- the time is the test's time limit, unless the candidate typed the whole passage (reached its end
  with at least the accuracy minimum of its characters correct), who is timed by the time used;
- ``net_cpm`` = correct_han ÷ minutes, ``gross_cpm`` = typed Han ÷ minutes (0 when no time passed);
- ``accuracy`` = correct_chars ÷ typed_chars (0 when nothing was typed): punctuation typed wrong
  still costs accuracy;
- passed when ``net_cpm`` ≥ the standard's 50 汉字/分 and ``accuracy`` ≥ the configured minimum (95 %).

A skipped phrase therefore costs only its own characters (they are not correct, but neither do they
lower accuracy), and a repeated phrase costs only itself (its characters are extra and lower accuracy).
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass

from rapidfuzz.distance import Levenshtein

from exam import standard
from typing_test.normalise import normalise

CORRECT, WRONG, MISSING, EXTRA, UNTYPED = "correct", "wrong", "missing", "extra", "untyped"
SEGMENT_NAMES = {CORRECT: "正确", WRONG: "错字", MISSING: "漏字", EXTRA: "多字", UNTYPED: "未录入"}

@dataclass(frozen=True)
class Segment:
    kind: str
    expected: str  # the passage's characters (empty for extra)
    typed: str  # the candidate's characters (empty for missing and untyped)


@dataclass(frozen=True)
class TypingScore:
    correct_chars: int
    typed_chars: int
    wrong_chars: int
    missing_chars: int
    extra_chars: int
    untyped_chars: int
    correct_han: int
    typed_han: int
    whole_passage: bool  # reached the end with at least the accuracy minimum of the passage correct
    used_seconds: float  # from the start to submission, never past the deadline
    seconds: float  # what speed is measured over (standard.typing_timed_seconds)
    net_cpm: float
    gross_cpm: float
    accuracy: float
    passed: bool
    segments: tuple[Segment, ...]

    def as_dict(self) -> dict:
        return asdict(self)


def score(reference: str, typed: str, used_seconds: float, limit_seconds: float,
          min_accuracy: float = standard.DEFAULT_TYPING_MIN_ACCURACY) -> TypingScore:
    """``used_seconds``: the time from the start to submission; ``limit_seconds``: the time the test
    allowed (its deadline less its start, extra time included)."""
    ref, got = normalise(reference), normalise(typed)
    segments = align(ref, got)
    counts = {kind: 0 for kind in SEGMENT_NAMES}
    correct_han = 0
    for seg in segments:
        counts[seg.kind] += len(seg.typed) if seg.kind in (CORRECT, WRONG, EXTRA) else len(seg.expected)
        if seg.kind == CORRECT:
            correct_han += standard.han_count(seg.typed)
    correct, typed_chars = counts[CORRECT], len(got)
    whole = bool(ref) and counts[UNTYPED] == 0 and correct >= min_accuracy * len(ref)
    used = max(float(used_seconds or 0), 0.0)
    seconds = standard.typing_timed_seconds(used, limit_seconds, whole)
    typed_han = standard.han_count(got)
    net = standard.typing_speed(correct_han, seconds)
    gross = standard.typing_speed(typed_han, seconds)
    accuracy = correct / typed_chars if typed_chars else 0.0
    return TypingScore(
        correct_chars=correct, typed_chars=typed_chars, wrong_chars=counts[WRONG],
        missing_chars=counts[MISSING], extra_chars=counts[EXTRA], untyped_chars=counts[UNTYPED],
        correct_han=correct_han, typed_han=typed_han, whole_passage=whole, used_seconds=used,
        seconds=seconds, net_cpm=net, gross_cpm=gross, accuracy=accuracy,
        passed=standard.typing_passed(net, accuracy, min_accuracy), segments=tuple(segments),
    )


def align(ref: str, got: str) -> list[Segment]:
    """Segments covering all of ``ref`` and ``got`` in order, neighbours of one kind merged.

    A global alignment charges the untyped tail like any skipped text, so among equally cheap
    alignments it may match the candidate's last words to a later repeat of them ("您的", a stock
    phrase) and call everything in between missing. The score is the same either way, but the
    result page would be wrong, so each skipped run inside the typed part is tried once more with
    what follows it moved back into its place; when that costs no more, the skip was really the
    untyped tail.
    """
    ops = [(op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end)
           for op in Levenshtein.opcodes(ref, got)] if got else []
    reached = max((i2 for tag, _, i2, _, _ in ops if tag != "delete"), default=0)
    ops = [op for op in ops if op[0] != "delete" or op[2] <= reached]  # the tail is untyped, not skipped
    while True:
        skips = [k for k, op in enumerate(ops) if op[0] == "delete"]
        if not skips:
            break
        k = skips[-1]
        _, i1, i2, j, _ = ops[k]
        typed_after, covered = got[j:], ref[i2:reached]
        moved_back = ref[i1:i1 + len(covered)]
        if Levenshtein.distance(moved_back, typed_after) > Levenshtein.distance(covered, typed_after) + (i2 - i1):
            break
        ops = ops[:k] + [(tag, a + i1, b + i1, c + j, d + j)
                         for tag, a, b, c, d in Levenshtein.opcodes(moved_back, typed_after)]
        reached = i1 + len(moved_back)
    segments = [Segment(_KINDS[tag], ref[i1:i2], got[j1:j2]) for tag, i1, i2, j1, j2 in ops]
    if reached < len(ref):
        segments.append(Segment(UNTYPED, ref[reached:], ""))
    return _merged(segments)


_KINDS = {"equal": CORRECT, "replace": WRONG, "delete": MISSING, "insert": EXTRA}


def _merged(segments: list[Segment]) -> list[Segment]:
    out: list[Segment] = []
    for seg in segments:
        if out and out[-1].kind == seg.kind:
            last = out.pop()
            seg = Segment(seg.kind, last.expected + seg.expected, last.typed + seg.typed)
        out.append(seg)
    return out


def _origins(text: str) -> list[str] | None:
    """For each character of ``normalise(text)``, the original character it came from (shown once, at
    the first of the characters it folds into; "" for the rest), or None when folding character by
    character does not give the same normalised text (combining sequences)."""
    out: list[str] = []
    for char in text or "":
        if char.isspace():
            continue
        folded = unicodedata.normalize("NFKC", char)
        out.extend([char] + [""] * (len(folded) - 1))
    return out if "".join(unicodedata.normalize("NFKC", c) for c in text or "" if not c.isspace()) == normalise(text) \
        and len(out) == len(normalise(text)) else None


def as_written(reference: str, typed: str, segments: tuple[Segment, ...]) -> list[Segment]:
    """The segments with each text as it was written: the passage's own punctuation (full-width ，？！
    stay full-width) and the candidate's own characters, where scoring compared folded forms."""
    ref_src, got_src = _origins(reference), _origins(typed)
    if ref_src is None or got_src is None:
        return list(segments)
    out, i, j = [], 0, 0
    for seg in segments:
        expected = "".join(ref_src[i:i + len(seg.expected)])
        written = "".join(got_src[j:j + len(seg.typed)])
        i, j = i + len(seg.expected), j + len(seg.typed)
        if seg.kind == CORRECT:
            written = expected  # equal once folded: show the passage's form
        out.append(Segment(seg.kind, expected, written))
    return out
