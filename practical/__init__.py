"""Practical scenarios: service-phrase checks, data entry, KPIs and Erlang C, rubrics, examiner marking."""


VIEWS = (
    "practical.views",
    "practical.examiner_views",
    "practical.marking_api",
    "practical.scenario_views",
    "practical.phrase_views",
)


def cli_commands() -> tuple:
    """This package's ``callexam`` command groups."""
    from practical.cli import practical_group
    return (practical_group,)


def init_app(app) -> None:
    """Register this package's blueprints and command groups with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS, cli_commands())
    from practical import answer_sheet
    answer_sheet.register()


def after_upgrade(engine):
    """The practical's data step after the schema is upgraded (``exam.domains.after_upgrade``): carry
    the installed stock scenarios forward to the shipped ones (``practical.stock_sync``)."""
    from practical import stock_sync
    return stock_sync.after_upgrade(engine)


def register_parts() -> None:
    """This package's timed part (``exam.parts``)."""
    import practical.part  # noqa: F401  (registers itself)
