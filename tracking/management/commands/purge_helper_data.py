"""Delete auto tracker records and idle periods past their person's retention, for cron."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tracking.helpers.retention import purge_expired_helper_data


class Command(BaseCommand):
    help = (
        "Delete the auto tracker records and idle periods kept longer than their person's "
        "retention (profile), in every region; a region that is down is skipped. "
        "Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_expired_helper_data()
        self.stdout.write(
            f"Purged {purged.activity} auto tracker record(s) and "
            f"{purged.idle_periods} idle period(s)."
        )
