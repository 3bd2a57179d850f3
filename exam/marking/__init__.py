"""Examiner marking of what a machine cannot mark: short answers against a reference and scoring points."""


VIEWS = (
    "exam.marking.views",
)


def init_app(app) -> None:
    """Register this package's blueprints with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS)
