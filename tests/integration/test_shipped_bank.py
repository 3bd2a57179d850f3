"""The demo bank this release ships: enough items for parallel forms of every level's default
blueprint, and clean under the item-writing checks — through the installed console script on a
fresh database, as an installation would run it."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from exam import standard
from question_bank import lint_service, loader
from question_bank.blueprint import default_blueprint, plan

CALLEXAM = str(Path(sys.executable).with_name("callexam"))
CAPACITY = 3   # items per area × type cell, as a multiple of what one paper of the default blueprint needs


@pytest.mark.parametrize("level", list(standard.LEVELS))
def test_every_cell_of_the_default_blueprint_has_three_papers_worth(level):
    items = [d for d in loader.parse_files(loader.demo_files()) if level in d.levels]
    have = Counter((d.area, d.kind) for d in items)
    short = [f"{standard.AREA_NAMES[c.area]} × {c.kind}: {have[c.area, c.kind]} < {CAPACITY} × {c.count}"
             for c in plan(default_blueprint(level)).cells if have[c.area, c.kind] < CAPACITY * c.count]
    assert short == []


def test_the_shipped_files_pass_the_checker():
    report = lint_service.check_files(loader.demo_files())
    assert [f.line() for f in report.blocking] == []
    for summary in report.levels.values():
        assert summary.longest_key_rate <= 0.35
        assert len(summary.key_counts) >= 3          # multiple-choice keys spread over several counts


def test_the_shipped_bank_passes_lint_on_a_fresh_database(tmp_path):
    """The bank files loaded through the console and approved, as the demo bank is (``demo load`` also
    seeds accounts, sessions and certificates this test need not depend on)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
           "CALLEXAM_INSTANCE": str(tmp_path / "instance")}

    def run(*args):
        return subprocess.run([CALLEXAM, *args], capture_output=True, text=True, env=env, timeout=600)
    for step in (("db", "upgrade"), ("items", "load", *map(str, loader.demo_files()))):
        done = run(*step)
        assert done.returncode == 0, done.stderr
    drafts = run("questions", "lint", "--summary")
    assert drafts.returncode == 0 and "（已审核 0）" in drafts.stdout
    with sqlite3.connect(tmp_path / "fresh.db") as conn:
        conn.execute("UPDATE item SET status = 'approved'")
    result = run("questions", "lint", "--summary")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "通过：已审核题目没有错误" in result.stdout
    data = json.loads(run("questions", "lint", "--format", "json").stdout)
    assert data["passed"] and set(data["levels"]) == set(standard.LEVELS)
    assert all(s["approved"] == s["items"] > 0 for s in data["levels"].values())
