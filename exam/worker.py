"""What a server worker does once it has built the app and before it takes requests (``exam.server``).

A room of candidates clicking 开始考试 together lands on freshly started workers as often as not (a
restart on exam morning, a worker replaced after a timeout). Whatever a worker makes on its first
requests, those candidates wait for (issue 23):

- **templates**: Jinja compiles each template the first time it is rendered, ~1.2 s of CPU for all 96
  of ours. Compiled code is kept in Jinja's own ``FileSystemBytecodeCache``, under the instance folder
  unless ``CALLEXAM_JINJA_CACHE`` names another (the browser tests share one between their servers).
  Entries are keyed by the template's name, checked against its source's checksum and written
  atomically, so workers booting together share them safely and an upgraded template is compiled
  afresh. Every template is loaded at boot: ~45 ms per worker once the cache holds them;
- **per-process caches of the domain packages**, filled by their ``worker_ready`` handlers (the
  theory part renders the approved questions).
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import FileSystemBytecodeCache

from exam import signals


def prepare(app: Flask) -> None:
    folder = Path(app.config["JINJA_CACHE_PATH"])
    folder.mkdir(parents=True, exist_ok=True)
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(str(folder))
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    with app.app_context():
        signals.send(signals.worker_ready, app)
