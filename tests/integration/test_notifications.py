"""In-app notifications: sending is idempotent by key, each user reads only their own."""

from exam.db import write_connection
from exam.notifications import service
from exam.notifications.service import Message
from sqlmodel import Session
from tests.webclient import csrf_token, login


def _msg(uid, key="k1", title="《测试场次》理论考试已开考"):
    return Message(user_id=uid, key=key, kind="session", title=title, body="请进入考试", link="/candidate")


def test_sending_twice_delivers_once(engine, users):
    with write_connection(engine) as conn:
        assert service.send(conn, [_msg(users["cand1"]), _msg(users["cand2"], key="k2")]) == 2
    with write_connection(engine) as conn:
        assert service.send(conn, [_msg(users["cand1"]), _msg(users["cand2"], key="k2")]) == 0
    with Session(engine) as db:
        assert [n.key for n in service.recent(db, users["cand1"])] == ["k1"]
        assert service.unread_count(db, users["cand1"]) == 1


def test_links_must_stay_on_this_site(engine, users):
    import pytest
    with pytest.raises(ValueError), write_connection(engine) as conn:
        service.send(conn, [Message(users["cand1"], "x", "session", "t", link="https://evil.example/")])


def test_inbox_shows_own_messages_escaped_and_marks_them_read(engine, users, client):
    with write_connection(engine) as conn:
        service.send(conn, [_msg(users["cand1"], title="<b>开考</b>"), _msg(users["cand2"], key="other", title="别人的")])
    login(client, "cand1")
    page = client.get("/candidate").get_data(as_text=True)
    assert 'class="badge count">1<' in page
    inbox = client.get("/notifications").get_data(as_text=True)
    assert "&lt;b&gt;开考&lt;/b&gt;" in inbox and "别人的" not in inbox
    resp = client.post("/notifications/read", data={"csrf_token": csrf_token(client, "/notifications")})
    assert resp.status_code == 302
    with Session(engine) as db:
        assert service.unread_count(db, users["cand1"]) == 0
        assert service.unread_count(db, users["cand2"]) == 1


def test_marking_read_needs_csrf(client):
    login(client, "cand1")
    assert client.post("/notifications/read").status_code == 400
