"""How many processes serve the app, and how many database connections each may hold.

gunicorn.conf.py starts `web_workers()` processes and the settings size each process's
connection pools with `pool_size()`, from the same numbers, so that every process's pools
together stay under the database server's `max_connections`.
"""

from __future__ import annotations

import multiprocessing
import os


def web_workers() -> int:
    """gunicorn's worker processes: WEB_CONCURRENCY, else two a core plus one, at most 9."""
    configured = os.environ.get("WEB_CONCURRENCY", "").strip()
    if configured:
        return max(1, int(configured))
    return min(multiprocessing.cpu_count() * 2 + 1, 9)


def pool_size(max_connections: int, reserved: int, databases: int) -> int:
    """Connections per database and process that keep all workers under the server's limit.

    `databases` is how many of the app's databases share that server (all five in the usual
    setup); `reserved` is left for migrations, psql, Celery workers and PostgreSQL's own
    superuser slots.
    """
    return max(1, (max_connections - reserved) // (web_workers() * databases))
