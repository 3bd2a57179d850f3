"""Pictures in the bank on real databases: imported once by content hash, served only to who may see
the item (a trainer; a candidate whose paper shows it; an examiner of that paper's session), cached
for good under their hash, kept for a frozen paper when the item is edited, and exported back."""

import dataclasses
import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import delete, func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from exam.db import write_session
from exam.delivery import paper_page
from exam.delivery.models import Attempt, PaperSlot
from exam.timeutil import utcnow
from question_bank import importer, service
from question_bank.models import Item, ItemMedia, ItemVersionMedia
from question_bank.transfer import Defaults
from tests.webclient import csrf_token, login

OLD_IMAGE = Path(__file__).parent.parent / "fixtures" / "moodle" / "sample_questions_with_old_image_tag.xml"
DEFAULTS = Defaults(("junior",), "service")


def import_fixture(engine, partial=True):
    with write_session(engine) as session:
        preview = importer.preview(session, OLD_IMAGE.name, OLD_IMAGE.read_bytes(), None, DEFAULTS, partial=partial)
        importer.commit(session, preview, None)
    with Session(engine) as session:
        item = session.exec(select(Item).where(Item.ref == "mcq with image")).one()
        version = service.latest_version(session, item.id)
        sha = session.exec(select(ItemVersionMedia.sha256).where(ItemVersionMedia.version_id == version.id)).one()
        return item.id, version.id, f"/media/{sha}.png", sha


def sit(engine, make_session, users, version_id, candidate="cand1") -> int:
    """A theory attempt whose frozen paper shows ``version_id``."""
    session_id = make_session(candidates=(candidate,))
    with write_session(engine) as db:
        attempt = Attempt(session_id=session_id, candidate_id=users[candidate],
                          deadline=utcnow() + dt.timedelta(hours=1))
        db.add(attempt)
        db.flush()
        db.add(PaperSlot(attempt_id=attempt.id, position=1, item_version_id=version_id, area="service",
                         kind="single", option_count=3, option_order=[0, 1, 2], points="1"))
        return attempt.id


def paper_html(app, engine, attempt_id) -> str:
    """The candidate's questions exactly as their attempt page shows them."""
    with app.app_context(), Session(engine) as session:
        return str(paper_page.paper(session, attempt_id).html)


def test_an_imported_picture_is_stored_once_and_served_to_trainers_with_immutable_caching(client, engine):
    item_id, _, url, sha = import_fixture(engine)
    import_fixture(engine)                                    # the same file again: nothing new
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ItemMedia)).one() == 1
        stored = session.get(ItemMedia, sha)
        assert (stored.mime, stored.width, stored.height, stored.size) == ("image/png", 16, 16, 606)
    login(client, "trainer")
    detail = client.get(f"/trainer/items/{item_id}").get_data(as_text=True)
    assert f'<img src="{url}" alt="">' in detail
    response = client.get(url)
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert client.get(url.replace(".png", ".gif")).status_code == 404          # the stored type only
    assert client.get(f"/media/{'0' * 64}.png").status_code == 404


def test_a_candidate_sees_a_picture_only_on_their_own_paper_and_examiners_only_for_their_sessions(
        app, client, engine, make_session, users):
    _, version_id, url, _ = import_fixture(engine)
    for user in ("cand1", "cand2", "outsider", "chief", "verifier"):
        login(client, user)
        assert client.get(url).status_code in (403, 404), user           # on nobody's paper yet
    attempt_id = sit(engine, make_session, users, version_id)
    assert f'<img src="{url}" alt="">' in paper_html(app, engine, attempt_id)                             # the candidate's page shows it
    for user, status in (("cand1", 200), ("cand2", 404), ("examiner", 200), ("chief", 200), ("outsider", 404)):
        login(client, user)
        assert client.get(url).status_code == status, user
    client.post("/logout", data={"csrf_token": csrf_token(client, "/no-such-page")})
    assert client.get(url).status_code in (302, 401)


def test_a_frozen_paper_keeps_its_picture_after_an_edit_and_a_picture_in_use_cannot_be_deleted(
        app, client, engine, make_session, users):
    item_id, version_id, url, sha = import_fixture(engine)
    attempt_id = sit(engine, make_session, users, version_id)
    login(client, "trainer")
    form = client.get(f"/trainer/items/{item_id}/edit").get_data(as_text=True)
    assert url in form                                                       # the trainer can write the alt there
    with Session(engine) as session:
        data = service.version_data(session, service.latest_version(session, item_id))
    with write_session(engine) as session:                                  # a new wording without the picture
        service.revise_item(session, session.get(Item, item_id),
                            dataclasses.replace(data, stem="这道题不再需要图片。"))
    assert f'<img src="{url}" alt="">' in paper_html(app, engine, attempt_id)
    login(client, "cand1")
    assert client.get(url).status_code == 200
    with pytest.raises(IntegrityError):
        with write_session(engine) as session:
            session.execute(delete(ItemMedia).where(ItemMedia.sha256 == sha))


def test_exports_carry_the_picture_in_moodle_xml_and_qti_and_name_it_elsewhere(engine):
    _, _, url, sha = import_fixture(engine)
    with Session(engine) as session:
        moodle = importer.export(session, "moodlexml", status="draft")
        package = importer.export(session, "qti", status="draft")
        gift = importer.export(session, "gift", status="draft")
    assert f"@@PLUGINFILE@@/{sha}.png".encode() in moodle.data and moodle.left_out == []
    with zipfile.ZipFile(io.BytesIO(package.data)) as zf:
        assert f"items/media/{sha}.png" in zf.namelist()
    assert any("无法携带图片文件" in reason for reason in gift.left_out)
    with write_session(engine) as session:          # our own export comes back unchanged
        preview = importer.preview(session, "x.moodle.xml", moodle.data, None, DEFAULTS)
        assert {r.action for r in preview.rows} == {"unchanged"}


def test_a_stem_naming_a_picture_the_bank_lacks_is_refused_in_the_preview_and_the_form(client, engine):
    gift = "// [id:P-1]\n[html]看图：<img src=\"/media/" + "f" * 64 + ".png\" alt=\"图\">？{T}\n"
    with Session(engine) as session, pytest.raises(importer.BankImportError) as info:
        importer.preview(session, "p.gift", gift.encode(), None, DEFAULTS)
    assert "既不在文件中，也不在题库的图片库中" in str(info.value)
    login(client, "trainer")
    token = csrf_token(client, "/trainer/items/new")
    page = client.post("/trainer/items/new", data={
        "kind": "truefalse", "area": "service", "levels": ["junior"], "difficulty": "2", "truefalse_key": "true",
        "scoring": "all",
        "stem": f'看图：<img src="/media/{"f" * 64}.png" alt="图">', "csrf_token": token}).get_data(as_text=True)
    assert "不在题库的图片库中" in page


def test_the_web_preview_warns_of_a_picture_without_alt(client, engine):
    login(client, "trainer")
    token = csrf_token(client, "/trainer/import")
    page = client.post("/trainer/import", data={"csrf_token": token, "format": "auto", "levels": ["junior"],
                                                "area": "service", "file": (io.BytesIO(OLD_IMAGE.read_bytes()),
                                                                            OLD_IMAGE.name)},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "没有替代文本（alt）" in page and "cloze question with image" in page
