"""The exam-station agent: runs on a candidate's PC and reports how the keyboard was used.

Checks in the browser cannot see what happens outside the exam page (Alt+Tab to another program, a
screenshot, text pasted from elsewhere, keys synthesised by a script), so a small agent on the PC
watches the keyboard while the server says an exam is open there and uploads signed per-window
summaries. It never records which keys were typed: see ``station_tally`` for the token set.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

from typing_test import station_protocol as proto
from typing_test.station_tally import KeyTally, token_for

log = logging.getLogger("callexam.station")

NO_DISPLAY_MESSAGE = ("未检测到图形界面（DISPLAY 未设置或无法连接 X 服务器）："
                      "考试机监控程序须在考生电脑的桌面会话中运行。")
QUEUE_CAP = 480  # two hours of 15-second windows; the oldest is dropped first
MIN_INTERVAL = 1.0  # floor for the server's poll/upload seconds (tests lower it)
DEFAULT_STATE_DIR = Path.home() / ".callexam-station"
_CODE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")  # the code becomes a file name
_KEY_RE = re.compile(r"[0-9a-fA-F]{64}")
_KIND_NAMES = {"typing": "打字测试", "theory": "理论考试"}


class StationError(Exception):
    """Carries a Chinese message for the person at the station, and the exit code that fits it."""
    exit_code = 1


class NoDisplayError(StationError):
    """pynput cannot reach a desktop session, so there is nothing to watch."""
    exit_code = 2


class UsageError(StationError):
    """--server or --code cannot be right; checked before touching the display or the network."""
    exit_code = 2


class StationRefused(StationError):
    """Unknown code, already registered, bad key: retrying will not help, a person must act."""
    exit_code = 3


class NetworkError(StationError):
    """Unreachable, or 5xx after the retries: worth trying again later."""


class RequestRejected(StationError):
    """One request refused (e.g. 400, replayed sequence number): repeating it will not help."""


class KeyboardMonitor:
    """Feeds a KeyTally from the real keyboard; counts only while ``set_active(True)``.

    Stopping. On X11, pynput's ``Listener.stop()`` queues RECORD DisableContext on the very connection
    its thread is blocked reading, so the request is not flushed and the thread (hence ``join``) ends
    only after one more key event. Pressing a key ourselves would type on the candidate's desktop, so
    ``stop()`` instead (1) stops counting at once, (2) calls ``Listener.stop()``, (3) sends the same
    DisableContext from a fresh X connection and waits for a round trip before closing it (without
    the round trip about one stop in fifteen was lost), which ends the listener's loop at once, and
    (4) joins with a timeout. Should step 3 fail (pynput internals changed), the listener is a daemon thread
    that counts nothing any more and ends with the next key or with the process.
    """

    def __init__(self, clock=time.monotonic):
        self._clock, self._lock = clock, threading.Lock()
        self._tally = KeyTally(active=False)
        self._listener = self._keyboard = None
        self._stopped = False

    def start(self, ready_timeout: float = 5.0) -> None:
        try:  # pynput picks its backend at import time and raises ImportError without a display
            from pynput import keyboard
            self._keyboard = keyboard
            self._listener = keyboard.Listener(on_press=self._on_press, on_release=self._on_release)
            self._listener.start()
        except Exception as exc:  # noqa: BLE001 - ImportError, Xlib's DisplayError, ...
            raise NoDisplayError(NO_DISPLAY_MESSAGE) from exc
        # Listener.wait() blocks forever if the thread dies before it is ready, so wait beside it.
        waiter = threading.Thread(target=self._listener.wait, daemon=True)
        waiter.start()
        waiter.join(ready_timeout)
        if waiter.is_alive() or not self._listener.is_alive():
            raise NoDisplayError(NO_DISPLAY_MESSAGE + "（键盘监听未能启动）")

    @property
    def alive(self) -> bool:
        return self._listener is not None and self._listener.is_alive() and not self._stopped

    def set_active(self, active: bool) -> None:
        with self._lock:
            self._tally.active = active

    def take_summary(self, window_start, window_end, **extra) -> dict:
        with self._lock:
            return self._tally.summary(window_start, window_end, **extra)

    # pynput >= 1.8 passes ``injected``; older versions call with the key only.
    def _on_press(self, key, injected=False):
        if not self._stopped:
            token = token_for(key, self._keyboard, getattr(self._listener, "canonical", None))
            with self._lock:
                self._tally.press(token, self._clock(), bool(injected))

    def _on_release(self, key, injected=False):
        if not self._stopped:
            token = token_for(key, self._keyboard, getattr(self._listener, "canonical", None))
            with self._lock:
                self._tally.release(token)

    def stop(self, timeout: float = 2.0) -> None:
        self._stopped = True
        listener, self._listener = self._listener, None
        if listener is None:
            return
        listener.stop()
        context = getattr(listener, "_context", None)  # pynput's RECORD context on X11
        try:
            if listener.is_alive() and context is not None and "xorg" in type(listener).__module__:
                import Xlib.display
                display = Xlib.display.Display()
                display.record_disable_context(context)
                display.sync()  # a round trip: the server has acted on it before we hang up
                display.close()
            listener.join(timeout)
        except Exception as exc:  # noqa: BLE001 - the fallback (daemon thread, no counting) is safe
            log.debug("键盘监听线程未能及时结束：%r", exc)


class StationClient:
    """The protocol's three calls, signed, with retries; keeps the key and sequence number on disk.

    Each attempt is signed afresh with a new sequence number: the server refuses a repeated one, and a
    first attempt may have reached it even when its answer never came back.
    """

    def __init__(self, server: str, code: str, state_dir: Path | str, *, timeout: float = 10.0,
                 retries: int = 3, backoff: float = 1.0, sleep=time.sleep):
        self.base, self.code = server.rstrip("/"), code
        self.timeout, self.retries, self.backoff, self._sleep = timeout, retries, backoff, sleep
        self.dir = Path(state_dir).expanduser()
        self.key_path, self.seq_path = self.dir / f"{code}.key", self.dir / f"{code}.seq"
        self._seq_lock = threading.Lock()
        try:
            self._last_seq = int(self.seq_path.read_text().strip())
        except (OSError, ValueError):
            self._last_seq = 0
        self.key: str | None = None

    def load_key(self) -> str | None:
        try:
            key = self.key_path.read_text().strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            key = f"（{exc}）"
        if not _KEY_RE.fullmatch(key):
            raise StationRefused(f"密钥文件无法使用：{self.key_path}。请考评员重置本考试机，删除该文件后重新运行。")
        self.key = key
        return key

    def register(self) -> str:
        """Ask for a key and store it owner-only: anyone who reads it can sign as this station."""
        body = json.dumps({"code": self.code, "hostname": socket.gethostname()}).encode()
        status, data = self._send("POST", proto.REGISTER_PATH, body, signed=False)
        reason = data.get("error") or f"HTTP {status}"
        key = str(data.get("key", "")) if status == 200 else ""
        if not _KEY_RE.fullmatch(key):
            raise StationRefused(f"考试机 {self.code} 登记被拒绝：{reason}")
        try:
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            with os.fdopen(os.open(self.key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as fh:
                fh.write(key + "\n")
        except OSError as exc:
            raise StationRefused(f"已登记，但无法保存密钥到 {self.key_path}：{exc}。"
                                 "请考评员重置本考试机，并换一个可写的 --state-dir 后重新运行。") from exc
        self.key = key
        return str(data.get("label") or self.code)

    def status(self) -> dict:
        return self._signed("GET", proto.STATUS_PATH, b"")

    def upload(self, summary: dict) -> dict:
        return self._signed("POST", proto.SUMMARIES_PATH, json.dumps(summary, separators=(",", ":")).encode())

    def next_seq(self) -> int:
        """max(last + 1, now in µs), with ``last`` on disk: increasing across restarts and clock steps."""
        with self._seq_lock:
            self._last_seq = max(self._last_seq + 1, time.time_ns() // 1000)
            try:
                tmp = self.seq_path.with_suffix(".seq.tmp")
                tmp.write_text(str(self._last_seq))
                os.replace(tmp, self.seq_path)
            except OSError as exc:
                log.debug("无法保存序号：%s", exc)
            return self._last_seq

    def _signed(self, method: str, path: str, body: bytes) -> dict:
        status, data = self._send(method, path, body, signed=True)
        reason = data.get("error") or f"HTTP {status}"
        if status == 200:
            return data
        if status == 401:
            raise StationRefused(f"服务器拒绝了本机的签名：{reason}。密钥可能已被重置：请考评员重置本考试机，"
                                 f"删除 {self.key_path} 后重新运行。")
        if status == 404:
            raise StationRefused(f"服务器拒绝了考试机 {self.code}：{reason}")
        raise RequestRejected(f"服务器拒绝了请求（HTTP {status}）：{reason}")

    def _send(self, method: str, path: str, body: bytes, *, signed: bool) -> tuple[int, dict]:
        url = self.base + path
        wire_path = urlsplit(url).path  # what the server receives, including any prefix in --server
        problem = "已取消"
        for attempt in range(self.retries + 1):
            if attempt and self._sleep(self.backoff * 2 ** (attempt - 1)) is True:
                break  # the sleep is stop_event.wait(): shutting down, stop retrying
            headers = {"Accept": "application/json", "User-Agent": "callexam-station/1"}
            if method != "GET":
                headers["Content-Type"] = "application/json; charset=utf-8"
            if signed:
                seq = self.next_seq()
                headers.update({proto.CODE_HEADER: self.code, proto.SEQ_HEADER: str(seq),
                                proto.SIGNATURE_HEADER: proto.sign(self.key, method, wire_path, seq, body)})
            request = urllib.request.Request(url, data=None if method == "GET" else body,
                                             headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.status, _parse(response.read(), response.status)
            except urllib.error.HTTPError as exc:
                data = _parse(exc.read(), exc.code)
                if exc.code < 500:
                    return exc.code, data
                problem = data.get("error") or f"HTTP {exc.code}"
            except (urllib.error.URLError, OSError) as exc:  # refused, reset, timed out, DNS
                problem = str(getattr(exc, "reason", exc))
        raise NetworkError(f"无法连接服务器 {self.base}：{problem}")


def _parse(raw: bytes, status: int) -> dict:
    try:
        data = json.loads(raw.decode("utf-8")) if raw else {}
    except ValueError:  # includes UnicodeDecodeError
        data = None
    return data if isinstance(data, dict) else {"error": f"服务器返回了无法识别的内容（HTTP {status}）"}


class _Agent:
    """The schedule: poll the status, close a window every upload_seconds, keep what fails to upload."""

    def __init__(self, client, monitor, stop: threading.Event, clock, now):
        self.client, self.monitor, self.stop, self.clock, self.now = client, monitor, stop, clock, now
        self.poll_seconds, self.upload_seconds = 5.0, 15.0
        self.activity: tuple[str, int] | None = None
        self.window_start = now()
        self.next_poll = self.next_upload = clock()
        self.pending: deque[dict] = deque()
        self.problem = ""

    def loop(self) -> None:
        while not self.stop.is_set():
            if self.clock() >= self.next_poll:
                self.poll()
                self.next_poll = self.clock() + self.poll_seconds
            if self.activity and self.clock() >= self.next_upload:
                self.close_window()
                self.next_upload = self.clock() + self.upload_seconds
            if not self.monitor.alive:
                raise NoDisplayError("键盘监听已中断：" + NO_DISPLAY_MESSAGE)
            due = min(self.next_poll, self.next_upload) if self.activity else self.next_poll
            self.stop.wait(max(0.05, due - self.clock()))
        if self.activity:
            self.close_window()
            log.info("已停止；最后一份汇总%s", f"未能上传（{len(self.pending)} 份）" if self.pending else "已上传")

    def warn(self, message: str) -> None:
        if message != self.problem:  # one line per new problem, not one per poll
            log.warning("%s", message)
        self.problem = message

    def poll(self) -> None:
        try:
            data = self.client.status()
        except (NetworkError, RequestRejected) as exc:
            return self.warn(f"{exc}（稍后重试）")
        if self.problem:
            log.info("与服务器的连接已恢复")
            self.problem = ""
        for name, default in (("poll_seconds", 5.0), ("upload_seconds", 15.0)):
            value = data.get(name)  # clamped: a typo on the server must not make us hammer it or go quiet
            ok = isinstance(value, (int, float))
            setattr(self, name, min(max(float(value), MIN_INTERVAL), 600.0) if ok else default)
        raw = data.get("activity") if isinstance(data.get("activity"), dict) else {}
        new = (str(raw["kind"]), raw["attempt_id"]) if raw.get("kind") and isinstance(
            raw.get("attempt_id"), int) else None
        if new != self.activity:
            if self.activity:
                self.close_window()
                self.monitor.set_active(False)  # also keeps a gap between two attempts out of the stats
                log.info("%s（答卷 %s）已结束，停止计数", _KIND_NAMES.get(self.activity[0], self.activity[0]),
                         self.activity[1])
            self.activity = new
            if new:
                self.monitor.set_active(True)
                self.window_start, self.next_upload = self.now(), self.clock() + self.upload_seconds
                log.info("%s开始（答卷 %s，截止 %s），开始计数", _KIND_NAMES.get(new[0], new[0]), new[1],
                         raw.get("deadline") or "未知")
        self.flush()

    def close_window(self) -> None:
        end, (kind, attempt_id) = self.now(), self.activity
        summary = self.monitor.take_summary(self.window_start, end, activity=kind, attempt_id=attempt_id)
        self.window_start = end
        if len(self.pending) >= QUEUE_CAP:
            self.pending.popleft()
            log.warning("待上传的汇总过多，已丢弃最早的一份")
        self.pending.append(summary)
        self.flush()

    def flush(self) -> None:
        """Oldest first; a network failure keeps the rest for the next try (uploads are idempotent)."""
        while self.pending:
            try:
                self.client.upload(self.pending[0])
            except NetworkError as exc:
                return self.warn(f"汇总上传失败，已暂存待重传：{exc}")
            except RequestRejected as exc:
                log.warning("服务器拒收一份汇总，已丢弃：%s", exc)
            self.pending.popleft()


def run(server: str, code: str, state_dir: Path | str | None = None,
        stop_event: threading.Event | None = None, clock=time.monotonic, *,
        monitor=None, client=None, now=lambda: dt.datetime.now(dt.timezone.utc)) -> int:
    """Watch and report until ``stop_event`` is set, then return 0; raises StationError subclasses.
    ``monitor``, ``client`` and ``now`` let tests drive the loop against a fake server."""
    if urlsplit(server).scheme not in ("http", "https") or not urlsplit(server).netloc:
        raise UsageError(f"服务器地址无效：{server}（应形如 http://192.168.1.10:5000）")
    code = code.strip().upper()  # codes are read aloud and typed by hand; one key file whatever the case
    if not _CODE_RE.fullmatch(code):
        raise UsageError(f"考试机编码无效：{code}（只能含字母、数字、点、横线和下划线）")
    stop_event = stop_event or threading.Event()
    monitor = monitor or KeyboardMonitor()
    client = client or StationClient(server, code, state_dir or DEFAULT_STATE_DIR, sleep=stop_event.wait)
    monitor.start()  # first: without a display there is no point in registering
    try:
        while client.load_key() is None and not stop_event.is_set():
            try:
                log.info("考试机 %s 已登记为 %s", code, client.register())
            except NetworkError as exc:
                log.warning("%s（5 秒后重试登记）", exc)
                stop_event.wait(5)
        if client.key is not None:
            log.info("监控程序已启动（考试机 %s，服务器 %s）", code, server)
            _Agent(client, monitor, stop_event, clock, now).loop()
    finally:
        monitor.stop()
    return 0


def main(server: str, code: str, state_dir: Path | str | None = None) -> int:
    """The ``callexam station`` command: logging, signals, and errors turned into exit codes."""
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(message)s",
                        datefmt="%H:%M:%S")
    stop = threading.Event()

    def on_signal(signum, frame):
        if not stop.is_set():
            log.info("收到退出信号，正在上传最后一份汇总……")
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        return run(server, code, state_dir, stop_event=stop)
    except StationError as exc:
        print(str(exc), file=sys.stderr)
        log.debug("详情：%r", exc.__cause__)
        return exc.exit_code
