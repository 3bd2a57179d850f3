"""The layers (issue 18.6): the import-linter contracts in pyproject.toml hold, and they still name
every domain package and every view module, so a new package or view cannot slip past them."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from exam import domains

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = {c["id"]: c for c in tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
             ["tool"]["importlinter"]["contracts"]}
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_import_contracts_hold():
    run = subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "Contracts: 2 kept, 0 broken." in run.stdout


def test_no_contract_lists_an_exception():
    """Debts are paid, not listed: the core reaches the roster's ticket sign-in through exam.signals."""
    assert {cid: c.get("ignore_imports") for cid, c in CONTRACTS.items() if c.get("ignore_imports")} == {}


def test_the_core_contract_forbids_every_domain_package():
    core = CONTRACTS["core"]
    assert set(core["forbidden_modules"]) == set(domains.PACKAGES) - set(core["source_modules"])
    assert {"exam.db", "exam.config", "exam.standard", "exam.web", "exam.timeutil", "exam.accounts", "exam.audit",
            "exam.parts"} <= set(core["source_modules"])


def test_the_views_contract_names_every_view_module_of_every_package():
    views = CONTRACTS["views"]
    registered = {name for package in domains.modules() for name in getattr(package, "VIEWS", ())}
    plain = {p for p in domains.PACKAGES if not hasattr(importlib.import_module(p), "VIEWS")}  # exam.health
    assert set(views["forbidden_modules"]) == registered | plain
    assert set(views["source_modules"]) == set(domains.PACKAGES) - plain


def test_the_test_helpers_do_not_lean_on_the_benchmarks():
    """Shared test helpers read pages through exam.client_markup, as the load harness does; only the
    tests of the harness itself import benchmarks/."""
    helpers = [p for p in (ROOT / "tests").rglob("*.py") if not p.name.startswith("test_") and "node_modules" not in p.parts]
    imports = re.compile(r"^\s*(?:from|import)\s+benchmarks\b", re.M)
    leaning = [str(p.relative_to(ROOT)) for p in helpers if imports.search(p.read_text(encoding="utf-8"))]
    assert leaning == []
