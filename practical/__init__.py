"""Practical scenarios: service-phrase checks, data entry, KPIs and Erlang C, rubrics, examiner marking."""


VIEWS = (
    "practical.views",
    "practical.examiner_views",
    "practical.scenario_views",
    "practical.phrase_views",
)


def init_app(app) -> None:
    """Register this package's blueprints with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS)
