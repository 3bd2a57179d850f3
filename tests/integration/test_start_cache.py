"""What the start path keeps per process (issue 23) never serves a stale paper: the pool checked
against a blueprint is keyed by the exact approved pool and rule, item shapes by immutable version;
a bank or rule change between two starts is drawn from at once, candidates still get their own
forms, and the page still carries no key."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from fractions import Fraction

from sqlalchemy import text
from sqlmodel import Session

from exam.db import write_session
from exam.delivery import service as delivery
from exam.timeutil import utcnow
from question_bank import blueprint_service
from question_bank import service as bank
from question_bank.blueprint import TypeRule, default_blueprint, plan
from question_bank.blueprint_draw import draw, prepare
from question_bank.models import APPROVED, RETIRED, Item, ItemVersion, PaperBlueprint
from tests.webclient import login, start

CANDIDATES = ("cand1", "cand2", "cand3")


def _rule(engine, bp=None) -> int:
    with write_session(engine) as db:
        return blueprint_service.save(db, bp or default_blueprint("junior"), "每人随机", None).id


def _versions(engine, attempt_id: int) -> list[int]:
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(text(
            "SELECT item_version_id FROM paper_slot WHERE attempt_id = :a ORDER BY position"), {"a": attempt_id})]


def test_a_retirement_between_two_starts_is_never_drawn(engine, users, make_session):
    sid = make_session(candidates=CANDIDATES, blueprint_id=_rule(engine))
    first = _versions(engine, delivery.start_attempt(engine, sid, users["cand1"], utcnow()))  # warms the caches
    with write_session(engine) as db:  # retire every item the first candidate drew
        for item_id in {db.get(ItemVersion, vid).item_id for vid in first}:
            item = db.get(Item, item_id)
            item.status = RETIRED
            db.add(item)
    later = [_versions(engine, delivery.start_attempt(engine, sid, users[c], utcnow())) for c in CANDIDATES[1:]]
    for versions in later:
        assert len(versions) == len(first) == 82
        assert not set(versions) & set(first)  # a stale pool would share ~20 of 82 items
    assert set(later[0]) != set(later[1])       # and the two still got forms of their own


def test_a_rule_changed_between_two_starts_is_followed(engine, users, make_session):
    bp_id = _rule(engine)
    sid = make_session(candidates=CANDIDATES, blueprint_id=bp_id)
    assert len(_versions(engine, delivery.start_attempt(engine, sid, users["cand1"], utcnow()))) == 82
    smaller = dataclasses.replace(default_blueprint("junior"), types=(
        TypeRule("single", 40, Fraction(1)), TypeRule("truefalse", 20, Fraction(1)), TypeRule("short", 8, Fraction(5))))
    with write_session(engine) as db:
        blueprint_service.save(db, smaller, "每人随机", None, row=db.get(PaperBlueprint, bp_id))
    aid = delivery.start_attempt(engine, sid, users["cand2"], utcnow())
    with engine.connect() as conn:
        kinds = [k for (k,) in conn.execute(text("SELECT kind FROM paper_slot WHERE attempt_id = :a"), {"a": aid})]
    assert len(kinds) == 68 and kinds.count("short") == 8 and "multiple" not in kinds


def test_a_new_version_replaces_the_old_one_in_later_draws(engine, users, make_session):
    sid = make_session(candidates=CANDIDATES, blueprint_id=_rule(engine))
    delivery.start_attempt(engine, sid, users["cand1"], utcnow())  # warms the caches
    with Session(engine) as db:
        old_ids = {vid for vid, _a, kind, _d in bank.approved_pool(db, "junior") if kind == "single"}
    with write_session(engine) as db:  # every junior single-choice item revised (and approved again)
        for vid in old_ids:
            item = db.get(Item, db.get(ItemVersion, vid).item_id)
            data = bank.version_data(db, db.get(ItemVersion, vid))
            bank.revise_item(db, item, dataclasses.replace(data, stem=data.stem + "（修订）"))
            item.status = APPROVED
            db.add(item)
    aid = delivery.start_attempt(engine, sid, users["cand2"], utcnow())
    with engine.connect() as conn:
        drawn = conn.execute(text(
            "SELECT ps.item_version_id, iv.stem FROM paper_slot ps JOIN item_version iv ON iv.id = ps.item_version_id "
            "WHERE ps.attempt_id = :a AND ps.kind = 'single'"), {"a": aid}).all()
    assert len(drawn) == 40 and not {vid for vid, _ in drawn} & old_ids
    assert all(stem.endswith("（修订）") for _, stem in drawn)


def test_a_prepared_pool_draws_exactly_what_the_plain_pool_draws(engine):
    with Session(engine) as db:
        pool = blueprint_service.pool(db, "junior")
    p = plan(default_blueprint("junior"))
    prepared = prepare(p, pool)
    for seed in range(5):
        assert draw(p, prepared, random.Random(seed)) == draw(p, pool, random.Random(seed))
    assert len({tuple(s.version_id for s in draw(p, prepared, random.Random(seed))) for seed in range(5)}) == 5


def test_the_page_of_a_per_candidate_paper_holds_no_key(client, engine, users, make_session):
    sid = make_session(candidates=CANDIDATES, blueprint_id=_rule(engine))
    pages = {}
    for name in ("cand1", "cand2"):
        login(client, name)
        attempt_id, _state, _token = start(client, sid)
        pages[name] = (attempt_id, client.get(f"/candidate/attempts/{attempt_id}").get_data(as_text=True))
    assert pages["cand1"][1] != pages["cand2"][1]
    for attempt_id, html in pages.values():
        with engine.connect() as conn:
            rows = conn.execute(text(
                "SELECT iv.key, iv.explanation, iv.kind, iv.stem FROM paper_slot ps JOIN item_version iv "
                "ON iv.id = ps.item_version_id WHERE ps.attempt_id = :a"), {"a": attempt_id}).all()
        assert len(rows) == 82
        for key, explanation, kind, stem in rows:
            assert stem in html
            if explanation:
                assert explanation not in html
            key = json.loads(key) if isinstance(key, str) else key
            if kind == "short":
                assert key["reference"] not in html
            elif kind == "fill":
                assert not any(f'value="{answer}"' in html for answer in key)
        for marker in ('"key"', "data-key", "data-correct", "correct_answer", "explanation"):
            assert marker not in html.lower()


_ARTICLE = re.compile(r'<article class="question" id="q(\d+)" data-position="\d+" data-kind="(\w+)"(.*?)</article>', re.S)
_OPTION_TEXT = re.compile(r'<span class="opt">(.*?)</span>', re.S)


def test_each_candidate_sees_the_options_in_their_own_frozen_order(client, engine, users, make_session):
    """The page is put together from one rendering per version: two candidates with the same
    version each see its options in the order frozen on their own paper, numbered from 1."""
    sid = make_session(candidates=CANDIDATES, blueprint_id=_rule(engine))
    seen: dict[int, set[tuple[str, ...]]] = {}
    for name in CANDIDATES:
        login(client, name)
        attempt_id, _state, _token = start(client, sid)
        html = client.get(f"/candidate/attempts/{attempt_id}").get_data(as_text=True)
        with engine.connect() as conn:
            frozen = {r.position: r for r in conn.execute(text(
                "SELECT ps.position, ps.item_version_id, ps.option_order, iv.options, iv.kind FROM paper_slot ps "
                "JOIN item_version iv ON iv.id = ps.item_version_id WHERE ps.attempt_id = :a"), {"a": attempt_id})}
        articles = _ARTICLE.findall(html)
        assert [int(p) for p, _k, _b in articles] == sorted(frozen)
        assert [n for n in re.findall(r"第 (\d+) 题\s*<small>", html)] == [str(i + 1) for i in range(len(frozen))]
        for position, kind, body in articles:
            row = frozen[int(position)]
            order = json.loads(row.option_order) if isinstance(row.option_order, str) else row.option_order
            options = json.loads(row.options) if isinstance(row.options, str) else row.options
            assert kind == row.kind
            assert f'name="q{position}"' in body and "\x00" not in body
            if kind in ("single", "multiple"):
                assert tuple(_OPTION_TEXT.findall(body)) == tuple(options[i] for i in order)
                seen.setdefault(row.item_version_id, set()).add(tuple(options[i] for i in order))
    assert any(len(orders) > 1 for orders in seen.values())  # a shared version shown in two orders


def test_a_nul_or_a_brace_in_bank_text_cannot_reach_a_placeholder(app):
    """Renderings are ``str.format`` templates: bank text with NULs or braces stays text."""
    from exam.delivery import paper_page
    with app.test_request_context():
        done = paper_page._render("single", "题干\x00P\x00 {N} {", "all", ["甲\x00O1\x00", "乙 {P}"])
    assert all("\x00" not in option for option in done.options)
    filled = done.template.format_map(paper_page._Values(P=7, N=3, O0=done.options[1], O1=done.options[0]))
    assert "题干\ufffdP\ufffd {N} {" in filled and "乙 {P}" in filled and "甲\ufffdO1\ufffd" in filled
    assert 'data-position="7"' in filled


def test_the_header_warns_about_the_part_being_sat_from_one_statement(client, engine, users, make_session):
    """base.html's header (exam.page_header): the parts a candidate is sitting — open, and paused or
    before the deadline — read afresh at every page, so a change made elsewhere shows at once."""
    sid = make_session(candidates=CANDIDATES)
    login(client, "cand1")
    assert "data-leave-warning" not in client.get("/candidate").get_data(as_text=True)
    attempt_id, _state, _token = start(client, sid)

    def warning() -> str | None:
        found = re.search(r'data-leave-warning="([^"]*)"', client.get("/candidate").get_data(as_text=True))
        return found.group(1) if found else None

    assert warning().startswith("您的理论考试尚未交卷")
    past = utcnow().replace(year=2000)
    with engine.begin() as conn:  # past the deadline and not paused: no longer sitting
        conn.execute(text("UPDATE attempt SET deadline = :d WHERE id = :a"), {"d": past, "a": attempt_id})
    assert warning() is None
    with engine.begin() as conn:  # paused by a proctor: the clock is stopped, still sitting
        conn.execute(text("UPDATE attempt SET paused_at = :d WHERE id = :a"), {"d": past, "a": attempt_id})
    assert warning().startswith("您的理论考试尚未交卷")
    with engine.begin() as conn:
        conn.execute(text("UPDATE attempt SET status = 'submitted' WHERE id = :a"), {"a": attempt_id})
    assert warning() is None
