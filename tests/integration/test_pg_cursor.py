"""The lean psycopg cursor (``exam.pg_cursor``) on a real PostgreSQL: its description gives the same
names and type codes as psycopg's own, None where psycopg's is None, and the app's engines use it."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import text

from exam import db
from exam.pg_cursor import LeanCursor
from tests.pg import create_database, drop_database

pytestmark = pytest.mark.postgres

#: Columns of many types, an unnamed expression, a NULL, a JSON value, an array and a quoted name.
_QUERY = ("SELECT 1 AS id, 'x'::text AS name, now() AS at, NULL::int, 2.5::numeric AS points, "
          "'{\"a\": 1}'::jsonb AS doc, ARRAY[1, 2] AS list, true AS \"答案\", count(*) FROM generate_series(1, 3)")


@pytest.fixture
def pg_url(pg_cluster):
    url = create_database(pg_cluster, f"cur_{uuid.uuid4().hex[:12]}")
    yield url
    db.dispose_all()
    drop_database(url)


def _descriptions(url: str, query: str, setup: str = ""):
    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as plain, psycopg.connect(dsn, cursor_factory=LeanCursor) as lean:
        out = []
        for conn in (plain, lean):
            with conn.cursor() as cur:
                if setup:
                    cur.execute(setup)
                cur.execute(query)
                out.append(cur.description)
        return out


def test_the_lean_description_has_psycopgs_names_and_type_codes(pg_url):
    theirs, ours = _descriptions(pg_url, _QUERY)
    assert [(c.name, c.type_code) for c in theirs] == [(c[0], c[1]) for c in ours]
    assert [c[0] for c in ours] == ["id", "name", "at", "int4", "points", "doc", "list", "答案", "count"]
    assert all(len(c) == 7 and c[2:] == (None,) * 5 for c in ours)  # the DB-API's seven items


@pytest.mark.parametrize("query, expected_none", [
    ("CREATE TEMP TABLE t (a int)", True),
    ("INSERT INTO t VALUES (1)", True),
    ("INSERT INTO t VALUES (2) RETURNING a", False),
    ("SELECT", False),          # a result of no columns that returned tuples: an empty list, as psycopg's
])
def test_the_lean_description_is_none_where_psycopgs_is(pg_url, query, expected_none):
    setup = "" if query.startswith("CREATE") else "CREATE TEMP TABLE t (a int)"
    theirs, ours = _descriptions(pg_url, query, setup)
    assert (theirs is None) == (ours is None) == expected_none
    if not expected_none:
        assert [(c.name, c.type_code) for c in theirs] == [(c[0], c[1]) for c in ours]


def test_the_apps_engine_reads_results_through_the_lean_cursor(pg_url):
    engine = db.make_engine(pg_url)
    with engine.connect() as conn:
        assert isinstance(conn.connection.dbapi_connection.cursor(), LeanCursor)
        row = conn.execute(text("SELECT 7 AS seven, 'seven' AS word")).one()
    assert (row.seven, row.word) == (7, "seven")
    engine.dispose()
