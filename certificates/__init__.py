"""Certificates: issue rules, numbering, PDF rendering, signing, verification, revocation."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def keys_folder(config: Mapping) -> Path:
    """Where an instance keeps its signing keys (``callexam keys init``): the web views, the CLI and
    the verifier's command all sign or check with the same folder."""
    return Path(config["INSTANCE_PATH"]) / "keys"


VIEWS = (
    "certificates.views",
    "certificates.verify_views",
    "certificates.key_views",
)


def cli_commands() -> tuple:
    """This package's ``callexam`` command groups."""
    from certificates.cli import keys_group, certificates_group
    return (keys_group, certificates_group,)


def connect_signals() -> None:
    """Certificates are issued when a session's results are published (``exam.signals``)."""
    from certificates import reactions
    reactions.connect()


def init_app(app) -> None:
    """Register this package's blueprints and command groups with the app (``exam.domains``)."""
    from exam.domains import register
    register(app, VIEWS, cli_commands())
    from certificates.verify_views import api_verify
    app.extensions["csrf"].exempt(api_verify)  # acts for nobody: no session, no account (its docstring)
