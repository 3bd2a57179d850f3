"""One attempt, one live page.

Two tabs or two devices on one attempt used to both say "全部答案已保存" while the server kept
whichever saved last. Now every opening of an attempt's page takes the attempt over: it writes a
fresh random ``page_token`` on the attempt row (``open_page``) before it reads the saved answers, and
every save must name the page it comes from (``?page=<token>`` on the save URL the page is given).
A save naming any other page, or none once a page has been opened, is refused with 409
``takenOver`` — checked inside each part's save transaction, on the attempt row as its lock is taken
(the candidate loader's checks, ``exam.access.attempts.SaveChecks``), so a save from a stale tab that
raced the take-over cannot land after the new page has read the answers, and is counted like any other. The stale page learns it from that
refusal or from its status poll (``exam.proctoring.status``), stops saving and says so; reopening it
takes the attempt back, deliberately.

Submitting follows the same rule (``exam.access.attempts``): the 交卷 form of a page names the page
too, and a stale page's submission is refused with 409 ``takenOver`` — except once the time and its
grace are up, when any page may close the attempt, as the server's own deadline sweep would. The token proves
nothing about who the candidate is (the sign-in does that); it only orders the candidate's own pages.

The browser keeps its local copy of unsent answers per page (``autosave.js``): a page replays only
the copy of the page it took the attempt over from (``open_page`` hands it that page's token), never
a copy written by a page that had already been taken over, so a stale tab's late edits cannot come
back through the live tab's storage.

A take-over the proctor should see is a superseded page that is still open and asks the server (its
status poll, a save or a submission): a reload or the review page's 返回作答 replaces the page and
the old one never asks again. ``note_superseded`` counts each such page once on the attempt row and
audits it (``attempt.page_taken_over``); the proctoring board shows the count and the time.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from exam.audit.service import record
from exam.db import write_connection
from exam.parts import OPEN, Part

#: The save URL's query parameter that names the page.
PARAM = "page"
MESSAGE = ("本场考试已在另一个标签页或设备上打开，本页已停止保存。请在最新打开的页面继续作答；"
           "如要改用本页，请重新打开本页（原来的页面随即停止保存）。")
SUBMIT_MESSAGE = ("本场考试已在另一个标签页或设备上打开，不能从本页交卷。请在最新打开的页面交卷；"
                  "如要改用本页，请重新打开本页（原来的页面随即停止保存）。")
#: The audit action of a superseded page found still open.
AUDIT_ACTION = "attempt.page_taken_over"


class TakenOver(Exception):
    """A save from a page that is no longer the attempt's live page."""

    status = 409

    def __init__(self, message: str = MESSAGE):
        super().__init__(message)


class Opened(NamedTuple):
    """A newly opened page's token and the token of the page it took the attempt over from (None when
    no page had been opened): the only page whose local copy the new page may replay."""

    token: str | None
    previous: str | None


def new_token() -> str:
    """A page's token: 128 random bits, URL-safe (it rides in the save and submit URLs)."""
    return secrets.token_urlsafe(16)[:22]


def open_page(engine: Engine, part: Part, attempt_id: int, candidate_id: int) -> Opened:
    """Make a newly opened page the attempt's live page. Its token is None when the attempt is not the
    candidate's open attempt (the page then shows read-only or redirects away). The previous page, if
    any, is from now on refused. (A start that answers with the paper stores its page's token with the
    attempt it creates instead: ``exam.delivery.service.begin_attempt``.)"""
    token = new_token()
    t = part.table
    mine = (t.c.id == attempt_id, t.c.candidate_id == candidate_id, t.c.status == OPEN)
    with write_connection(engine) as conn:
        previous = conn.execute(select(t.c.page_token).where(*mine).with_for_update()).first()
        if previous is None:
            return Opened(None, None)
        conn.execute(update(t).where(*mine).values(page_token=token))
    return Opened(token, previous.page_token)


def is_stale(stored: str | None, given: str | None) -> bool:
    """Whether a save naming page ``given`` must be refused when the attempt's live page is ``stored``.
    Before any page has been opened (an attempt started and saved through the API alone) every save
    is the live one."""
    return stored is not None and given != stored


def check(stored: str | None, given: str | None) -> None:
    """Raise ``TakenOver`` for a stale page (inside a save transaction, on the locked attempt row)."""
    if is_stale(stored, given):
        raise TakenOver()


def note_superseded(engine: Engine, part: Part, attempt_id: int, candidate_id: int, given: str | None,
                    now: dt.datetime) -> bool:
    """A page that had been taken over asked the server (status poll, save or submission), so the
    attempt was open in two windows at once: count it on the attempt and audit it, once per page.
    A request naming no page (a script) or the live page counts nothing. True when counted."""
    if not given:
        return False
    given = given[:32]
    t = part.table
    with write_connection(engine) as conn:
        row = conn.execute(select(t.c.page_token, t.c.page_superseded, t.c.session_id)
                           .where(t.c.id == attempt_id, t.c.candidate_id == candidate_id, t.c.status == OPEN)
                           .with_for_update()).first()
        if row is None or not is_stale(row.page_token, given) or row.page_superseded == given:
            return False
        conn.execute(update(t).where(t.c.id == attempt_id).values(
            page_takeovers=t.c.page_takeovers + 1, page_taken_over_at=now, page_superseded=given))
        record(conn, AUDIT_ACTION, part.subject_type, attempt_id, actor_id=candidate_id, part=part.code,
               session_id=row.session_id)
    return True
