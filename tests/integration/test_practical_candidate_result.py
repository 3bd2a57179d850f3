"""The candidate's published practical result carries no answer key (GUIDE: no answer key in any page;
audit #2). Stock scenarios are reused across sessions and re-sits, so what a candidate is shown after
publication would be a key for the next one: the breakdown shows each machine check's name, whether it
was met and its points, never the check's message (``应为“陈晓燕”``, ``正确值为 82.56%``, the QA
reference marks and reasons, the staffing answer). Every level's paper together holds every kind: call,
work order, complaint, QA, KPI, staffing, written. Each candidate answers wrong through the page's own
save API (so the messages would name the expected values), the examiner marks, the session is
published, and every page and JSON the candidate can fetch about the practical is searched for the
scenario's expected values themselves — not only for the words 应为/正确值."""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import pytest
from sqlmodel import Session

from exam.db import write_session
from exam.sessions.models import ExamSession
from exam.sessions.results import publication
from practical import kpi as kpi_math
from practical import marking, qa, service
from practical.kinds import KIND_CODES, kind
from practical.kinds import kpi as kpi_kind
from practical.kinds import staffing as staffing_kind
from practical.models import PracticalTask
from tests.integration.test_practical import start_on_the_page
from tests.webclient import live_page, login

CANDIDATE = {"junior": "cand1", "intermediate": "cand2", "senior": "cand3"}


class _Reasons(dict):
    def get(self, key, default=None):
        return "考评员复核后改判"


def _wrong(task: PracticalTask) -> dict | None:
    """An answer that is wrong where it can be, so that each check's message would state the key."""
    spec = task.spec
    if task.kind == "work_order":
        return {"fields": {"caller": "张三", "phone": "13000000000", "follow_up": "尽快"}}
    if task.kind == "kpi":
        return {"values": {key: "1" for key in spec["asked"]}}
    if task.kind == "staffing":
        return {"agents": {"0": 1, "1": 2}}
    if task.kind == "qa":
        first = spec["rubric"][0]["key"]
        return {"scores": {first: 0}, "comments": {first: "开场还可以。"}}
    if task.kind == "written":
        return {"text": "我认为应当加强培训。"}
    return None  # a call: one reply, sent as the page sends it


def _key_values(task: PracticalTask) -> tuple[list[str], list[str]]:
    """What of the scenario's answer key could be read off a page, formatted as the checks' messages
    write them: (distinctive values — names, numbers with their unit, sentences — that no page may
    hold at all; everyday words — a call's key words, a summary's keywords — that a page's own text
    may hold, so publication must not add them)."""
    spec, out, common = task.spec, [], []
    if task.kind in ("call", "complaint"):
        for turn in spec["turns"]:
            for point in turn.get("key_points") or ():
                common += [w for w in point.get("any") or ()]
                common += [w for item in point.get("all") or () for w in ([item] if isinstance(item, str) else item)]
                common += list(point.get("wrong") or ())
    elif task.kind == "work_order":
        fields = spec["fields"]
        out += [fields[k]["truth"] for k in ("caller", "phone", "category", "follow_up")]
        common += [w for group in fields["problem"]["keywords"] for w in group["any"]]
    elif task.kind == "qa":
        reference = kind("qa").reference_marks(spec)
        out += [f"参考评分 {qa.show(reference[item['key']])} 分" for item in spec["rubric"]]
        out += [note for note in (spec.get("notes") or {}).values()]
    elif task.kind == "kpi":
        figures = kpi_kind.figures(spec, task.seed).values()
        out += [kpi_math.display(figures[key], kpi_math.KPIS[key].unit) for key in spec["asked"]
                if figures[key] is not None]
    elif task.kind == "staffing":
        out += [f"{p.scheduled} 人" for p in staffing_kind.plans(spec, task.seed)]
        out += [f"{float(p.traffic):.2f} 爱尔兰" for p in staffing_kind.plans(spec, task.seed)]
    elif task.kind == "written":
        out += [c["description"] for c in task.rubric if c.get("description")]
        guidance = spec.get("guidance")
        out += guidance if isinstance(guidance, list) else [guidance] if guidance else []
    def kept(values):
        return [v for v in (str(v).strip() for v in values) if len(v) >= 2]
    return kept(out), kept(common)


def _visible_text(page: str) -> str:
    """A page's text as a reader (or a script) gets it: tags out, entities decoded, and the page's own
    date-times (12月07日 18:00, 2026-12-07 18:00) out, so a key value like 18:00 is not matched by the
    clock."""
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return re.sub(r"(\d{4}-\d{2}-\d{2}|\d{1,2}月\d{1,2}日)\s*\d{1,2}:\d{2}(:\d{2})?", " ", text)


def _candidate_pages(client, session_id: int, attempt_id: int) -> dict[str, str]:
    """Every page and JSON the candidate can fetch about their practical once it is submitted."""
    return {
        "result": client.get(f"/candidate/practical/{attempt_id}/result").get_data(as_text=True),
        "sit": client.get(f"/candidate/practical/{attempt_id}", follow_redirects=True).get_data(as_text=True),
        "home": client.get("/candidate").get_data(as_text=True),
        "begin": client.get(f"/candidate/sessions/{session_id}/practical/begin",
                            follow_redirects=True).get_data(as_text=True),
        # the clock's own figures (serverNow, remainingMs) change between two fetches: not compared
        "status.json": json.dumps({k: v for k, v in client.get(f"/candidate/proctoring/practical/{attempt_id}/status")
                                   .get_json().items() if k not in ("serverNow", "remainingMs")}, ensure_ascii=False),
    }


@pytest.fixture
def published(client, engine, users, make_session):
    """Three sessions (one per level: every kind), each candidate answered wrong through the save API,
    marked, published. Returns [(candidate, session id, attempt id, tasks, save responses, the pages
    before publication)]."""
    now = dt.datetime.now(dt.timezone.utc)
    out = []
    for level, candidate in CANDIDATE.items():
        session_id, attempt_id, token, sit = start_on_the_page(client, make_session, level, candidate)
        with Session(engine) as db:
            tasks = service.tasks_of(db, attempt_id)
        saved = []
        for task in tasks:
            answer = _wrong(task) or {"turn": 0, "reply": "您好，请讲。"}
            reply = client.post(f"/api/practical/{attempt_id}/tasks/{task.position}{live_page(sit)}",
                                headers={"X-CSRFToken": token}, json={"seq": 1, "answer": answer})
            assert reply.status_code == 200, reply.get_data(as_text=True)
            saved.append((task.kind, reply.get_data(as_text=True)))
        client.post(f"/candidate/practical/{attempt_id}/submit{live_page(sit)}", data={"csrf_token": token})
        with Session(engine) as db:
            entries = marking.queue(db, session_id)
        for e in entries:
            values = {c["key"]: "0" for c in e.task.rubric}
            marking.save_mark(engine, attempt_id, e.task.position, users["examiner"], values, "", now,
                              reasons=_Reasons())
        with write_session(engine) as db:  # the exam is over
            s = db.get(ExamSession, session_id)
            s.opens_at, s.closes_at = now - dt.timedelta(hours=3), now - dt.timedelta(hours=1)
        before = _candidate_pages(client, session_id, attempt_id)
        assert publication.publish(engine, session_id, now, users["examiner"]).published
        with Session(engine) as db:
            tasks = service.tasks_of(db, attempt_id)
        out.append((candidate, session_id, attempt_id, tasks, saved, before))
    return out


def test_no_candidate_facing_practical_page_or_json_carries_the_answer_key(client, published):
    """Publication adds the breakdown to the candidate's pages and nothing of the key: no expected value
    appears more often after publication than before (a call's key words are everyday words — 关闭,
    电话 — that the pages' own text may hold); the distinctive values of the form kinds (the caller's
    name and number, the KPI figures, the staffing answer, the QA reference marks and reasons, the
    written task's marking guide) appear nowhere at all."""
    kinds_seen = set()
    for candidate, session_id, attempt_id, tasks, saved, before in published:
        login(client, candidate)
        after = _candidate_pages(client, session_id, attempt_id)
        page = after["result"]
        assert "总分" in page and "✗" in page and "总分" not in before["result"]  # published, with the checks
        # what the breakdown shows by design — task titles (the candidate's own paper), kinds, check names,
        # the table's head and the note under it — is not the key, and may share an everyday word with it
        shown = sorted({t.title for t in tasks} | {kind(code).NAME for code in KIND_CODES}
                       | {c["name"] for t in tasks for c in (t.auto or {}).get("checks", [])}, key=len, reverse=True)

        def text_of(body: str) -> str:
            body = re.sub(r"<thead>.*?</thead>|<p class=\"hint\">.*?</p>", " ", body, flags=re.S)
            text = _visible_text(body)
            for words in shown:
                text = text.replace(words, " ")
            return text

        for task in tasks:
            kinds_seen.add(task.kind)
            distinctive, common = _key_values(task)
            # every machine check is listed by name with its points, and its message (the key) is not
            for check in (task.auto or {}).get("checks", []):
                assert html.escape(check["name"]) in page, check["name"]
                assert not check["message"] or check["message"] not in _visible_text(page), check["message"]
            for where, body in after.items():
                text, earlier = text_of(body), text_of(before[where])
                for value in distinctive:
                    assert value not in text, (candidate, task.kind, where, value)
                for value in common:
                    assert text.count(value) <= earlier.count(value), (candidate, task.kind, where, value)
                for word in ("应为", "正确值", "参考评分依据", "参考理由", "正确算法"):
                    assert word not in text, (candidate, task.kind, where, word)
            for saved_kind, body in saved:  # the save API's answers (a form kind learns nothing back)
                if saved_kind not in ("call", "complaint"):
                    assert not any(value in body for value in distinctive), (task.kind, body)
    assert kinds_seen == set(KIND_CODES)
