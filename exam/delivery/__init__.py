"""Delivery: attempts, frozen papers, autosaved answers, the server's clock and submission."""


VIEWS = (
    "exam.delivery.views",
)


def init_app(app) -> None:
    """Register this package's blueprints with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS)


def register_parts() -> None:
    """This package's timed part (``exam.parts``)."""
    import exam.delivery.part  # noqa: F401  (registers itself)


def connect_signals() -> None:
    from exam import signals
    from exam.delivery import warm_up
    signals.worker_ready.connect(warm_up.on_worker_ready)
