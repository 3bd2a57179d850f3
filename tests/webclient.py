"""Signing in through the real login form, CSRF tokens and all."""

from __future__ import annotations

import json
import re

from exam.client_markup import CSRF_TOKEN as _TOKEN
from exam.client_markup import EXAM_STATE as _STATE
from tests.conftest import PASSWORD


def csrf_token(client, path="/login") -> str:
    return _TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, username, password=PASSWORD):
    """Sign in as ``username``, signing out whoever was signed in first."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/no-such-page")})
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def exam_state(html: str) -> dict:
    return json.loads(_STATE.search(html).group(1))


_CANONICAL = re.compile(r'<link rel="canonical" href="([^"]+)">')


def opened(client, resp) -> tuple[int, str, str]:
    """The attempt page a successful start leads to: its attempt id, its address and its HTML. The
    theory and typing starts answer with a new attempt's page itself (its address in ``<link
    rel="canonical">``); a resumed attempt, and the practical start, redirect to theirs."""
    if resp.status_code == 200:
        html = resp.get_data(as_text=True)
        url = _CANONICAL.search(html).group(1)
    else:
        assert resp.status_code == 302, resp.get_data(as_text=True)
        url = resp.location
        html = client.get(url).get_data(as_text=True)
    return int(url.rstrip("/").rsplit("/", 1)[1]), url, html


def start(client, session_id: int) -> tuple[int, dict, str]:
    """Start the session's attempt as the signed-in candidate; returns attempt id, page state, csrf."""
    token = csrf_token(client, "/candidate")
    resp = client.post(f"/candidate/sessions/{session_id}/start", data={"csrf_token": token, "confirm": "1"})
    if resp.status_code == 302:  # the attempt was already there: the start sends the page to it
        page = client.get(resp.location).get_data(as_text=True)
    else:  # a new attempt: the start answers with its paper page
        assert resp.status_code == 200, resp.get_data(as_text=True)
        page = resp.get_data(as_text=True)
    state = exam_state(page)
    return state["attemptId"], state, token


def live_page(html: str) -> str:
    """The ``?page=`` query an attempt page gives its saves (exam.access.live_page): a save without
    it, or with an older page's, is refused once the page has been opened."""
    return "?page=" + re.search(r"[?&]page=([\w-]+)", html).group(1)
