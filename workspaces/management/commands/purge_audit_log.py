"""Delete audit events older than AUDIT_RETENTION_DAYS, for cron."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from workspaces.tasks import purge_audit_log_now


class Command(BaseCommand):
    help = (
        "Delete every workspace's audit events older than AUDIT_RETENTION_DAYS, in every "
        "region; a region that is down is skipped. Safe to run again."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        purged = purge_audit_log_now()
        days = settings.AUDIT_RETENTION_DAYS
        self.stdout.write(f"Purged {purged} audit event(s) older than {days} days.")
