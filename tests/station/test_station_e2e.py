"""``callexam station`` for real: the agent process on an Xvfb display, the real server, keys typed
with xdotool while the candidate's typing test is open, signed summaries stored and cross-checked."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text
from sqlmodel import Session

from exam import db
from exam.db import write_session
from exam.sessions import service as sessions
from exam.timeutil import utcnow
from tests.browser.conftest import LiveServer
from typing_test import review, service, station_service
from typing_test.models import TypingAttempt


@pytest.fixture
def server(tmp_path, sqlite_template):
    live = LiveServer(tmp_path, sqlite_template, env={"CALLEXAM_STATION_POLL_SECONDS": "1",
                                                       "CALLEXAM_STATION_UPLOAD_SECONDS": "1"})
    yield live
    live.stop()
    db.dispose_all()


def _wait(condition, timeout=20.0, what="条件"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"等待超时：{what}")


def test_the_agent_reports_keystrokes_and_shortcuts_of_an_open_typing_test(server, xvfb, tmp_path):
    engine = db.engine_for(server.url_db)
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT username, id FROM user_account")).all())
    with write_session(engine) as s:
        now = utcnow()
        session_id = sessions.create_session(
            s, name="考试机测试", level="junior", opens_at=now - dt.timedelta(minutes=1),
            closes_at=now + dt.timedelta(hours=1), duration_minutes=60, item_count=20,
            candidate_ids=[ids["cand1"]], created_by=ids["examiner"]).id
        station = station_service.create_stations(s, session_id, 1, ids["examiner"])[0]
        station_service.assign(s, session_id, station.id, ids["cand1"], ids["examiner"])
        code, station_id = station.code, station.id
    attempt_id = service.start(engine, session_id, ids["cand1"], utcnow())

    env = {**os.environ, "DISPLAY": xvfb}
    agent = subprocess.Popen([sys.executable, "-m", "exam.cli", "station", "--server", server.url, "--code", code,
                              "--state-dir", str(tmp_path / "agent")],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        def summaries():
            with engine.connect() as conn:
                return conn.execute(text("SELECT keystrokes, shortcuts FROM station_summary WHERE attempt_id = :a"),
                                    {"a": attempt_id}).all()
        _wait(lambda: summaries(), what="监控程序登记并上报第一个窗口")
        subprocess.run(["xdotool", "type", "--delay", "15", "ni hao zhong guo " * 4], env=env, check=True, timeout=20)
        subprocess.run(["xdotool", "key", "ctrl+v", "alt+Tab"], env=env, check=True, timeout=20)
        _wait(lambda: sum(k for k, _ in summaries()) >= 68 + 4, what="击键计入摘要")
        agent.send_signal(signal.SIGTERM)
        assert agent.wait(timeout=15) == 0
    finally:
        if agent.poll() is None:
            agent.kill()
        output = agent.stdout.read().decode(errors="replace")
    with Session(engine) as s:
        stored = station_service.summaries_for(s, "typing", attempt_id)
        assert stored and all(x.station_id == station_id and x.candidate_id == ids["cand1"] for x in stored)
        assert sum(x.shortcuts["ctrl_v"] for x in stored) == 1 and sum(x.shortcuts["alt_tab"] for x in stored) == 1
        flags = review.evidence(s, s.get(TypingAttempt, attempt_id)).flags
    assert "考试机记录Ctrl+V 粘贴 1 次" in flags and "考试机记录Alt+Tab 切换窗口 1 次" in flags, (flags, output)
    # no browser was open, so the test page saw no key while the PC's keyboard was busy
    assert any("远多于测试页面的 0 次" in f for f in flags), flags
