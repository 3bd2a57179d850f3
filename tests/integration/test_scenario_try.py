"""A trainer tries a scenario on its page before candidates do: replies one per line (or JSON), every
criterion's verdict or suggestion with evidence; the same through the page's JSON API; bad input is
explained in Chinese; nothing is stored; only trainers may."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from practical import scenarios
from practical.models import Scenario
from tests.webclient import csrf_token, login

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "practical"


def _scenario(engine, ref="call-junior-01") -> int:
    raw = next(r for _, r in scenarios.stock_entries() if r["ref"] == ref)
    with Session(engine) as db:
        found = db.exec(select(Scenario).where(Scenario.ref == ref)).first()
        if found is None:
            found = scenarios.create(db, scenarios.check(raw), None)
            db.commit()
        return found.id


def _set(which):
    return next(s for s in json.loads((CORPUS / "call-junior-01.json").read_text(encoding="utf-8"))["sets"]
                if s["id"] == which)["replies"]


def test_the_page_shows_every_criterion_with_who_decides_and_the_evidence(client, engine):
    sid = _scenario(engine)
    login(client, "trainer")
    token = csrf_token(client, f"/trainer/scenarios/{sid}")
    page = client.post(f"/trainer/scenarios/{sid}/try", data={"csrf_token": token, "replies": "\n".join(_set("bad-1"))})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "试做结果" in text
    assert "机器判定" in text and "考评员确认（机器建议）" in text
    assert "指责客户" in text and "能怪谁" in text  # the courtesy detector's evidence
    with Session(engine) as db:
        assert db.get(Scenario, sid).spec["turns"]  # nothing about the scenario changed


def test_the_json_api_answers_with_the_same_figures_as_the_console_script(client, engine):
    sid = _scenario(engine)
    login(client, "trainer")
    token = csrf_token(client, f"/trainer/scenarios/{sid}")
    resp = client.post(f"/trainer/scenarios/{sid}/try", json={"replies": _set("good-1")}, headers={"X-CSRFToken": token})
    out = resp.get_json()
    assert resp.status_code == 200 and out["suggested_points"] == out["max_points"] == 20
    assert {c["decided_by"] for c in out["criteria"]} == {"machine", "examiner"}
    no_token = client.post(f"/trainer/scenarios/{sid}/try", json={"replies": _set("good-1")})
    assert no_token.status_code == 400  # CSRF holds on the API too


def test_bad_input_is_explained_and_changes_nothing(client, engine):
    sid = _scenario(engine)
    login(client, "trainer")
    token = csrf_token(client, f"/trainer/scenarios/{sid}")
    empty = client.post(f"/trainer/scenarios/{sid}/try", data={"csrf_token": token, "replies": "  "})
    assert empty.status_code == 400 and "作答为空" in empty.get_data(as_text=True)
    huge = client.post(f"/trainer/scenarios/{sid}/try", data={"csrf_token": token, "replies": "您好" * 100_001})
    assert huge.status_code == 400 and "超过 200000 字的上限" in huge.get_data(as_text=True)
    broken = client.post(f"/trainer/scenarios/{sid}/try", data={"csrf_token": token, "replies": "[\"您好\","})
    assert broken.status_code == 400 and "JSON 格式错误" in broken.get_data(as_text=True)
    api = client.post(f"/trainer/scenarios/{sid}/try", json={"replies": ["您好", 7]}, headers={"X-CSRFToken": token})
    assert api.status_code == 400 and "第 2 句回复应为文字" in api.get_json()["error"]
    api = client.post(f"/trainer/scenarios/{sid}/try", json=["x"], headers={"X-CSRFToken": token})
    assert api.status_code == 400 and "应为 JSON 对象" in api.get_json()["error"]


def test_only_trainers_may_try(client, engine):
    sid = _scenario(engine)
    login(client, "cand1")
    token = csrf_token(client, "/no-such-page")
    resp = client.post(f"/trainer/scenarios/{sid}/try", json={"replies": ["您好"]}, headers={"X-CSRFToken": token})
    assert resp.status_code == 403 and "suggested_points" not in resp.get_data(as_text=True)
