"""The timed parts of an exam (theory, typing, practical) as one registry, and the columns their
attempts share.

Each part's package registers a ``Part`` (``register_parts()`` in the package, called through
``exam.domains``): its code, its one Chinese name, its attempt model, its candidate endpoints, the
window it runs in, and the three ways an attempt is submitted (by the candidate or a proctor, by the
deadline sweep, by its window closing). The scheduler, the timeline steps, the access rules,
proctoring, the results and the candidate's pages loop over ``all_parts()`` instead of naming the
three parts, so a fourth part is one registration, and the core never imports a part's package.

``AttemptMixin`` holds the life-cycle columns every attempt table has; the tables keep their own
names, constraints and score columns (no schema change: the columns are the ones they had).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Optional

from sqlalchemy.engine import Connection, Engine
from sqlmodel import Field, SQLModel

from exam.timeutil import utcnow

#: An attempt's status: ``void`` means an examiner annulled it (exam.proctoring); it has no score.
OPEN, SUBMITTED, VOID = "open", "submitted", "void"


class AttemptMixin(SQLModel):
    """The columns of every timed attempt: whose, in which session, its server-side clock
    (``deadline``; while ``paused_at`` is set a proctor has stopped it; ``extra_seconds`` is the time
    examiners added) and how it ended (``status``, ``submitted_at``, ``submit_reason``)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="exam_session.id", index=True)
    candidate_id: int = Field(foreign_key="user_account.id", index=True)
    started_at: dt.datetime = Field(default_factory=utcnow)
    deadline: dt.datetime
    status: str = Field(default=OPEN, max_length=16)
    submitted_at: Optional[dt.datetime] = None
    submit_reason: Optional[str] = Field(default=None, max_length=16)
    paused_at: Optional[dt.datetime] = None
    extra_seconds: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    #: The one page that may save to the attempt: the latest one opened (``exam.access.live_page``).
    page_token: Optional[str] = Field(default=None, max_length=32)
    #: How often a page that had been taken over was still open and asked the server (a second tab or
    #: device), when it last happened, and that page's token (each superseded page counts once).
    page_takeovers: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    page_taken_over_at: Optional[dt.datetime] = None
    page_superseded: Optional[str] = Field(default=None, max_length=32)


#: submit(engine, attempt_id, reason, now, config, *, actor_id, candidate_id) -> bool (False: already submitted)
Submit = Callable[..., bool]
#: submit_overdue(engine, now, config) -> how many this call submitted
SubmitOverdue = Callable[[Engine, dt.datetime, Mapping], int]
#: prepare(engine) -> what submit_closing needs read before the write transaction (or None)
Prepare = Callable[[Engine], Any]
#: submit_closing(conn, session_id, now, config, prepared) -> ids submitted in this transaction
SubmitClosing = Callable[[Connection, int, dt.datetime, Mapping, Any], list]
#: grade_claimed(conn, attempt_id, reason, actor_id, config, prepared): score an attempt this
#: transaction has just claimed (a proctor's forced submission), exactly as a normal submission
GradeClaimed = Callable[[Connection, int, str, Optional[int], Mapping, Any], None]
#: finalise(db, exam_session, actor_id, now): store the part's final scores inside the session
#: publication's write transaction (``exam.sessions.results.publication``, the one publish path)
Finalise = Callable[..., None]


@dataclass(frozen=True)
class Part:
    code: str
    #: The one Chinese name every page, message and export uses.
    name: str
    #: The short form on crowded pages (the proctoring board).
    short: str
    #: Candidate pages list the parts in this order.
    order: int
    #: Which of the session's windows the part runs in: "theory" or "practical".
    window: str
    model: type
    #: The blueprint name: ``<blueprint>.sit``, ``.result``, ``.start``, ``.save``, ``.submit``.
    blueprint: str
    #: The columns that hold a score, cleared when the attempt is voided.
    score_columns: tuple[str, ...]
    submit: Submit
    submit_overdue: SubmitOverdue
    submit_closing: SubmitClosing
    grade_claimed: GradeClaimed
    #: Reads what submit_closing and grade_claimed need before their write transaction.
    prepare_closing: Optional[Prepare] = None
    #: Endpoints besides ``sit`` that show the open attempt (the access rules guard them too).
    extra_pages: tuple[str, ...] = ()
    #: Examiners mark this part: candidates see its result only once the session's results are
    #: published, whatever the release (``exam.sessions.results.visibility``).
    after_publication: bool = False
    #: Stores the part's final scores when the session's results are published (None: nothing to do).
    finalise: Optional[Finalise] = None
    #: minutes(exam_session) -> the part's time limit (the start page says it before the clock starts).
    minutes: Optional[Callable[[Any], int]] = None
    #: rules(exam_session) -> the lines of the part's instructions on its start page (Chinese).
    rules: Optional[Callable[[Any], list[str]]] = None

    def attempt_of(self, db, session_id: int, candidate_id: int):
        """The candidate's attempt of this part in the session, if they started one."""
        from sqlmodel import select
        m = self.model
        return db.exec(select(m).where(m.session_id == session_id, m.candidate_id == candidate_id)).first()

    def window_of(self, exam_session) -> tuple[dt.datetime, dt.datetime]:
        """When this part may be started in ``exam_session``: the theory window or the practical one."""
        if self.window == "practical":
            return exam_session.practical_window
        return exam_session.opens_at, exam_session.closes_at

    def time_available(self, exam_session, now: dt.datetime) -> "TimeAvailable":
        opens_at, closes_at = self.window_of(exam_session)
        limit = self.minutes(exam_session) if self.minutes else int((closes_at - opens_at).total_seconds() // 60)
        return TimeAvailable.of(limit, opens_at, closes_at, now)

    @property
    def table(self):
        return self.model.__table__

    @property
    def subject_type(self) -> str:
        """How the audit trail names this part's attempts (the table name)."""
        return self.model.__table__.name

    def endpoint(self, view: str) -> str:
        return f"{self.blueprint}.{view}"

    @property
    def attempt_pages(self) -> tuple[str, ...]:
        return (self.endpoint("sit"), *(self.endpoint(v) for v in self.extra_pages))


@dataclass(frozen=True)
class TimeAvailable:
    """What a candidate who starts a part now really gets: the part's limit, cut to the window's
    close (each part's ``start`` sets ``deadline = min(now + limit, closes_at)``, the same rule).
    ``seconds`` is 0 once the window has closed; ``cut`` says the close, not the limit, ends it."""

    limit_minutes: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    deadline: dt.datetime
    seconds: int
    cut: bool

    @classmethod
    def of(cls, limit_minutes: int, opens_at: dt.datetime, closes_at: dt.datetime,
           now: dt.datetime) -> "TimeAvailable":
        start = max(now, opens_at)
        deadline = min(start + dt.timedelta(minutes=limit_minutes), closes_at)
        seconds = max(0, int((deadline - start).total_seconds()))
        return cls(limit_minutes, opens_at, closes_at, deadline, seconds, deadline < start + dt.timedelta(minutes=limit_minutes))

    @property
    def text(self) -> str:
        """"3 分钟" or "45 秒": whole minutes, never rounded up (a candidate must not count on more)."""
        minutes, seconds = divmod(self.seconds, 60)
        return f"{minutes} 分钟" if minutes else f"{seconds} 秒"


class UnknownPart(LookupError):
    pass


class Refused(Exception):
    """A part's ``finalise`` refuses to make its scores final (Chinese message: who and what)."""


_registry: dict[str, Part] = {}
_loaded = False


def register(part: Part) -> Part:
    _registry[part.code] = part
    return part


def _load() -> None:
    """Ask every package to register its parts (once; lazily, so importing this module is cheap)."""
    global _loaded
    if _loaded:
        return
    from exam import domains
    for module in domains.modules():
        hook = getattr(module, "register_parts", None)
        if hook is not None:
            hook()
    _loaded = True


def all_parts() -> list[Part]:
    _load()
    return sorted(_registry.values(), key=lambda p: p.order)


def codes() -> tuple[str, ...]:
    return tuple(p.code for p in all_parts())


def get(code: str) -> Part:
    _load()
    try:
        return _registry[code]
    except KeyError:
        raise UnknownPart(code) from None


def names() -> dict[str, str]:
    """code → Chinese name, in page order."""
    return {p.code: p.name for p in all_parts()}


def in_window(window: str) -> list[Part]:
    return [p for p in all_parts() if p.window == window]


def by_page(endpoint: str) -> Optional[Part]:
    """The part whose open attempt the page ``endpoint`` shows, if any."""
    for part in all_parts():
        if endpoint in part.attempt_pages:
            return part
    return None
