"""The exam-station API with its signatures, and the examiner's station page and flags."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests.webclient import csrf_token, live_page, login, opened
from typing_test import station_protocol as protocol


class Agent:
    """Speaks the station protocol through the Flask test client, as ``callexam station`` does."""

    def __init__(self, client, code):
        self.client, self.code, self.key, self.seq = client, code, None, 0

    def register(self):
        resp = self.client.post(protocol.REGISTER_PATH, json={"code": self.code, "hostname": "pc-07"})
        if resp.status_code == 200:
            self.key = resp.get_json()["key"]
        return resp

    def signed(self, method, path, payload=None, seq=None, key=None):
        body = b"" if payload is None else json.dumps(payload).encode()
        self.seq = seq if seq is not None else self.seq + 1
        headers = {protocol.CODE_HEADER: self.code, protocol.SEQ_HEADER: str(self.seq),
                   protocol.SIGNATURE_HEADER: protocol.sign(key or self.key, method, path, self.seq, body)}
        return self.client.open(path, method=method, data=body, headers=headers,
                                content_type="application/json" if payload is not None else None)

    def status(self):
        return self.signed("GET", protocol.STATUS_PATH)

    def summary(self, attempt_id, keystrokes, activity="typing", start=None, shortcuts=None):
        start = start or dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc)
        return self.signed("POST", protocol.SUMMARIES_PATH, {
            "activity": activity, "attempt_id": attempt_id,
            "window_start": start.isoformat().replace("+00:00", "Z"),
            "window_end": (start + dt.timedelta(seconds=15)).isoformat().replace("+00:00", "Z"),
            "keystrokes": keystrokes, "char_keys": keystrokes, "injected": 0,
            "intervals": {"count": max(keystrokes - 1, 0), "median_ms": 180.0, "p10_ms": 90.0, "p90_ms": 400.0,
                          "under_30ms": 0},
            "shortcuts": {"alt_tab": 0, "win": 0, "ctrl_c": 0, "ctrl_v": 0, "print_screen": 0, **(shortcuts or {})},
        })


def _station_for(client, session_id, candidate_id):
    """As the examiner: add a station to the session, assign it to the candidate; returns its code."""
    login(client, "examiner")
    token = csrf_token(client, f"/examiner/sessions/{session_id}/stations")
    assert client.post(f"/examiner/sessions/{session_id}/stations",
                       data={"csrf_token": token, "count": 1}).status_code == 302
    page = client.get(f"/examiner/sessions/{session_id}/stations").get_data(as_text=True)
    code = re.search(r'<code class="station-code">([A-Z0-9-]+)</code>', page).group(1)
    station_id = int(re.search(r"/stations/(\d+)/assign", page).group(1))
    resp = client.post(f"/examiner/sessions/{session_id}/stations/{station_id}/assign",
                       data={"csrf_token": token, f"s{station_id}-candidate_id": candidate_id})
    assert resp.status_code == 302
    return code, station_id


def _typing_start(client, session_id):
    login(client, "cand1")
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/candidate/sessions/{session_id}/typing/start", data={"csrf_token": token, "confirm": "1"})
    attempt_id, _, page = opened(client, resp)
    return attempt_id, token, live_page(page)  # the start's page is the attempt's live page


@pytest.fixture
def station(client, users, make_session):
    session_id = make_session()
    code, station_id = _station_for(client, session_id, users["cand1"])
    client.post("/logout", data={"csrf_token": csrf_token(client, "/no-such-page")})
    return session_id, code, station_id


def test_register_once_then_every_request_is_signed(client, station):
    session_id, code, _ = station
    agent = Agent(client, code)
    assert Agent(client, "NOPE-NOPE").register().status_code == 404
    resp = agent.register()
    assert resp.status_code == 200 and len(agent.key) == 64 and resp.get_json()["label"] == "01"
    again = Agent(client, code).register()
    assert again.status_code == 409 and "重置" in again.get_json()["error"]
    status = agent.status()
    assert status.status_code == 200 and status.get_json()["activity"] is None
    forged = agent.signed("GET", protocol.STATUS_PATH, key="00" * 32)
    assert forged.status_code == 401 and "签名" in forged.get_json()["error"]
    replay = agent.signed("GET", protocol.STATUS_PATH, seq=agent.seq - 1)
    assert replay.status_code == 409


def test_the_agent_learns_of_the_typing_test_and_its_summaries_are_stored_once(client, station):
    session_id, code, _ = station
    agent = Agent(client, code)
    agent.register()
    attempt_id, _, _ = _typing_start(client, session_id)
    activity = agent.status().get_json()["activity"]
    assert activity["kind"] == "typing" and activity["attempt_id"] == attempt_id
    assert agent.summary(attempt_id, 300).get_json() == {"accepted": True, "duplicate": False}
    assert agent.summary(attempt_id, 300).get_json()["duplicate"] is True  # a retried upload
    bad = agent.signed("POST", protocol.SUMMARIES_PATH, {"activity": "typing", "attempt_id": attempt_id})
    assert bad.status_code == 400


def test_a_summary_for_someone_elses_attempt_is_refused(client, station, engine, users):
    session_id, code, _ = station
    agent = Agent(client, code)
    agent.register()
    login(client, "cand2")
    token = csrf_token(client, "/candidate")
    other = opened(client, client.post(f"/candidate/sessions/{session_id}/typing/start",
                                       data={"csrf_token": token, "confirm": "1"}))[0]
    assert agent.summary(other, 10).status_code == 403


def test_few_station_keystrokes_for_many_characters_is_flagged_to_the_examiner(client, station):
    session_id, code, _ = station
    agent = Agent(client, code)
    agent.register()
    attempt_id, token, live = _typing_start(client, session_id)
    text = "您好很高兴为您服务请问有什么可以帮您" * 5  # 90 characters
    assert client.post(f"/api/typing/{attempt_id}/save{live}", headers={"X-CSRFToken": token},
                       json={"seq": 1, "text": text, "instance": "p",
                             "counters": {"keydowns": 400, "composed_chars": 90}}).status_code == 200
    agent.summary(attempt_id, 40, shortcuts={"ctrl_v": 2})
    login(client, "examiner")
    page = client.get(f"/examiner/typing/{attempt_id}").get_data(as_text=True)
    assert "考试机记录按键 40 次，少于录入的 90 字" in page
    assert "浏览器记录按键 400 次，考试机仅记录 40 次" in page
    assert "考试机记录Ctrl+V 粘贴 2 次" in page
    assert "不会自动判定考生不合格" in page


def test_an_assigned_station_that_never_reports_is_flagged(client, station):
    session_id, _, _ = station
    attempt_id, _, _ = _typing_start(client, session_id)
    login(client, "examiner")
    page = client.get(f"/examiner/sessions/{session_id}/typing").get_data(as_text=True)
    assert "考试机 01 的监控程序没有上报任何数据" in page


def test_reset_lets_a_reinstalled_agent_register_again(client, station):
    session_id, code, station_id = station
    assert Agent(client, code).register().status_code == 200
    login(client, "examiner")
    token = csrf_token(client, f"/examiner/sessions/{session_id}/stations")
    client.post(f"/examiner/sessions/{session_id}/stations/{station_id}/reset", data={"csrf_token": token})
    assert Agent(client, code).register().status_code == 200


def test_a_station_cannot_be_given_to_someone_not_enrolled(client, station, users):
    session_id, _, station_id = station
    login(client, "examiner")
    token = csrf_token(client, f"/examiner/sessions/{session_id}/stations")
    resp = client.post(f"/examiner/sessions/{session_id}/stations/{station_id}/assign",
                       data={"csrf_token": token, f"s{station_id}-candidate_id": users["cand3"]},
                       follow_redirects=True)
    assert "请选择本场考试的考生" in resp.get_data(as_text=True)
