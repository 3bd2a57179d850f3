"""Scoring a typing test: align what was typed against the passage and count correct characters.

Pure and fast (no database, no Flask): the server calls it at submission, the result page calls it
to draw the alignment, the benchmark times it.

The formula (also in the README):

- both texts are normalised (``typing_test.normalise``: NFKC, whitespace removed); every other
  character, punctuation included, counts;
- the typed text is aligned against the passage with a Levenshtein alignment (rapidfuzz,
  Hyyrö's bit-parallel algorithm); each aligned run is *correct*, *wrong* (typed in place of the
  passage's characters), *missing* (passage characters skipped inside the typed part) or *extra*
  (typed characters the passage does not have); the passage after the point the candidate reached is
  *untyped* and costs nothing;
- ``correct_chars`` = characters in correct runs; ``typed_chars`` = all typed characters;
- ``net_cpm`` = correct_chars ÷ minutes, ``gross_cpm`` = typed_chars ÷ minutes (0 when no time passed);
- ``accuracy`` = correct_chars ÷ typed_chars (0 when nothing was typed);
- passed when ``net_cpm`` ≥ the standard's 50 字/分 and ``accuracy`` ≥ the configured minimum (95 %).

A skipped phrase therefore costs only its own characters (they are not correct, but neither do they
lower accuracy), and a repeated phrase costs only itself (its characters are extra and lower accuracy).
"""

from __future__ import annotations

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
    seconds: float
    net_cpm: float
    gross_cpm: float
    accuracy: float
    passed: bool
    segments: tuple[Segment, ...]

    def as_dict(self) -> dict:
        return asdict(self)


def score(reference: str, typed: str, seconds: float,
          min_accuracy: float = standard.DEFAULT_TYPING_MIN_ACCURACY) -> TypingScore:
    ref, got = normalise(reference), normalise(typed)
    segments = align(ref, got)
    counts = {kind: 0 for kind in SEGMENT_NAMES}
    for seg in segments:
        counts[seg.kind] += len(seg.typed) if seg.kind in (CORRECT, WRONG, EXTRA) else len(seg.expected)
    correct, typed_chars = counts[CORRECT], len(got)
    seconds = max(float(seconds or 0), 0.0)
    minutes = seconds / 60
    net = correct / minutes if minutes > 0 else 0.0
    gross = typed_chars / minutes if minutes > 0 else 0.0
    accuracy = correct / typed_chars if typed_chars else 0.0
    return TypingScore(
        correct_chars=correct, typed_chars=typed_chars, wrong_chars=counts[WRONG],
        missing_chars=counts[MISSING], extra_chars=counts[EXTRA], untyped_chars=counts[UNTYPED],
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
