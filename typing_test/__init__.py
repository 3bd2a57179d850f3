"""The Chinese typing test (50 字/分): passages, scoring engine, browser widget, keystroke agent."""


VIEWS = (
    "typing_test.views",
    "typing_test.examiner_views",
    "typing_test.station_api",
    "typing_test.passage_views",
)


def cli_commands() -> tuple:
    """This package's ``callexam`` command groups."""
    from typing_test.cli import passages_group, station_cmd
    return (station_cmd, passages_group)


def init_app(app) -> None:
    """Register this package's blueprints and command groups with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS, cli_commands())
    from typing_test.station_api import bp as station_api
    app.extensions["csrf"].exempt(station_api)  # stations sign every request (typing_test.station_protocol)
    from typing_test import answer_sheet
    answer_sheet.register()


def register_parts() -> None:
    """This package's timed part (``exam.parts``)."""
    import typing_test.part  # noqa: F401  (registers itself)
