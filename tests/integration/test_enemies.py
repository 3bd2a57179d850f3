"""Enemy items on the real bank: suggested by the checker, decided by a trainer (page, audit), and
honoured by every paper draw — fixed, drawn once per session, per candidate — over many draws."""

from __future__ import annotations

import dataclasses
import json
import random

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from exam.db import write_session
from question_bank import blueprint_service, enemies, lint_service, loader
from question_bank.blueprint import BlueprintError, default_blueprint
from question_bank.blueprint_draw import has_enemies
from question_bank.models import ENEMY, NOT_ENEMY, Item, ItemEnemy, PaperBlueprint
from tests.webclient import csrf_token, login

DRAWS = 150


def item_ids(engine, refs):
    with Session(engine) as s:
        found = dict(s.exec(select(Item.ref, Item.id).where(Item.ref.in_(refs))).all())
    return [found[r] for r in refs]


def confirm_pairs(engine, level, count, users, seed=1):
    """Confirm ``count`` random pairs of approved items of a level, half within one cell, taken from
    cells with room to spare (a pair inside a cell the paper empties could never be honoured)."""
    from question_bank.blueprint import plan
    from question_bank.models import ItemVersion
    needed = {(c.area, c.kind): c.count for c in plan(default_blueprint(level)).cells}
    with write_session(engine) as db:
        pool = blueprint_service.pool(db, level)
        item_of = dict(db.exec(select(ItemVersion.id, ItemVersion.item_id).where(
            ItemVersion.id.in_([p.version_id for p in pool]))).all())
        cells = {}
        for p in pool:
            cells.setdefault((p.area, p.kind), []).append(p.version_id)
        roomy = [ids for key, ids in cells.items() if len(ids) >= needed.get(key, 0) + 4]
        everywhere = [v for ids in roomy for v in ids]
        rng = random.Random(seed)
        pairs = set()
        while len(pairs) < count:
            a, b = rng.sample(rng.choice(roomy) if len(pairs) % 2 else everywhere, 2)
            pairs.add(frozenset((item_of[a], item_of[b])))
        for pair in pairs:
            a, b = sorted(pair)
            enemies.decide(db, a, b, ENEMY, users["trainer"], "测试")
        return enemies.enemy_versions(db, [p.version_id for p in pool])


def test_decisions_are_stored_once_per_pair_audited_and_withdrawn(engine, users):
    with Session(engine) as s:
        a, b = s.exec(select(Item.id).order_by(Item.id).limit(2)).all()
    with write_session(engine) as db:
        enemies.decide(db, b, a, ENEMY, users["trainer"], "答案互相提示")
        enemies.decide(db, a, b, NOT_ENEMY, users["trainer2"], "复核：无提示作用")
        with pytest.raises(enemies.EnemyError, match="自身"):
            enemies.decide(db, a, a, ENEMY, users["trainer"])
        with pytest.raises(enemies.EnemyError, match="未知决定"):
            enemies.decide(db, a, b, "maybe", users["trainer"])
    with Session(engine) as s:
        rows = s.exec(select(ItemEnemy).where(ItemEnemy.item_a_id == min(a, b))).all()
        assert [(r.item_a_id, r.item_b_id, r.decision, r.decided_by) for r in rows] == \
            [(min(a, b), max(a, b), NOT_ENEMY, users["trainer2"])]
        assert enemies.decisions(s)[frozenset((a, b))] == NOT_ENEMY
    with write_session(engine) as db:
        enemies.withdraw(db, a, b, users["trainer"])
        with pytest.raises(enemies.EnemyError, match="没有已记录的决定"):
            enemies.withdraw(db, a, b, users["trainer"])
    with engine.connect() as conn:
        mine = {"a": min(a, b)}
        actions = [r[0] for r in conn.execute(text(
            "SELECT action FROM audit_event WHERE action LIKE 'item.enemy%' AND subject_id = :a ORDER BY id"), mine)]
        detail = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'item.enemy' AND subject_id = :a "
                                   "ORDER BY id"), mine).first()[0]
    assert actions == ["item.enemy", "item.enemy", "item.enemy_withdrawn"]
    assert (json.loads(detail) if isinstance(detail, str) else detail)["decision"] == ENEMY


def test_per_candidate_draws_never_hold_a_confirmed_pair(engine, users):
    pairs = confirm_pairs(engine, "intermediate", 40, users)
    with write_session(engine) as db:
        row = blueprint_service.save(db, default_blueprint("intermediate"), "互斥测试", None)
    rng = random.Random(4)
    with Session(engine) as db:
        row = db.get(PaperBlueprint, row.id)
        for _ in range(DRAWS):
            slots = blueprint_service.candidate_paper(db, row, None, rng)
            assert has_enemies([s.version_id for s in slots], pairs) == []


@pytest.mark.parametrize("mode", ["drawn", "fixed"])
def test_session_and_fixed_papers_honour_pairs(engine, users, make_session, mode):
    pairs = confirm_pairs(engine, "junior", 30, users, seed=2)
    rule = dataclasses.replace(default_blueprint("junior"), mode=mode)
    with write_session(engine) as db:
        row = blueprint_service.save(db, rule, f"互斥 {mode}", None)
        for _ in range(40 if mode == "drawn" else 10):
            if mode == "fixed":
                blueprint_service.generate_fixed(db, row)
            paper = blueprint_service.session_paper(db, row)
            assert has_enemies([int(s[0]) for s in paper], pairs) == []


def test_a_fixed_paper_made_before_a_pair_was_confirmed_is_refused(engine, users, make_session):
    rule = dataclasses.replace(default_blueprint("junior"), mode="fixed")
    with write_session(engine) as db:
        row = blueprint_service.save(db, rule, "固定", None)
        blueprint_service.generate_fixed(db, row)
        ids = [int(s[0]) for s in row.fixed_paper[:2]]
        from question_bank.models import ItemVersion
        a, b = (db.get(ItemVersion, v).item_id for v in ids)
        enemies.decide(db, a, b, ENEMY, users["trainer"], "")
        with pytest.raises(BlueprintError, match="重新生成"):
            blueprint_service.session_paper(db, row)
        blueprint_service.generate_fixed(db, row)
        assert has_enemies([int(s[0]) for s in blueprint_service.session_paper(db, row)],
                           enemies.enemy_versions(db, ids)) == []


def test_a_session_without_blueprint_honours_pairs(engine, users, make_session):
    from exam.delivery import service as delivery
    from exam.timeutil import utcnow
    pairs = confirm_pairs(engine, "junior", 60, users, seed=3)
    sid = make_session(item_count=60, candidates=("cand1", "cand2", "cand3"))
    for c in ("cand1", "cand2", "cand3"):
        attempt = delivery.start_attempt(engine, sid, users[c], utcnow())
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT item_version_id FROM paper_slot WHERE attempt_id = :a"),
                                              {"a": attempt})]
        assert len(ids) == 60 and has_enemies(ids, pairs) == []


def test_enemies_declared_in_a_bank_file_are_stored_confirmed(engine, tmp_path):
    items = [{"ref": "E-1", "level": "junior", "area": "service", "type": "fill",
              "stem": "第一位接到诉求的员工负责到底，这称为 ____。", "answers": ["首问负责制", "首问责任制"],
              "enemies": ["E-2"]},
             {"ref": "E-2", "level": "junior", "area": "service", "type": "single",
              "stem": "下列哪项制度要求第一位接待者跟进到底？", "options": ["首问负责制", "轮岗制", "值班制", "抽查制"],
              "key": [0]}]
    path = tmp_path / "e.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    with write_session(engine) as db:
        loader.load(db, [path])
    a, b = item_ids(engine, ["E-1", "E-2"])
    with Session(engine) as s:
        assert enemies.decisions(s)[frozenset((a, b))] == ENEMY
        entry = [e for e in lint_service.entries_from_db(s) if e.ident == a][0]
        assert entry.label == "E-1" and not entry.approved
    report = lint_service.check_files([path])
    assert "enemy_pair" not in {f.rule for f in report.findings}
    items[0]["enemies"] = []
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    assert "enemy_pair" in {f.rule for f in lint_service.check_files([path]).findings}


# ---------------------------------------------------------------- the pages

def test_trainer_sees_findings_and_decides_on_the_item_page(client, engine, users, tmp_path):
    items = [{"ref": "W-1", "level": "junior", "area": "service", "type": "fill",
              "stem": "第一位接到诉求的员工负责到底，这称为 ____。", "answers": ["首问负责制"]},
             {"ref": "W-2", "level": "junior", "area": "service", "type": "single",
              "stem": "下列哪项制度要求第一位接待者跟进到底？", "options": ["首问负责制", "轮岗制", "值班制", "以上都对"],
              "key": [0]}]
    path = tmp_path / "w.json"
    path.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    with write_session(engine) as db:
        loader.load(db, [path])
    a, b = item_ids(engine, ["W-1", "W-2"])
    login(client, "trainer")
    page = client.get(f"/trainer/items/{a}").get_data(as_text=True)
    assert "命题质量检查" in page and "填空题只接受一种写法" in page and "W-2" in page and "确认互斥" in page
    assert "“以上都对/都不对”类选项" in client.get(f"/trainer/items/{b}").get_data(as_text=True)

    token = csrf_token(client, f"/trainer/items/{a}")
    assert client.post(f"/trainer/items/{a}/enemies", data={"other": str(b), "decision": ENEMY}).status_code == 400
    resp = client.post(f"/trainer/items/{a}/enemies", data={"other": str(b), "decision": ENEMY, "csrf_token": token,
                                                            "reason": "答案出现在选项中"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "已记录：互斥" in page and "答案出现在选项中" in page
    assert "填空答案出现在另一题中" not in page
    with Session(engine) as s:
        assert enemies.decisions(s)[frozenset((a, b))] == ENEMY
    assert client.post(f"/trainer/items/{a}/enemies", data={"other": "999999", "decision": ENEMY,
                                                            "csrf_token": token}).status_code == 404
    resp = client.post(f"/trainer/items/{a}/enemies/withdraw", data={"other": str(b), "csrf_token": token},
                       follow_redirects=True)
    assert "已撤销" in resp.get_data(as_text=True)

    for who in ("examiner", "cand1"):
        login(client, who)
        assert client.get(f"/trainer/items/{a}").status_code in (302, 403)
        token = csrf_token(client, "/no-such-page")
        assert client.post(f"/trainer/items/{a}/enemies", data={"other": str(b), "decision": ENEMY,
                                                                "csrf_token": token}).status_code in (302, 403)
        assert client.get("/trainer/bank/report.json?level=junior").status_code in (302, 403)
    with Session(engine) as s:
        assert frozenset((a, b)) not in enemies.decisions(s)


def test_bank_report_page_and_json(client, engine):
    login(client, "trainer")
    page = client.get("/trainer/bank/report?level=senior").get_data(as_text=True)
    assert "命题质量报告：高级" in page and page.count("<svg") == 3 and "答案为最长选项的比例" in page
    assert "多选正确项数" in page
    data = client.get("/trainer/bank/report.json?level=senior").get_json()
    assert set(data["levels"]) == {"senior"} and data["levels"]["senior"]["items"] > 0
    assert client.get("/trainer/bank/report?level=expert").status_code == 404


def test_the_authoring_form_checks_without_saving(client, engine):
    login(client, "trainer")
    data = {"kind": "single", "area": "service", "levels": ["junior"], "difficulty": "2",
            "stem": "下列说法中，不正确的是？", "options": "问候客户\n报工号\n以上都对", "choice_key": "A",
            "scoring": "all", "truefalse_key": "true", "explanation": "", "knowledge_point": "", "tags": "",
            "source": "", "category": "", "check": "1", "csrf_token": csrf_token(client, "/trainer/items/new")}
    with Session(engine) as s:
        before = len(s.exec(select(Item.id)).all())
    page = client.post("/trainer/items/new", data=data).get_data(as_text=True)
    assert "否定式题干未加强调" in page and "“以上都对/都不对”类选项" in page
    with Session(engine) as s:
        assert len(s.exec(select(Item.id)).all()) == before


def test_approving_over_an_error_needs_a_written_reason(client, engine, users):
    from tests.integration.test_authoring import create, review, status_of
    login(client, "trainer")
    item_id, _ = create(client, kind="fill", stem="质检结果应反馈给 ____。", answers="组长", options="", choice_key="")
    assert item_id
    review(client, item_id, "submit")
    login(client, "trainer2")
    page = review(client, item_id, "approve").get_data(as_text=True)
    assert "处命题错误" in page and "填空题只接受一种写法" in page and status_of(engine, item_id) == "review"
    page = review(client, item_id, "approve", "组长是本中心唯一的称谓，已核对").get_data(as_text=True)
    assert status_of(engine, item_id) == "approved"
    with engine.connect() as conn:
        detail = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'item.approve' "
                                   "AND subject_id = :i"), {"i": item_id}).scalar()
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["comment"].startswith("组长") and any("填空题只接受一种写法" in e for e in detail["lint_errors"])
