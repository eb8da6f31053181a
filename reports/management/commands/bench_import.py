"""Measure restoring a Detailed CSV: export the demo's newest entries, import them anew.

The file is written by the export itself, then planned (the preview) and applied into a
fresh workspace of the same region with the same members, as a person restoring a backup
would. Memory is the process's high-water mark above its size before each step, for a
large file and for a small one: the difference is what the file's length costs.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from reports.csv_format import ExportFormat
from reports.export import Person, detailed_csv
from reports.importing import MAX_UPLOAD, apply_import, plan_import
from reports.management.commands.bench_export import _peak, _reset_peak
from tracking.models import TimeEntry
from workspaces.models import Membership, User, Workspace, WorkspaceSettings
from workspaces.services import create_workspace

SMALL = 10_000
MB = 1024 * 1024


@dataclass
class Restore:
    """One file planned and imported."""

    rows: int
    size: int
    plan_seconds: float
    apply_seconds: float
    peak: int  # bytes above the process's size when the step began, the larger of the two


class Command(BaseCommand):
    help = "Import an export of the demo's newest entries into a new workspace; print a table."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rows", type=int, default=400_000, help="Rows of the large file (default 400,000)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = User.objects.filter(email="demo@example.com").first()
        if owner is None or owner.active_workspace is None:
            raise CommandError("Run seed_demo first.")
        source = owner.active_workspace
        entries = TimeEntry.objects.in_workspace(source).finished()
        rows = min(options["rows"], entries.count())
        if rows <= SMALL:
            raise CommandError(f"The demo needs more than {SMALL:,} entries.")
        vendor = connections[source.db_alias].vendor
        with tempfile.TemporaryDirectory() as folder:
            small = self._restore(owner, source, SMALL, Path(folder) / "small.csv")
            large = self._restore(owner, source, rows, Path(folder) / "large.csv")
        self.stdout.write(f"Restore of a Detailed CSV into an empty workspace ({vendor})")
        self.stdout.write(f"{'':<36}{'small':>14}{'large':>14}")
        table = [
            ("rows", f"{small.rows:,}", f"{large.rows:,}"),
            ("file size, MB", f"{small.size / MB:.1f}", f"{large.size / MB:.1f}"),
            ("preview (plan), s", f"{small.plan_seconds:.2f}", f"{large.plan_seconds:.2f}"),
            ("import (apply), s", f"{small.apply_seconds:.2f}", f"{large.apply_seconds:.2f}"),
            (
                "import, rows/s",
                f"{small.rows / small.apply_seconds:,.0f}",
                f"{large.rows / large.apply_seconds:,.0f}",
            ),
            ("peak memory above start, MB", f"{small.peak / MB:.1f}", f"{large.peak / MB:.1f}"),
        ]
        for name, first, second in table:
            self.stdout.write(f"{name:<36}{first:>14}{second:>14}")
        growth = (large.peak - small.peak) / MB
        self.stdout.write(f"memory the larger file costs: {growth:.1f} MB")
        if large.size > MAX_UPLOAD:
            self.stdout.write(f"(the large file is above the {MAX_UPLOAD // MB} MB upload limit)")

    def _restore(self, owner: User, source: Workspace, rows: int, path: Path) -> Restore:
        size = _export(owner, source, rows, path)
        target = create_workspace(owner, f"Restore of {rows:,} rows", source.region)
        owner.active_workspace = source  # the demo workspace stays the one benchmarks use
        owner.save(update_fields=["active_workspace"])
        for membership in Membership.objects.filter(workspace=source).exclude(user=owner):
            Membership.objects.create(workspace=target, user=membership.user, role=membership.role)
        membership = Membership.objects.select_related("user", "workspace").get(
            workspace=target, user=owner
        )
        base = _start_peak()
        started = time.perf_counter()
        plan = plan_import(target, membership, path)
        plan_seconds = time.perf_counter() - started
        plan_peak = _peak(os.getpid()) - base
        if not plan.ok:
            raise CommandError(f"The export does not import: {plan.errors[:3]}")
        base = _start_peak()
        started = time.perf_counter()
        result = apply_import(target, plan, keep_file_rates=True)
        apply_seconds = time.perf_counter() - started
        if result.created != rows:
            raise CommandError(f"Imported {result.created:,} of {rows:,} rows.")
        peak = max(plan_peak, _peak(os.getpid()) - base)
        return Restore(rows, size, plan_seconds, apply_seconds, peak)


def _export(owner: User, workspace: Workspace, rows: int, path: Path) -> int:
    """Write the newest `rows` entries as the owner would export them; return the bytes."""
    entries = TimeEntry.objects.in_workspace(workspace).finished()
    cutoff = entries.order_by("-start", "-id").values_list("start", "id")[rows - 1]
    newest = entries.filter(start__gte=cutoff[0]).exclude(start=cutoff[0], id__lt=cutoff[1])
    people = {
        m.user_id: Person(m.user.display_name, m.user.email)
        for m in Membership.objects.filter(workspace=workspace).select_related("user")
    }
    fmt = ExportFormat.for_member(owner, WorkspaceSettings.objects.for_workspace(workspace))
    with path.open("wb") as file:
        for chunk in detailed_csv(newest, fmt, people):
            file.write(chunk)
    return path.stat().st_size


def _start_peak() -> int:
    """Reset this process's high-water mark to its size now; return that size."""
    _reset_peak(os.getpid())
    return _peak(os.getpid())  # right after a reset, the high-water mark is the size
