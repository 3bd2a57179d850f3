"""Trainers edit the service-phrase lists through the web pages (CSRF and all), on both databases; the
grading spine then reads the edited list, and a reset brings back the standard's."""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy import text
from sqlmodel import Session

from exam.service_phrases import PHRASE_LISTS, default_lists
from practical import phrases_service, service
from practical.models import PhraseList
from tests.webclient import csrf_token, login

EDIT = "/trainer/phrases/taboo"


def in_force(engine) -> dict:
    with Session(engine) as db:
        return phrases_service.lists(db)


def row(engine, key="taboo") -> PhraseList | None:
    with Session(engine) as db:
        return db.get(PhraseList, key)


def audit(engine) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(
            "SELECT action, actor_id, subject_type FROM audit_event WHERE action LIKE 'phrases.%' ORDER BY id"))]


def save(client, entries: str, token=None):
    return client.post(EDIT, data={"entries": entries, "csrf_token": token or csrf_token(client, EDIT)})


def test_a_trainer_edits_a_list_and_resets_it_to_the_standard(client, engine, users):
    login(client, "trainer")
    listing = client.get("/trainer/phrases").get_data(as_text=True)
    assert all(spec.name in listing for spec in PHRASE_LISTS.values()) and "服务用语" in listing
    page = client.get(EDIT).get_data(as_text=True)
    assert "禁忌语" in page and "没办法" in page and 'name="csrf_token"' in page

    resp = save(client, "没办法\n  你自己看着办 \n\n上班时间不聊天\n")
    assert resp.status_code == 302 and resp.location.endswith(EDIT)
    saved = row(engine)
    assert saved.entries == ["没办法", "你自己看着办", "上班时间不聊天"] and saved.updated_by == users["trainer"]
    assert in_force(engine)["taboo"] == ("没办法", "你自己看着办", "上班时间不聊天")
    assert in_force(engine)["greeting"] == PHRASE_LISTS["greeting"].entries
    assert audit(engine) == [("phrases.update", users["trainer"], "phrase_list")]
    page = client.get(EDIT).get_data(as_text=True)
    assert "已保存“禁忌语”（3 条）" in page and "已修改" in page and "上班时间不聊天" in page
    assert "已修改" in client.get("/trainer/phrases").get_data(as_text=True)

    # The grading spine takes the lists it is given: the trainer's word now costs the taboo check.
    from practical.kinds import call
    spec = {"caller": "客户", "situation": "接听", "turns": [
        {"id": "t1", "type": "opening", "caller": "（接通）", "next": "t2"}, {"id": "t2", "caller": "好的，谢谢。"}]}
    answer = {"replies": ["您好，1 号为您服务，请问有什么可以帮您？", "上班时间不聊天，感谢您的来电，再见"]}
    checks = service.grade_task("call", spec, answer, 1, Fraction(10), in_force(engine)).checks
    assert not next(c for c in checks if c.code == "taboo").passed
    assert next(c for c in call.auto_grade(spec, answer, 1, Fraction(10)).checks if c.code == "taboo").passed

    token = csrf_token(client, EDIT)
    resp = client.post(f"{EDIT}/reset", data={"csrf_token": token})
    assert resp.status_code == 302
    assert row(engine) is None and in_force(engine) == default_lists()
    assert "已恢复为标准用语" in client.get(EDIT).get_data(as_text=True)
    assert [a[0] for a in audit(engine)] == ["phrases.update", "phrases.reset"]


def test_saving_the_standards_own_list_keeps_no_override(client, engine):
    login(client, "trainer")
    save(client, "\n".join(PHRASE_LISTS["taboo"].entries))
    assert row(engine) is None
    assert "与标准用语相同" in client.get(EDIT).get_data(as_text=True)


def test_mistakes_are_explained_in_chinese_and_change_nothing(client, engine):
    login(client, "trainer")
    save(client, "没办法\n我不知道")
    before = row(engine).entries
    for entries, message in [
        ("没办法\n没 办法！", "第 2 条“没 办法！”：与第 1 条重复"),
        ("x" * 41, "每条最多 40 字"),
        ("  \n ", "至少要有 1 条"),
        ("{号码}号", "不认识的占位符"),
        ("\n".join(f"词{n}" for n in range(201)), "最多 200 条"),
    ]:
        resp = save(client, entries)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and "列表未保存" in html and message in html, message
        assert row(engine).entries == before
    assert client.get("/trainer/phrases/nope").status_code == 404
    assert len(audit(engine)) == 1


def test_forms_without_a_csrf_token_are_refused(client, engine):
    login(client, "trainer")
    assert client.post(EDIT, data={"entries": "没办法"}).status_code == 400
    assert client.post(f"{EDIT}/reset").status_code == 400
    assert row(engine) is None and audit(engine) == []


def test_only_trainers_may_see_or_change_the_lists(client, engine):
    for username in ("cand1", "examiner", "admin"):
        login(client, username)
        token = csrf_token(client, "/no-such-page")
        assert client.get("/trainer/phrases").status_code == 403
        assert client.get(EDIT).status_code == 403
        assert client.post(EDIT, data={"entries": "没办法", "csrf_token": token}).status_code == 403
        assert client.post(f"{EDIT}/reset", data={"csrf_token": token}).status_code == 403
    assert row(engine) is None and audit(engine) == []


def test_the_trainers_navigation_links_to_the_lists(client):
    login(client, "trainer")
    assert 'href="/trainer/phrases"' in client.get("/trainer/items").get_data(as_text=True)
    login(client, "cand1")
    assert "/trainer/phrases" not in client.get("/candidate").get_data(as_text=True)
