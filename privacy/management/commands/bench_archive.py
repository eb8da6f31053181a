"""Benchmark "download everything": build a person's archive at two sizes, each in a fresh
process, and compare the processes' peak memory (it must stay flat) and throughput."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy import archives
from tracking.demo import load_entries
from tracking.models import TimeEntry
from workspaces.models import User, Workspace
from workspaces.services import create_workspace

SMALL = 10_000
SMALL_EMAIL = "archive-bench@example.com"
# The archive's memory may grow by at most this much from SMALL entries to the large one.
FLAT_MB = 16


class Command(BaseCommand):
    help = "Measure building a person's archive (peak memory and rows/s) at two sizes."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--build", metavar="EMAIL", help="(internal) build one and report")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["build"]:
            self._build(options["build"])
            return
        large = User.objects.filter(email="demo@example.com").first()
        if large is None or large.active_workspace is None:
            raise CommandError("Run seed_demo first.")
        small = self._small_person(large.active_workspace.region)
        self._child(small.email)  # warm the database's caches for both
        results = [self._child(small.email), self._child(large.email)]
        low, high = results
        grew = (high["peak_rss"] - low["peak_rss"]) / 2**20
        self.stdout.write(f"{'measure':<52}{'value':>14}{'target':>12}{'ok':>5}")
        for result in results:
            rate = result["rows"] / result["seconds"]
            name = f"archive of {result['rows']:,} entries, rows/s"
            self.stdout.write(f"{name:<52}{rate:>14,.0f}")
            name = f"archive of {result['rows']:,} entries, process peak RSS"
            self.stdout.write(f"{name:<52}{result['peak_rss'] / 2**20:>11.1f} MB")
        name = f"peak RSS growth, {low['rows']:,} -> {high['rows']:,} entries"
        mark = "yes" if grew <= FLAT_MB else "NO"
        self.stdout.write(f"{name:<52}{grew:>11.1f} MB{f'<= {FLAT_MB} MB':>12}{mark:>5}")

    def _small_person(self, region: str) -> User:
        user = User.objects.filter(email=SMALL_EMAIL).first()
        if user is None:
            user = User.objects.create_user(SMALL_EMAIL, None, name="Archive Bench")
            workspace = create_workspace(user, "Archive bench", region)
            load_entries(workspace, [user.pk], SMALL, timezone.localdate() - timedelta(days=1))
        return user

    def _child(self, email: str) -> dict[str, Any]:
        command = [sys.executable, "manage.py", "bench_archive", "--build", email]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode:
            raise CommandError(f"Building the archive of {email} failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def _build(self, email: str) -> None:
        user = User.objects.get(email=email)
        region = Workspace.objects.filter(memberships__user=user).values_list("region", flat=True)
        region = region.first()
        rows = sum(
            TimeEntry.objects.in_workspace(workspace).filter(user_id=user.pk).count()
            for workspace in Workspace.objects.filter(memberships__user=user, region=region)
        )
        (archive,) = archives.request_archives(user, [region])
        started = time.perf_counter()
        archives.build(archive)
        seconds = time.perf_counter() - started
        archive.refresh_from_db()
        size = archive.size
        archives.delete(type(archive).objects.filter(pk=archive.pk))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
        result = {"rows": rows, "seconds": seconds, "peak_rss": peak, "size": size}
        self.stdout.write(json.dumps(result))
