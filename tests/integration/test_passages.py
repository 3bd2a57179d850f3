"""Trainers manage typing passages through the web pages, on both databases; the stock loads once."""

from __future__ import annotations

import json

import pytest
from sqlmodel import Session, func, select

from exam.db import write_session
from typing_test import passages
from typing_test.models import TypingPassage
from typing_test.normalise import char_count
from tests.webclient import csrf_token, login

TEXT = passages.stock_entries()[0]["text"]
NEW = {"title": "开篇语练习", "level": "junior", "ref": "web-junior-01", "source": "自编",
       "text": TEXT + "\n请兑现诺言，不要敷衍客户，遇到刁难也不要搪塞、推诿或者嘟囔。"}


def create(client, **changes):
    data = {**NEW, **changes, "csrf_token": csrf_token(client, "/trainer/passages/new")}
    return client.post("/trainer/passages/new", data=data)


def created_id(resp) -> int:
    assert resp.status_code == 302, resp.get_data(as_text=True)
    return int(resp.location.rstrip("/").rsplit("/", 1)[1])


def row(engine, passage_id) -> TypingPassage:
    with Session(engine) as s:
        return s.get(TypingPassage, passage_id)


def count(engine) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(TypingPassage)).one()


def post(client, path, **data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, "/trainer/passages/")})


def test_a_trainer_creates_edits_retires_and_restores_a_passage(client, engine, users):
    login(client, "trainer")
    passage_id = created_id(create(client))
    saved = row(engine, passage_id)
    assert (saved.title, saved.level, saved.ref, saved.status) == ("开篇语练习", "junior", "web-junior-01", "active")
    assert saved.char_count == char_count(NEW["text"]) and saved.created_by == users["trainer"]
    # outside the 2,500 常用字: 诺 ×3, 禅, 嗯 ×3, 敷 ×2, 衍 ×2, 兑, 刁, 搪, 诿, 嘟, 囔 (seventeen)
    assert saved.rare_share == pytest.approx(17 / sum(1 for c in NEW["text"] if "\u4e00" <= c <= "\u9fff"))

    detail = client.get(f"/trainer/passages/{passage_id}").get_data(as_text=True)
    assert "开篇语练习" in detail and f"{saved.char_count} 字" in detail
    assert '<mark class="rare-char">兑</mark>' in detail and 'difficulty-medium">中</span>' in detail
    listing = client.get("/trainer/passages/?level=junior").get_data(as_text=True)
    assert "开篇语练习" in listing and "打字文章" in listing

    token = csrf_token(client, f"/trainer/passages/{passage_id}/edit")
    resp = client.post(f"/trainer/passages/{passage_id}/edit",
                       data={**NEW, "title": "开篇语练习（修订）", "level": "中级", "text": TEXT, "csrf_token": token})
    assert resp.status_code == 302
    edited = row(engine, passage_id)
    assert (edited.title, edited.level) == ("开篇语练习（修订）", "intermediate")
    assert edited.rare_share == pytest.approx(8 / 1306)  # the stock text alone: 诺 ×2, 禅, 嗯 ×3, 敷, 衍 of 1,306 Han
    assert edited.char_count == char_count(TEXT) and edited.updated_at > saved.updated_at

    assert post(client, f"/trainer/passages/{passage_id}/retire").status_code == 302
    assert row(engine, passage_id).status == "retired"
    with Session(engine) as s:
        assert passage_id not in [p.id for p in passages.active_for_level(s, "intermediate")]
    assert "开篇语练习（修订）" in client.get("/trainer/passages/?status=retired").get_data(as_text=True)
    assert "开篇语练习（修订）" not in client.get("/trainer/passages/?status=active").get_data(as_text=True)
    assert post(client, f"/trainer/passages/{passage_id}/restore").status_code == 302
    assert row(engine, passage_id).status == "active"


def test_validation_errors_name_the_field_in_chinese_and_change_nothing(client, engine):
    login(client, "trainer")
    before = count(engine)
    resp = create(client, title="", level="expert", text="太短的正文。", source="来" * 201)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "文章未保存" in page
    assert "标题：不能为空" in page
    assert "等级：“expert”不存在，应为 初级、中级、高级 之一" in page
    assert "来源：不能超过 200 个字（现为 201 个）" in page
    assert f"共 {char_count('太短的正文。')} 字，应在 300 至 3000 字之间" in page
    page = create(client, text=TEXT + "\u200b").get_data(as_text=True)
    assert "不可打印的字符" in page and "U+200B" in page
    assert count(engine) == before

    passage_id = created_id(create(client))
    token = csrf_token(client, f"/trainer/passages/{passage_id}/edit")
    resp = client.post(f"/trainer/passages/{passage_id}/edit", data={**NEW, "text": "", "csrf_token": token})
    assert "正文：不能为空" in resp.get_data(as_text=True)
    assert row(engine, passage_id).text == NEW["text"]
    assert "已被另一篇文章使用" in create(client).get_data(as_text=True)  # same 编号 again
    assert count(engine) == before + 1


def test_candidates_and_examiners_get_403(client, engine):
    with write_session(engine) as db:
        passage_id = passages.create(db, passages.validate(NEW)).id
    for user in ("cand1", "examiner"):
        login(client, user)
        token = csrf_token(client, "/no-such-page")
        for path in ("/trainer/passages/", "/trainer/passages/new", f"/trainer/passages/{passage_id}",
                     f"/trainer/passages/{passage_id}/edit"):
            assert client.get(path).status_code == 403, (user, path)
        resp = client.post(f"/trainer/passages/{passage_id}/retire", data={"csrf_token": token})
        assert resp.status_code == 403
    assert row(engine, passage_id).status == "active"


def test_authored_markup_is_shown_as_text(client, engine):
    login(client, "trainer")
    passage_id = created_id(create(client, title="<script>alert('t')</script>标题",
                                   text=TEXT + "\n<script>alert(1)</script><b>粗体</b>"))
    for path in (f"/trainer/passages/{passage_id}", "/trainer/passages/", f"/trainer/passages/{passage_id}/edit"):
        page = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in page and "<b>粗体" not in page, path
        assert "&lt;script&gt;alert" in page, path


def test_the_list_filters_by_text_level_and_status(client, engine):
    with write_session(engine) as db:
        passages.create(db, passages.validate({**NEW, "ref": "a", "title": "甲篇"}))
        passages.create(db, passages.validate({**NEW, "ref": "b", "title": "乙篇", "level": "senior",
                                               "text": TEXT + "\n排班表应提前公布。"}))
    login(client, "trainer")
    page = client.get("/trainer/passages/?q=排班表").get_data(as_text=True)
    assert "乙篇" in page and "甲篇" not in page
    page = client.get("/trainer/passages/?level=junior").get_data(as_text=True)
    assert "甲篇" in page and "乙篇" not in page
    with Session(engine) as s:
        found = passages.list_passages(s, query="%")  # LIKE wildcards are taken literally
        assert found and all("%" in p.title + p.text + (p.ref or "") + p.source for p in found)
        assert passages.list_passages(s, query="甲_") == []


def test_load_stock_adds_every_stock_passage_once(engine):
    entries = passages.stock_entries()
    refs = [e["ref"] for e in entries]
    with write_session(engine) as db:
        passages.load_stock(db)
    with Session(engine) as s:
        stored = s.exec(select(TypingPassage).where(TypingPassage.ref.in_(refs))).all()
        assert sorted(p.ref for p in stored) == sorted(refs)
        assert all(p.char_count == char_count(p.text) and p.status == "active" for p in stored)
        assert len(passages.active_for_level(s, "senior")) >= 3
    before = count(engine)
    with write_session(engine) as db:
        assert passages.load_stock(db) == 0
    assert count(engine) == before


def test_load_stock_writes_nothing_when_one_entry_is_invalid(engine, tmp_path):
    good = {**NEW, "ref": "extra-01"}
    bad = {**NEW, "ref": "extra-02", "level": "", "text": "太短。"}
    path = tmp_path / "stock.json"
    path.write_text(json.dumps([good, bad], ensure_ascii=False), encoding="utf-8")
    before = count(engine)
    with pytest.raises(passages.PassageError) as caught, write_session(engine) as db:
        passages.load_stock(db, path=path)
    assert "extra-02：等级不能为空" in str(caught.value) and "extra-02：正文共" in str(caught.value)
    assert count(engine) == before


# ---------------------------------------------------------------- long enough for the time limit (issue 15)

SHORT = "\n".join([TEXT.split("\n")[0]] * 8)  # 300-odd Han characters: valid before the rule


def test_a_passage_too_short_for_the_time_limit_is_refused_with_the_numbers(client, engine):
    from exam import standard
    login(client, "trainer")
    before = count(engine)
    text = passages.stock_entries()[0]["text"][:900]
    han = standard.han_count(text)
    page = create(client, text=text).get_data(as_text=True)
    need = standard.typing_passage_min_han("junior") + 1
    assert f"只有 {han} 个汉字：初级打字测试限时 10 分钟，按每分钟 100 字的快速录入计，文章至少需要 {need} 个汉字" in page
    assert f"请再补充 {need - han} 个汉字以上" in page
    assert count(engine) == before


def _old_installation(engine) -> int:
    """A passage of the first stock, stored before the rule: valid then, too short now."""
    with write_session(engine) as db:
        old = TypingPassage(ref="stock-junior-01", title="开篇语（旧版）", level="junior", text=SHORT,
                            char_count=char_count(SHORT), rare_share=0.0, status="active")
        db.add(old)
        db.flush()
        return old.id


def test_refresh_retires_short_passages_and_none_is_ever_drawn(engine, users, make_session):
    import datetime as dt
    from typing_test import service
    old_id = _old_installation(engine)
    with Session(engine) as s:
        assert old_id not in [p.id for p in passages.drawable_for_level(s, "junior")]
    session_id = make_session(level="junior")
    t0 = dt.datetime.now(dt.timezone.utc)
    drawn = {service.start(engine, session_id, users[c], t0) for c in ("cand1", "cand2")}
    with Session(engine) as s:
        from typing_test.models import TypingAttempt
        assert all(s.get(TypingAttempt, a).passage_id != old_id for a in drawn)
    with write_session(engine) as db:
        added, retired = passages.refresh_stock(db)
        assert added == 0 and [p.id for p in retired] == [old_id]
    assert row(engine, old_id).status == "retired"
    with write_session(engine) as db:
        assert passages.refresh_stock(db) == (0, [])  # idempotent
    # a retired short passage cannot come back until it is lengthened
    with pytest.raises(passages.PassageError) as caught, write_session(engine) as db:
        passages.restore(db, old_id)
    assert "加长后再恢复使用" in str(caught.value)


def test_the_console_refresh_on_a_fresh_database(tmp_path):
    """``callexam passages refresh`` in a subprocess: an installation with the first, short stock gets
    today's stock, and the short passages are retired; an attempt that copied one keeps its text."""
    import os
    import subprocess
    import sys
    from exam import db
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    env = {**os.environ, "DATABASE_URL": url, "CALLEXAM_INSTANCE": str(tmp_path / "instance")}

    def callexam(*args):
        return subprocess.run([sys.executable, "-m", "exam.cli", *args], env=env, capture_output=True, text=True,
                              timeout=120)

    assert callexam("db", "upgrade").returncode == 0
    engine = db.engine_for(url)
    old_id = _old_installation(engine)
    out = callexam("passages", "refresh")
    assert out.returncode == 0, out.stderr
    assert f"新增库存文章 {len(passages.stock_entries())} 篇；停用过短的文章 1 篇" in out.stdout
    assert "已停用 stock-junior-01 开篇语（旧版）" in out.stdout
    assert row(engine, old_id).status == "retired" and row(engine, old_id).text == SHORT
    again = callexam("passages", "refresh")
    assert "新增库存文章 0 篇；停用过短的文章 0 篇" in again.stdout
    db.dispose_all()


def test_the_trainers_list_marks_an_active_passage_too_short_to_be_drawn(client, engine):
    old_id = _old_installation(engine)
    login(client, "trainer")
    listing = client.get("/trainer/passages/?level=junior").get_data(as_text=True)
    row_html = listing[listing.index("开篇语（旧版）"):]
    assert "篇幅不足，不会被抽取" in row_html[:600]
    assert listing.count("篇幅不足，不会被抽取") == 1 and old_id
