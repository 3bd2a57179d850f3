"""What base.html's header shows about the signed-in user, read with one statement per page.

The header carries the unread-message badge (``exam.notifications``) and, for a candidate, the names
of the parts they are sitting now — open, and paused or not yet past the deadline — so that signing
out or leaving the page warns about each (base.html, leave-warning.js). Every signed-in page pays for
it, three times over in a start (start page, paper page, home), and it used to be four queries each
built afresh: a quarter of a start's CPU in the start-storm profile (issue 23). It is now one SELECT
of scalar subqueries, built once per process, sent on the request's own connection (no ORM, no
extra connection from the pool); nothing is cached between requests, so a message sent or read by
another process, or an attempt submitted by the scheduler, shows on the next page.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from sqlalchemy import Integer, bindparam, exists, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from exam import parts
from exam.notifications.models import Notification


@dataclass(frozen=True)
class Header:
    unread: int            # the user's unread messages
    sitting: list[str]     # the names of the parts a candidate is sitting now (none for staff)


NOBODY = Header(0, [])


@functools.cache
def _statement(candidate: bool) -> tuple[Select, tuple[str, ...]]:
    """The header's SELECT (for a candidate also one EXISTS per registered part) and the parts'
    names in column order. Built once: the parts registry is complete once the app is made."""
    user = bindparam("user", type_=Integer)
    n = Notification.__table__
    columns = [select(func.count()).select_from(n).where(n.c.user_id == user, n.c.read_at.is_(None))
               .scalar_subquery().label("unread")]
    names: list[str] = []
    if candidate:
        for i, part in enumerate(parts.all_parts()):
            t = part.table
            now = bindparam("now", type_=t.c.deadline.type)
            columns.append(exists().where(t.c.candidate_id == user, t.c.status == parts.OPEN,
                                          or_(t.c.paused_at.is_not(None), t.c.deadline > now)).label(f"part{i}"))
            names.append(part.name)
    return select(*columns), tuple(names)


def read(conn: Connection, user_id: int, candidate: bool, now: dt.datetime) -> Header:
    statement, names = _statement(candidate)
    row = conn.execute(statement, {"user": user_id, "now": now} if candidate else {"user": user_id}).one()
    return Header(int(row[0]), [name for name, sitting in zip(names, row[1:]) if sitting])
