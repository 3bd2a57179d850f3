"""gunicorn, embedded: ``callexam serve`` runs the same production server in every deployment."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):
    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from exam.app import create_app
        return create_app()


def run(host: str, port: int, workers: int, threads: int) -> None:
    _Server({
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync",
        "keepalive": 5, "timeout": 60, "graceful_timeout": 10,
        "accesslog": None, "errorlog": "-", "loglevel": "warning",
    }).run()
