"""The database an in-process benchmark runs the app on: a fresh instance folder and either its
SQLite file or a throw-away durable PostgreSQL cluster (``tests.pg``), stopped afterwards."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


@contextlib.contextmanager
def app_database(postgres: bool, name: str):
    """Point ``create_app`` (``CALLEXAM_INSTANCE``, ``DATABASE_URL``) at a new database for the block."""
    os.environ["CALLEXAM_INSTANCE"] = str(Path(tempfile.mkdtemp(prefix=f"callexam-{name}-")) / "instance")
    cluster = None
    if postgres:
        from tests.pg import Cluster, create_database
        cluster = Cluster(durable=True)
        os.environ["DATABASE_URL"] = create_database(cluster.start(), name)
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        yield
    finally:
        if cluster is not None:
            from exam import db
            db.dispose_all()
            cluster.stop()


def signed_in(app, username: str):
    """A Flask test client signed in as ``username`` through the real login form (argon2: not what
    the benchmarks measure, so they sign everybody in first)."""
    from benchmarks.harness.population import PASSWORD
    from exam.client_markup import CSRF_TOKEN

    client = app.test_client()
    token = CSRF_TOKEN.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    return client
