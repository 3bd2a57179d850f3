"""Every save and every submission of the three parts passes the same access rules as the attempt
page (issue 17.3), through the JSON APIs a script would use: the room's network, the idle lock, the
fullscreen rule, a proctor's pause and a void (``exam.access.attempts``). SQLite and PostgreSQL."""

from __future__ import annotations


import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from exam import parts
from exam.db import write_connection
from exam.timeutil import utcnow
from tests.integration.test_access import ROOM, SIT, set_rules, start, start_from
from tests.webclient import csrf_token, exam_state, live_page, login

PARTS = ("theory", "typing", "practical")
SUBMIT = {"theory": "/candidate/attempts/{}/submit", "typing": "/candidate/typing/{}/submit",
          "practical": "/candidate/practical/{}/submit"}


class Sitting:
    """One candidate's attempt of one part, and the requests the page's autosave client makes."""

    def __init__(self, client, engine, part, session_id, attempt_id, page=""):
        self.client, self.engine, self.part, self.sid, self.id = client, engine, part, session_id, attempt_id
        self.page = page  # "?page=<token>" of the attempt's live page, once one has been opened
        self.seq = 0
        self.token = csrf_token(client, "/candidate")

    def save(self, environ=ROOM):
        self.seq += 1
        headers = {"X-CSRFToken": self.token}
        if self.part == "theory":
            return self.client.post(f"/api/attempts/{self.id}/answers{self.page}", headers=headers, environ_base=environ,
                                    json={"saves": [{"position": 0, "value": "", "seq": self.seq}]})
        if self.part == "typing":
            return self.client.post(f"/api/typing/{self.id}/save", headers=headers, environ_base=environ,
                                    json={"seq": self.seq, "instance": "page-1",
                                          "text": "您好，这里是客户服务中心"[: self.seq + 2]})
        return self.client.post(f"/api/practical/{self.id}/tasks/{self.plain_task()}", headers=headers,
                                environ_base=environ, json={"seq": self.seq, "answer": None})

    def plain_task(self) -> int:
        """A task whose answer may be empty (every kind but the simulated call)."""
        from practical.models import PracticalTask
        with Session(self.engine) as db:
            return next(t.position for t in db.exec(select(PracticalTask).where(PracticalTask.attempt_id == self.id))
                        if t.kind != "call")

    def submit(self, environ=ROOM):
        return self.client.post(SUBMIT[self.part].format(self.id) + self.page, data={"csrf_token": self.token},
                                environ_base=environ)

    def status(self) -> str:
        with Session(self.engine) as db:
            return db.get(parts.get(self.part).model, self.id).status

    def set(self, **values):
        table = parts.get(self.part).table
        with write_connection(self.engine) as conn:
            conn.execute(update(table).where(table.c.id == self.id).values(**values))

    def signal(self, kind):
        resp = self.client.post(f"/api/sessions/{self.sid}/signals", headers={"X-CSRFToken": self.token},
                                json={"part": self.part, "kind": kind, "detail": {}}, environ_base=ROOM)
        assert resp.status_code in (200, 201, 204), resp.get_data(as_text=True)


def sitting(client, engine, make_session, part, rules=None, **form) -> Sitting:
    sid = make_session()
    if rules:
        set_rules(engine, sid, rules)
    login(client, "cand1")
    resp = start_from(client, part, sid, ROOM, **form) if rules else start(client, part, sid)
    if resp.status_code == 200:  # theory: the start answers with the paper page, the attempt's live page
        html = resp.get_data(as_text=True)
        return Sitting(client, engine, part, sid, exam_state(html)["attemptId"], live_page(html))
    assert SIT[part] in resp.location, resp.location  # typing, practical: no page opened yet
    return Sitting(client, engine, part, sid, int(resp.location.rsplit("/", 1)[1]))


def assert_refused(resp, status, flag):
    assert resp.status_code == status, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body[flag] is True and body["error"]


@pytest.mark.parametrize("part", PARTS)
def test_saves_and_submits_from_outside_the_rooms_network_are_refused(client, engine, make_session, part):
    s = sitting(client, engine, make_session, part, {"ip_subnet": {"subnets": ["10.1.0.0/16"]}})
    assert s.save().status_code == 200
    outside = {"REMOTE_ADDR": "127.0.0.1"}
    resp = s.save(outside)
    assert_refused(resp, 403, "refused")
    assert "127.0.0.1" in resp.get_json()["error"]
    resp = s.submit(outside)
    assert resp.status_code == 302 and SIT[part] in resp.location
    assert s.status() == "open"  # not submitted, not graded
    assert s.save().status_code == 200  # back in the room: saves go on
    s.submit()
    assert s.status() == "submitted"


@pytest.mark.parametrize("part", PARTS)
def test_saves_and_submits_wait_while_the_page_is_idle_locked(client, engine, make_session, part):
    s = sitting(client, engine, make_session, part, {"idle_timeout": {"minutes": 5}})
    assert s.save().status_code == 200
    lock = client.post(f"/api/sessions/{s.sid}/access/lock", json={"part": part, "idleSeconds": 300},
                       headers={"X-CSRFToken": s.token}, environ_base=ROOM)
    assert lock.status_code == 200
    assert_refused(s.save(), 423, "locked")
    s.submit()
    assert s.status() == "open"
    from tests.conftest import PASSWORD
    unlock = client.post(f"/api/sessions/{s.sid}/access/unlock", json={"part": part, "secret": PASSWORD},
                         headers={"X-CSRFToken": s.token}, environ_base=ROOM)
    assert unlock.get_json() == {"unlocked": True}
    assert s.save().status_code == 200
    s.submit()
    assert s.status() == "submitted"


@pytest.mark.parametrize("part", PARTS)
def test_saves_wait_while_the_page_is_out_of_fullscreen(client, engine, make_session, part):
    s = sitting(client, engine, make_session, part, {"fullscreen": {}}, fullscreen="1")
    assert s.save().status_code == 200
    s.signal("fullscreen_exit")
    assert_refused(s.save(), 423, "fullscreen")
    s.submit()
    assert s.status() == "open"
    s.signal("fullscreen_return")
    assert s.save().status_code == 200
    s.submit()
    assert s.status() == "submitted"


@pytest.mark.parametrize("part", PARTS)
def test_a_paused_attempt_takes_no_save_and_no_submission(client, engine, make_session, part):
    s = sitting(client, engine, make_session, part)
    assert s.save().status_code == 200
    s.set(paused_at=utcnow())
    assert_refused(s.save(), 423, "paused")
    s.submit()
    assert s.status() == "open"
    s.set(paused_at=None)
    assert s.save().status_code == 200


@pytest.mark.parametrize("part", PARTS)
def test_a_void_attempt_takes_no_save_and_no_submission(client, engine, make_session, part):
    s = sitting(client, engine, make_session, part)
    s.set(status="void", submit_reason="void")
    assert_refused(s.save(), 409, "closed")
    resp = s.submit()
    assert resp.status_code == 302 and "result" in resp.location
    assert s.status() == "void"


@pytest.mark.parametrize("part", PARTS)
def test_another_candidates_attempt_is_not_found(client, engine, make_session, part):
    s = sitting(client, engine, make_session, part)
    login(client, "cand2")
    s.token = csrf_token(client, "/candidate")
    assert s.save().status_code == 404
    assert s.submit().status_code == 404
    assert s.status() == "open"
