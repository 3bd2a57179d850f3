"""One attempt, one live page.

Two tabs or two devices on one attempt used to both say "全部答案已保存" while the server kept
whichever saved last. Now every opening of an attempt's page takes the attempt over: it writes a
fresh random ``page_token`` on the attempt row (``take_over``) before it reads the saved answers, and
every save must name the page it comes from (``?page=<token>`` on the save URL the page is given).
A save naming any other page, or none once a page has been opened, is refused with 409
``takenOver`` — checked by the candidate loader (``exam.access.attempts``) and again inside each
part's save transaction, under the attempt row's lock, so a save from a stale tab that raced the
take-over cannot land after the new page has read the answers. The stale page learns it from that
refusal or from its status poll (``exam.proctoring.status``), stops saving and says so; reopening it
takes the attempt back, deliberately.

Submitting is not tied to the page: any page of the candidate's own attempt may hand it in, and the
server's deadline is the same for every page. The token proves nothing about who the candidate is
(the sign-in does that); it only orders the candidate's own pages.
"""

from __future__ import annotations

import secrets

from sqlalchemy import update
from sqlalchemy.engine import Engine

from exam.db import write_connection
from exam.parts import OPEN, Part

#: The save URL's query parameter that names the page.
PARAM = "page"
MESSAGE = ("本场考试已在另一个标签页或设备上打开，本页已停止保存。请在最新打开的页面继续作答；"
           "如要改用本页，请重新打开本页（原来的页面随即停止保存）。")


class TakenOver(Exception):
    """A save from a page that is no longer the attempt's live page."""

    status = 409

    def __init__(self, message: str = MESSAGE):
        super().__init__(message)


def take_over(engine: Engine, part: Part, attempt_id: int, candidate_id: int) -> str | None:
    """Make a newly opened page the attempt's live page; returns its token (None when the attempt is
    not the candidate's open attempt, which the page then shows read-only or redirects away from).
    The previous page, if any, is from now on refused."""
    token = secrets.token_urlsafe(16)[:22]
    t = part.table
    with write_connection(engine) as conn:
        changed = conn.execute(update(t).where(t.c.id == attempt_id, t.c.candidate_id == candidate_id,
                                               t.c.status == OPEN).values(page_token=token)).rowcount
    return token if changed else None


def is_stale(stored: str | None, given: str | None) -> bool:
    """Whether a save naming page ``given`` must be refused when the attempt's live page is ``stored``.
    Before any page has been opened (an attempt started and saved through the API alone) every save
    is the live one."""
    return stored is not None and given != stored


def check(stored: str | None, given: str | None) -> None:
    """Raise ``TakenOver`` for a stale page (inside a save transaction, on the locked attempt row)."""
    if is_stale(stored, given):
        raise TakenOver()
