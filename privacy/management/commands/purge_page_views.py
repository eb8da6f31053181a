"""Delete page view counts older than 400 days, for cron where Celery beat does not run."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from privacy.models import PageViews


class Command(BaseCommand):
    help = "Delete the page view counts of days more than 400 days ago. Safe to run again."

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = PageViews.objects.purge_older_than()
        self.stdout.write(f"Purged {deleted} day(s) of page view counts.")
