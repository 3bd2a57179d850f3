"""Certificates: issue rules, numbering, PDF rendering, signing, verification, revocation."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def keys_folder(config: Mapping) -> Path:
    """Where an instance keeps its signing keys (``callexam keys init``): the web views, the CLI and
    the verifier's command all sign or check with the same folder."""
    return Path(config["INSTANCE_PATH"]) / "keys"
