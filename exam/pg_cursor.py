"""A psycopg cursor whose ``description`` costs what SQLAlchemy reads of it: each column's name and
type code.

SQLAlchemy reads ``cursor.description`` once per statement that returns rows, to match the result's
columns to the statement's, and uses the first two items of each entry only (the name and the type
code). psycopg 3 builds a ``Column`` object per column for it, each looking up the connection's
encoding and the type's registry entry in Python — a known cost (psycopg issues #446 and #457, whose
maintainer suggests reading the names off ``pgresult`` instead; pull request #1240 to speed it up was
closed unmerged). A theory start reads about 260 columns over its statements (the session, attempt
and blueprint rows): that was about a fifth of the extra app CPU a start cost on PostgreSQL over
SQLite (issue 23: app CPU on PostgreSQL within 1.25× of SQLite).

Here each entry is a plain 7-item tuple, as the DB-API allows (name, type_code, then five optional
items left None), read straight off the result with the C-level ``PGresult`` calls. Nothing else of
psycopg's cursor changes; ``exam.db.make_engine`` installs it as every PostgreSQL connection's
``cursor_factory``.
"""

from __future__ import annotations

import psycopg
from psycopg.pq import ExecStatus

_TUPLES = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)


class LeanCursor(psycopg.Cursor):
    """psycopg's client-side cursor with a cheaper ``description`` (see the module's docstring)."""

    __slots__ = ()

    @property
    def description(self) -> list[tuple] | None:
        """As psycopg's (None when the result has no columns and did not return tuples), but each
        column a plain ``(name, type_code, None, None, None, None, None)``."""
        res = self.pgresult
        if not res or not (res.nfields or res.status in _TUPLES):
            return None
        encoding = self.connection.info.encoding
        out = []
        for i in range(res.nfields):
            name = res.fname(i)
            out.append((name.decode(encoding) if name is not None else f"column_{i + 1}", res.ftype(i),
                        None, None, None, None, None))
        return out
