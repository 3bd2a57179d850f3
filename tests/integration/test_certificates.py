"""The certificate register on real databases: issued on publication by the standard's rule (once,
however often publication runs), numbered readably, revoked and reissued with links both ways, every
step audited; the examiner's and the candidate's pages with their role and ownership checks; the
signed PDF and the Open Badge downloads."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
import re

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from certificates import numbering, service
from certificates.models import Certificate
from exam.accounts.models import CandidateProfile
from exam.audit import chain
from exam.db import write_connection, write_session
from exam.notifications.models import Notification
from exam.sessions.results import publication
from exam.sessions.roster.idcard import check_character
from exam.sessions.models import ExamSession
from exam.timeutil import to_local, utcnow
from practical import service as practical
from practical.models import PracticalTask
from tests.integration.sittings import (GRACE, phrase_lists, audit, mark_practical, row_of, sit_theory, sit_typing,
                                        table_of)
from tests.unit.test_practical_form_kinds import perfect_work_order
from tests.webclient import csrf_token, login

TZ = "Asia/Shanghai"
ID_BODY = "11010519900307123"
ID_NUMBER = ID_BODY + check_character(ID_BODY)
HAVE_PDF = all(importlib.util.find_spec(f"certificates.{m}") for m in ("document", "pades", "tokens", "jws_keys"))
HAVE_BADGE = HAVE_PDF and importlib.util.find_spec("certificates.badge") is not None


def answer_work_orders(engine, attempt_id, cid, t0):
    """Fill every work order of the practical paper perfectly (the truth is in the frozen task spec)."""
    with Session(engine) as db:
        tasks = list(db.exec(select(PracticalTask).where(PracticalTask.attempt_id == attempt_id)))
    for task in tasks:
        if task.kind == "work_order":
            practical.save(engine, attempt_id, cid, task.position, 1, perfect_work_order(task.spec),
                           t0 + dt.timedelta(minutes=3), GRACE)


@pytest.fixture
def finished(engine, users, make_session):
    """A session that ended an hour ago: cand1 sat everything well (work orders filled in perfectly,
    every rubric at full marks, 80 字/分), cand2 sat the theory badly and skipped the rest, cand3 never
    came. Returns the session id."""
    sid = make_session(opens_in=dt.timedelta(hours=-3), closes_in=dt.timedelta(hours=-1),
                       candidates=("cand1", "cand2", "cand3"))
    t0 = utcnow() - dt.timedelta(hours=2, minutes=50)
    cid = users["cand1"]
    sit_theory(engine, sid, cid, t0, correct=True)
    sit_typing(engine, sid, cid, t0, chars=80)
    aid = practical.start(engine, sid, cid, t0, random.Random(7))
    answer_work_orders(engine, aid, cid, t0)
    assert practical.submit(engine, aid, "candidate", t0 + dt.timedelta(minutes=5), phrase_lists(), candidate_id=cid)
    mark_practical(engine, sid, aid, t0 + dt.timedelta(minutes=30))
    sit_theory(engine, sid, users["cand2"], t0, correct=False)
    return sid


@pytest.fixture
def published(engine, users, finished):
    """The finished session published by the examiner; cand1 has an ID number."""
    sid = finished
    with write_session(engine) as db:
        db.add(CandidateProfile(user_id=users["cand1"], id_number=ID_NUMBER))
    table = table_of(engine, sid)
    assert row_of(table, "cand1").overall is True, "the fixture's first candidate must pass every part"
    assert publication.publish(engine, sid, utcnow(), actor_id=users["examiner"]).published
    return sid


def certs(engine, **where) -> list[Certificate]:
    with Session(engine) as db:
        q = select(Certificate).order_by(Certificate.id)
        for key, value in where.items():
            q = q.where(getattr(Certificate, key) == value)
        return list(db.exec(q))


# ---------------------------------------------------------------- issue

def test_publication_issues_one_certificate_to_each_candidate_who_passed(engine, users, published):
    table = table_of(engine, published)
    [cert] = certs(engine)
    one = row_of(table, "cand1")
    year = to_local(utcnow(), TZ).year
    assert cert.candidate_id == users["cand1"] and cert.level == "junior" and cert.session_id == published
    assert cert.number == f"HJ-{year}-C-000001" and numbering.parse(cert.number) == (year, "junior", 1)
    assert cert.holder_name == "cand1" and cert.id_masked == ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:]
    assert float(cert.theory_score) == pytest.approx(float(one.theory.score), abs=0.05)
    assert float(cert.practical_score) == pytest.approx(float(one.practical.score), abs=0.05)
    assert float(cert.typing_cpm) == pytest.approx(one.typing.net_cpm, abs=0.05)
    assert cert.issued_on == to_local(utcnow(), TZ).date()
    assert cert.expires_on == cert.issued_on.replace(year=cert.issued_on.year + 3) - dt.timedelta(days=1)
    assert cert.status(cert.issued_on) == "valid" and cert.status(cert.expires_on + dt.timedelta(days=1)) == "expired"

    [issued] = audit(engine, "certificate.issue")
    assert issued.subject_id == cert.id and issued.actor_id == users["examiner"] and issued.detail["number"] == cert.number
    assert issued.detail["level"] == "junior" and issued.detail["session_id"] == published
    assert chain.verify(engine).ok
    with Session(engine) as db:
        notes = list(db.exec(select(Notification).where(Notification.kind == "certificate")))
    assert [(n.user_id, n.link) for n in notes] == [(users["cand1"], service.CANDIDATE_PAGE)]


def test_issuing_is_idempotent_across_repeats_withdrawals_and_direct_calls(engine, users, published):
    assert publication.publish(engine, published, utcnow(), actor_id=None).already
    assert publication.unpublish(engine, published, "更正", users["examiner"])
    assert publication.publish(engine, published, utcnow(), actor_id=users["examiner"]).published
    with write_session(engine) as db:
        exam_session = db.get(ExamSession, published)
        again = service.issue_for_session(db, exam_session, table_of(engine, published), utcnow())
    assert again == []
    assert len(certs(engine)) == 1 and len(audit(engine, "certificate.issue")) == 1


def test_a_withdrawn_publication_leaves_certificates_valid_and_says_so(app, client, engine, users, published):
    assert publication.unpublish(engine, published, "更正", users["examiner"])
    login(client, "examiner")
    html = client.get(f"/examiner/sessions/{published}/certificates").get_data(as_text=True)
    assert "本场成绩已撤回发布，已颁发的证书不受影响" in html and "有效" in html


def test_a_second_session_of_the_same_level_grants_nothing_new(engine, users, published, make_session):
    """One certificate per candidate and level: passing the level again in another session changes nothing;
    the unique key guards the insert even when the first check is bypassed."""
    [cert] = certs(engine)
    with write_connection(engine) as conn, pytest.raises(Exception):
        conn.execute(text("INSERT INTO certificate (number, candidate_id, level, revision, holder_name, id_masked, "
                          "theory_score, practical_score, typing_cpm, issued_on, expires_on, issuer, issued_at, "
                          "revoke_reason) SELECT 'HJ-X', candidate_id, level, revision, holder_name, id_masked, "
                          "theory_score, practical_score, typing_cpm, issued_on, expires_on, issuer, issued_at, '' "
                          "FROM certificate WHERE id = :id"), {"id": cert.id})
    assert len(certs(engine)) == 1


def test_numbers_are_serial_per_level_and_year_and_never_reused(engine):
    with write_connection(engine) as conn:
        first = numbering.take(conn, "senior", 2031, 3)
        second = numbering.take(conn, "senior", 2031, 2)
        other = numbering.take(conn, "junior", 2031)
        assert numbering.take(conn, "junior", 2031, 0) == []
    assert first == ["HJ-2031-G-000001", "HJ-2031-G-000002", "HJ-2031-G-000003"]
    assert second == ["HJ-2031-G-000004", "HJ-2031-G-000005"] and other == ["HJ-2031-C-000001"]


# ---------------------------------------------------------------- revoke and reissue

def test_revoke_needs_a_reason_is_audited_and_happens_once(engine, users, published):
    [cert] = certs(engine)
    with pytest.raises(service.CertificateError, match="撤销原因：必须填写"):
        service.revoke(engine, cert.id, "  ", users["examiner"], utcnow())
    assert service.revoke(engine, cert.id, "考试作弊经查实", users["examiner"], utcnow()) == cert.number
    with pytest.raises(service.CertificateError, match="已于此前撤销"):
        service.revoke(engine, cert.id, "again", users["examiner"], utcnow())
    [after] = certs(engine)
    assert after.revoked_at is not None and after.revoke_reason == "考试作弊经查实"
    assert after.status(after.issued_on) == "revoked"
    [event] = audit(engine, "certificate.revoke")
    assert event.subject_id == cert.id and event.detail["reason"] == "考试作弊经查实" and chain.verify(engine).ok


def test_reissue_revokes_the_old_one_and_links_both_ways(engine, users, published):
    [old] = certs(engine)
    new_id, number = service.reissue(engine, old.id, " 张　三 ", "姓名录入错误", users["examiner"], utcnow())
    assert number != old.number and number.startswith(old.number[:10])
    old_after, new = certs(engine)
    assert (new.id, new.number) == (new_id, number) and new.holder_name == "张 三" and new.revision == 1
    assert new.replaces_id == old.id and old_after.replaced_by_id == new.id
    assert old_after.revoked_at is not None and number in old_after.revoke_reason
    assert (new.issued_on, new.expires_on, new.theory_score) == (old.issued_on, old.expires_on, old.theory_score)
    assert new.id_masked == old.id_masked and new.status(new.issued_on) == "valid"
    with pytest.raises(service.CertificateError, match=f"已重新颁发为 {number}"):
        service.reissue(engine, old.id, "李四", "again", users["examiner"], utcnow())
    with pytest.raises(service.CertificateError, match="持证人姓名：必须填写"):
        service.reissue(engine, new.id, "   ", "原因", users["examiner"], utcnow())
    [reissued] = audit(engine, "certificate.reissue")
    assert reissued.subject_id == new.id and reissued.detail["replaces"] == old.number
    assert (reissued.detail["name_before"], reissued.detail["name_after"]) == ("cand1", "张 三")
    assert [e.subject_id for e in audit(engine, "certificate.revoke")] == [old.id]
    assert chain.verify(engine).ok


# ---------------------------------------------------------------- pages

@pytest.fixture
def web_published(app, users, published):
    return published


def _change_ids(engine) -> list[int]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT id FROM certificate_change ORDER BY id"))]


def test_examiner_requests_and_another_person_approves_through_forms(app, client, engine, users, web_published):
    """Four eyes (certificates.changes): the session's examiner asks, a chief examiner decides."""
    [cert] = certs(engine)
    login(client, "examiner")
    html = client.get(f"/examiner/sessions/{web_published}/certificates").get_data(as_text=True)
    assert cert.number in html and "cand1" in html and "有效" in html
    assert cert.id_masked in html and ID_NUMBER not in html and ID_NUMBER[:6] + "*" not in html

    detail = f"/examiner/certificates/{cert.id}"
    token = csrf_token(client, detail)
    resp = client.post(f"{detail}/revoke", data={"csrf_token": token, "reason": ""}, follow_redirects=True)
    assert "未提交撤销申请：撤销原因：" in resp.get_data(as_text=True) and certs(engine)[0].revoked_at is None
    assert client.post(f"{detail}/revoke", data={"reason": "x"}).status_code == 400  # no CSRF token

    # A name other than the profile's needs the correction's grounds (and then corrects the profile).
    resp = client.post(f"{detail}/reissue", data={"csrf_token": token, "holder_name": "王小明", "reason": "改名"},
                       follow_redirects=True)
    assert "与考生档案中的姓名“cand1”不一致" in resp.get_data(as_text=True) and _change_ids(engine) == []
    resp = client.post(f"{detail}/reissue", data={"csrf_token": token, "holder_name": "王小明", "reason": "改名",
                                                  "correction_reason": "核对身份证原件，系录入错误"},
                       follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "重新颁发申请已提交" in page and "待审批的重新颁发申请" in page and len(certs(engine)) == 1
    [change_id] = _change_ids(engine)
    again = client.post(f"{detail}/revoke", data={"csrf_token": token, "reason": "再申请"}, follow_redirects=True)
    assert "已有一项待审批的变更申请" in again.get_data(as_text=True)
    # The requester cannot decide: an examiner is no approver, and nobody approves their own request.
    assert client.post(f"/examiner/certificate-changes/{change_id}/approve",
                       data={"csrf_token": token}).status_code == 403
    assert len(certs(engine)) == 1

    chief = app.test_client()
    login(chief, "chief")
    ctoken = csrf_token(chief, detail)
    resp = chief.post(f"/examiner/certificate-changes/{change_id}/approve", data={"csrf_token": ctoken, "note": "同意"},
                      follow_redirects=True)
    page = resp.get_data(as_text=True)
    old, new = certs(engine)
    assert f"已重新颁发为 {new.number}" in page and "王小明" in page and old.number in page
    assert new.holder_name == "王小明" and old.replaced_by_id == new.id and old.revoked_at is not None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT display_name FROM user_account WHERE id = :u"),
                            {"u": users["cand1"]}).scalar() == "王小明"      # the profile corrected with it
    [asked] = audit(engine, "certificate.change_requested")
    [approved] = audit(engine, "certificate.change_approved")
    [corrected] = audit(engine, "candidate.name_corrected")
    [reissued] = audit(engine, "certificate.reissue")
    assert asked.actor_id == users["examiner"] and approved.actor_id == users["chief"]
    assert corrected.detail["before"] == "cand1" and corrected.detail["reason"] == "核对身份证原件，系录入错误"
    assert (reissued.detail["requested_by"], reissued.detail["approved_by"]) == (users["examiner"], users["chief"])
    assert chain.verify(engine).ok

    # A revocation is rejected with a reason, and a chief cannot approve a request of their own.
    new_detail = f"/examiner/certificates/{new.id}"
    client.post(f"{new_detail}/revoke", data={"csrf_token": token, "reason": "资格取消"})
    resp = chief.post(f"/examiner/certificate-changes/{_change_ids(engine)[-1]}/reject",
                      data={"csrf_token": ctoken, "note": "证据不足"}, follow_redirects=True)
    assert "已驳回" in resp.get_data(as_text=True) and certs(engine)[1].revoked_at is None
    chief.post(f"{new_detail}/revoke", data={"csrf_token": ctoken, "reason": "资格取消"})
    resp = chief.post(f"/examiner/certificate-changes/{_change_ids(engine)[-1]}/approve",
                      data={"csrf_token": ctoken}, follow_redirects=True)
    assert "不能审批自己提出的申请" in resp.get_data(as_text=True) and certs(engine)[1].revoked_at is None
    assert "资格取消" in chief.get("/examiner/certificate-changes").get_data(as_text=True)
    assert client.get("/examiner/certificates/99999").status_code == 404


def test_an_unassigned_examiner_cannot_see_or_change_a_sessions_certificates(app, client, engine, web_published):
    [cert] = certs(engine)
    login(client, "outsider")
    token = csrf_token(client, "/no-such-page")
    assert client.get(f"/examiner/sessions/{web_published}/certificates").status_code == 403
    assert client.get(f"/examiner/certificates/{cert.id}").status_code == 403
    assert client.get(f"/examiner/certificates/{cert.id}/certificate.pdf").status_code == 403
    for action, form in (("revoke", {"reason": "x"}), ("reissue", {"holder_name": "伪造", "reason": "x"})):
        resp = client.post(f"/examiner/certificates/{cert.id}/{action}", data={"csrf_token": token, **form})
        assert resp.status_code == 403
    assert _change_ids(engine) == [] and cert.number not in client.get("/examiner/certificate-changes").get_data(as_text=True)


def test_a_reissue_under_the_profile_name_needs_no_correction(engine, users, published):
    from certificates import changes
    [cert] = certs(engine)
    change = changes.request(engine, cert.id, changes.REISSUE, "证书污损", users["examiner"], utcnow(),
                             holder_name="ｃａｎｄ１")   # NFKC: the same name as the profile's
    outcome = changes.approve(engine, change, users["chief"], utcnow())
    assert outcome.number and certs(engine)[1].holder_name == "cand1"
    with pytest.raises(service.CertificateError, match="只有考务主管可以审批"):
        other = changes.request(engine, outcome.certificate_id, changes.REVOKE, "x", users["chief"], utcnow())
        changes.approve(engine, other, users["examiner"], utcnow())


def test_candidates_see_only_their_own_certificates_with_status(app, client, engine, users, web_published):
    [cert] = certs(engine)
    login(client, "cand1")
    html = client.get("/candidate/certificates").get_data(as_text=True)
    assert cert.number in html and "有效" in html and cert.id_masked in html and ID_NUMBER not in html
    assert f"/candidate/certificates/{cert.id}/certificate.pdf" in html
    login(client, "cand2")
    assert cert.number not in client.get("/candidate/certificates").get_data(as_text=True)
    assert client.get(f"/candidate/certificates/{cert.id}/certificate.pdf").status_code == 404
    assert client.get(f"/candidate/certificates/{cert.id}/badge.jwt").status_code == 404
    login(client, "verifier")
    assert client.get("/candidate/certificates").status_code == 403

    with write_connection(engine) as conn:  # expiry is shown, not only revocation
        conn.execute(text("UPDATE certificate SET expires_on = :d WHERE id = :id"),
                     {"d": dt.date(2020, 1, 1), "id": cert.id})
    login(client, "cand1")
    assert "已过期" in client.get("/candidate/certificates").get_data(as_text=True)
    service.revoke(engine, cert.id, "资格取消", users["examiner"], utcnow())
    html = client.get("/candidate/certificates").get_data(as_text=True)
    assert "已撤销" in html and "资格取消" in html and "certificate.pdf" not in html
    assert client.get(f"/candidate/certificates/{cert.id}/certificate.pdf").status_code == 404


def test_without_keys_the_download_says_what_to_do(app, client, engine, web_published):
    if not HAVE_PDF:
        pytest.skip("PDF modules (areas A and B) not present yet")
    [cert] = certs(engine)
    login(client, "cand1")
    resp = client.get(f"/candidate/certificates/{cert.id}/certificate.pdf")
    assert resp.status_code == 503 and "callexam keys init" in resp.get_data(as_text=True)
    assert certs(engine)[0].pdf is None


@pytest.mark.skipif(not HAVE_PDF, reason="PDF modules (areas A and B) not present yet")
def test_the_candidate_downloads_the_signed_pdf_made_once(app, client, engine, web_published, tmp_path):
    import subprocess
    from pathlib import Path

    from certificates import jws_keys, pki
    keys = Path(app.config["INSTANCE_PATH"]) / "keys"
    pki.init(keys)
    jws_keys.init(keys)
    [cert] = certs(engine)
    login(client, "cand1")
    resp = client.get(f"/candidate/certificates/{cert.id}/certificate.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "filename*=UTF-8''" in resp.headers["Content-Disposition"]
    body = resp.get_data()
    assert body.startswith(b"%PDF") and certs(engine)[0].pdf == body and certs(engine)[0].token
    assert client.get(f"/candidate/certificates/{cert.id}/certificate.pdf").get_data() == body  # cached, same bytes
    path = tmp_path / "c.pdf"
    path.write_bytes(body)
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in out and "Total document signed" in out
    words = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert cert.number in words and re.sub(r"\s", "", cert.holder_name) in re.sub(r"\s", "", words)
    from certificates import pades, tokens
    stored = certs(engine)[0]
    fields = tokens.verify(stored.token, jws_keys.jwks(keys))
    assert fields == stored.view(stored.issued_on).fields()  # the QR signs what the register holds
    assert pades.extract_token(body) == stored.token
    checked = pades.check(body, keys)
    assert checked.signed and checked.intact and checked.whole_document and checked.trusted
    if HAVE_BADGE:
        from certificates import badge
        resp = client.get(f"/candidate/certificates/{cert.id}/badge.jwt")
        assert resp.status_code == 200 and resp.mimetype == "application/vc+jwt"
        credential = badge.verify(resp.get_data(as_text=True), jws_keys.jwks(keys))
        assert "OpenBadgeCredential" in str(credential) and cert.number in str(credential)


# ---------------------------------------------------------------- demo data

@pytest.mark.skipif(not HAVE_PDF, reason="PDF modules (areas A and B) not present yet")
def test_the_demo_has_a_published_session_whose_certificate_pdfsig_accepts(sqlite_url, tmp_path):
    """What the issue asks of the demo certificate: poppler's pdfsig (an independent reader) reports the
    signature valid and the whole document signed."""
    import subprocess

    from certificates import demo_data, files, jws_keys, pki
    from exam import db as dbmod
    from exam import demo

    engine = dbmod.engine_for(sqlite_url)
    demo.load(engine)
    demo.load(engine)  # safe to load twice: still one session, one certificate
    with Session(engine) as db:
        [exam_session] = db.exec(select(ExamSession).where(ExamSession.name == demo_data.SESSION_NAME)).all()
        [cert] = db.exec(select(Certificate)).all()
    assert exam_session.results_published_at is not None and cert.session_id == exam_session.id
    assert cert.holder_name == "考生01" and re.fullmatch(r"110\*{11}\d{3}[\dX]", cert.id_masked)
    keys = tmp_path / "keys"
    pki.init(keys)
    jws_keys.init(keys)
    path = tmp_path / "demo.pdf"
    path.write_bytes(files.signed_pdf(engine, cert.id, keys, "https://exam.example.cn"))
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Signature is Valid." in out and "Total document signed" in out, out


def test_a_session_published_before_certificates_gets_them_from_the_backfill_once(engine, users, published,
                                                                                   make_session, tmp_path):
    """``callexam certificates issue --session N``: the register of a session published when no
    certificate was issued (here: its certificate removed, as before this feature) is filled once;
    an unpublished session is refused with the reason."""
    from click.testing import CliRunner

    from exam.cli import main

    with write_session(engine) as db:
        db.execute(Certificate.__table__.delete())
    env = {"DATABASE_URL": str(engine.url.render_as_string(hide_password=False)),
           "CALLEXAM_INSTANCE": str(tmp_path / "instance")}
    runner = CliRunner()
    first = runner.invoke(main, ["certificates", "issue", "--session", str(published)], env=env)
    assert first.exit_code == 0 and "已颁发 1 张证书" in first.output, first.output
    [cert] = certs(engine)
    assert cert.candidate_id == users["cand1"] and cert.number in first.output
    again = runner.invoke(main, ["certificates", "issue", "--session", str(published)], env=env)
    assert again.exit_code == 0 and "没有需要补发的证书" in again.output and len(certs(engine)) == 1
    unpublished = make_session(candidates=("cand1",))
    refused = runner.invoke(main, ["certificates", "issue", "--session", str(unpublished)], env=env)
    assert refused.exit_code == 1 and "成绩尚未发布" in refused.output
    assert chain.verify(engine).ok
