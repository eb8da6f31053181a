"""Deterministic demo tracking data: clients, projects, tasks, tags and a year of entries.

Entries are written in bulk: PostgreSQL's COPY when the region is on PostgreSQL (a million
rows in well under a minute, then VACUUM), batched bulk_create elsewhere.
"""

from __future__ import annotations

import random
import time as clock
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from workspaces.models import Workspace, WorkspaceSettings
from workspaces.regions import region_vendor, regional_cursor, uuid7

from .models import (
    Client,
    MemberRate,
    Project,
    Tag,
    Task,
    TimeEntry,
    TimeEntryTag,
)

CATALOG = {
    "Acme Corp": [("Website redesign", "#e0457b", "120.00", ["Design", "Copy", "Front end"])],
    "Globex": [("Mobile app", "#2f6fdf", None, ["iOS", "Android", "Release"])],
    "Initech": [("Data migration", "#f08c00", "95.00", ["Planning", "Scripts"])],
    "Umbrella Health": [("Patient portal", "#22a06b", None, ["Research", "Build"])],
    "": [("Internal", "#6e7781", None, ["Meetings", "Hiring"]), ("Sales", "#8250df", None, [])],
}
TAGS = ["meeting", "deep work", "review", "support", "travel", "bug"]
DESCRIPTIONS = [
    "Weekly sync",
    "Sprint planning",
    "Code review",
    "Fix login redirect",
    "Client call",
    "Write proposal",
    "Design mock-ups",
    "Update documentation",
    "Deploy to staging",
    "Customer support tickets",
    "Interview candidate",
    "Research analytics options",
    "",
]
BATCH = 5000


@dataclass
class Catalog:
    projects: list[Project]
    tasks: dict[object, list[Task]]
    tags: list[Tag]


def build_catalog(workspace: Workspace) -> Catalog:
    """Create the demo clients, projects, tasks and tags once; return what exists."""
    scoped = Project.objects.in_workspace(workspace)
    if not scoped.exists():
        settings = WorkspaceSettings.objects.for_workspace(workspace)
        settings.hourly_rate = Decimal("75.00")
        settings.save(update_fields=["hourly_rate"])
        for client_name, projects in CATALOG.items():
            client = (
                Client.objects.in_workspace(workspace).create(name=client_name)
                if client_name
                else None
            )
            for name, color, rate, tasks in projects:
                project = scoped.create(
                    name=name,
                    client=client,
                    color=color,
                    hourly_rate=Decimal(rate) if rate else None,
                    billable=client is not None,
                )
                for task in tasks:
                    Task.objects.in_workspace(workspace).create(project=project, name=task)
        for tag in TAGS:
            Tag.objects.in_workspace(workspace).create(name=tag)
    projects = list(scoped.order_by("name"))
    tasks: dict[object, list[Task]] = {p.id: [] for p in projects}
    for task in Task.objects.in_workspace(workspace).order_by("name"):
        tasks[task.project_id].append(task)
    return Catalog(projects, tasks, list(Tag.objects.in_workspace(workspace).order_by("name")))


def _rates(workspace: Workspace, user_ids: list[int]) -> dict[int, Decimal | None]:
    default = WorkspaceSettings.objects.for_workspace(workspace).hourly_rate
    member = dict(MemberRate.objects.in_workspace(workspace).values_list("user_id", "hourly_rate"))
    return {user_id: member.get(user_id, default) for user_id in user_ids}


def generate(
    workspace: Workspace, user_ids: list[int], catalog: Catalog, count: int, until: date
) -> Iterator[tuple[tuple, list[object]]]:
    """Yield `count` realistic entries, newest day first, spread over the members' workdays.

    Every query runs before the first row is yielded: on PostgreSQL the rows feed a COPY,
    and the connection can run nothing else until it ends.
    """
    return _entries(workspace, user_ids, catalog, count, until, _rates(workspace, user_ids))


def _entries(
    workspace: Workspace,
    user_ids: list[int],
    catalog: Catalog,
    count: int,
    until: date,
    rates: dict[int, Decimal | None],
) -> Iterator[tuple[tuple, list[object]]]:
    rng = random.Random(f"{workspace.id}-{count}")
    made = 0
    day = until
    while made < count:
        if day.weekday() < 5:
            # A workday ends by 23:00 UTC: no entry runs into the next day, which for the
            # newest day (yesterday) would be today, perhaps still in the future.
            closing = datetime.combine(day, time(23, 0), tzinfo=UTC)
            for user_id in user_ids:
                moment = datetime.combine(day, time(8, 0), tzinfo=UTC)
                moment += timedelta(minutes=rng.randrange(0, 90, 5))
                for _ in range(rng.randint(3, 7)):
                    if made >= count:
                        return
                    length = timedelta(minutes=rng.randrange(15, 180, 5), seconds=rng.randrange(60))
                    if moment + length > closing:
                        break
                    project = rng.choice(catalog.projects) if rng.random() < 0.92 else None
                    tasks = catalog.tasks.get(project.id, []) if project else []
                    task = rng.choice(tasks) if tasks and rng.random() < 0.6 else None
                    tags = rng.sample(catalog.tags, k=rng.choice((0, 0, 0, 1, 1, 2)))
                    rate = (
                        project.hourly_rate if project and project.hourly_rate else rates[user_id]
                    )
                    end = moment + length
                    row = (
                        uuid7(),
                        workspace.id,
                        user_id,
                        rng.choice(DESCRIPTIONS),
                        project.id if project else None,
                        task.id if task else None,
                        bool(project and project.billable),
                        moment,
                        end,
                        rate,
                        end,
                        end,
                    )
                    made += 1
                    yield row, [tag.id for tag in tags]
                    moment += length + timedelta(minutes=rng.randrange(0, 45, 5))
        day -= timedelta(days=1)


def load_entries(
    workspace: Workspace, user_ids: list[int], count: int, until: date
) -> tuple[int, float]:
    """Write `count` demo entries; return how many and how many seconds it took."""
    started = clock.perf_counter()
    catalog = build_catalog(workspace)
    rows = generate(workspace, user_ids, catalog, count, until)
    postgresql = region_vendor(workspace) == "postgresql"
    with transaction.atomic(using=workspace.db_alias):
        if postgresql:
            _copy(workspace, rows)
        else:
            _bulk_create(workspace, rows)
    if postgresql:
        _vacuum(workspace)
    return count, clock.perf_counter() - started


# The order of a generated row: the COPY columns, also TimeEntry's field names.
ENTRY_COLUMNS = [
    "id",
    "workspace_id",
    "user_id",
    "description",
    "project_id",
    "task_id",
    "billable",
    "start",
    "end",
    "hourly_rate",
    "created_at",
    "updated_at",
]
TABLES = (TimeEntry._meta.db_table, TimeEntryTag._meta.db_table)


def _copy(workspace: Workspace, rows: Iterator[tuple[tuple, list[object]]]) -> None:
    entry_table, tag_table = TABLES
    links: list[tuple[object, object, object, object]] = []
    columns = ", ".join(f'"{c}"' for c in ENTRY_COLUMNS)
    with regional_cursor(workspace) as cursor:
        # The VACUUM that follows can mark pages all-visible only once this commit is on disk;
        # on a server with synchronous_commit off (the bench's) it would not be yet.
        cursor.execute("SET LOCAL synchronous_commit TO on")
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f'COPY "{entry_table}" ({columns}) FROM STDIN') as copy:
            for row, tag_ids in rows:
                copy.write_row(row)
                links.extend((uuid7(), workspace.id, row[0], tag_id) for tag_id in tag_ids)
        link_columns = "id, workspace_id, entry_id, tag_id"
        with raw.copy(f'COPY "{tag_table}" ({link_columns}) FROM STDIN') as copy:
            for link in links:
                copy.write_row(link)
        # Rows arrive newest first, out of the key order of most indexes, which grew by
        # splitting pages in half; rebuilt, they are compact, as after a restore.
        cursor.execute(f'REINDEX TABLE "{entry_table}"')
        cursor.execute(f'REINDEX TABLE "{tag_table}"')


def _vacuum(workspace: Workspace) -> None:
    """Give the planner fresh statistics and the visibility map of the just-loaded rows.

    Without statistics the planner takes the new tables for empty; without the visibility
    map an index-only scan (the report totals) must visit the table for every row, until
    autovacuum comes by, competing with the first requests.
    """
    tables = ", ".join(f'"{table}"' for table in TABLES)
    with regional_cursor(workspace) as cursor:
        if cursor.db.in_atomic_block:
            # VACUUM cannot run in a transaction, such as a test's.
            cursor.execute(f"ANALYZE {tables}")
        else:
            cursor.execute(f"VACUUM (ANALYZE) {tables}")


def _bulk_create(workspace: Workspace, rows: Iterator[tuple[tuple, list[object]]]) -> None:
    entries: list[TimeEntry] = []
    links: list[TimeEntryTag] = []
    for row, tag_ids in rows:
        entry = TimeEntry(**dict(zip(ENTRY_COLUMNS, row, strict=True)))
        entries.append(entry)
        links.extend(TimeEntryTag(entry_id=entry.id, tag_id=tag_id) for tag_id in tag_ids)
        if len(entries) >= BATCH:
            _flush(workspace, entries, links)
    _flush(workspace, entries, links)


def _flush(workspace: Workspace, entries: list[TimeEntry], links: list[TimeEntryTag]) -> None:
    TimeEntry.objects.in_workspace(workspace).bulk_create(entries)
    TimeEntryTag.objects.in_workspace(workspace).bulk_create(links)
    entries.clear()
    links.clear()
