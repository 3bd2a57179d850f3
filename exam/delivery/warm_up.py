"""A server worker's theory caches, filled before it takes requests (``exam.signals.worker_ready``).

The paper page is put together from per-version renderings and the start from per-version shapes
(``exam.delivery.paper_page``, ``exam.delivery.service.version_shapes``), each made the first time a
worker meets a version. Without this, the first room to start after a restart pays for them: each of
a worker's first paper pages renders most of its 82 questions, ~1,000 renders per worker for the
demo bank (issue 23). Rendering every approved version of every level at boot moves that cost to
where nobody waits for it; each level's approved pool is read and kept on the way. A version never
changes, so nothing rendered here can go stale; a version approved later is rendered when a page
first shows it, as before.
"""

from __future__ import annotations

import logging
import time

from sqlmodel import Session

from exam import standard, web
from exam.delivery import paper_page, service
from question_bank.pool_cache import level_pool

log = logging.getLogger(__name__)

#: Versions per query (an IN list of bound parameters).
_CHUNK = 500


def on_worker_ready(app) -> None:
    """Render the approved questions of every level; a failure (the database not reachable yet) is
    logged and the worker serves anyway, rendering as pages ask."""
    started = time.perf_counter()
    try:
        with app.test_request_context(), Session(web.engine()) as db:
            # reading each level's pool keeps it (question_bank.pool_cache): the first start skips it too
            ids = sorted({row[0] for level in standard.LEVELS for row in level_pool(db, level).rows})
            for i in range(0, len(ids), _CHUNK):
                service.version_shapes(db, ids[i:i + _CHUNK])
                paper_page.render_ahead(db, ids[i:i + _CHUNK])
    except Exception:  # noqa: BLE001 — never keep a worker from serving
        log.warning("工作进程预先渲染题目失败，将在首次显示时渲染", exc_info=True)
        return
    log.info("rendered %d question versions in %.0f ms", len(ids), 1000 * (time.perf_counter() - started))
