"""Migrate the directory database and every region database."""

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Migrate the directory (default) and every region database (us, eu, uk, au)."

    def handle(self, *args: Any, **options: Any) -> None:
        for alias in settings.DATABASES:
            self.stdout.write(f"Migrating {alias}…")
            call_command(
                "migrate",
                database=alias,
                interactive=False,
                verbosity=max(options["verbosity"] - 1, 0),
            )
        self.stdout.write(self.style.SUCCESS(f"Migrated {', '.join(settings.DATABASES)}."))
