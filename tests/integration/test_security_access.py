"""Object-level access (exam.sessions.managed): examiners reach only the sessions they are assigned
to, a chief examiner every session. The whole URL map is walked as an examiner assigned to no
session, with the ids of a real finished and published session (attempts of every part, a station,
an enrolment, a certificate and a change request): every session-bound URL must refuse, and nothing
may change. SQLite and PostgreSQL."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text

from certificates import changes
from exam.db import write_session
from exam.timeutil import utcnow
from tests.integration.test_certificates import finished, published  # noqa: F401  (fixtures)
from tests.webclient import csrf_token, login, opened

#: Argument names that tie a URL to one exam session (directly or through the object they name).
SESSION_BOUND = {"session_id", "certificate_id", "change_id", "enrollment_id", "station_id"}


def _ids(engine, sid, users) -> dict:
    with engine.connect() as conn:
        one = lambda sql: conn.execute(text(sql), {"s": sid}).scalar()  # noqa: E731
        ids = {
            "session_id": sid,
            "theory": one("SELECT id FROM attempt WHERE session_id = :s ORDER BY id LIMIT 1"),
            "typing": one("SELECT id FROM typing_attempt WHERE session_id = :s ORDER BY id LIMIT 1"),
            "practical": one("SELECT id FROM practical_attempt WHERE session_id = :s ORDER BY id LIMIT 1"),
            "certificate_id": one("SELECT id FROM certificate WHERE session_id = :s"),
            "ticket": one("SELECT ticket FROM practical_attempt WHERE session_id = :s ORDER BY id LIMIT 1"),
            "enrollment_id": one("SELECT id FROM enrollment WHERE session_id = :s ORDER BY id LIMIT 1"),
            "candidate_id": users["cand1"],
        }
    ids["change_id"] = changes.request(engine, ids["certificate_id"], changes.REVOKE, "走查用的申请",
                                       users["examiner"], utcnow())
    from typing_test import station_service
    with write_session(engine) as db:
        [station] = station_service.create_stations(db, sid, 1, users["examiner"])
        ids["station_id"] = station.id
    return ids


def _args(rule, ids) -> dict:
    part = "practical" if rule.rule.startswith("/examiner/practical/") else (
        "typing" if rule.rule.startswith("/examiner/typing/") else "theory")
    return {"session_id": ids["session_id"], "attempt_id": ids[part], "part": part, "position": 0,
            "certificate_id": ids["certificate_id"], "change_id": ids["change_id"],
            "enrollment_id": ids["enrollment_id"], "candidate_id": ids["candidate_id"],
            "station_id": ids["station_id"], "action": "pause", "fmt": "xlsx", "incident_id": 1,
            "ticket": ids["ticket"], "room_id": 1, "code": "AAAAAAAA"}


def _session_bound(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "allowed_roles", ()) or ()
        if "examiner" not in roles:
            continue
        bound = rule.arguments & SESSION_BOUND or ("attempt_id" in rule.arguments and rule.rule.startswith("/examiner"))
        if bound:
            yield rule


def _audit_count(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM audit_event")).scalar()


def test_an_unassigned_examiner_is_refused_on_every_session_bound_url(app, client, engine, users, published):  # noqa: F811
    ids = _ids(engine, published, users)
    rules = list(_session_bound(app))
    assert len(rules) >= 45, "the walk must cover the session views, not a handful"
    login(client, "outsider")
    token = csrf_token(client, "/no-such-page")
    before = _audit_count(engine)
    reached = []
    for rule in rules:
        path = rule.build(_args(rule, ids), append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            resp = client.open(path, method=method, headers={"X-CSRFToken": token},
                               data={"csrf_token": token, "reason": "x", "note": "x", "count": 1})
            if resp.status_code != 403:
                reached.append((method, path, resp.status_code))
    assert reached == []
    assert _audit_count(engine) == before     # nothing was changed on the way
    # ...and the session is not even listed for them
    assert f"/examiner/sessions/{published}\"" not in client.get("/examiner/sessions").get_data(as_text=True)


@pytest.mark.parametrize("username", ["examiner", "chief"])
def test_the_assigned_examiner_and_a_chief_examiner_reach_every_session_page(app, client, engine, users,
                                                                              published, username):  # noqa: F811
    ids = _ids(engine, published, users)
    login(client, username)
    refused = []
    for rule in _session_bound(app):
        if "GET" not in rule.methods or username not in {"examiner", "chief"}:
            continue
        path = rule.build(_args(rule, ids), append_unknown=False)[1]
        resp = client.get(path)
        if resp.status_code == 403:
            refused.append(path)
    assert refused == []
    listing = client.get("/examiner/sessions").get_data(as_text=True)
    assert f"/examiner/sessions/{published}" in listing


# ---------------------------------------------------------------- a ticket sign-in opens its session only

def test_a_ticket_sign_in_with_id_characters_opens_only_that_session(app, client, engine, users, roster_session,
                                                                     make_session):
    from exam.accounts.models import CandidateProfile
    from exam.delivery import service as delivery
    from exam.sessions.roster import tickets
    from tests.integration.rosters import ident
    own = roster_session(signin_mode="id_last6", candidates=("cand1",))
    other = make_session(candidates=("cand1",))
    with write_session(engine) as db:
        db.add(CandidateProfile(user_id=users["cand1"], id_number=ident(7)))
        tickets.issue(db, own)
        tickets.issue(db, other)
    elsewhere = delivery.start_attempt(engine, other, users["cand1"], utcnow())
    with engine.connect() as conn:
        ticket = conn.execute(text("SELECT ticket_number FROM enrollment WHERE session_id = :s"), {"s": own}).scalar()
    assert login(client, ticket, ident(7)[-6:]).status_code == 302
    home = client.get("/candidate").get_data(as_text=True)
    assert f"session-{own}" in home and f"session-{other}" not in home
    token = csrf_token(client, "/candidate")
    assert client.post(f"/candidate/sessions/{other}/start", data={"csrf_token": token, "confirm": "1"}).status_code == 403
    assert client.get(f"/candidate/sessions/{other}/theory/begin").status_code == 403
    assert client.get(f"/candidate/attempts/{elsewhere}").status_code == 403
    assert client.post(f"/api/attempts/{elsewhere}/answers", json={"saves": []},
                       headers={"X-CSRFToken": token}).status_code == 403
    assert client.get(f"/candidate/proctoring/theory/{elsewhere}/status").status_code == 403
    assert client.get(f"/candidate/sessions/{other}/ticket.pdf").status_code == 403
    for path in ("/candidate/certificates", "/notifications", "/account/password"):
        assert client.get(path).status_code == 403, path
    assert client.get(f"/candidate/sessions/{own}/theory/begin").status_code == 200
    started = client.post(f"/candidate/sessions/{own}/start", data={"csrf_token": token, "confirm": "1"})
    assert started.status_code == 200 and "/candidate/attempts/" in opened(client, started)[1]  # its own session works
    # The same account signed in with its password reaches everything.
    full = app.test_client()
    assert login(full, "cand1").status_code == 302
    assert full.get(f"/candidate/attempts/{elsewhere}").status_code == 200
    assert full.get("/candidate/certificates").status_code == 200


def test_the_demo_examiner_is_assigned_to_every_demo_session_and_there_is_a_chief(sqlite_url):
    from exam import db as dbmod
    from exam import demo
    engine = dbmod.engine_for(sqlite_url)
    demo.load(engine)
    assert ("chief", "chief", "赵主管") in demo.STAFF
    with engine.connect() as conn:
        unassigned = conn.execute(text(
            "SELECT s.name FROM exam_session s WHERE NOT EXISTS (SELECT 1 FROM session_examiner x "
            "JOIN user_account u ON u.id = x.examiner_id WHERE x.session_id = s.id AND u.username = 'examiner')")).all()
        chief = conn.execute(text("SELECT role FROM user_account WHERE username = 'chief'")).scalar()
    assert unassigned == [] and chief == "chief"
