"""Browser tests: the real server (gunicorn via ``callexam serve``, scheduler included) on a SQLite
file, driven by Debian's Chromium through pytest-playwright."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from exam import db
from tests.pg import free_port

CHROMIUM = "/usr/bin/chromium"


# Playwright's expect() waits 5 s by default; parallel workers on two cores (a live server and a
# Chromium each) can make a page take longer than that to react. A wait ends as soon as its condition
# holds, so a longer bound slows no passing test.
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1366, "height": 768}, "locale": "zh-CN"}


class LiveServer:
    def __init__(self, root, template, env=None):
        self.root = root
        self.db_path = root / "callexam.db"
        shutil.copy(template, self.db_path)
        self.url_db = f"sqlite:///{self.db_path}"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # the workers' compiled templates are shared by this pytest worker's servers (exam.worker): the
        # first server compiles them, later ones load them
        env = {**os.environ, "CALLEXAM_INSTANCE": str(root / "instance"), "DATABASE_URL": self.url_db,
               "CALLEXAM_JINJA_CACHE": str(root.parent / "jinja-cache"),
               "CALLEXAM_SCHEDULER_INTERVAL": "0.5", "CALLEXAM_GRACE_SECONDS": "1", **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "exam.cli", "serve", "--port", str(self.port), "--workers", "2", "--threads", "2"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        # A generous bound: on a loaded machine (parallel workers, other jobs) four Python processes
        # starting up can take tens of seconds; a server that exits is reported at once.
        deadline = time.time() + 180
        while time.time() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("测试服务器未能启动：" + self.proc.stdout.read().decode(errors="replace"))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, sqlite_template):
    server = LiveServer(tmp_path_factory.mktemp("live"), sqlite_template)
    yield server
    server.stop()
    db.dispose_all()


@pytest.fixture
def live_engine(live_server):
    return db.engine_for(live_server.url_db)
