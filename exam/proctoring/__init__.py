"""Live proctoring: the examiner's view of the room and the actions that change an attempt."""


VIEWS = (
    "exam.proctoring.views",
)


def init_app(app) -> None:
    """Register this package's blueprints with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS)
