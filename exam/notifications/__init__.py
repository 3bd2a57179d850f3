"""In-app notifications: reminders before a session, results published, changes to one's seat."""


VIEWS = (
    "exam.notifications.views",
)


def init_app(app) -> None:
    """Register this package's blueprints with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS)
