"""One simulated candidate: signs in through the login form, starts, reads the paper, autosaves,
submits — the same requests a browser makes, with its own session cookie and CSRF token."""

from __future__ import annotations

import json
import random
import re
import time
from dataclasses import dataclass, field

import aiohttp

from benchmarks.harness.stats import Phase
from exam.client_markup import CSRF_TOKEN, EXAM_STATE  # what every client of the pages reads from them
#: A question's opening tag; its option inputs are counted up to its closing tag with ``str.count``.
#: (A lazy ``(.*?)</article>`` over the whole 100 KB page, then a regex per question, cost the load
#: generator ~3 ms of CPU per paper page — on the two cores it shares with the server it measures.)
_QUESTION = re.compile(r'<article class="question" id="q\d+" data-position="(\d+)" data-kind="(\w+)"')
_OPTION_INPUTS = ('<input type="radio" name="q', '<input type="checkbox" name="q')


@dataclass
class Acked:
    seq: int
    value: str


@dataclass
class Candidate:
    username: str
    password: str
    base: str
    cookie: str = ""
    token: str = ""
    attempt_id: int = 0
    save_url: str = ""
    shapes: dict[int, tuple[str, int]] = field(default_factory=dict)
    acked: dict[int, Acked] = field(default_factory=dict)  # what the server acknowledged, per position
    saved_on_page: dict[int, dict] = field(default_factory=dict)  # what the paper page said was saved
    seq: int = 0

    async def _call(self, http: aiohttp.ClientSession, phase: Phase, method: str, path: str,
                    expect: int | tuple[int, ...], **kwargs) -> tuple[int, str, dict]:
        headers = kwargs.pop("headers", {})
        headers["User-Agent"] = "callexam-harness"
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        url = path if path.startswith("http") else self.base + path
        started = time.perf_counter()
        try:
            async with http.request(method, url, headers=headers, allow_redirects=False, **kwargs) as resp:
                body = await resp.text()
                status, resp_headers = resp.status, dict(resp.headers)
                cookie = resp.cookies.get("session")
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            phase.record(time.perf_counter() - started, False, f"{method} {path}: {exc!r}")
            return 0, "", {}
        ok = status in expect if isinstance(expect, tuple) else status == expect
        phase.record(time.perf_counter() - started, ok, f"{method} {path}: HTTP {status} {body[:120]!r}")
        if cookie is not None:
            self.cookie = cookie.value
        return status, body, resp_headers

    async def sign_in(self, http, phase: Phase) -> bool:
        status, body, _ = await self._call(http, phase, "GET", "/login", 200)
        match = CSRF_TOKEN.search(body)
        if not match:
            return False
        status, _, _ = await self._call(http, phase, "POST", "/login", 302, data={
            "username": self.username, "password": self.password, "csrf_token": match.group(1)})
        return status == 302

    async def start(self, http, phase: Phase, session_id: int) -> bool:
        # the start page (rules, time available) and its confirmation, as a candidate starts
        status, body, _ = await self._call(http, phase, "GET", f"/candidate/sessions/{session_id}/theory/begin", 200)
        match = CSRF_TOKEN.search(body)
        if not match:
            return False
        # a new attempt's start answers with the paper page itself; one already started redirects to it
        status, body, headers = await self._call(http, phase, "POST", f"/candidate/sessions/{session_id}/start",
                                                 (200, 302), data={"csrf_token": match.group(1), "confirm": "1"})
        if status == 200:
            return self.read_paper(status, body)
        if status != 302:
            return False
        return await self.open_paper(http, phase, headers["Location"])

    async def open_paper(self, http, phase: Phase, location: str | None = None) -> bool:
        status, body, _ = await self._call(http, phase, "GET", location or f"/candidate/attempts/{self.attempt_id}", 200)
        return self.read_paper(status, body)

    def read_paper(self, status: int, body: str) -> bool:
        """What a paper page gives the candidate: the attempt, its save address and the questions."""
        state, token = EXAM_STATE.search(body), CSRF_TOKEN.search(body)
        if status != 200 or not state or not token:
            return False
        data = json.loads(state.group(1))
        self.attempt_id, self.save_url, self.token = data["attemptId"], data["saveUrl"], token.group(1)
        self.shapes = {}
        for article in _QUESTION.finditer(body):
            position, kind = int(article.group(1)), article.group(2)
            start, end = article.end(), body.find("</article>", article.end())
            self.shapes[position] = (kind, sum(body.count(tag, start, end) for tag in _OPTION_INPUTS))
        self.saved_on_page = {int(k): v for k, v in data["saved"].items()}
        return True

    def next_answer(self, rng: random.Random) -> dict:
        position = rng.choice(list(self.shapes))
        kind, options = self.shapes[position]
        if kind == "truefalse":
            value = rng.choice(["T", "F", ""])
        elif kind == "multiple":
            value = ",".join(map(str, sorted(rng.sample(range(options), rng.randint(1, options)))))
        elif kind == "fill":
            value = rng.choice(["80/20", "２０", "首问负责制", ""])
        elif kind == "short":
            value = "您好，很高兴为您服务。" * rng.randint(1, 20)
        else:
            value = str(rng.randrange(options))
        self.seq = max(self.seq + 1, int(time.time() * 1000))
        return {"position": position, "seq": self.seq, "value": value, "flagged": rng.random() < 0.05}

    async def save(self, http, phase: Phase, rng: random.Random) -> bool:
        answer = self.next_answer(rng)
        status, body, _ = await self._call(http, phase, "POST", self.save_url, 200, json={"saves": [answer]},
                                           headers={"X-CSRFToken": self.token})
        if status == 200:
            for position, seq in json.loads(body)["acked"]:
                if position == answer["position"] and seq == answer["seq"]:
                    self.acked[position] = Acked(seq, answer["value"])
            return True
        return False
