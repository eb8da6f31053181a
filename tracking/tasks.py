"""Background work of tracking: the retention of the person's helpers' records."""

from __future__ import annotations

from celery import shared_task

from .helpers.retention import purge_expired_helper_data


@shared_task(acks_late=True)
def purge_helper_data() -> dict[str, int]:
    """Celery beat, hourly: delete auto tracker records and idle periods past their
    person's retention."""
    purged = purge_expired_helper_data()
    return {"activity": purged.activity, "idle_periods": purged.idle_periods}
