"""Accounts, roles, sign-in and its throttle."""


VIEWS = (
    "exam.accounts.views",
)


def init_app(app) -> None:
    """Register this package's blueprints with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS)
