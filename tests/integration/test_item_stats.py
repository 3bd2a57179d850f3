"""Item statistics of a session on a real database: candidates sit through the service layer with a
known answer pattern, and the figures must be those of the pure engine on the same marks."""

import csv
import dataclasses
import io
import datetime as dt
import random
import statistics as pystats
from fractions import Fraction

import pytest
from sqlmodel import Session, select

from exam import standard
from exam.accounts import service as accounts
from exam.db import write_session
from exam.delivery import service as delivery
from exam.delivery.models import ManualMark, PaperSlot
from exam.sessions import service as sessions
from exam.timeutil import utcnow
from question_bank import assembly
from question_bank import service as bank
from question_bank import stats
from question_bank.models import ItemVersion
from question_bank.normalise import normalise_answer
from question_bank.stats_service import session_statistics
from tests.conftest import PASSWORD
from tests.webclient import login

GRACE = dt.timedelta(seconds=15)
KINDS = ("single", "multiple", "truefalse", "fill", "short")


# ---------------------------------------------------------------- set-up helpers

def enrol_candidates(engine, session_id, count):
    with write_session(engine) as db:
        ids = [accounts.create_user(db, f"stat{i}", PASSWORD, "candidate", f"统计考生{i}").id for i in range(count)]
        sessions.enrol(db, session_id, ids)
    return ids


def fixed_paper(monkeypatch, engine, level="junior", item_count=10):
    """Every candidate gets the same items (one of each kind where the bank has it), in their own
    question order and option order, as a fixed paper would be delivered."""
    with Session(engine) as db:
        pool = sorted(bank.approved_pool(db, level))
        options = dict(db.exec(select(ItemVersion.id, ItemVersion.options)).all())
    lvl_points = {a.code: a.weight for a in standard.level(level).areas}
    chosen = []
    for area, count in assembly.allocate(level, item_count).items():
        left = [(vid, kind) for vid, a, kind, _ in pool if a == area]
        for n in range(count):
            wanted = KINDS[n % len(KINDS)]
            pick = next((c for c in left if c[1] == wanted), left[0])
            left.remove(pick)
            chosen.append((pick[0], area, pick[1], Fraction(lvl_points[area], count)))
    calls = []

    def draw(_db, _exam_session, _rule):
        rng = random.Random(len(calls))
        calls.append(1)
        order = list(chosen)
        rng.shuffle(order)
        return [{"position": p, "item_version_id": vid, "area": area, "kind": kind,
                 "option_count": len(options[vid]),
                 "option_order": assembly.shuffled_option_order(len(options[vid]), rng) if options[vid] else [],
                 "points": str(points)} for p, (vid, area, kind, points) in enumerate(order)]

    monkeypatch.setattr(delivery, "_draw_paper", draw)
    return {vid for vid, *_ in chosen}


def paper(engine, attempt_id):
    with Session(engine) as db:
        return db.exec(select(PaperSlot, ItemVersion).join(ItemVersion, ItemVersion.id == PaperSlot.item_version_id)
                       .where(PaperSlot.attempt_id == attempt_id).order_by(PaperSlot.position)).all()


def answer_for(slot, version, outcome):
    """The saved value for an outcome: True right, False wrong, None blank (short answers stay blank)."""
    if outcome is None or slot.kind == "short":
        return ""
    key, order = version.key, slot.option_order
    if slot.kind == "truefalse":
        return "T" if bool(key) == outcome else "F"
    if slot.kind == "fill":
        return f"  {key[0]} " if outcome else "错误答案"
    wrong = next(i for i in range(slot.option_count) if i not in key)
    picks = key if outcome else [key[0], wrong] if slot.kind == "multiple" else [wrong]
    return ",".join(str(p) for p in sorted(order.index(i) for i in picks))


def sit(engine, session_id, candidate_ids, seed=7, blank=0.15):
    """Each candidate answers; stronger candidates (later in the list) are right more often.
    Returns {attempt id: {version id: (outcome, value, slot)}} and the attempt ids in id order."""
    rng = random.Random(seed)
    record = {}
    for rank, cid in enumerate(candidate_ids, 1):
        aid = delivery.start_attempt(engine, session_id, cid, utcnow())
        saves, seen = [], {}
        for slot, version in paper(engine, aid):
            roll = rng.random()
            outcome = None if roll < blank else rng.random() < rank / (len(candidate_ids) + 1)
            value = answer_for(slot, version, outcome)
            seen[version.id] = (outcome if value else None, value, slot, version)
            saves.append({"position": slot.position, "seq": 1, "value": value, "flagged": False})
        delivery.save_answers(engine, aid, cid, saves, utcnow(), GRACE)
        assert delivery.submit(engine, aid, "candidate", utcnow(), actor_id=cid, candidate_id=cid)
        record[aid] = seen
    return dict(sorted(record.items()))


def write_short(engine, attempt_id, candidate_id, slot, text):
    save = {"position": slot.position, "seq": 1, "value": text, "flagged": False}
    delivery.save_answers(engine, attempt_id, candidate_id, [save], utcnow(), GRACE)


def marks_of(record):
    """{attempt: {version: mark}} from the answer pattern alone (right = the slot's points)."""
    return {aid: {vid: float(Fraction(slot.points)) if outcome else 0.0
                  for vid, (outcome, _, slot, _) in seen.items()} for aid, seen in record.items()}


def without_slot(item):
    return dataclasses.replace(item, slot=0)


# ---------------------------------------------------------------- the figures

def test_a_fixed_paper_gives_exactly_the_engines_figures(engine, make_session, monkeypatch):
    items = fixed_paper(monkeypatch, engine)
    sid = make_session(item_count=10, candidates=())
    record = sit(engine, sid, enrol_candidates(engine, sid, 8))
    marks = marks_of(record)
    columns = sorted(items)
    points = {vid: float(Fraction(slot.points)) for vid, (_, _, slot, _) in next(iter(record.values())).items()}
    expected = stats.analyse([[marks[aid][v] for v in columns] for aid in record], [points[v] for v in columns])

    with Session(engine) as db:
        result = session_statistics(db, sid)
    assert result.same_items and result.submitted == result.counted == 8 and result.pending == 0
    # the candidates really saw different question and option orders
    layouts = {vid: {(slot.position, tuple(slot.option_order)) for seen in record.values()
                     for v, (_, _, slot, _) in seen.items() if v == vid} for vid in items}
    assert all(len(layout) > 1 for layout in layouts.values())
    assert result.quiz == expected.quiz  # exactly, not approximately
    assert expected.quiz.cic is not None and expected.quiz.kurtosis is not None
    by_version = {r.version_id: r for r in result.items}
    assert set(by_version) == items
    for column, vid in enumerate(columns):
        assert without_slot(by_version[vid].stats) == without_slot(expected.items[column])
        assert by_version[vid].attempts == 8
        assert list(by_version[vid].flags) == stats.flags(expected.items[column], 8) == []   # 8 < MIN_RESPONSES
        assert not by_version[vid].reliable
    assert sorted(result.totals) == sorted(sum(m.values()) for m in marks.values())


def test_option_counts_follow_the_original_options_whatever_the_shuffle(engine, make_session, monkeypatch):
    fixed_paper(monkeypatch, engine)
    sid = make_session(item_count=10, candidates=())
    record = sit(engine, sid, enrol_candidates(engine, sid, 8), seed=11, blank=0.25)
    with Session(engine) as db:
        result = session_statistics(db, sid)
    seen_kinds = set()
    for item in result.items:
        answers = [seen[item.version_id] for seen in record.values()]
        outcomes = [a[0] for a in answers]
        right, wrong, blank = outcomes.count(True), outcomes.count(False), outcomes.count(None)
        lines = {c.label: c for c in item.responses}
        key = answers[0][3].key
        seen_kinds.add(item.kind)
        if item.kind == "short":
            assert (lines["已作答"].count, lines["未作答"].count) == (0, len(answers))
            continue
        assert lines["未作答"].count == blank
        if item.kind in ("single", "multiple"):
            first_wrong = next(i for i in range(len(answers[0][3].options)) if i not in key)
            for i, choice in enumerate(c for c in item.responses if c.label != "未作答"):
                expected = (right if i in key else 0) + (wrong if i == first_wrong else 0)
                if item.kind == "multiple" and i == key[0]:
                    expected += wrong  # the wrong answer picked the first key option and a distractor
                assert (choice.label, choice.count, choice.correct) == (chr(ord("A") + i), expected, i in key)
        elif item.kind == "truefalse":
            assert lines["正确" if key else "错误"].count == right and lines["正确" if key else "错误"].correct
            assert lines["错误" if key else "正确"].count == wrong
        elif item.kind == "fill":
            typed = {c.label: (c.count, c.correct) for c in item.responses if c.label != "未作答"}
            expected = {}
            if right:
                expected[normalise_answer(answers[0][3].key[0])] = (right, True)
            if wrong:
                expected["错误答案"] = (wrong, False)
            assert typed == expected
    assert {"single", "multiple", "truefalse", "fill"} <= seen_kinds


def test_random_papers_count_each_item_over_the_attempts_that_drew_it(engine, make_session):
    sid = make_session(item_count=20, candidates=())
    record = sit(engine, sid, enrol_candidates(engine, sid, 8), seed=3)
    marks = marks_of(record)
    totals = {aid: sum(m.values()) for aid, m in marks.items()}
    with Session(engine) as db:
        result = session_statistics(db, sid)
    assert not result.same_items and len({frozenset(m) for m in marks.values()}) > 1
    assert any(r.attempts < 8 for r in result.items)
    assert result.quiz.mean == pytest.approx(pystats.mean(totals.values()))
    assert result.quiz.median == pytest.approx(pystats.median(totals.values()))
    assert result.quiz.sd == pytest.approx(pystats.stdev(totals.values()))
    assert result.quiz.cic is not None  # the papers share one structure: CIC over its slots
    drawn = {vid for m in marks.values() for vid in m}
    assert {r.version_id for r in result.items} == drawn
    for item in result.items:
        had = [aid for aid in record if item.version_id in marks[aid]]
        x = [marks[aid][item.version_id] for aid in had]
        rest = [totals[aid] - marks[aid][item.version_id] for aid in had]
        assert item.attempts == len(had)
        assert item.stats.facility == pytest.approx(100 * pystats.mean(x) / float(item.points))
        if len(had) > 1 and len(set(x)) > 1 and len(set(rest)) > 1:
            assert item.stats.discrimination_index == pytest.approx(100 * pystats.correlation(x, rest))
        else:
            assert item.stats.discrimination_index is None
        if not result.same_items:
            assert item.stats.effective_weight is None


def test_attempts_waiting_for_an_examiner_are_left_out_and_counted(engine, make_session, monkeypatch, users):
    items = fixed_paper(monkeypatch, engine)
    sid = make_session(item_count=10, candidates=())
    cands = enrol_candidates(engine, sid, 4)
    record = sit(engine, sid, cands[:3], seed=5)
    with Session(engine) as db:
        short = db.exec(select(ItemVersion.id).where(ItemVersion.id.in_(items), ItemVersion.kind == "short")).first()
    assert short is not None, "the demo bank should give the fixed paper a short answer"
    late = delivery.start_attempt(engine, sid, cands[3], utcnow())
    slot = next(s for s, v in paper(engine, late) if v.id == short)
    write_short(engine, late, cands[3], slot, "先致歉再核实")
    delivery.submit(engine, late, "candidate", utcnow(), candidate_id=cands[3])
    with Session(engine) as db:
        result = session_statistics(db, sid)
    assert (result.submitted, result.counted, result.pending) == (4, 3, 1)
    marks = marks_of(record)
    columns = sorted(items)
    points = {s.item_version_id: float(Fraction(s.points)) for s, _ in paper(engine, late)}
    assert result.quiz == stats.quiz_statistics([[marks[a][v] for v in columns] for a in record],
                                                [points[v] for v in columns])
    with write_session(engine) as db:
        db.add(ManualMark(attempt_id=late, position=slot.position, points=str(Fraction(slot.points) / 2),
                          marker_id=users["examiner"]))
    with Session(engine) as db:
        result = session_statistics(db, sid)
    assert (result.counted, result.pending) == (4, 0)
    short_item = next(r for r in result.items if r.version_id == short)
    assert short_item.stats.facility == pytest.approx(100 / 4 / 2)
    assert [(c.label, c.count) for c in short_item.responses] == [("已作答", 1), ("未作答", 3)]


# ---------------------------------------------------------------- the pages

def test_trainers_read_the_page_and_download_the_table(client, engine, make_session, monkeypatch):
    fixed_paper(monkeypatch, engine)
    sid = make_session(item_count=10, candidates=())
    sit(engine, sid, enrol_candidates(engine, sid, 6), seed=9)
    with Session(engine) as db:
        result = session_statistics(db, sid)
    login(client, "trainer")
    listing = client.get("/trainer/stats/").get_data(as_text=True)
    assert "测试场次" in listing and "6 份" in listing and f"/trainer/stats/{sid}" in listing
    resp = client.get(f"/trainer/stats/{sid}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg"') == 2 and 'role="img"' in html
    assert "整卷统计" in html and "<details" in html and "选项分布" in html
    assert 'id="sample-warning"' in html and "仅 6 份答卷计入统计，少于 30 份" in html   # issue 19
    assert '<tr class="flagged">' not in html and all(not r.flags for r in result.items)
    assert f"{result.quiz.mean:.2f}%" in html and f"{result.quiz.cic:.2f}%" in html
    for item in result.items:
        assert item.ref in html
        if item.stats.facility is not None:
            assert f"{item.stats.facility:.2f}%" in html
    ranked = [r for r in result.items if r.stats.facility is not None]
    ranked.sort(key=lambda r: r.stats.facility, reverse=True)
    html = client.get(f"/trainer/stats/{sid}?sort=-facility").get_data(as_text=True)
    table = html[html.index('id="items"'):html.index('id="responses"')]
    positions = [table.index(f">{r.ref}</a>") for r in ranked]
    assert positions == sorted(positions) and 'aria-sort="descending"' in table
    download = client.get(f"/trainer/stats/{sid}.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    text = download.get_data().decode("utf-8")
    assert text.startswith("\ufeff题号,版本,题型")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert len(rows) == len(result.items) + 1
    assert {row[0] for row in rows[1:]} == {r.ref for r in result.items}
    assert client.get("/trainer/stats/99999").status_code == 404


def test_pending_attempts_are_announced_on_the_page(client, engine, make_session, monkeypatch):
    items = fixed_paper(monkeypatch, engine)
    sid = make_session(item_count=10, candidates=())
    (cid,) = enrol_candidates(engine, sid, 1)
    aid = delivery.start_attempt(engine, sid, cid, utcnow())
    with Session(engine) as db:
        short = db.exec(select(ItemVersion.id).where(ItemVersion.id.in_(items), ItemVersion.kind == "short")).first()
    slot = next(s for s, v in paper(engine, aid) if v.id == short)
    write_short(engine, aid, cid, slot, "答案")
    delivery.submit(engine, aid, "candidate", utcnow(), candidate_id=cid)
    login(client, "trainer")
    html = client.get(f"/trainer/stats/{sid}").get_data(as_text=True)
    assert "1 份待阅卷，未计入" in html and "暂无可统计的答卷" in html


@pytest.mark.parametrize("who", ["cand1", "examiner"])
def test_only_trainers_see_item_statistics(client, make_session, who):
    sid = make_session()
    login(client, who)
    for path in ("/trainer/stats/", f"/trainer/stats/{sid}", f"/trainer/stats/{sid}.csv"):
        assert client.get(path).status_code == 403, path


def test_from_thirty_responses_the_figures_are_read(client, engine, make_session, monkeypatch):
    fixed_paper(monkeypatch, engine)
    sid = make_session(item_count=10, candidates=())
    sit(engine, sid, enrol_candidates(engine, sid, stats.MIN_RESPONSES), seed=4)
    with Session(engine) as db:
        result = session_statistics(db, sid)
    assert result.counted == stats.MIN_RESPONSES and result.reliable and result.thin_items == 0
    assert all(r.flags == tuple(stats.flags(r.stats)) for r in result.items)
    login(client, "trainer")
    html = client.get(f"/trainer/stats/{sid}").get_data(as_text=True)
    assert 'id="sample-warning"' not in html and "样本不足" not in html
