"""Validating the call marking against a corpus of realistic reply sets with expected verdicts
(``tests/corpus/practical/<scenario ref>.json``), shared by the test that holds the line and the script
that prints the confusion matrix for the README (``scripts/practical_confusion.py``).

A corpus file: ``{"scenario": ref, "sets": [{"id", "expect": "good" | "bad", "style", "replies",
"verdicts": {criterion code: "met" | "not_met" | "partly_met"}}]}``. The line: a good set earns at
least ``GOOD_AT_LEAST`` of the suggested points (machine-decided plus the suggestions, as an examiner
accepting every suggestion would give), a bad one less than ``BAD_BELOW``.

Two corpora share the format. ``tests/corpus/practical`` (and ``practical_qa``) was written by the
author of the scenarios' word lists in the same session: it shows consistency. The held-out corpus
``tests/corpus/practical_heldout`` (and its ``qa`` folder) was written by a second engineer from the
candidate-facing task text, the caller lines and the reference standard only, blind to the matcher and
the word lists, with the expected verdicts committed before the first scoring run: it measures how the
matcher generalises. A held-out set the matcher still gets wrong, where a fix would be a hack rather
than a general rule, carries ``"known_miss": "reason"``; it is reported, and the test expects it to
stay a miss until someone fixes it properly (then the marker goes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from exam.service_phrases import default_lists
from practical import scenarios, trial

CORPUS_DIR = Path(__file__).resolve().parent.parent / "tests" / "corpus" / "practical"
HELDOUT_DIR = CORPUS_DIR.parent / "practical_heldout"
HELDOUT_QA_DIR = HELDOUT_DIR / "qa"
GOOD_AT_LEAST, BAD_BELOW = 0.85, 0.60
BANDS = ("≥85%", "60–85%", "<60%")


@dataclass(frozen=True)
class Outcome:
    scenario: str
    set_id: str
    expect: str
    style: str
    share: float  # suggested points / max points
    machine_share: float  # machine-decided points / max points
    verdict_misses: tuple[str, ...]  # "code: got ≠ expected"
    verdicts_expected: int
    known_miss: str = ""  # why the matcher is expected to get this set wrong (held-out corpus only)

    @property
    def band(self) -> str:
        return BANDS[0] if self.share >= GOOD_AT_LEAST else BANDS[1] if self.share >= BAD_BELOW else BANDS[2]

    @property
    def holds(self) -> bool:
        return self.share >= GOOD_AT_LEAST if self.expect == "good" else self.share < BAD_BELOW


def corpus_files(folder: Path = CORPUS_DIR) -> list[Path]:
    return sorted(folder.glob("*.json"))


def evaluate(folder: Path = CORPUS_DIR, lists: dict | None = None) -> list[Outcome]:
    stock = {raw["ref"]: raw for _, raw in scenarios.stock_entries()}
    lists = lists or default_lists()
    out = []
    for path in corpus_files(folder):
        data = json.loads(path.read_text(encoding="utf-8"))
        raw = stock[data["scenario"]]
        for item in data["sets"]:
            result = trial.run(raw["kind"], raw["level"], raw["spec"], item["replies"], lists)
            got = {c["code"]: c["verdict"] for c in result["criteria"]}
            misses = tuple(f"{code}: {got.get(code, '无此项')} ≠ {want}"
                           for code, want in (item.get("verdicts") or {}).items() if got.get(code) != want)
            out.append(Outcome(data["scenario"], item["id"], item["expect"], item.get("style", ""),
                               result["suggested_points"] / result["max_points"],
                               result["machine_points"] / result["max_points"], misses,
                               len(item.get("verdicts") or {}), item.get("known_miss", "")))
    return out


QA_CORPUS_DIR = CORPUS_DIR.parent / "practical_qa"
COACHING_VERDICTS = ("met", "partly_met", "not_met")


@dataclass(frozen=True)
class CoachingOutcome:
    """The machine's suggestion for one set of QA coaching comments (``tests/corpus/practical_qa/<ref>.json``:
    ``{"scenario", "sets": [{"id", "expect", "style", "comments", "verdict"}]}``). The line: a good set is
    suggested in full (``met``), a bad one at most half (one point of the guide: a third of three, or half
    of two where the standard prescribes no wording)."""

    scenario: str
    set_id: str
    expect: str
    credit: float
    verdict: str
    expected_verdict: str
    known_miss: str = ""

    @property
    def holds(self) -> bool:
        return self.credit == 1 if self.expect == "good" else self.credit <= 1 / 2


def evaluate_coaching(folder: Path = QA_CORPUS_DIR) -> list[CoachingOutcome]:
    stock = {raw["ref"]: raw for _, raw in scenarios.stock_entries()}
    out = []
    for path in corpus_files(folder):
        data = json.loads(path.read_text(encoding="utf-8"))
        raw = stock[data["scenario"]]
        for item in data["sets"]:
            result = trial.run(raw["kind"], raw["level"], raw["spec"], {"comments": item["comments"]}, default_lists())
            hint = next(c for c in result["criteria"] if c["code"] == "coaching")
            out.append(CoachingOutcome(data["scenario"], item["id"], item["expect"],
                                       hint["points"] / hint["max_points"], hint["verdict"], item["verdict"],
                                       item.get("known_miss", "")))
    return out


def matrix(outcomes: list[Outcome]) -> dict[str, dict[str, int]]:
    """Expected class → suggested-points band → number of reply sets."""
    table = {expect: {band: 0 for band in BANDS} for expect in ("good", "bad")}
    for o in outcomes:
        table[o.expect][o.band] += 1
    return table
