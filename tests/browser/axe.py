"""axe-core in the browser tests: checks a page against WCAG 2 A and AA.

axe-core comes from npm (tests/browser/package.json, pinned by package-lock.json); the first test
that needs it installs it with ``npm ci`` when tests/browser/node_modules lacks it, so a fresh CI
machine needs nothing but npm (scripts/install-system-deps.sh installs Debian's ``npm``). Parallel
test workers (pytest-xdist) take a file lock around the install, so one installs and the others wait
and find it there (``npm ci`` empties node_modules first, so two at once would trip each other). The app's
Content-Security-Policy rightly refuses injected scripts, so the page under test is opened in a
context created with ``bypass_csp=True`` — in the test only (PITFALLS.md).
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

import pytest

HERE = Path(__file__).parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"


def ensure_axe() -> Path:
    if AXE.exists():
        return AXE
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("需要 npm 安装 axe-core：请先运行 make system-deps（或 apt-get install npm）")
    with open(HERE / ".npm-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not AXE.exists():   # another worker may have installed it while this one waited
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300)
    return AXE


def violations(page, exclude: tuple[str, ...] = ()) -> list[dict]:
    """WCAG 2 A/AA violations on the page as it is now: rule, impact and up to five offending nodes."""
    page.add_script_tag(path=str(ensure_axe()))
    return page.evaluate(
        """async (exclude) => {
            const context = exclude.length ? {include: [document], exclude: exclude.map(s => [s])} : document;
            const result = await axe.run(context, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}});
            return result.violations.map(v => ({id: v.id, impact: v.impact,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || ''))}));
        }""", list(exclude))


def assert_accessible(page, where: str) -> None:
    found = violations(page)
    assert found == [], f"{where}: " + "; ".join(f"{v['id']} ({v['impact']}): {v['nodes']}" for v in found)
