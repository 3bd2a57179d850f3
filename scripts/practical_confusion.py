"""Print the validation corpora's confusion matrices for the README: how many good and bad reply sets
land in each band of suggested points, the lowest good and highest bad share, and how many expected
per-criterion verdicts the machine's verdicts and suggestions match; then the same for the QA coaching
comments. First the corpus written with the scenarios (tests/corpus/practical, practical_qa), then the
held-out corpus written blind to the matcher (tests/corpus/practical_heldout, practical_heldout/qa),
with every set the matcher gets wrong and, for a known miss, why it stays one.

Run: .venv/bin/python scripts/practical_confusion.py
"""

from __future__ import annotations

from practical import validation


def calls(outcomes: list[validation.Outcome], title: str) -> None:
    table = validation.matrix(outcomes)
    scenarios = sorted({o.scenario for o in outcomes})
    print(f"{title}: {len(outcomes)} reply sets over {len(scenarios)} call and complaint scenarios")
    print()
    print("| expected \\ suggested points | " + " | ".join(validation.BANDS) + " | total |")
    print("|---|" + "---:|" * (len(validation.BANDS) + 1))
    for expect in ("good", "bad"):
        row = table[expect]
        print(f"| {expect} | " + " | ".join(str(row[b]) for b in validation.BANDS) + f" | {sum(row.values())} |")
    good = [o.share for o in outcomes if o.expect == "good"]
    bad = [o.share for o in outcomes if o.expect == "bad"]
    print()
    print(f"lowest good set: {min(good):.1%}; highest bad set: {max(bad):.1%}")
    print(f"machine-decided points alone: good sets {min(o.machine_share for o in outcomes if o.expect == 'good'):.1%}"
          f"–{max(o.machine_share for o in outcomes if o.expect == 'good'):.1%}, bad sets "
          f"{min(o.machine_share for o in outcomes if o.expect == 'bad'):.1%}"
          f"–{max(o.machine_share for o in outcomes if o.expect == 'bad'):.1%} of the task's points")
    total = sum(o.verdicts_expected for o in outcomes)
    if total:
        missed = sum(len(o.verdict_misses) for o in outcomes)
        print(f"expected per-criterion verdicts matched: {total - missed}/{total}")
    for o in outcomes:
        if not o.holds or o.verdict_misses:
            known = f" — known miss: {o.known_miss}" if o.known_miss else ""
            print(f"  off: {o.scenario} {o.set_id} ({o.expect}) {o.share:.1%} {'; '.join(o.verdict_misses)}{known}")


def coaching(outcomes: list[validation.CoachingOutcome], title: str) -> None:
    print(f"{title}: {len(outcomes)} comment sets over "
          f"{len({o.scenario for o in outcomes})} QA scenarios (the machine's suggestion for 辅导评语)")
    print()
    print("| expected \\ suggestion | " + " | ".join(validation.COACHING_VERDICTS) + " | total |")
    print("|---|" + "---:|" * (len(validation.COACHING_VERDICTS) + 1))
    for expect in ("good", "bad"):
        row = [sum(1 for o in outcomes if o.expect == expect and o.verdict == v) for v in validation.COACHING_VERDICTS]
        print(f"| {expect} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    print()
    print(f"good sets suggested in full: {sum(o.holds for o in outcomes if o.expect == 'good')}"
          f"/{sum(o.expect == 'good' for o in outcomes)}; bad sets at most half: "
          f"{sum(o.holds for o in outcomes if o.expect == 'bad')}/{sum(o.expect == 'bad' for o in outcomes)}; "
          f"expected verdicts matched: {sum(o.verdict == o.expected_verdict for o in outcomes)}/{len(outcomes)}; "
          f"highest bad set: {max(o.credit for o in outcomes if o.expect == 'bad'):.0%} of the criterion")
    for o in outcomes:
        if not o.holds or o.verdict != o.expected_verdict:
            known = f" — known miss: {o.known_miss}" if o.known_miss else ""
            print(f"  off: {o.scenario} {o.set_id} ({o.expect}) {o.verdict} ≠ {o.expected_verdict}{known}")


def main() -> None:
    calls(validation.evaluate(), "validation corpus")
    print()
    coaching(validation.evaluate_coaching(), "QA coaching comments")
    print()
    print("## held-out (written blind to the matcher by a second engineer)")
    print()
    calls(validation.evaluate(validation.HELDOUT_DIR), "held-out corpus")
    print()
    coaching(validation.evaluate_coaching(validation.HELDOUT_QA_DIR), "held-out QA coaching comments")


if __name__ == "__main__":
    main()
