"""Station request signing, and the agent's client and loop against a stub of the protocol.

The stub is a few lines of http.server that verifies signatures with the same module the real server
imports, so these tests pin the wire format without depending on the server code. No display needed:
the keyboard is replaced by a KeyTally the test presses keys on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from typing_test import station_agent
from typing_test import station_protocol as proto
from typing_test.station_agent import NetworkError, StationClient, StationRefused
from typing_test.station_tally import KeyTally

KEY = "00112233445566778899aabbccddeeff" * 2


# --- signing -----------------------------------------------------------------------------------------

def test_canonical_is_the_documented_bytes():
    body = b'{"a":1}'
    expected = b"POST\n/api/v1/stations/summaries\n17\n" + hashlib.sha256(body).hexdigest().encode()
    assert proto.canonical("post", "/api/v1/stations/summaries", 17, body) == expected
    assert proto.canonical(b"GET", b"/x", 1, b"").endswith(hashlib.sha256(b"").hexdigest().encode())


def test_sign_matches_an_independent_hmac():
    msg = b"\n".join([b"GET", b"/api/v1/stations/status", b"1700000000000000",
                      hashlib.sha256(b"").hexdigest().encode()])
    expected = hmac.new(bytes.fromhex(KEY), msg, hashlib.sha256).hexdigest()
    assert proto.sign(KEY, "GET", "/api/v1/stations/status", 1700000000000000, b"") == expected


def test_verify_rejects_any_change():
    sig = proto.sign(KEY, "POST", "/p", 5, b"body")
    assert proto.verify(KEY, "POST", "/p", 5, b"body", sig)
    assert proto.verify(KEY, "POST", "/p", 5, b"body", sig.upper())
    for args in [("GET", "/p", 5, b"body"), ("POST", "/q", 5, b"body"), ("POST", "/p", 6, b"body"),
                 ("POST", "/p", 5, b"bodY")]:
        assert not proto.verify(KEY, *args, sig)
    assert not proto.verify("ff" * 32, "POST", "/p", 5, b"body", sig)


@pytest.mark.parametrize("key,signature", [("not hex", "00" * 32), (KEY, "zz"), (KEY, None), (KEY, "")])
def test_verify_is_false_on_malformed_input(key, signature):
    assert proto.verify(key, "GET", "/p", 1, b"", signature) is False


# --- a stub server ------------------------------------------------------------------------------------

class Stub:
    """What the real server promises, reduced to dictionaries."""

    def __init__(self):
        self.codes = {"A01": None}  # code → key once registered
        self.last_seq: dict[str, int] = {}
        self.activity = None
        self.poll_seconds, self.upload_seconds = 0.05, 0.2
        self.summaries: list[dict] = []
        self.fail_uploads = 0  # answer this many uploads with 503
        self.force_status = None  # (status, payload) for every signed request
        self.registrations = 0
        self.lock = threading.Lock()

    def handle(self, method, path, headers, body):
        if path == proto.REGISTER_PATH:
            code = json.loads(body)["code"]
            self.registrations += 1
            if code not in self.codes:
                return 404, {"error": "考试机编号不存在"}
            if self.codes[code]:
                return 409, {"error": "该考试机已登记"}
            self.codes[code] = os.urandom(32).hex()
            return 200, {"label": code, "key": self.codes[code]}
        code, seq = headers.get(proto.CODE_HEADER), int(headers.get(proto.SEQ_HEADER, "0"))
        if self.force_status:
            return self.force_status
        if not self.codes.get(code):
            return 404, {"error": "考试机编号不存在"}
        if not proto.verify(self.codes[code], method, path, seq, body, headers.get(proto.SIGNATURE_HEADER)):
            return 401, {"error": "签名无效"}
        if seq <= self.last_seq.get(code, 0):
            return 409, {"error": "序号重复"}
        self.last_seq[code] = seq
        if path == proto.STATUS_PATH:
            return 200, {"activity": self.activity, "poll_seconds": self.poll_seconds,
                         "upload_seconds": self.upload_seconds}
        if self.fail_uploads:
            self.fail_uploads -= 1
            return 503, {"error": "服务器忙"}
        summary = json.loads(body)
        key = (summary["activity"], summary["attempt_id"], summary["window_start"])
        if all((s["activity"], s["attempt_id"], s["window_start"]) != key for s in self.summaries):
            self.summaries.append(summary)
        return 200, {"accepted": True}


@pytest.fixture
def stub():
    state = Stub()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with state.lock:
                status, payload = state.handle(self.command, self.path, self.headers, body)
            raw = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _serve

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield state
    server.shutdown()
    server.server_close()


class FakeMonitor:
    """KeyboardMonitor's interface over a plain KeyTally."""

    def __init__(self):
        self.tally, self.lock = KeyTally(active=False), threading.Lock()
        self.alive = False

    def start(self):
        self.alive = True

    def stop(self):
        self.alive = False

    def set_active(self, active):
        with self.lock:
            self.tally.active = active

    def take_summary(self, start, end, **extra):
        with self.lock:
            return self.tally.summary(start, end, **extra)

    def press(self, token):
        with self.lock:
            self.tally.press(token, time.monotonic())


@pytest.fixture(autouse=True)
def fast_intervals(monkeypatch):
    monkeypatch.setattr(station_agent, "MIN_INTERVAL", 0.05)


def start_agent(stub, tmp_path, code="A01"):
    stop, monitor = threading.Event(), FakeMonitor()
    client = StationClient(stub.url, code, tmp_path / "state", backoff=0.01, timeout=2, sleep=stop.wait)
    outcome = {}

    def target():
        try:
            outcome["rc"] = station_agent.run(stub.url, code, tmp_path / "state", stop, monitor=monitor,
                                              client=client)
        except Exception as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return stop, monitor, thread, outcome


def wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


# --- client and loop ----------------------------------------------------------------------------------

def test_register_stores_key_owner_only_and_is_reused(stub, tmp_path):
    client = StationClient(stub.url, "A01", tmp_path / "state")
    assert client.load_key() is None
    assert client.register() == "A01"
    key_file = tmp_path / "state" / "A01.key"
    assert key_file.read_text().strip() == stub.codes["A01"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    again = StationClient(stub.url, "A01", tmp_path / "state")
    assert again.load_key() == stub.codes["A01"]
    assert again.status()["activity"] is None
    assert stub.registrations == 1


def test_sequence_numbers_increase_across_restarts(stub, tmp_path):
    first = StationClient(stub.url, "A01", tmp_path)
    seqs = [first.next_seq() for _ in range(3)]
    (tmp_path / "A01.seq").write_text(str(seqs[-1] + 10**12))  # as if the clock had been set back
    assert StationClient(stub.url, "A01", tmp_path).next_seq() == seqs[-1] + 10**12 + 1
    assert seqs == sorted(set(seqs))


@pytest.mark.parametrize("code,expected", [("A01", "该考试机已登记"), ("Z99", "考试机编号不存在")])
def test_refused_registration_gives_exit_3_and_the_reason(stub, tmp_path, code, expected):
    stub.codes["A01"] = "ab" * 32
    stop, monitor, thread, outcome = start_agent(stub, tmp_path, code)
    thread.join(5)
    error = outcome["error"]
    assert isinstance(error, StationRefused) and error.exit_code == 3
    assert "登记被拒绝" in str(error) and expected in str(error)  # the server's reason, verbatim
    assert not monitor.alive


def test_bad_signature_gives_exit_3(stub, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "A01.key").write_text("cd" * 32)  # not the key the server holds
    stub.codes["A01"] = "ab" * 32
    stop, monitor, thread, outcome = start_agent(stub, tmp_path)
    thread.join(5)
    assert isinstance(outcome["error"], StationRefused) and outcome["error"].exit_code == 3
    assert "签名无效" in str(outcome["error"])


def test_loop_uploads_windows_and_a_final_summary_when_the_activity_ends(stub, tmp_path):
    stop, monitor, thread, outcome = start_agent(stub, tmp_path)
    wait_for(lambda: stub.last_seq.get("A01"))  # registered and polling
    monitor.press("char")  # no activity yet: not counted
    stub.activity = {"kind": "typing", "attempt_id": 12, "deadline": "2026-11-23T03:00:00Z"}
    wait_for(lambda: monitor.tally.active)
    for _ in range(3):
        monitor.press("char")
    monitor.press("ctrl")
    monitor.press("v")
    wait_for(lambda: len(stub.summaries) >= 3)  # also empty windows are uploaded
    stub.activity = None
    wait_for(lambda: not monitor.tally.active)
    count = len(stub.summaries)
    time.sleep(0.3)
    assert len(stub.summaries) == count  # nothing uploaded without an activity
    stop.set()
    thread.join(5)
    assert outcome == {"rc": 0}
    assert {(s["activity"], s["attempt_id"]) for s in stub.summaries} == {("typing", 12)}
    assert sum(s["keystrokes"] for s in stub.summaries) == 5
    assert sum(s["shortcuts"]["ctrl_v"] for s in stub.summaries) == 1
    starts = [s["window_start"] for s in stub.summaries]
    assert starts == sorted(starts)
    assert all(a["window_end"] == b["window_start"] for a, b in zip(stub.summaries, stub.summaries[1:]))


def test_failed_uploads_are_kept_and_retried_and_stop_sends_a_final_summary(stub, tmp_path):
    stub.activity = {"kind": "theory", "attempt_id": 7, "deadline": None}
    stub.fail_uploads = 8  # more than one upload's retries: windows pile up in the queue
    stop, monitor, thread, outcome = start_agent(stub, tmp_path)
    wait_for(lambda: monitor.tally.active)
    monitor.press("print_screen")
    wait_for(lambda: stub.fail_uploads == 0 and len(stub.summaries) >= 2)
    monitor.press("cmd")
    stop.set()
    thread.join(5)
    assert outcome == {"rc": 0}
    assert sum(s["shortcuts"]["print_screen"] for s in stub.summaries) == 1
    assert sum(s["shortcuts"]["win"] for s in stub.summaries) == 1  # in the final summary
    assert all(a["window_end"] == b["window_start"] for a, b in zip(stub.summaries, stub.summaries[1:]))


def test_unreachable_server_is_a_network_error(tmp_path):
    client = StationClient("http://127.0.0.1:9", "A01", tmp_path, retries=1, backoff=0.01, timeout=1)
    client.key = KEY
    with pytest.raises(NetworkError, match="无法连接服务器"):
        client.status()


@pytest.mark.parametrize("server,code", [("ftp://x", "A01"), ("http://h", "../etc"), ("h:5000", "A01")])
def test_bad_arguments_are_refused_before_anything_else(server, code, tmp_path):
    with pytest.raises(station_agent.UsageError) as info:
        station_agent.run(server, code, tmp_path, monitor=FakeMonitor())
    assert info.value.exit_code == 2


def test_window_times_are_utc_with_milliseconds(stub, tmp_path):
    stub.activity = {"kind": "typing", "attempt_id": 1, "deadline": None}
    stop, monitor, thread, outcome = start_agent(stub, tmp_path)
    wait_for(lambda: stub.summaries)
    stop.set()
    thread.join(5)
    parsed = dt.datetime.fromisoformat(stub.summaries[0]["window_start"])
    assert parsed.utcoffset() == dt.timedelta(0) and stub.summaries[0]["window_start"].endswith("Z")
