"""Import and export against real databases: round trips in every format, all-or-nothing failures,
updates as new versions, the CLI and the trainer's upload → preview → confirm pages."""

import dataclasses
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlmodel import Session, select

from exam import cli
from exam.db import write_session
from question_bank import importer, service
from question_bank.formats import sheet
from question_bank.models import APPROVED, DRAFT, Item
from question_bank.transfer import Defaults
from tests.unit.test_transfer import VARIED
from tests.webclient import csrf_token, login

DEFAULTS = Defaults(("junior",), "service")
BANK_TABLES = ("item_comment", "item_tag", "item_version_level", "item_version", "item", "item_category")


def counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar() for t in BANK_TABLES + ("audit_event",)}


def empty_bank(engine) -> None:
    with write_session(engine) as session:
        for table in BANK_TABLES:
            session.execute(text(f"DELETE FROM {table}"))


def add_varied(engine) -> None:
    with write_session(engine) as session:
        for data in VARIED:
            service.add_item(session, data, status=APPROVED)


def export(engine, fmt, **filters) -> importer.ExportResult:
    with Session(engine) as session:
        return importer.export(session, fmt, **filters)


def bank(engine):
    with Session(engine) as session:
        return importer.current_items(session)


def do_import(engine, filename, data, fmt=None, defaults=DEFAULTS, author=None) -> importer.ImportReport:
    with write_session(engine) as session:
        return importer.commit(session, importer.preview(session, filename, data, fmt, defaults), author)


def without_made_refs(items):
    """Items without a 编号 get a stable one (IMP-…) when they are imported: compare the rest."""
    return [dataclasses.replace(d, ref=None) if (d.ref or "").startswith("IMP-") else d for d in items]


@pytest.mark.parametrize("fmt", ["gift", "moodlexml", "csv", "xlsx"])
def test_export_import_export_gives_the_same_bank(engine, users, fmt):
    add_varied(engine)
    before = bank(engine)
    first = export(engine, fmt)
    assert first.left_out == [] and first.exported == len(before) > 50
    empty_bank(engine)
    report = do_import(engine, f"题库{importer.EXPORT_SUFFIX[fmt]}", first.data, author=users["trainer"])
    assert (report.created, report.updated, report.unchanged) == (len(before), 0, 0)
    assert without_made_refs(bank(engine)) == before
    second = export(engine, fmt)
    # the only difference: the 编号 (IMP-…) the import gave the items that had none
    if fmt == "xlsx":
        rows = [dataclasses.replace(r, ref="" if r.ref.startswith("IMP-") else r.ref) for r in sheet.read_xlsx(second.data)]
        assert rows == sheet.read_xlsx(first.data)
    else:
        made = re.compile(rb"\[id:IMP-[0-9a-f]{10}\] ?|::IMP-[0-9a-f]{10}::|\n *<idnumber>IMP-[0-9a-f]{10}</idnumber>"
                          rb"|^IMP-[0-9a-f]{10}(?=,)", re.M)
        assert made.sub(b"", second.data) == first.data
    again = do_import(engine, f"题库{importer.EXPORT_SUFFIX[fmt]}", second.data, author=users["trainer"])
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(before))      # no copies
    with Session(engine) as session:
        assert set(session.exec(select(Item.status))) == {DRAFT}


def test_aiken_holds_single_choice_only_and_round_trips_them(engine):
    add_varied(engine)
    singles = [d for d in bank(engine) if d.kind == "single"]
    first = export(engine, "aiken")
    assert first.exported == len(singles) and len(first.left_out) == len(bank(engine)) - len(singles)
    assert "Aiken 格式只能容纳单选题" in first.left_out[0]
    assert first.notes == ["T-1：Aiken 无法保存标题“Q2 投诉处理：情绪”，导出的题目不含标题"]   # named, not silent
    empty_bank(engine)
    report = do_import(engine, "x.aiken.txt", first.data, defaults=Defaults(("junior", "intermediate"), "basics"))
    assert report.created == len(singles)
    after = bank(engine)
    assert [(d.stem, d.options, d.key) for d in after] == [(d.stem, d.options, d.key) for d in singles]
    assert {d.levels for d in after} == {("junior", "intermediate")} and {d.area for d in after} == {"basics"}
    assert export(engine, "aiken").data == first.data


def test_export_filters_by_level_and_status(engine):
    junior = export(engine, "csv", level="junior", status=APPROVED)
    rows = sheet.read_csv(junior.data)
    assert rows and all("junior" in r.levels for r in rows)
    assert export(engine, "csv", status=DRAFT).exported == 0
    some = [d.ref for d in bank(engine)][:3]
    with Session(engine) as session:
        ids = list(session.exec(select(Item.id).where(Item.ref.in_(some))))
        assert importer.export(session, "gift", item_ids=ids).exported == 3


BROKEN = """// [id:B-1]
好的题目？{=a ~b}

// [id:B-2] [tag:难度:7]
难度写错的题目？{=a ~b}

部分得分的单选题？{=a ~%50%b ~c}

// [id:B-1]
编号重复的题目？{T}
"""


def test_a_broken_file_imports_nothing_and_lists_every_problem(engine):
    before = counts(engine)
    with pytest.raises(importer.BankImportError) as info:
        do_import(engine, "坏题库.gift", BROKEN.encode())
    lines = info.value.lines()
    assert [n for n, _ in info.value.errors] == [5, 7, 10]
    assert lines[0].startswith("坏题库.gift 第 5 行：字段“难度”")
    assert "单选题不支持部分得分" in lines[1] and "B-1" in lines[2] and "重复" in lines[2]
    assert counts(engine) == before


def test_reimport_is_unchanged_and_an_edit_is_a_new_version(engine, users):
    data = export(engine, "gift", level="senior").data
    report = do_import(engine, "senior.gift", data)
    assert report.created == report.updated == 0 and report.unchanged > 0
    first_ref = re.search(r"\[id:([^\]]+)\]", data.decode()).group(1)
    edited = data.decode().replace("[id:" + first_ref + "]", "[id:" + first_ref + "] [tag:新标签]", 1)
    edited = re.sub(r"(\[id:" + re.escape(first_ref) + r"\][^\n]*\n::[^:]*::\[html\])", r"\1（修订）", edited, count=1)
    with write_session(engine) as session:
        preview = importer.preview(session, "senior.gift", edited.encode(), None, DEFAULTS)
        assert preview.count(importer.UPDATE) == 1 and preview.count(importer.CREATE) == 0
        (row,) = [r for r in preview.rows if r.action == importer.UPDATE]
        assert {c.label for c in row.changes} == {"题干", "标签"}           # the preview says what changes
        assert "<ins>（修订）</ins>" in str(next(c for c in row.changes if c.label == "题干").marked)
        report = importer.commit(session, preview, users["trainer"])
    assert report.updated == 1
    with Session(engine) as session:
        item = session.exec(select(Item).where(Item.ref == first_ref)).one()
        latest = service.latest_version(session, item.id)
        assert latest.version == 2 and latest.stem.startswith("（修订）") and item.status == DRAFT
        assert "新标签" in service.tags_of(session, [item.id])[item.id]
    with engine.connect() as conn:
        detail = conn.execute(text("SELECT detail FROM audit_event WHERE action = 'items.import' "
                                   "ORDER BY id DESC")).first()[0]
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["updated"] == 1 and detail["file"] == "senior.gift" and detail["created"] == 0


def test_an_essay_without_grader_information_waits_as_a_draft_until_completed(client, engine):
    from question_bank import review
    data = "// [id:ESSAY-1]\n简述投诉处理的步骤。{}\n".encode()
    report = do_import(engine, "e.gift", data)
    assert report.created == 1
    with write_session(engine) as session:
        item = session.exec(select(Item).where(Item.ref == "ESSAY-1")).one()
        trainer = session.exec(text("SELECT id FROM user_account WHERE username = 'trainer'")).scalar()
        with pytest.raises(review.ReviewError, match="缺少参考答案或评分要点"):
            review.move(session, item, "submit", trainer)
    login(client, "trainer")                      # the page says so too, and nothing moves
    token = csrf_token(client, f"/trainer/items/{item.id}")
    page = client.post(f"/trainer/items/{item.id}/review", data={"action": "submit", "comment": "",
                       "csrf_token": token}, follow_redirects=True).get_data(as_text=True)
    assert "缺少参考答案或评分要点" in page
    with Session(engine) as session:
        assert session.get(Item, item.id).status == DRAFT
    completed = "// [id:ESSAY-1]\n简述投诉处理的步骤。{####先倾听再致歉\n- 倾听\n- 致歉}\n".encode()
    assert do_import(engine, "e.gift", completed).updated == 1
    with write_session(engine) as session:
        item = session.exec(select(Item).where(Item.ref == "ESSAY-1")).one()
        review.move(session, item, "submit", trainer)
        assert item.status == "review"


def test_web_preview_shows_options_keys_and_warnings(client, engine):
    login(client, "trainer")
    data = "客户来电首先应当？{=问候并报工号 ~直接询问}\n\n来电时首先应当____客户。{=问候/致意}\n".encode()
    html = upload(client, data, "新题.gift", levels=["junior"], area="service").get_data(as_text=True)
    assert "A. 问候并报工号" in html and "答案：A" in html and "答案：问候/致意" in html
    assert "请以 | 分隔" in html
    # the sanitiser keeps 若 A<B and says, per field, what it drops (audit finding 1)
    data = "若 A<B，则下列正确的是 {=<font>A<B 成立</font> ~B<A 成立}\n".encode()
    html = upload(client, data, "lt.gift", levels=["junior"], area="service").get_data(as_text=True)
    assert "若 A&lt;B，则下列正确的是" in html and "若 A&amp;lt;B" not in html
    assert "A. A&lt;B 成立" in html and "B. B&lt;A 成立" in html
    assert "提示：字段“选项”：选项A：去掉了不支持的格式标签 &lt;font&gt;（其中的文字保留）" in html


# ---------------------------------------------------------------- CLI

@pytest.fixture
def run_cli(db_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CALLEXAM_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("DATABASE_URL", db_url)

    def run(*args):
        return CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    return run


def test_cli_export_import_dry_run_and_errors(engine, run_cli, tmp_path):
    result = run_cli("questions", "export", "--format", "xlsx", "--level", "intermediate", "--status", "approved")
    assert result.exit_code == 0 and result.stdout_bytes.startswith(b"PK")
    rows = sheet.read_xlsx(result.stdout_bytes)
    assert rows and "已导出" in result.stderr
    path = tmp_path / "bank.xlsx"
    path.write_bytes(result.stdout_bytes)
    result = run_cli("questions", "import", str(path), "--dry-run")
    assert result.exit_code == 0 and f"无变化 {len(rows)} 题" in result.stdout and "试运行" in result.stdout

    gift_file = tmp_path / "new.txt"
    gift_file.write_text("新题一？{=a ~b}\n\n// [tag:高级] [tag:guidance]\n新题二？{T}\n", encoding="utf-8")
    before = counts(engine)
    result = run_cli("questions", "import", str(gift_file), "--dry-run", "--level", "junior", "--area", "service")
    assert result.exit_code == 0 and "新增 2 题" in result.stdout and counts(engine) == before
    result = run_cli("questions", "import", str(gift_file), "--level", "junior", "--level", "intermediate",
                     "--area", "service")
    assert result.exit_code == 0 and "已导入" in result.stdout
    assert counts(engine)["item"] == before["item"] + 2
    levels = {tuple(d.levels) for d in bank(engine) if d.stem.startswith("新题")}
    assert levels == {("junior", "intermediate"), ("senior",)}

    broken = tmp_path / "broken.gift"
    broken.write_text(BROKEN, encoding="utf-8")
    before = counts(engine)
    result = run_cli("questions", "import", str(broken), "--level", "junior", "--area", "service")
    assert result.exit_code == 1 and counts(engine) == before
    assert "题库未改动" in result.stderr and result.stderr.count(f"{broken} 第 ") == 3

    result = run_cli("questions", "import", str(gift_file))   # no defaults: every item says what is missing
    assert result.exit_code == 1 and "第 1 行：字段“等级”" in result.stderr and "第 1 行：字段“职业功能”" in result.stderr


def test_cli_aiken_export_reports_what_it_left_out(run_cli):
    result = run_cli("questions", "export", "--format", "aiken")
    assert result.exit_code == 0 and b"ANSWER: " in result.stdout_bytes
    assert "未导出" in result.stderr and "只能容纳单选题" in result.stderr


def test_items_load_still_works(run_cli, tmp_path, engine):
    path = tmp_path / "one.json"
    path.write_text('[{"ref": "JSON-1", "title": "判断：首问", "level": "junior", "area": "service", '
                    '"type": "truefalse", "stem": "判断", "key": true}]', encoding="utf-8")
    result = run_cli("items", "load", str(path))
    assert result.exit_code == 0 and "新增 1 题" in result.stdout
    with Session(engine) as session:          # JSON carries the title too
        assert session.exec(select(Item.title).where(Item.ref == "JSON-1")).one() == "判断：首问"


# ---------------------------------------------------------------- web

def upload(client, data: bytes, filename: str, **fields):
    token = csrf_token(client, "/trainer/import")
    form = {"csrf_token": token, "file": (io.BytesIO(data), filename), "format": "auto", **fields}
    return client.post("/trainer/import", data=form, content_type="multipart/form-data")


def test_web_upload_preview_confirm(client, app, engine):
    login(client, "trainer")
    page = client.get("/trainer/import").get_data(as_text=True)
    assert 'name="csrf_token"' in page and 'enctype="multipart/form-data"' in page
    existing = export(engine, "csv", level="junior").data
    new = "新题甲？{=对 ~错}\n\n// [id:WEB-2]\n新题乙 <script>x</script>？{T}\n".encode()
    before = counts(engine)

    resp = upload(client, new, "新题.gift", levels=["junior"], area="service")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "新增 <strong>2</strong> 题" in html and "<script>x" not in html
    assert counts(engine) == before
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    pending = Path(app.instance_path) / "imports" / token
    assert pending.exists() and pending.stat().st_mode & 0o077 == 0

    csrf = csrf_token(client, "/trainer/import")
    resp = client.post("/trainer/import/confirm", data={"csrf_token": csrf, "token": "x" * 43})
    assert resp.status_code == 302 and counts(engine) == before          # not the token of this upload
    resp = client.post("/trainer/import/confirm", data={"csrf_token": csrf, "token": token})
    assert resp.status_code == 302 and "/trainer/items" in resp.location
    assert counts(engine)["item"] == before["item"] + 2 and not pending.exists()
    with Session(engine) as session:
        item = session.exec(select(Item).where(Item.ref == "WEB-2")).one()
        # escaped, never deleted: the candidate sees the words as written, no script runs
        assert item.status == DRAFT and service.latest_version(session, item.id).stem == "新题乙 &lt;script&gt;x&lt;/script&gt;？"
    resp = client.post("/trainer/import/confirm", data={"csrf_token": csrf, "token": token})
    assert resp.status_code == 302 and counts(engine)["item"] == before["item"] + 2   # only once

    resp = upload(client, existing, "初级.csv")
    assert "无需导入" in resp.get_data(as_text=True)


def test_web_cancel_removes_the_upload(client, app, engine):
    login(client, "trainer")
    before = counts(engine)
    html = upload(client, "甲？{T}".encode(), "a.gift", levels=["junior"], area="service").get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    csrf = csrf_token(client, "/trainer/import")
    assert client.post("/trainer/import/cancel", data={"csrf_token": csrf, "token": token}).status_code == 302
    assert not (Path(app.instance_path) / "imports" / token).exists()
    client.post("/trainer/import/confirm", data={"csrf_token": csrf, "token": token})
    assert counts(engine) == before
    assert "已失效" in client.get("/trainer/import").get_data(as_text=True)


def test_web_lists_refused_questions_and_imports_the_rest_only_when_asked(client, engine):
    login(client, "trainer")
    before = counts(engine)
    resp = upload(client, BROKEN.encode(), "坏题库.gift", levels=["junior"], area="service")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "无法导入的题目（3 题）" in html and "导入其余 1 题" in html
    assert "单选题不支持部分得分" in html and "难度" in html and "题目 id “B-1” 重复（首次出现于第 2 行）" in html
    assert counts(engine) == before                         # the preview writes nothing
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html).group(1)
    csrf = csrf_token(client, "/trainer/import")
    resp = client.post("/trainer/import/confirm", data={"csrf_token": csrf, "token": token})
    assert resp.status_code == 302
    assert counts(engine)["item"] == before["item"] + 1
    with Session(engine) as session:
        assert session.exec(select(Item).where(Item.ref == "B-1")).one().status == DRAFT
    only_bad = "// [id:X-2] [tag:难度:7]\n难度写错的题目？{=a ~b}\n"
    resp = upload(client, only_bad.encode(), "坏题库.gift", levels=["junior"], area="service")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "1 处问题" in html and "坏题库.gift" in html      # nothing left to import
    resp = upload(client, b"x", "a.doc")
    assert resp.status_code == 422 and "无法从扩展名判断" in resp.get_data(as_text=True)
    resp = upload(client, b"x", "a.gift", levels=["junior"], area="guidance")
    assert resp.status_code == 200 and "初级没有职业功能" in resp.get_data(as_text=True)


def test_web_rejects_posts_without_csrf_and_files_over_the_limit(client, app):
    login(client, "trainer")
    resp = client.post("/trainer/import", data={"file": (io.BytesIO(b"x{T}"), "a.gift")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400
    big = b"x" * (importer.MAX_BYTES + 1)
    resp = upload(client, big, "big.gift", levels=["junior"], area="service")
    assert "超过 5 MB" in resp.get_data(as_text=True)
    resp = upload(client, big + big, "huge.gift")
    assert resp.status_code == 413 and "文件太大" in resp.get_data(as_text=True)


def test_web_export_and_template_downloads(client):
    login(client, "trainer")
    assert "导出格式" in client.get("/trainer/export").get_data(as_text=True)
    resp = client.get("/trainer/export?format=csv&level=junior&status=approved")
    assert resp.status_code == 200 and resp.data.startswith(b"\xef\xbb\xbf")
    disposition = resp.headers["Content-Disposition"]
    assert "attachment" in disposition and "filename*=UTF-8''" in disposition and ".csv" in disposition
    assert int(resp.headers["X-Items-Exported"]) == len(sheet.read_csv(resp.data))
    resp = client.get("/trainer/export?format=aiken")
    assert int(resp.headers["X-Items-Left-Out"]) > 0
    assert "只能容纳单选题" in client.get("/trainer/export").get_data(as_text=True)   # flashed
    resp = client.get("/trainer/import/template.xlsx")
    assert resp.status_code == 200 and resp.data.startswith(b"PK")
    page = upload(client, resp.data, "题库导入模板.xlsx")     # an example row per type, refused by its mark
    html = page.get_data(as_text=True)
    assert page.status_code == 422 and html.count("这是导入模板中的示例行") == 5 and "没有导入任何题目" in html


@pytest.mark.parametrize("username", ["cand1", "examiner", "verifier"])
def test_other_roles_are_refused(client, username):
    login(client, username)
    token = csrf_token(client, "/no-such-page")
    for path in ("/trainer/import", "/trainer/export?format=gift", "/trainer/import/template.xlsx"):
        assert client.get(path).status_code == 403, path
    for path in ("/trainer/import", "/trainer/import/confirm", "/trainer/import/cancel"):
        assert client.post(path, data={"csrf_token": token}).status_code == 403, path


def test_web_exports_of_the_shipped_bank_in_moodle_xml_and_qti_hold_everything_and_validate(client):
    import zipfile

    from question_bank.formats import moodle_xml
    from tests import qti_xsd
    login(client, "trainer")
    resp = client.get("/trainer/export?format=qti&status=approved")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert ".qti3.zip" in resp.headers["Content-Disposition"]
    exported = int(resp.headers["X-Items-Exported"])
    assert exported > 500 and int(resp.headers.get("X-Items-Left-Out", "0")) == 0
    with zipfile.ZipFile(io.BytesIO(resp.data)) as zf:
        names = zf.namelist()
        assert len(names) == exported + 1
        for name in names:                      # every item of the real bank, against 1EdTech's schema
            xsd = qti_xsd.MANIFEST_XSD if name == "imsmanifest.xml" else qti_xsd.ITEM_XSD
            assert qti_xsd.errors(zf.read(name), xsd) == [], name
    resp = client.get("/trainer/export?format=moodlexml&status=approved")
    assert resp.status_code == 200 and int(resp.headers["X-Items-Exported"]) == exported
    items, refused = moodle_xml.parse(resp.data)
    assert len(items) == exported and refused == []
