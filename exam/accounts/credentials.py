"""Sign-in names that are not usernames, issued by other packages (the roster's admission ticket
numbers), asked for through ``exam.signals.sign_in_name`` so the core never imports the package.

A package that issues such names answers "whose is this text?" with a ``Credential``. The sign-in
(``exam.accounts.service.authenticate``) asks before it looks the text up as a username; creating an
account (``create_user``) asks so that no new username is one sign-in would read as somebody's
ticket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlmodel import Session

from exam import signals
from exam.accounts.models import User


@dataclass(frozen=True)
class Credential:
    """What the package that issued a sign-in name says the typed text is."""

    #: What the name is, in Chinese, for messages ("准考证号").
    kind: str
    #: The text as it is looked up: a ticket number typed in its printed groups or with full-width
    #: digits becomes its plain digits. If ``user`` is None the sign-in tries this as a username.
    name: str
    #: Whose name it is; None when no such name was issued.
    user: User | None = None
    #: Checks the typed password instead of the account's hash (a session that signs in with the
    #: last six ID-card characters); the sign-in still spends one argon2 verification, so timing
    #: does not tell which kind of check ran.
    check: Callable[[str], bool] | None = None
    #: The one exam session a sign-in through ``check`` opens (``web.CurrentUser.scope_session_id``).
    scope_session_id: int | None = None


def claim(db: Session, text: str) -> Credential | None:
    """The issuing package's answer for ``text`` (already stripped), or None when no package claims
    it. Names of different kinds never look alike, so at most one package answers; the first wins."""
    answers = signals.send(signals.sign_in_name, __name__, db=db, text=text)
    return next((answer for answer in answers if answer is not None), None)
