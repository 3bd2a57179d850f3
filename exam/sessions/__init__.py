"""Exam sessions (场次): when a level's paper may be sat, for how long, by whom."""


VIEWS = (
    "exam.sessions.views",
    "exam.sessions.results.views",
    "exam.sessions.rooms.views",
    "exam.sessions.roster.views",
    "exam.sessions.papers.views",
)


def connect_signals() -> None:
    """Signing in by admission ticket number, and the 签到 it records (``exam.signals``)."""
    from exam.sessions.roster import sign_in
    sign_in.connect()


def init_app(app) -> None:
    """Register this package's blueprints with the app (``exam.domains``)."""
    from exam.domains import register
    from exam.sessions import scope
    from exam.sessions.results import visibility
    register(app, VIEWS)
    visibility.init_app(app)  # publication(s) and result_visible(s, part) for every package's templates
    app.before_request(scope.enforce)   # a ticket sign-in opens only its session
