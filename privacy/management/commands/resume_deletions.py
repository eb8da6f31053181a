"""Finish the account deletions a failure interrupted, for operators (and cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from clockify.celery import queue_on_commit
from privacy import archives, erasure
from privacy.tasks import send_deletion_email


class Command(BaseCommand):
    help = (
        "Finish every account deletion that was asked for and has not completed (a region's "
        "database or storage was down), region by region, and delete expired archives. "
        "Safe to run again: each step is idempotent."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        pending = erasure.pending_deletions()
        failed = 0
        for user in pending:
            address = user.email
            self.stdout.write(f"Account {user.pk}: erasing")
            try:
                erasure.erase(user, report=lambda line: self.stdout.write(f"  {line}"))
            except Exception as error:  # reported; the other accounts go on
                failed += 1
                self.stderr.write(f"  Not finished: {error}. Run this command again later.")
                continue
            queue_on_commit(send_deletion_email, address, using="default")
        expired = archives.delete(archives.expired())
        self.stdout.write(
            f"{len(pending) - failed} of {len(pending)} deletion(s) finished; "
            f"{expired} expired archive(s) deleted."
        )
        if failed:
            raise CommandError(f"{failed} deletion(s) could not finish yet.")
