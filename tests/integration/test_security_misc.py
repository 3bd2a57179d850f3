"""Smaller doors of issue 17: same-site next= only, private instance files, no-store on personal
pages and downloads, and exam-station sequence numbers that cannot brick a station."""

from __future__ import annotations

import os
import stat
import time

import pytest

from tests.conftest import PASSWORD
from tests.integration.test_station_api import Agent, station  # noqa: F401  (fixture)
from tests.webclient import csrf_token, login
from typing_test import station_protocol as protocol


# ---------------------------------------------------------------- next=

@pytest.mark.parametrize("target", [
    "/%09/evil.example/", "/\t/evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
    "https://evil.example/", "http:/evil.example", "javascript:alert(1)", "/\n/evil.example", " //evil.example",
    "evil.example", "/%0d%0a/evil.example", "///evil.example",
])
def test_next_leads_only_to_paths_of_this_site(client, target):
    token = csrf_token(client)
    from urllib.parse import quote
    resp = client.post(f"/login?next={quote(target, safe='')}",
                       data={"username": "cand1", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    assert resp.location in ("/", "http://localhost/"), resp.location


def test_next_keeps_a_same_site_path_with_its_query(client):
    token = csrf_token(client)
    resp = client.post("/login?next=%2Fcandidate%2Fcertificates%3Fx%3D1",
                       data={"username": "cand1", "password": PASSWORD, "csrf_token": token})
    assert resp.location.endswith("/candidate/certificates?x=1")


def test_safe_next_unit():
    from exam.web import safe_next
    assert safe_next("/a/b?c=d#e") == "/a/b?c=d#e"
    for bad in ("/\t/x.example", "//x", "/\\x", "https://x", "", None, "x", "/" + "a" * 3000):
        assert safe_next(bad) is None


# ---------------------------------------------------------------- instance files

def test_instance_folder_and_database_files_are_private(tmp_path, monkeypatch):
    monkeypatch.setenv("CALLEXAM_INSTANCE", str(tmp_path / "inst"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    old = os.umask(0o022)
    try:
        from exam import config, db, migrate
        folder = config.instance_path()
        url = config.database_url(folder)
        migrate.upgrade(url)
        engine = db.engine_for(url)
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS scratch (x INTEGER)")
            conn.exec_driver_sql("INSERT INTO scratch VALUES (1)")
        mode = lambda p: stat.S_IMODE(os.stat(p).st_mode)  # noqa: E731
        assert mode(folder) == 0o700
        database = folder / "callexam.db"
        for path in (database, database.with_name("callexam.db-wal"), database.with_name("callexam.db-shm")):
            assert path.exists() and mode(path) == 0o600, path
        assert mode(config.secret_key(folder) and folder / "secret_key") == 0o600
        db.dispose_all()
        os.chmod(database, 0o644)                   # an older install: tightened on the next start
        os.chmod(folder, 0o755)
        config.instance_path()
        db.make_engine(url).dispose()
        assert mode(database) == 0o600 and mode(folder) == 0o700
    finally:
        os.umask(old)


# ---------------------------------------------------------------- caches

def test_personal_pages_and_downloads_are_never_stored(client, app):
    login(client, "cand1")
    for path in ("/candidate", "/candidate/certificates", "/account/password", "/login"):
        resp = client.get(path)
        assert resp.headers["Cache-Control"] == "no-store", path
    template = client.get("/verify/bulk/template.xlsx")   # a download (403 for candidates, still no-store)
    assert template.headers["Cache-Control"] == "no-store"
    login(client, "verifier")
    download = client.get("/verify/bulk/template.xlsx")
    assert download.status_code == 200 and download.headers["Cache-Control"] == "no-store"
    login(client, "examiner")
    sheet = client.get("/examiner/roster-template.xlsx")          # send_file's own "no-cache" is replaced
    assert sheet.status_code == 200 and sheet.headers["Cache-Control"] == "no-store"
    static = client.get("/static/css/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")


# ---------------------------------------------------------------- station sequence numbers

def test_station_sequence_numbers_are_validated_and_a_reset_clears_them(client, station):  # noqa: F811
    session_id, code, station_id = station
    agent = Agent(client, code)
    assert agent.register().status_code == 200
    huge = agent.signed("GET", protocol.STATUS_PATH, seq=10 ** 30)
    assert huge.status_code == 400 and "X-Station-Seq" in huge.get_json()["error"]
    ahead = agent.signed("GET", protocol.STATUS_PATH, seq=int((time.time() + 3 * 86400) * 1e6))
    assert ahead.status_code == 400 and "系统时间" in ahead.get_json()["error"]
    for text in ("-5", "0", "1e9", "１２"):
        resp = client.get(protocol.STATUS_PATH, headers={protocol.CODE_HEADER: code, protocol.SEQ_HEADER: text,
                                                         protocol.SIGNATURE_HEADER: "00"})
        assert resp.status_code == 400, text
    near = int((time.time() + 20 * 3600) * 1e6)            # accepted: within a day of the server's clock
    assert agent.signed("GET", protocol.STATUS_PATH, seq=near).status_code == 200
    assert agent.signed("GET", protocol.STATUS_PATH, seq=near - 1).status_code == 409
    login(client, "examiner")
    token = csrf_token(client, f"/examiner/sessions/{session_id}/stations")
    client.post(f"/examiner/sessions/{session_id}/stations/{station_id}/reset", data={"csrf_token": token})
    fresh = Agent(client, code)                               # a reinstalled agent starts from 1 again
    assert fresh.register().status_code == 200
    assert fresh.status().status_code == 200
