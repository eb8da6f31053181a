"""Restore time from a Detailed report CSV: plan it (for the preview), then apply it whole.

A plan reads the file with reports.csv_import, matches members by email, finds the clients,
projects, tasks and tags to create, and lists every row's problem. Applying re-checks the
plan inside one transaction of the region: either every new entry is saved or none is.
Rows identical to an entry the member already has (same start, end, description, project
and task) are skipped, so importing a file twice adds nothing the second time.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import IO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from tracking.models import Client, Project, Tag, Task, TimeEntry, WorkspaceSettings
from tracking.services import resolve_rate
from workspaces.models import Membership, User, Workspace
from workspaces.regions import uuid7

from .csv_import import DetailedRow, ParsedFile, RowError, read_detailed_csv

MAX_UPLOAD = 100 * 1024 * 1024
PREVIEW_ROWS = 10
# Uploaded files wait here for the person to confirm; older ones are removed.
UPLOAD_DIR = Path(tempfile.gettempdir()) / "clockify-imports"
UPLOAD_TTL = 3600
BATCH = 2000

_Key = tuple[int, datetime, datetime, str, object, object]


@dataclass
class ImportPlan:
    """What importing a file would do, or why it cannot."""

    parsed: ParsedFile
    people: dict[str, User] = field(default_factory=dict)  # lower-case email -> member
    errors: list[RowError] = field(default_factory=list)
    new_clients: list[str] = field(default_factory=list)
    new_projects: list[tuple[str, str]] = field(default_factory=list)  # (project, client)
    new_tasks: list[tuple[str, str]] = field(default_factory=list)  # (task, project)
    new_tags: list[str] = field(default_factory=list)
    duplicates: int = 0

    @property
    def ok(self) -> bool:
        """Whether applying would save the file's entries."""
        return not self.errors and self.parsed.ok

    @property
    def rows(self) -> list[DetailedRow]:
        return self.parsed.rows

    @property
    def preview(self) -> list[DetailedRow]:
        """The first rows, as they will be stored."""
        return self.parsed.rows[:PREVIEW_ROWS]

    @property
    def members(self) -> list[User]:
        """The members the rows belong to."""
        return sorted(self.people.values(), key=lambda user: user.email)


@dataclass(frozen=True)
class ImportResult:
    """What an import saved."""

    created: int
    skipped: int


def member_zone(user: User) -> tzinfo:
    """The zone the file's local times are read in: the importing member's."""
    try:
        return ZoneInfo(user.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def plan_import(
    workspace: Workspace,
    membership: Membership,
    source: Iterable[bytes] | IO[bytes],
    *,
    day_first: bool | None = None,
) -> ImportPlan:
    """Read a file and work out what importing it into `workspace` would do."""
    parsed = read_detailed_csv(source, zone=member_zone(membership.user), day_first=day_first)
    plan = ImportPlan(parsed=parsed, errors=list(parsed.errors))
    if parsed.error_count > len(parsed.errors):
        more = parsed.error_count - len(parsed.errors)
        plan.errors.append(RowError(0, f"… and {more} more problems."))
    _match_people(plan, membership)
    for row in parsed.rows:
        if row.end <= row.start:
            plan.errors.append(
                RowError(row.line, "The entry lasts no time (its end is its start); remove it.")
            )
    plan.errors.sort(key=lambda error: error.line)
    _find_catalog(plan, workspace)
    new = plan.new_clients or plan.new_projects or plan.new_tasks or plan.new_tags
    allowed = WorkspaceSettings.objects.for_workspace(workspace).members_can_manage_projects
    if new and not (membership.is_admin or allowed):
        plan.errors.insert(
            0,
            RowError(
                0,
                "The file needs clients, projects, tasks or tags this workspace does not have, "
                "and only admins can create them here.",
            ),
        )
    if plan.ok:
        plan.duplicates = _count_duplicates(plan, workspace)
    return plan


def _match_people(plan: ImportPlan, membership: Membership) -> None:
    if membership.is_admin:
        members = Membership.objects.filter(workspace_id=membership.workspace_id)
        known = {m.user.email.lower(): m.user for m in members.select_related("user")}
    else:
        known = {membership.user.email.lower(): membership.user}
    for row in plan.parsed.rows:
        email = row.email.lower()
        if email in known:
            plan.people[email] = known[email]
        elif not membership.is_admin:
            plan.errors.append(
                RowError(row.line, f"{row.email} is not you: members import their own time only.")
            )
        else:
            plan.errors.append(RowError(row.line, f"No member of this workspace has {row.email}."))


def _fold(name: str) -> str:
    # Names are unique regardless of case in a workspace, so they are matched that way.
    return name.lower()


def _find_catalog(plan: ImportPlan, workspace: Workspace) -> None:
    clients = {_fold(c.name) for c in Client.objects.in_workspace(workspace)}
    projects = {
        (_fold(p.name), _fold(p.client.name) if p.client else "")
        for p in Project.objects.in_workspace(workspace).select_related("client")
    }
    tasks = {
        (
            _fold(t.name),
            _fold(t.project.name),
            _fold(t.project.client.name) if t.project.client else "",
        )
        for t in Task.objects.in_workspace(workspace).select_related("project__client")
    }
    tags = {_fold(t.name) for t in Tag.objects.in_workspace(workspace)}
    for row in plan.parsed.rows:
        client, project, task = _fold(row.client), _fold(row.project), _fold(row.task)
        if row.client and not row.project:
            continue  # a client without a project has nowhere to put the entry
        if row.project and row.client and client not in clients:
            clients.add(client)
            plan.new_clients.append(row.client)
        if row.project and (project, client) not in projects:
            projects.add((project, client))
            plan.new_projects.append((row.project, row.client))
        if row.task and row.project and (task, project, client) not in tasks:
            tasks.add((task, project, client))
            plan.new_tasks.append((row.task, row.project))
        for tag in row.tags:
            if _fold(tag) not in tags:
                tags.add(_fold(tag))
                plan.new_tags.append(tag)
    for row in plan.parsed.rows:
        if row.task and not row.project:
            plan.errors.append(RowError(row.line, "The row has a task but no project."))
    plan.errors.sort(key=lambda error: error.line)


class _Catalog:
    """The workspace's clients, projects, tasks and tags by folded name; creates what lacks."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.clients = {_fold(c.name): c for c in Client.objects.in_workspace(workspace)}
        self.projects = {
            (_fold(p.name), p.client_id): p for p in Project.objects.in_workspace(workspace)
        }
        self.tasks = {
            (_fold(t.name), t.project_id): t for t in Task.objects.in_workspace(workspace)
        }
        self.tags = {_fold(t.name): t for t in Tag.objects.in_workspace(workspace)}

    def project(self, row: DetailedRow) -> Project | None:
        if not row.project:
            return None
        client = None
        if row.client:
            client = self.clients.get(_fold(row.client))
            if client is None:
                client = Client.objects.in_workspace(self.workspace).create(name=row.client)
                self.clients[_fold(row.client)] = client
        key = (_fold(row.project), client.id if client else None)
        if key not in self.projects:
            self.projects[key] = Project.objects.in_workspace(self.workspace).create(
                name=row.project, client=client, billable=bool(row.billable)
            )
        return self.projects[key]

    def task(self, row: DetailedRow, project: Project | None) -> Task | None:
        if not row.task or project is None:
            return None
        key = (_fold(row.task), project.id)
        if key not in self.tasks:
            self.tasks[key] = Task.objects.in_workspace(self.workspace).create(
                project=project, name=row.task
            )
        return self.tasks[key]

    def tag_ids(self, row: DetailedRow) -> list[object]:
        ids = []
        for name in row.tags:
            if _fold(name) not in self.tags:
                self.tags[_fold(name)] = Tag.objects.in_workspace(self.workspace).create(name=name)
            ids.append(self.tags[_fold(name)].id)
        return list(dict.fromkeys(ids))


def _count_duplicates(plan: ImportPlan, workspace: Workspace) -> int:
    """How many rows repeat an entry the member has (by names: nothing is created yet)."""
    entries = _span(plan, workspace).select_related("project__client", "task")
    existing = {_name_key(entry) for entry in entries}
    return sum(1 for row in plan.rows if _row_key(plan, row) in existing)


def _row_key(plan: ImportPlan, row: DetailedRow) -> _Key:
    user = plan.people[row.email.lower()]
    project = (_fold(row.project), _fold(row.client)) if row.project else None
    task = _fold(row.task) if row.task and row.project else None
    return (user.pk, row.start, row.end, row.description, project, task)


def _span(plan: ImportPlan, workspace: Workspace) -> QuerySet[TimeEntry]:
    """The plan's members' finished entries that start within the file's span."""
    rows = plan.rows
    if not rows:
        return TimeEntry.objects.none()
    return TimeEntry.objects.in_workspace(workspace).filter(
        user_id__in=[user.pk for user in plan.people.values()],
        start__gte=min(row.start for row in rows),
        start__lte=max(row.start for row in rows),
        end__isnull=False,
    )


def _name_key(entry: TimeEntry) -> _Key:
    project = entry.project
    return (
        entry.user_id,
        entry.start,
        entry.end,
        entry.description,
        (_fold(project.name), _fold(project.client.name) if project.client else "")
        if project
        else None,
        _fold(entry.task.name) if entry.task else None,
    )


class ImportFailed(Exception):
    """The file cannot be imported; the plan's errors say why."""


def apply_import(workspace: Workspace, plan: ImportPlan) -> ImportResult:
    """Save the plan's entries and the catalog they need, all or nothing."""
    if not plan.ok:
        raise ImportFailed("The file has problems; nothing was saved.")
    created = skipped = 0
    through = TimeEntry.tags.through
    try:
        with transaction.atomic(using=workspace.db_alias):
            catalog = _Catalog(workspace)
            existing = _existing_ids(plan, workspace)
            entries: list[TimeEntry] = []
            links: list[object] = []
            rates: dict[tuple[int, object], Decimal | None] = {}
            ids = _descending_ids(len(plan.rows))
            for row, entry_id in zip(plan.rows, ids, strict=True):
                user = plan.people[row.email.lower()]
                project = catalog.project(row)
                task = catalog.task(row, project)
                key = (user.pk, row.start, row.end, row.description, _id(project), _id(task))
                if key in existing:
                    skipped += 1
                    continue
                rate = row.rate
                if rate is None:
                    rate_key = (user.pk, _id(project))
                    if rate_key not in rates:
                        rates[rate_key] = resolve_rate(workspace, user.pk, project)
                    rate = rates[rate_key]
                billable = row.billable
                if billable is None:
                    billable = bool(project and project.billable)
                entry = TimeEntry(
                    id=entry_id,
                    user_id=user.pk,
                    description=row.description,
                    project=project,
                    task=task,
                    billable=billable,
                    start=row.start,
                    end=row.end,
                    hourly_rate=rate,
                )
                entries.append(entry)
                links.extend(
                    through(timeentry_id=entry.id, tag_id=tag_id) for tag_id in catalog.tag_ids(row)
                )
                created += 1
                if len(entries) >= BATCH:
                    _flush(workspace, entries, links)
            _flush(workspace, entries, links)
    except IntegrityError as error:
        raise ImportFailed(
            f"The database refused the import, nothing was saved ({error})."
        ) from None
    return ImportResult(created=created, skipped=skipped)


def _descending_ids(count: int) -> list[uuid.UUID]:
    """Fresh time-ordered ids, highest first: rows that start at the same second then
    keep the file's order (newest first, ties by id) when exported again."""
    base = uuid7().int & ~((1 << 40) - 1)
    return [uuid.UUID(int=base + count - index) for index in range(count)]


def _id(row: object | None) -> object | None:
    return getattr(row, "id", None)


def _existing_ids(plan: ImportPlan, workspace: Workspace) -> set[_Key]:
    columns = ("user_id", "start", "end", "description", "project_id", "task_id")
    return set(_span(plan, workspace).values_list(*columns))


def _flush(workspace: Workspace, entries: list[TimeEntry], links: list[object]) -> None:
    TimeEntry.objects.in_workspace(workspace).bulk_create(entries)
    TimeEntry.tags.through.objects.using(workspace.db_alias).bulk_create(links)
    entries.clear()
    links.clear()


# --- Uploaded files waiting for confirmation ---


def store_upload(chunks: Iterable[bytes]) -> str:
    """Write an upload to the waiting folder under a new random token; return the token."""
    sweep_uploads()
    UPLOAD_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    with open(upload_path(token), "xb") as file:
        for chunk in chunks:
            file.write(chunk)
    return token


def upload_path(token: str) -> Path:
    """Where a waiting upload is kept; the token is ours, never a path from the request."""
    if not token or not all(c.isalnum() or c in "-_" for c in token):
        raise ValueError("Not an upload token.")
    return UPLOAD_DIR / f"{token}.csv"


def discard_upload(token: str) -> None:
    """Remove a waiting upload."""
    with contextlib.suppress(ValueError):
        upload_path(token).unlink(missing_ok=True)


def sweep_uploads(now: float | None = None) -> None:
    """Remove uploads nobody confirmed within UPLOAD_TTL."""
    now = now or time.time()
    if not UPLOAD_DIR.is_dir():
        return
    for path in UPLOAD_DIR.glob("*.csv"):
        try:
            if now - path.stat().st_mtime > UPLOAD_TTL:
                path.unlink()
        except OSError:
            continue  # another worker removed it first


def upload_age(token: str) -> float | None:
    """Seconds since an upload was stored; None if it is gone."""
    try:
        return time.time() - os.stat(upload_path(token)).st_mtime
    except (OSError, ValueError):
        return None
