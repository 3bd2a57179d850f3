"""Serve the bare baseline or callexam with exam.server's gunicorn settings (used by the benchmark)."""

import sys

from exam.server import APP, run

if __name__ == "__main__":
    which, port, workers, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    run("127.0.0.1", port, workers, threads, APP if which == "callexam" else "benchmarks.bare_app:app")
