"""Blueprints against the real bank: validation of the approved pool, the three modes, parallel forms
for every candidate, and the short answers they bring to the examiner's marking page."""

from __future__ import annotations

import dataclasses
from collections import Counter
from fractions import Fraction

import pytest
from sqlmodel import Session, select

from exam import standard
from exam.db import write_session
from exam.delivery import service as delivery
from exam.delivery.models import Attempt, ManualMark, PaperSlot
from exam.marking import service as marking
from exam.timeutil import utcnow
from question_bank import blueprint_service
from question_bank.blueprint import BlueprintError, TypeRule, default_blueprint
from question_bank.models import ItemVersion
from tests.webclient import csrf_token, login

CANDIDATES = ("cand1", "cand2", "cand3")


def save_rule(engine, rule, name="测试规则"):
    with write_session(engine) as db:
        return blueprint_service.save(db, rule, name, None).id


def paper(engine, attempt_id):
    with Session(engine) as s:
        return s.exec(select(PaperSlot, ItemVersion).join(ItemVersion, ItemVersion.id == PaperSlot.item_version_id)
                      .where(PaperSlot.attempt_id == attempt_id).order_by(PaperSlot.position)).all()


def summary(rows):
    area, kind, difficulty = Counter(), Counter(), Counter()
    for slot, version in rows:
        area[slot.area] += Fraction(slot.points)
        kind[slot.kind] += Fraction(slot.points)
        difficulty[version.difficulty] += 1
    return area, kind, difficulty


def test_per_candidate_papers_are_parallel_forms(engine, users, make_session):
    bp_id = save_rule(engine, default_blueprint("intermediate"))
    sid = make_session(level="intermediate", candidates=CANDIDATES, blueprint_id=bp_id)
    papers = [paper(engine, delivery.start_attempt(engine, sid, users[c], utcnow())) for c in CANDIDATES]
    summaries = [summary(p) for p in papers]
    lvl = standard.level("intermediate")
    assert summaries[0][0] == {a.code: a.weight for a in lvl.areas}
    assert all(s == summaries[0] for s in summaries)               # same points per area, type; same difficulty mix
    assert sum(summaries[0][1].values()) == standard.FULL_MARKS
    item_sets = [frozenset(v.id for _, v in p) for p in papers]
    assert len(set(item_sets)) == len(CANDIDATES)                    # but different items
    kinds_in_order = [slot.kind for slot, _ in papers[0]]
    assert kinds_in_order == sorted(kinds_in_order, key=[t.kind for t in default_blueprint("junior").types].index)


@pytest.mark.parametrize("mode", ["drawn", "fixed"])
def test_drawn_and_fixed_sessions_give_everybody_the_same_items(engine, users, make_session, mode):
    rule = dataclasses.replace(default_blueprint("junior"), mode=mode)
    bp_id = save_rule(engine, rule)
    if mode == "fixed":
        with pytest.raises(BlueprintError, match="还没有生成固定试卷"):
            make_session(blueprint_id=bp_id)
        with write_session(engine) as db:
            blueprint_service.generate_fixed(db, db.get(blueprint_service.PaperBlueprint, bp_id))
    sid = make_session(candidates=CANDIDATES, blueprint_id=bp_id)
    papers = [paper(engine, delivery.start_attempt(engine, sid, users[c], utcnow())) for c in CANDIDATES]
    assert len({frozenset(v.id for _, v in p) for p in papers}) == 1
    assert len({tuple(v.id for _, v in p) for p in papers}) > 1      # each in an order of its own


def test_a_blueprint_the_bank_cannot_fill_names_the_cells(engine, users, make_session, client):
    rule = dataclasses.replace(default_blueprint("senior"), types=(
        TypeRule("single", 20, Fraction(1)), TypeRule("short", 16, Fraction(5))), difficulty_mix=())
    bp_id = save_rule(engine, rule, "简答偏多")
    with pytest.raises(BlueprintError, match=r"简答题：需要 \d+ 题，已审核的只有 \d+ 题，缺 \d+ 题"):
        make_session(level="senior", blueprint_id=bp_id)
    login(client, "trainer")
    page = client.get(f"/trainer/blueprints/{bp_id}").get_data(as_text=True)
    assert "题库不足" in page and "缺" in page


def test_trainer_writes_a_blueprint_and_bad_totals_are_refused(client, engine):
    login(client, "trainer")
    token = csrf_token(client, "/trainer/blueprints/new")
    form = {"name": "初级模拟卷", "level": "junior", "mode": "per_candidate", "count_single": 40, "points_single": "1", "count_fill": 20, "points_fill": "1",
            "count_truefalse": 20, "points_truefalse": "1", "count_multiple": 10, "points_multiple": "2",
            "mix_1": "", "mix_2": "", "mix_3": "", "tolerance": "0.15", "csrf_token": token}
    resp = client.post("/trainer/blueprints/new", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    detail = client.get(resp.location).get_data(as_text=True)
    assert "初级模拟卷" in detail and "题库中已审核的题目足以按此规则组卷" in detail
    bad = client.post("/trainer/blueprints/new", data={**form, "count_single": 30}).get_data(as_text=True)
    assert "组卷规则有误" in bad and "90" in bad


def test_short_answers_reach_the_examiner_and_marks_settle_the_result(engine, users, make_session, client):
    rule = dataclasses.replace(default_blueprint("junior"), mode="drawn")
    sid = make_session(candidates=("cand1",), blueprint_id=save_rule(engine, rule))
    aid = delivery.start_attempt(engine, sid, users["cand1"], utcnow())
    shorts = [slot for slot, _ in paper(engine, aid) if slot.kind == "short"]
    assert len(shorts) == 2
    saves = [{"position": s.position, "seq": 1, "value": "您好，请问有什么可以帮您？", "flagged": False} for s in shorts]
    delivery.save_answers(engine, aid, users["cand1"], saves, utcnow(), delivery_grace())
    delivery.submit(engine, aid, "candidate", utcnow())
    with Session(engine) as s:
        assert s.get(Attempt, aid).passed is None                  # waiting for the examiner
    login(client, "examiner")
    page = client.get(f"/examiner/sessions/{sid}/marking").get_data(as_text=True)
    assert "待评分 2 份" in page and "考生01" not in page
    # Blind marking: the answers carry an anonymous code, never the attempt id the proctoring board
    # shows beside the candidate's name (issue 17.8).
    code = marking.answer_code(client.application.secret_key, aid)
    assert f"答卷 {code}" in page and f"/marking/{code}/" in page
    assert f"/marking/{aid}/" not in page and f"答卷 {aid} " not in page
    token = csrf_token(client, f"/examiner/sessions/{sid}/marking")
    by_id = client.post(f"/examiner/sessions/{sid}/marking/{aid}/{shorts[0].position}",
                        data={"points": "2", "csrf_token": token})
    assert by_id.status_code == 404
    with Session(engine) as db:
        answers = marking.short_answers(db, sid)
    # a bare total cannot stand in for the 评分要点 (issue 22.4): refused by name, nothing saved
    resp = client.post(f"/examiner/sessions/{sid}/marking/{code}/{shorts[0].position}",
                       data={"points": "2.5", "csrf_token": token})
    first = next(a for a in answers if a.position == shorts[0].position)
    missing = "、".join(f"要点 {i + 1}" for i in range(len(first.points_list)))
    assert resp.status_code == 400 and f"须逐项给分：缺少{missing}的得分" in resp.get_data(as_text=True)
    with Session(engine) as db:
        assert not db.exec(select(ManualMark).where(ManualMark.attempt_id == aid)).all()
    for a in answers:   # the first 要点 in full, the others nothing
        parts = {f"p_{i}": str(share) if i == 0 else "0" for i, share in enumerate(a.shares)}
        client.post(f"/examiner/sessions/{sid}/marking/{code.lower()}/{a.position}",
                    data={**parts, "comment": "要点不全", "csrf_token": token})
    with Session(engine) as s:
        attempt = s.get(Attempt, aid)
    assert attempt.passed is False and attempt.score == float(sum(a.shares[0] for a in answers))
    assert "待评分 0 份" in client.get(f"/examiner/sessions/{sid}/marking").get_data(as_text=True)


def delivery_grace():
    import datetime as dt
    return dt.timedelta(seconds=15)
