"""The packages that make up the application, in the order they register themselves.

Each name is a package (or module) with ``init_app(app)``: it registers its blueprints, its console
commands (``cli_commands()``, also offered as ``app.cli`` groups) and its signal handlers
(``connect_signals()``). ``exam.app.create_app`` and the ``callexam`` command loop over this tuple and
import the packages by name, so the core never imports a domain package itself (the import-linter
contract in ``pyproject.toml`` checks that).

The order is the blueprints' registration order (URL rules of earlier packages match first).
"""

from __future__ import annotations

import importlib
from types import ModuleType

PACKAGES: tuple[str, ...] = (
    "exam.accounts",
    "exam.delivery",
    "exam.sessions",
    "exam.marking",
    "question_bank",
    "exam.health",
    "typing_test",
    "practical",
    "exam.notifications",
    "exam.proctoring",
    "exam.access",
    "certificates",
)


def modules() -> list[ModuleType]:
    return [importlib.import_module(name) for name in PACKAGES]


def cli_commands() -> list:
    """Every package's console command groups, for the ``callexam`` command (no app needed)."""
    commands = []
    for module in modules():
        commands.extend(getattr(module, "cli_commands", tuple)())
    return commands


def connect_signals() -> None:
    """Connect every package's signal handlers; safe to call more than once (blinker keeps one
    connection per receiver). Processes without a Flask app (the scheduler, console commands that
    publish) call this so cross-package reactions happen there too."""
    for module in modules():
        connect = getattr(module, "connect_signals", None)
        if connect is not None:
            connect()
    from exam import signals
    signals.connected()


def register(app, view_modules, commands=()) -> None:
    """A package's ``init_app``: register each view module's ``bp`` in order and offer its command
    groups as ``flask`` commands too. View modules are imported here, at app creation, so importing
    a package stays cheap for engines and scripts."""
    for name in view_modules:
        app.register_blueprint(importlib.import_module(name).bp)
    for command in commands:
        app.cli.add_command(command)


def init_app(app) -> None:
    """Every package's ``init_app`` and signal handlers, in ``PACKAGES`` order."""
    for module in modules():
        module.init_app(app)
    connect_signals()


def after_upgrade(engine) -> list[str]:
    """Each package's data step after ``callexam db upgrade`` brought the schema to head (e.g. the
    question bank carries an installed demo bank forward, the practical its stock scenarios). Data
    steps run on the current schema with the packages' own services, so they never depend on an old
    migration's view of a table. A step may return a report with ``lines()``: what it did, which the
    command prints."""
    lines: list[str] = []
    for module in modules():
        step = getattr(module, "after_upgrade", None)
        if step is not None:
            report = step(engine)
            if report is not None and hasattr(report, "lines"):
                lines += report.lines()
    return lines
