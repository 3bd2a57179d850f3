"""Scoring a 3,000-character typing passage (issue 5's goal: at most 5 ms).

The baseline is rapidfuzz's own alignment of the same two strings (``Levenshtein.opcodes``), the
irreducible part of the work, measured in the same run; the ratio says what our normalising, tail
realignment and segment building add to it. The typed text is realistic rather than perfect: about
2 % wrong characters, a skipped phrase, a repeated phrase, a few extra characters, and it stops
short of the end.

    .venv/bin/python benchmarks/typing_scoring.py [--runs 200]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from typing_test.normalise import normalise  # noqa: E402
from typing_test.scoring import score  # noqa: E402

PHRASES = [
    "您好，很高兴为您服务，请问有什么可以帮您？", "请您稍等，我马上为您查询。", "感谢您的耐心等待。",
    "您反映的问题我已经详细记录，", "我们会在二十四小时内给您回复，", "请问还有其他可以帮您的吗？",
    "接通率是接通的来电占全部来电的比例，", "服务水平通常以二十秒内接起的来电比例衡量，",
    "平均处理时间包括通话、保持和话后处理三部分。", "感谢您的来电，祝您生活愉快，再见！",
]


def passage(chars: int, rng: random.Random) -> str:
    out = ""
    while len(out) < chars:
        out += rng.choice(PHRASES)
    return out[:chars]


def typed_version(text: str, rng: random.Random) -> str:
    chars = list(text[: int(len(text) * 0.9)])  # unfinished: stops at 90 %
    for i in range(len(chars)):
        if rng.random() < 0.02:
            chars[i] = rng.choice("的了是我你他在有")
    typed = "".join(chars)
    skip_at, repeat_at = len(typed) // 3, 2 * len(typed) // 3
    typed = typed[:skip_at] + typed[skip_at + 15:]  # a skipped phrase
    typed = typed[:repeat_at] + typed[repeat_at - 12:repeat_at] + typed[repeat_at:]  # a repeated one
    return typed[:500] + "嗯嗯" + typed[500:]


def timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--chars", type=int, default=3000)
    args = parser.parse_args()
    rng = random.Random(20261123)
    ref = passage(args.chars, rng)
    typed = typed_version(ref, rng)
    result = score(ref, typed, 600, 600)
    nref, ntyped = normalise(ref), normalise(typed)
    ours, base = [], []
    for _ in range(2):  # alternate so drift of a noisy machine hits both sides
        base += timed(lambda: Levenshtein.opcodes(nref, ntyped), args.runs // 2)
        ours += timed(lambda: score(ref, typed, 600, 600), args.runs // 2)

    def line(name, times):
        times = sorted(times)
        return (f"{name:34s} median {statistics.median(times):6.2f} ms   "
                f"p95 {times[int(len(times) * 0.95) - 1]:6.2f} ms")

    print(f"passage {len(ref)} characters, typed {len(typed)}; {args.runs} runs each")
    print(f"result: correct {result.correct_chars}, wrong {result.wrong_chars}, missing {result.missing_chars}, "
          f"extra {result.extra_chars}, untyped {result.untyped_chars}, accuracy {result.accuracy:.3f}")
    print(line("baseline: rapidfuzz opcodes alone", base))
    print(line("typing_test.scoring.score", ours))
    ratio = statistics.median(ours) / statistics.median(base)
    print(f"ratio score / opcodes (medians): {ratio:.2f}; goal: score ≤ 5 ms")


if __name__ == "__main__":
    main()
