"""gunicorn, embedded: ``callexam serve`` runs the same production server in every deployment, and the
benchmarks serve their baseline through this very function so both sides share one configuration."""

from __future__ import annotations

import gc
import importlib
import os

from gunicorn.app.base import BaseApplication

APP = "exam.app:create_app()"


class _Server(BaseApplication):
    def __init__(self, target: str, options: dict):
        self.target = target
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Import ``module:attribute`` (``attribute()`` calls a factory) inside each worker."""
        module_name, _, attr = self.target.partition(":")
        module = importlib.import_module(module_name)
        app = getattr(module, attr[:-2])() if attr.endswith("()") else getattr(module, attr)
        if self.target == APP:  # not the benchmarks' bare-Flask baseline
            from exam import worker
            worker.prepare(app)
        # Everything loaded so far (Flask, SQLAlchemy, Jinja, our modules) lives as long as the worker.
        # Freezing it takes it out of the garbage collector's full passes, which otherwise stop a
        # worker for 50-130 ms every few seconds under load (measured: the exam-day p99).
        gc.collect()
        gc.freeze()
        return app


def options(host: str, port: int, workers: int, threads: int) -> dict:
    return {
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread",
        # a worker that stops answering the arbiter for this long is killed and replaced (README,
        # "Deployment": with threads this catches a stuck worker, not one slow request)
        "keepalive": 5, "timeout": int(os.environ.get("WEB_TIMEOUT", 60)), "graceful_timeout": 10,
        "accesslog": None, "errorlog": "-", "loglevel": "warning",
    }


def run(host: str, port: int, workers: int, threads: int, target: str = APP) -> None:
    _Server(target, options(host, port, workers, threads)).run()
