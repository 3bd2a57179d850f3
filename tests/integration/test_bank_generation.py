"""The bank generation (migration 0022) and the pool a start keeps by it (``question_bank.pool_cache``),
on real SQLite and PostgreSQL: every write to a table the pool or the enemy pairs depend on changes
the generation, whoever makes it — here raw SQL through an engine of its own, as another process
would — so a start after a retirement, a new version, a level change or a newly confirmed enemy pair
never draws the pool as it was; databases with equal generations never share a kept pool; a change
rolled back never leaves a kept pool a later change could match."""

from __future__ import annotations

import contextlib

import pytest
from alembic import command
from sqlalchemy import bindparam, text
from sqlmodel import Session

from exam import db, migrate
from exam.db import write_session
from exam.delivery import service as delivery
from exam.timeutil import utcnow
from question_bank import blueprint_service, enemies, pool_cache
from question_bank import service as bank
from question_bank.blueprint import default_blueprint
from question_bank.blueprint_draw import has_enemies
from tests.conftest import new_database
from tests.pg import drop_database

TABLES = ("item", "item_version", "item_version_level", "item_enemy")


@contextlib.contextmanager
def elsewhere(db_url: str):
    """A transaction on an engine of its own (its own connections, none of the app's caches), as
    another process would write; committed on exit."""
    other = db.throwaway_engine(db_url)
    try:
        with other.begin() as conn:
            yield conn
    finally:
        other.dispose()


def generation(engine) -> tuple[str, int]:
    with engine.connect() as conn:
        return tuple(conn.execute(text("SELECT epoch, value FROM bank_generation")).one())


def expanding(sql: str, **params):
    return text(sql).bindparams(*(bindparam(name, expanding=True) for name in params)), params


def test_every_write_to_a_bank_table_changes_the_generation(engine, db_url):
    """Insert, update and delete on each of the four tables, one statement per transaction."""
    with engine.connect() as conn:
        item_id, version_id = conn.execute(text(
            "SELECT item_id, id FROM item_version ORDER BY id LIMIT 1")).one()
    copy_version = ("INSERT INTO item_version (item_id, version, area, kind, scoring, stem, options, \"key\", "
                    "explanation, knowledge_point, difficulty, source, created_by, created_at) "
                    "SELECT (SELECT id FROM item WHERE ref = 'GEN-1'), 1, area, kind, scoring, stem, options, "
                    "\"key\", explanation, knowledge_point, difficulty, source, created_by, created_at "
                    "FROM item_version WHERE id = :v")
    new_version = "(SELECT id FROM item_version WHERE item_id = (SELECT id FROM item WHERE ref = 'GEN-1'))"
    new_item = "(SELECT id FROM item WHERE ref = 'GEN-1')"
    statements = [
        ("item", "INSERT INTO item (ref, title, status, category_id, created_by, created_at) "
                 "SELECT 'GEN-1', title, status, category_id, created_by, created_at FROM item WHERE id = :i"),
        ("item_version", copy_version),
        ("item_version_level", f"INSERT INTO item_version_level (version_id, level) VALUES ({new_version}, 'junior')"),
        ("item_enemy", "INSERT INTO item_enemy (item_a_id, item_b_id, decision, reason, decided_at) "
                       f"VALUES (:i, {new_item}, 'enemy', '', CURRENT_TIMESTAMP)"),
        ("item", f"UPDATE item SET title = '改名' WHERE id = {new_item}"),
        ("item_version", f"UPDATE item_version SET source = '另一进程' WHERE id = {new_version}"),
        ("item_version_level", f"UPDATE item_version_level SET level = 'senior' WHERE version_id = {new_version}"),
        ("item_enemy", f"UPDATE item_enemy SET decision = 'not_enemy' WHERE item_b_id = {new_item}"),
        ("item_enemy", f"DELETE FROM item_enemy WHERE item_b_id = {new_item}"),
        ("item_version_level", f"DELETE FROM item_version_level WHERE version_id = {new_version}"),
        ("item_version", f"DELETE FROM item_version WHERE id = {new_version}"),
        ("item", f"DELETE FROM item WHERE id = {new_item}"),
    ]
    assert {(table, sql.split()[0]) for table, sql in statements} == {
        (table, verb) for table in TABLES for verb in ("INSERT", "UPDATE", "DELETE")}
    seen = [generation(engine)]
    for table, sql in statements:
        with elsewhere(db_url) as conn:
            assert conn.execute(text(sql), {"i": item_id, "v": version_id}).rowcount == 1, sql
        seen.append(generation(engine))
        assert seen[-1][1] != seen[-2][1], f"{table}: {sql}"
    assert len({epoch for epoch, _ in seen}) == 1 and len({value for _, value in seen}) == len(seen)


def test_a_start_changes_no_generation_and_reuses_the_kept_pool(engine, users, make_session):
    sid = make_session(item_count=60, candidates=("cand1", "cand2"))
    before = generation(engine)
    delivery.start_attempt(engine, sid, users["cand1"], utcnow())
    kept = pool_cache._kept[engine].levels["junior"]
    delivery.start_attempt(engine, sid, users["cand2"], utcnow())
    assert generation(engine) == before
    assert pool_cache._kept[engine].levels["junior"] is kept and kept.key[1:3] == before


def _versions(engine, attempt_id: int) -> list[int]:
    with engine.connect() as conn:
        return [v for (v,) in conn.execute(text(
            "SELECT item_version_id FROM paper_slot WHERE attempt_id = :a ORDER BY position"), {"a": attempt_id})]


def _retire(conn, versions):
    conn.execute(*expanding("UPDATE item SET status = 'retired' WHERE id IN "
                            "(SELECT item_id FROM item_version WHERE id IN :v)", v=versions))


def _revise(conn, versions):
    """A new version of each item (the same content, as an edit elsewhere would append), with its levels."""
    conn.execute(*expanding(
        "INSERT INTO item_version (item_id, version, area, kind, scoring, stem, options, \"key\", explanation, "
        "knowledge_point, difficulty, source, created_by, created_at) SELECT item_id, version + 1, area, kind, "
        "scoring, stem, options, \"key\", explanation, knowledge_point, difficulty, source, created_by, created_at "
        "FROM item_version WHERE id IN :v", v=versions))
    conn.execute(*expanding(
        "INSERT INTO item_version_level (version_id, level) SELECT new.id, l.level FROM item_version old "
        "JOIN item_version new ON new.item_id = old.item_id AND new.version = old.version + 1 "
        "JOIN item_version_level l ON l.version_id = old.id WHERE old.id IN :v", v=versions))


def _off_level(conn, versions):
    conn.execute(*expanding("DELETE FROM item_version_level WHERE level = 'junior' AND version_id IN :v",
                            v=versions))


def _enemies(conn, versions):
    """The first paper's items confirmed as enemies two by two."""
    items = conn.execute(*expanding("SELECT item_id FROM item_version WHERE id IN :v ORDER BY item_id",
                                    v=versions)).scalars().all()
    conn.execute(text("INSERT INTO item_enemy (item_a_id, item_b_id, decision, reason, decided_at) "
                      "VALUES (:a, :b, 'enemy', '另一进程', CURRENT_TIMESTAMP)"),
                 [{"a": a, "b": b} for a, b in zip(items[::2], items[1::2])])


CHANGES = {"retirement": _retire, "new version": _revise, "level change": _off_level, "enemy pairs": _enemies}


@pytest.mark.parametrize("paper", ["blueprint", "spine"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_made_elsewhere_between_two_starts_is_drawn_from(engine, db_url, users, make_session,
                                                                  change, paper):
    """The first start keeps the pool; the change, made by raw SQL on another engine, touches every
    item that start drew. A stale pool would give the second candidate ~22 of the blueprint's 82
    (~12 of the spine's 60) of those versions again; the enemy pairs are checked on the kept pool."""
    if paper == "blueprint":
        with write_session(engine) as s:
            rule = blueprint_service.save(s, default_blueprint("junior"), "每人随机", None).id
        sid = make_session(candidates=("cand1", "cand2"), blueprint_id=rule)
    else:
        sid = make_session(item_count=60, candidates=("cand1", "cand2"))
    first = _versions(engine, delivery.start_attempt(engine, sid, users["cand1"], utcnow()))
    with elsewhere(db_url) as conn:
        CHANGES[change](conn, first)
    second = _versions(engine, delivery.start_attempt(engine, sid, users["cand2"], utcnow()))
    assert len(second) == len(first) == (82 if paper == "blueprint" else 60)
    with Session(engine) as s:
        kept = pool_cache.level_pool(s, "junior")
        fresh = bank.approved_pool(s, "junior")
        assert kept.rows == tuple(fresh)
        assert kept.enemy_pairs == enemies.enemy_versions(s, [row[0] for row in fresh])
        assert has_enemies(second, enemies.enemy_versions(s, second)) == []
    if change == "enemy pairs":
        assert len(kept.enemy_pairs) == len(first) // 2
    else:
        assert not set(second) & set(first)


def test_two_databases_with_equal_generations_do_not_share_a_pool(engine, db_url, request, tmp_path):
    """Two copies of one template: the same epoch and value. The second's bank is changed and its
    generation row set back to the first's, so only the database itself tells the two pools apart."""
    (tmp_path / "second").mkdir()
    second_url = new_database(engine.dialect.name, request, tmp_path / "second")
    try:
        second = db.engine_for(second_url)
        assert generation(second) == generation(engine)
        with Session(engine) as s:
            first_pool = pool_cache.level_pool(s, "junior")
        retired = [row[0] for row in first_pool.rows[::2]]
        with elsewhere(second_url) as conn:
            row = conn.execute(text("SELECT epoch, value FROM bank_generation")).one()
            _retire(conn, retired)
            conn.execute(text("UPDATE bank_generation SET epoch = :e, value = :v"), {"e": row[0], "v": row[1]})
        assert generation(second) == generation(engine)
        with Session(second) as s:
            second_pool = pool_cache.level_pool(s, "junior")
            assert second_pool.rows == tuple(bank.approved_pool(s, "junior"))
        assert not {row[0] for row in second_pool.rows} & set(retired)
        assert len(second_pool.rows) == len(first_pool.rows) - len(retired)
        with Session(engine) as s:
            assert pool_cache.level_pool(s, "junior") is first_pool   # the first database keeps its own
    finally:
        if engine.dialect.name == "postgresql":
            db.engine_for(second_url).dispose()
            drop_database(second_url)


def test_a_change_rolled_back_leaves_nothing_a_later_change_could_match(engine, db_url):
    """A transaction retires an item, reads the pool (kept, under the value it wrote) and rolls back;
    another then retires a different item. A counter (value + 1) would give the second change the
    number the first one kept its pool under; the random value does not."""
    with Session(engine) as s:
        rows = bank.approved_pool(s, "junior")
    (a, *_), (b, *_) = rows[0], rows[-1]
    with engine.connect() as conn:
        tx = conn.begin()
        _retire(conn, [a])
        with Session(bind=conn) as s:
            assert a not in {row[0] for row in pool_cache.level_pool(s, "junior").rows}
        tx.rollback()
    with elsewhere(db_url) as conn:
        _retire(conn, [b])
    with Session(engine) as s:
        kept = {row[0] for row in pool_cache.level_pool(s, "junior").rows}
    assert a in kept and b not in kept


def test_downgrade_drops_the_triggers_and_upgrade_starts_a_new_epoch(db_url):
    epoch, _value = generation(db.engine_for(db_url))
    db.dispose_all()
    config = migrate.alembic_config(db_url)
    command.downgrade(config, "0021")
    with elsewhere(db_url) as conn:   # the bank is written without the table or its triggers
        conn.execute(text("UPDATE item SET title = title"))
        if conn.dialect.name == "postgresql":
            assert conn.execute(text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%bank_generation%'")
                                ).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM pg_proc WHERE proname = 'bank_generation_bump'")
                                ).scalar() == 0
        else:
            assert conn.execute(text("SELECT count(*) FROM sqlite_master WHERE name LIKE '%bank_generation%'")
                                ).scalar() == 0
    migrate.upgrade(db_url)
    engine = db.engine_for(db_url)
    before = generation(engine)
    assert before[0] != epoch   # a new random token: nothing kept for the old database can match
    with elsewhere(db_url) as conn:
        conn.execute(text("UPDATE item SET title = title WHERE id = (SELECT min(id) FROM item)"))
    assert generation(engine)[1] != before[1]
