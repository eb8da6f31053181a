"""Time the tracker, timesheet and report pages for the demo owner: server time and queries."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tracking.models import TimeEntry
from workspaces.models import User

RUNS = 7


class Command(BaseCommand):
    help = "Print median server time and queries of the tracker, timesheet and report pages."

    def handle(self, *args: Any, **options: Any) -> None:
        owner = User.objects.filter(email="demo@example.com").first()
        if owner is None or owner.active_workspace is None:
            raise CommandError("Run seed_demo first.")
        workspace = owner.active_workspace
        client = Client(SERVER_NAME="127.0.0.1")
        client.force_login(owner)
        count = TimeEntry.objects.in_workspace(workspace).count()
        self.stdout.write(f"{count:,} entries in the {workspace.region_label} database")
        self.stdout.write(f"{'page':<34}{'median ms':>10}{'max ms':>9}{'queries':>9}")
        tracker = reverse("tracking:tracker", args=[workspace.id])
        found = re.search(r'\?before=([^"&]+)', client.get(tracker).content.decode())
        if found is None:
            raise CommandError("The tracker shows no 'load more' link: seed more entries.")
        first = found.group(1)
        report = reverse("reports:detailed", args=[workspace.id])
        pages = {
            "tracker": tracker,
            "tracker, second page": f"{tracker}?before={first}",
            "timesheet, this week": reverse("tracking:timesheet", args=[workspace.id]),
            "detailed report, this week": report,
            # All time over every member: the deepest report there is, first and last page.
            "detailed report, first page": f"{report}?preset=all",
            "detailed report, last page": f"{report}?preset=all&last=1",
        }
        for name, url in pages.items():
            self._measure(name, lambda url=url: client.get(url))

    def _measure(self, name: str, request: Callable[[], Any]) -> None:
        request()  # warm caches and connections
        timings = []
        for _ in range(RUNS):
            contexts = [CaptureQueriesContext(connections[alias]) for alias in connections]
            for context in contexts:
                context.__enter__()
            started = time.perf_counter()
            response = request()
            timings.append((time.perf_counter() - started) * 1000)
            for context in contexts:
                context.__exit__(None, None, None)
            if response.status_code != 200:
                raise CommandError(f"{name} answered {response.status_code}")
        queries = sum(len(c.captured_queries) for c in contexts)
        self.stdout.write(
            f"{name:<34}{statistics.median(timings):>10.1f}{max(timings):>9.1f}{queries:>9}"
        )
