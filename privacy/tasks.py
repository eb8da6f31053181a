"""Background work of privacy: retention of the page view counts."""

from __future__ import annotations

from celery import shared_task

from .models import PageViews


@shared_task(acks_late=True)
def purge_old_page_views() -> int:
    """Celery beat, daily: delete page view counts older than 400 days; return how many."""
    return PageViews.objects.purge_older_than()
