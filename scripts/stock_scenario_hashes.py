"""Write ``practical/content/shipped_hashes.json``: for every stock scenario ref, the content hash
(``practical.scenarios.content_hash``) of every version of it this repository ever shipped — each
commit that touched ``practical/content/`` and the files as they are now.

The stock refresh (``practical.stock_sync``) updates an installed stock scenario only when its
content is one of these hashes, i.e. nobody edited it since it was loaded; anything else is a
trainer's edit and is skipped. Run this after changing a stock file (a test checks that every current
entry's hash is listed):

    .venv/bin/python scripts/stock_scenario_hashes.py
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from exam.models_registry import load_all
from practical import scenarios
from practical.kinds import KIND_CODES

ROOT = Path(__file__).resolve().parent.parent
CONTENT = "practical/content"


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout


def _entries_at(commit: str | None) -> list[dict]:
    out = []
    for code in KIND_CODES:
        path = f"{CONTENT}/{code}.json"
        if commit is None:
            file = ROOT / path
            text = file.read_text(encoding="utf-8") if file.exists() else None
        else:
            try:
                text = _git("show", f"{commit}:{path}")
            except subprocess.CalledProcessError:
                text = None
        if text:
            out += json.loads(text)
    return out


def main() -> None:
    load_all()
    hashes: dict[str, list[str]] = {}
    commits = _git("log", "--reverse", "--format=%H", "--", CONTENT).split()
    for commit in [*commits, None]:
        for raw in _entries_at(commit):
            if raw.get("ref"):
                digest = scenarios.raw_content_hash(raw)
                if digest not in hashes.setdefault(raw["ref"], []):
                    hashes[raw["ref"]].append(digest)
    target = scenarios.SHIPPED_HASHES
    target.write_text(json.dumps(dict(sorted(hashes.items())), indent=1) + "\n", encoding="utf-8")
    print(f"{target.relative_to(ROOT)}：{len(hashes)} 个库存场景，{sum(map(len, hashes.values()))} 个已发布版本")


if __name__ == "__main__":
    main()
