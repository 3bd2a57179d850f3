"""The server under test: ``callexam serve`` (or ``--no-scheduler`` app processes plus separate
``callexam scheduler`` processes), started, measured (memory of the whole process tree), killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[2]


def wait_healthy(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server at {url} did not become healthy")


class Processes:
    """A group of server processes started together, each in its own process group."""

    def __init__(self, env: dict, log: Path | None = None):
        self.env = {**os.environ, **env}
        self.log = log  # the servers' stderr (errors, scheduler lines); discarded when None
        self.procs: list[subprocess.Popen] = []
        self.peak_rss = 0
        self._sampling = False

    def spawn(self, *args: str) -> subprocess.Popen:
        stderr = open(self.log, "a") if self.log else subprocess.DEVNULL  # noqa: SIM115 (closed with the child)
        proc = subprocess.Popen([sys.executable, "-m", "exam.cli", *args], cwd=ROOT, env=self.env,
                                stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        self.procs.append(proc)
        return proc

    def serve(self, port: int, scheduler: bool = True, workers: int | None = None) -> str:
        args = ["serve", "--port", str(port)] + ([] if scheduler else ["--no-scheduler"])
        if workers:
            args += ["--workers", str(workers)]
        self.spawn(*args)
        url = f"http://127.0.0.1:{port}"
        wait_healthy(url)
        return url

    def tree(self) -> list[psutil.Process]:
        found = []
        for proc in self.procs:
            try:
                parent = psutil.Process(proc.pid)
                found += [parent, *parent.children(recursive=True)]
            except psutil.NoSuchProcess:
                pass
        return found

    def rss(self) -> int:
        total = 0
        for p in self.tree():
            try:
                total += p.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        return total

    def start_sampling(self, every: float = 0.5) -> None:
        self._sampling = True

        def loop():
            while self._sampling:
                self.peak_rss = max(self.peak_rss, self.rss())
                time.sleep(every)

        threading.Thread(target=loop, daemon=True).start()

    def stop_sampling(self) -> None:
        self._sampling = False

    def _signal_all(self, sig: int) -> None:
        for proc in self.procs:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        """SIGKILL every process of every group at once: no shutdown code runs."""
        self._signal_all(signal.SIGKILL)
        for proc in self.procs:
            proc.wait()
        self.procs.clear()

    def stop(self) -> None:
        self._signal_all(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs.clear()
