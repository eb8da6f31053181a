"""The Celery app: Redis is the broker when REDIS_URL is set, otherwise tasks run inline."""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Celery, Task
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clockify.settings")

app = Celery("clockify")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


class Queued:
    """What became of a task queued for after a commit: `ok` is None until the commit."""

    def __init__(self) -> None:
        self.ok: bool | None = None


def queue_on_commit(task: Task, *args: Any, using: str) -> Queued:
    """Publish `task(*args)` once the `using` database commits; log a failure, never raise it.

    A rolled-back transaction publishes nothing. A broker that is down costs the settings'
    bounded publish retries, then `ok` is False and the caller says so. Inline (no broker) the
    task runs right here, after the commit, and a failure it would retry later counts too.
    """
    queued = Queued()

    def publish() -> None:
        try:
            if app.conf.task_always_eager:
                # Inline, a retry runs at once inside the request that waits for it: allow one,
                # not the task's max_retries, so a mail server that is down costs two timeouts.
                # throw=False lets Celery retry inline at all; get() raises what was not retried.
                retries = max(task.max_retries - 1, 0)
                task.apply(args, retries=retries, throw=False).get()
            else:
                task.apply_async(args)
        except (OperationalError, OSError, *task.autoretry_for):
            logger.warning("Could not queue %s%r", task.name, args, exc_info=True)
            queued.ok = False
        else:
            queued.ok = True

    transaction.on_commit(publish, using=using)
    return queued
