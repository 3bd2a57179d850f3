"""Every save and every submission of the three parts passes the same access rules as the attempt
page (issue 17.3), through the JSON APIs a script would use: the room's network, the idle lock, the
fullscreen rule, a proctor's pause and a void (``exam.access.attempts``). A save's checks run inside
its part's save transaction (issue 23): a rule added mid-exam, a stale page and a take-over racing a
save are checked there too. SQLite and PostgreSQL."""

from __future__ import annotations


import threading
import time

import pytest
from sqlalchemy import select as core_select
from sqlalchemy import text, update
from sqlmodel import Session, select

from exam import parts
from exam.access.live_page import open_page
from exam.db import write_connection
from exam.timeutil import utcnow
from tests.integration.test_access import ROOM, SIT, set_rules, start, start_from
from tests.webclient import csrf_token, live_page, login, opened

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

    def save(self, environ=ROOM, page=None, body=None):
        """One save as the part's page sends it (``page``: the page it names; ``body``: another body)."""
        self.seq += 1
        headers = {"X-CSRFToken": self.token}
        query = f"?page={page}" if page else self.page
        if self.part == "theory":
            return self.client.post(f"/api/attempts/{self.id}/answers{query}", headers=headers, environ_base=environ,
                                    json=body or {"saves": [{"position": 0, "value": "", "seq": self.seq}]})
        if self.part == "typing":
            return self.client.post(f"/api/typing/{self.id}/save{query}", headers=headers, environ_base=environ,
                                    json=body or {"seq": self.seq, "instance": "page-1",
                                                  "text": "您好，这里是客户服务中心"[: self.seq + 2]})
        return self.client.post(f"/api/practical/{self.id}/tasks/{self.plain_task()}{query}", headers=headers,
                                environ_base=environ, json=body or {"seq": self.seq, "answer": None})

    def stored_seq(self) -> int:
        """The sequence number the store holds for what ``save`` sends (0: nothing stored)."""
        queries = {"theory": "SELECT seq FROM answer WHERE attempt_id = :a AND position = 0",
                   "typing": "SELECT typed_seq FROM typing_attempt WHERE id = :a",
                   "practical": "SELECT max(answer_seq) FROM practical_task WHERE attempt_id = :a"}
        with self.engine.connect() as conn:
            return conn.execute(text(queries[self.part]), {"a": self.id}).scalar() or 0

    def takeovers(self) -> int:
        table = parts.get(self.part).table
        with self.engine.connect() as conn:
            return conn.execute(core_select(table.c.page_takeovers).where(table.c.id == self.id)).scalar_one()

    def open_page(self) -> str:
        """A tab or device opening the attempt's page: the token its saves name."""
        return open_page(self.engine, parts.get(self.part), self.id, self.candidate_id()).token

    def candidate_id(self) -> int:
        table = parts.get(self.part).table
        with self.engine.connect() as conn:
            return conn.execute(core_select(table.c.candidate_id).where(table.c.id == self.id)).scalar_one()

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
    if resp.status_code == 200:  # theory, typing: the start answers with the attempt's live page
        attempt_id, _, html = opened(client, resp)
        return Sitting(client, engine, part, sid, attempt_id, live_page(html))
    assert SIT[part] in resp.location, resp.location  # practical: no page opened yet
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


# ---------------------------------------------------------------- checked inside the save transaction (issue 23)

@pytest.mark.parametrize("part", PARTS)
def test_a_rule_the_session_gains_mid_exam_holds_for_the_next_save(client, engine, make_session, part):
    s = sitting(client, engine, make_session, part)
    outside = {"REMOTE_ADDR": "127.0.0.1"}
    assert s.save(outside).status_code == 200  # no rules: any network
    stored = s.stored_seq()
    set_rules(engine, s.sid, {"ip_subnet": {"subnets": ["10.1.0.0/16"]}})
    resp = s.save(outside)
    assert_refused(resp, 403, "refused")
    assert s.stored_seq() == stored  # nothing stored, nothing acknowledged
    assert_refused(s.save(outside), 403, "refused")  # and again (the rules now checked first)
    assert s.save().status_code == 200  # in the room
    assert s.stored_seq() > stored
    set_rules(engine, s.sid, {})  # the rule switched off again
    assert s.save(outside).status_code == 200


@pytest.mark.parametrize("part", PARTS)
def test_a_pause_and_a_void_are_read_with_the_rules_too(client, engine, make_session, part):
    """A session with rules: its saves are checked through the ORM and again under the row's lock."""
    s = sitting(client, engine, make_session, part, {"ip_subnet": {"subnets": ["10.1.0.0/16"]}})
    assert s.save().status_code == 200
    s.set(paused_at=utcnow())
    assert_refused(s.save(), 423, "paused")
    s.set(paused_at=None)
    assert s.save().status_code == 200
    s.set(status="void", submit_reason="void")
    assert_refused(s.save(), 409, "closed")


@pytest.mark.parametrize("rules", [None, {"ip_subnet": {"subnets": ["10.1.0.0/16"]}}])
@pytest.mark.parametrize("part", PARTS)
def test_a_stale_pages_saves_are_refused_and_it_is_counted_once(client, engine, make_session, part, rules):
    s = sitting(client, engine, make_session, part, rules)
    first = s.open_page()
    second = s.open_page()  # another tab: the first page is stale
    assert s.save(page=second).status_code == 200
    stored = s.stored_seq()
    for _ in range(2):
        assert_refused(s.save(page=first), 409, "takenOver")
    assert s.stored_seq() == stored
    assert s.takeovers() == 1  # counted once for the proctoring board, after the save rolled back
    assert s.save(page=second).status_code == 200


@pytest.mark.parametrize("part", PARTS)
def test_a_take_over_racing_a_save_refuses_it(client, engine, make_session, part):
    """A save queued behind the attempt row's lock while another page takes the attempt over reads the
    new page when it gets the lock: refused, nothing stored, the stale page counted once."""
    s = sitting(client, engine, make_session, part)
    first = s.open_page()
    stored = s.stored_seq()
    table = parts.get(part).table
    result = {}
    with write_connection(engine) as conn:  # the take-over's transaction, holding the row's lock
        conn.execute(core_select(table.c.id).where(table.c.id == s.id).with_for_update())
        saving = threading.Thread(target=lambda: result.update(resp=s.save(page=first)))
        saving.start()
        time.sleep(0.5)  # the save is waiting for the lock (SQLite: the one writer)
        assert "resp" not in result
        conn.execute(update(table).where(table.c.id == s.id).values(page_token="the-new-page"))
    saving.join(timeout=30)
    assert_refused(result["resp"], 409, "takenOver")
    assert s.stored_seq() == stored
    assert s.takeovers() == 1


@pytest.mark.parametrize("part", PARTS)
def test_a_request_the_part_cannot_read_is_answered_after_the_checks(client, engine, make_session, part):
    """The checks come first, as when they ran before the body was read: someone else's attempt is
    404 and a paused one 423 whatever the body; the candidate's own open attempt gets the 400."""
    bad = {"theory": {"saves": "?"}, "typing": {"seq": "?"}, "practical": ["?"]}[part]
    s = sitting(client, engine, make_session, part)
    assert s.save(body=bad).status_code == 400
    s.set(paused_at=utcnow())
    assert_refused(s.save(body=bad), 423, "paused")
    s.set(paused_at=None)
    login(client, "cand2")
    s.token = csrf_token(client, "/candidate")
    assert s.save(body=bad).status_code == 404
