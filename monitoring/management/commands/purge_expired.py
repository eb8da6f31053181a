"""Delete screenshots and location samples past their workspace's retention, for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from monitoring.captures import purge_expired


class Command(BaseCommand):
    help = (
        "Delete the screenshots (files first, then rows) and location samples kept longer than "
        "their workspace's retention, in every region; a region that is down is skipped. "
        "Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_expired()
        self.stdout.write(
            f"Purged {purged.screenshots} screenshot(s) and {purged.locations} location sample(s)."
        )
