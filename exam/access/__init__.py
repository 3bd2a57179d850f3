"""Session access rules (场次准入规则), in the shape of Moodle's quiz access rules.

Each rule is a small class with the same hooks (``base.AccessRule``): it describes itself to the
candidate, says why a new attempt cannot start yet, asks for and checks preflight data on the start
form (the room's access code, the fullscreen flag), caps the attempt's end time and configures the
attempt page's guards (fullscreen overlay, idle lock). ``manager.AccessManager`` collects the rules a
session has switched on (``ExamSession.access_rules``) plus the ones always on, runs them and gathers
their reasons. Rules are pure: ``service`` loads what they need from the database into an
``AccessContext`` and writes what their checks produce (wrong-code guesses).

Kept import-light: ``rules.time_window`` (``window``/``is_open``) is meant for the part services'
own last-line-of-defence window check, so the rules and the services agree on which window a part
uses (theory: the theory window; typing and practical: the practical window).
"""


VIEWS = (
    "exam.access.views",
)


def init_app(app) -> None:
    """Register this package's blueprints with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS)
