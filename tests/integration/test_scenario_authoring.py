"""Trainers author practical scenarios: content checked by its kind, preview, four-eyes approval."""

from __future__ import annotations

import json
import re

from practical import scenarios
from tests.webclient import csrf_token, login


def _stock(kind_code: str) -> dict:
    return next(raw for _, raw in scenarios.stock_entries() if raw["kind"] == kind_code)


def _form(token, raw, spec_text=None):
    return {"csrf_token": token, "kind": raw["kind"], "level": raw["level"], "title": "新场景：" + raw["title"],
            "minutes": raw.get("minutes", 15), "spec": spec_text or json.dumps(raw["spec"], ensure_ascii=False),
            "rubric": ""}


def test_broken_content_is_explained_by_field_and_saves_nothing(client, engine):
    login(client, "trainer")
    token = csrf_token(client, "/trainer/scenarios/new")
    raw = _stock("work_order")
    page = client.post("/trainer/scenarios/new", data=_form(token, raw, "{不是 JSON")).get_data(as_text=True)
    assert "JSON 格式错误" in page
    broken = dict(raw["spec"], categories=[])
    page = client.post("/trainer/scenarios/new", data=_form(token, raw, json.dumps(broken))).get_data(as_text=True)
    assert "内容：categories" in page
    wrong_level = dict(_form(token, raw), level="senior")
    assert "只用于初级" in client.post("/trainer/scenarios/new", data=wrong_level).get_data(as_text=True)
    listing = client.get("/trainer/scenarios?kind=work_order").get_data(as_text=True)
    assert "新场景" not in listing


def test_a_scenario_is_previewed_and_approved_only_by_another_trainer(client, engine):
    login(client, "trainer")
    token = csrf_token(client, "/trainer/scenarios/new")
    raw = _stock("call")
    resp = client.post("/trainer/scenarios/new", data=_form(token, raw))
    assert resp.status_code == 302
    scenario_id = int(re.search(r"/trainer/scenarios/(\d+)", resp.location).group(1))
    detail = client.get(resp.location).get_data(as_text=True)
    assert "考生看到的内容" in detail and "草稿" in detail and raw["spec"]["turns"][0]["caller"][:8] in detail
    own = client.post(f"/trainer/scenarios/{scenario_id}/status/approved", data={"csrf_token": token},
                      follow_redirects=True).get_data(as_text=True)
    assert "不能审核自己编写的场景" in own
    login(client, "trainer2")
    token = csrf_token(client, f"/trainer/scenarios/{scenario_id}")
    approved = client.post(f"/trainer/scenarios/{scenario_id}/status/approved", data={"csrf_token": token},
                           follow_redirects=True).get_data(as_text=True)
    assert "已审核" in approved


def test_candidates_cannot_reach_the_scenario_bank(client):
    login(client, "cand1")
    assert client.get("/trainer/scenarios").status_code == 403
