"""Static files: pages link them with a content hash, which earns a year's immutable lifetime; a
changed file gets a new URL; an unversioned or stale URL is revalidated as before."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.webclient import login


@pytest.fixture
def static_app(tmp_path, sqlite_url):
    from exam.app import create_app
    return create_app({"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": sqlite_url,
                       "SECRET_KEY": "test-secret", "TESTING": True})


def test_pages_link_hashed_assets_that_are_cached_for_a_year(static_app):
    client = static_app.test_client()
    login(client, "cand1")
    html = client.get("/candidate").get_data(as_text=True)
    css = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]{12}))"', html)
    assert css, html[:500]
    with open(static_app.static_folder + "/css/app.css", "rb") as fh:
        assert css.group(2) == hashlib.sha256(fh.read()).hexdigest()[:12]
    resp = client.get(css.group(1))
    assert resp.status_code == 200
    assert resp.cache_control.max_age == 365 * 24 * 3600 and resp.cache_control.immutable
    for stale in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        resp = client.get(stale)
        assert resp.status_code == 200 and resp.cache_control.max_age != 365 * 24 * 3600
        assert not resp.cache_control.immutable


def test_a_changed_file_gets_a_new_hash(tmp_path):
    from exam.static_assets import _Hashes
    (tmp_path / "a.js").write_text("one")
    hashes = _Hashes(str(tmp_path))
    first = hashes.get("a.js")
    assert first == hashlib.sha256(b"one").hexdigest()[:12] and hashes.get("a.js") == first
    (tmp_path / "a.js").write_text("two, a deploy later")
    assert hashes.get("a.js") == hashlib.sha256(b"two, a deploy later").hexdigest()[:12]
    assert hashes.get("missing.js") is None
