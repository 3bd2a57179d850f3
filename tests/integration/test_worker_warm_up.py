"""A server worker compiles its templates and renders the approved questions before it takes requests
(issue 23): through the real gunicorn application class, on both databases; the pages it then builds
are the ones it would have rendered on demand; the compiled templates are shared through Jinja's
bytecode cache; a worker that cannot reach its database still starts."""

from __future__ import annotations

import gc
import logging

from sqlmodel import Session

from exam import server, standard
from exam.delivery import paper_page
from exam.delivery import service as delivery
from exam.timeutil import utcnow
from question_bank.service import approved_pool


def _load_worker(monkeypatch, db_url, tmp_path):
    """What a gunicorn worker runs to get its app (``exam.server._Server.load``), minus freezing the
    test process's garbage collector."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("CALLEXAM_INSTANCE", str(tmp_path / "worker-instance"))
    monkeypatch.delenv("CALLEXAM_JINJA_CACHE", raising=False)  # the compiled templates under the instance
    monkeypatch.setattr(gc, "freeze", lambda: None)
    return server._Server(server.APP, server.options("127.0.0.1", 0, 1, 1)).load()


def test_a_worker_has_every_approved_question_rendered_before_its_first_request(
        monkeypatch, db_url, tmp_path, engine, users, make_session):
    paper_page._kept.pop(engine, None)
    delivery._shape_cache.pop(engine, None)
    _load_worker(monkeypatch, db_url, tmp_path)
    with Session(engine) as db:
        approved = {row[0] for level in standard.LEVELS for row in approved_pool(db, level)}
    assert len(approved) > 800  # the demo bank
    assert approved <= set(paper_page._kept[engine]) and approved <= set(delivery._shape_cache[engine])


def test_a_page_from_renderings_made_at_boot_is_the_page_made_on_demand(
        monkeypatch, app, db_url, tmp_path, engine, users, make_session):
    sid = make_session()
    attempt_id = delivery.start_attempt(engine, sid, users["cand1"], utcnow())
    paper_page._kept.pop(engine, None)
    with app.test_request_context(), Session(engine) as db:
        on_demand = paper_page.paper(db, attempt_id)
    paper_page._kept.pop(engine, None)
    _load_worker(monkeypatch, db_url, tmp_path)
    with app.test_request_context(), Session(engine) as db:
        kept_before = len(paper_page._kept[engine])
        from_boot = paper_page.paper(db, attempt_id)
        assert len(paper_page._kept[engine]) == kept_before  # nothing left to render
    assert from_boot == on_demand and len(from_boot.positions) == 20


def test_a_worker_whose_database_is_not_ready_still_starts(monkeypatch, tmp_path, caplog):
    empty = tmp_path / "empty.db"
    empty.touch()  # no tables yet: as before ``callexam db upgrade``
    with caplog.at_level(logging.WARNING, logger="exam.delivery.warm_up"):
        app = _load_worker(monkeypatch, f"sqlite:///{empty}", tmp_path)
    assert app.name == "exam.app"
    assert "预先渲染题目失败" in caplog.text


def test_a_worker_compiles_every_template_once_for_all_workers(monkeypatch, tmp_path):
    import jinja2
    db_file = tmp_path / "empty.db"
    db_file.touch()
    compiled = []
    original = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda self, source, name=None, *a, **k: compiled.append(name) or original(self, source, name, *a, **k))
    first = _load_worker(monkeypatch, f"sqlite:///{db_file}", tmp_path)
    names = first.jinja_env.list_templates()
    assert len(names) > 50 and set(names) <= set(compiled)
    assert len(list((tmp_path / "worker-instance" / "jinja-cache").iterdir())) == len(names)
    compiled.clear()
    second = _load_worker(monkeypatch, f"sqlite:///{db_file}", tmp_path)  # another worker, same instance
    assert compiled == [] and set(names) <= {t.name for t in second.jinja_env.cache.values()}
