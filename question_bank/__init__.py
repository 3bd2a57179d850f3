"""The question bank: items and their immutable versions, loaders, paper assembly."""


VIEWS = (
    "question_bank.views",
    "question_bank.review_views",
    "question_bank.blueprint_views",
    "question_bank.stats_views",
    "question_bank.transfer_views",
    "question_bank.lint_views",
    "question_bank.media_views",
)


def cli_commands() -> tuple:
    """This package's ``callexam`` command groups."""
    from question_bank.cli import items_group, questions_group
    return (items_group, questions_group,)


def init_app(app) -> None:
    """Register this package's blueprints and command groups with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS, cli_commands())


def after_upgrade(engine):
    """The bank's data step after the schema is upgraded (``exam.domains.after_upgrade``)."""
    from question_bank import demo_sync
    return demo_sync.after_upgrade(engine)
