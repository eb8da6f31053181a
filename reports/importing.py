"""Restore time from a Detailed report CSV: plan it (for the preview), then apply it whole.

A plan reads the file with reports.csv_import, matches members by email, finds the clients,
projects, tasks and tags to create, and lists every row's problem. Applying reads the file
again and re-checks it inside one transaction of the region: either every new entry is
saved or none is. Both read the file as a stream and keep only a batch of rows in memory,
so a 100 MB file costs no more memory than a small one.
Rows identical to an entry the member already has (same start, end, description, project
and task) are skipped, so importing a file twice adds nothing the second time.
An uploaded file waits for its confirmation in the workspace's region: the file in the
region's storage, an ImportUpload row beside it, consumed by the import that saves it.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tracking.access import can_manage_catalog
from tracking.models import (
    Client,
    Project,
    Tag,
    Task,
    TaskStatus,
    TimeEntry,
    TimeEntryTag,
)
from tracking.rollup import defer_entry_totals, fold_inserted
from tracking.rules import EntryTimeError, check_entry_times
from tracking.services import resolve_rate
from workspaces import audit
from workspaces.models import Membership, User, Workspace, WorkspaceSettings
from workspaces.regions import storage_for, uuid7
from workspaces.validators import validate_single_line

from .csv_import import (
    MAX_ERRORS,
    DetailedCsv,
    DetailedRow,
    ParsedFile,
    RowError,
    Source,
    shown,
)
from .models import (
    FILE_NAME_MAX,
    UPLOAD_TTL,
    ImportUpload,
    ImportUploadQuerySet,
    imports_folder,
)

MAX_UPLOAD = 100 * 1024 * 1024
PREVIEW_ROWS = 10
# The preview lists this many of each kind of name (members too; it says how many more there
# are), and this many problems: a file with a million new names still makes a small page.
PREVIEW_NAMES = 20
PREVIEW_COLUMNS = 5
PREVIEW_ERRORS = 200
# The day order a file's own dates settle, and the preview planned at upload.
AUTO = "auto"
BATCH = 2000

_Key = tuple[int, datetime, datetime, str, object, object]


@dataclass
class Names:
    """The first `limit` names of a kind, and how many there are in all."""

    shown: list[str] = field(default_factory=list)
    count: int = 0
    limit: int = PREVIEW_NAMES

    def add(self, name: str) -> None:
        self.count += 1
        if len(self.shown) < self.limit:
            self.shown.append(name)

    @property
    def more(self) -> int:
        """How many are not shown."""
        return self.count - len(self.shown)

    def __bool__(self) -> bool:
        return self.count > 0


@dataclass
class ImportPlan:
    """What importing a file would do, or why it cannot; it keeps no more than a few rows."""

    reader: DetailedCsv
    membership: Membership  # the importing member: their rights decide what may be saved
    people: dict[str, User] = field(default_factory=dict)  # lower-case email -> member
    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS, by line
    error_count: int = 0
    row_count: int = 0
    preview: list[DetailedRow] = field(default_factory=list)  # the first rows, as stored
    # What would be created: the first PREVIEW_NAMES of each kind, and how many in all.
    new_clients: Names = field(default_factory=Names)
    new_projects: Names = field(default_factory=Names)  # "project (client)"
    new_tasks: Names = field(default_factory=Names)  # "project: task"
    new_tags: Names = field(default_factory=Names)
    duplicates: int = 0
    file_rates: bool = False  # whether a row gives a rate

    @property
    def parsed(self) -> ParsedFile:
        """The file's formats, as the reading found them."""
        return self.reader.parsed

    @property
    def ok(self) -> bool:
        """Whether applying would save the file's entries."""
        return not self.error_count and self.parsed.ok

    @property
    def members(self) -> list[User]:
        """The members the rows belong to."""
        return sorted(self.people.values(), key=lambda user: user.email)

    def add_error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, message))


@dataclass
class Preview:
    """What the preview page shows of a plan, and what a confirm needs of it.

    Kept on the upload's row (ImportUpload.previews), so a page shown again, or a confirm,
    does not read the file again to know it.
    """

    ok: bool
    limit: str | None
    row_count: int
    error_count: int
    errors: list[RowError]  # the first PREVIEW_ERRORS
    date_pattern: str | None
    date_label: str | None
    needs_day_first: bool
    clock: str | None
    seconds: bool | None
    currency: str | None
    ignored_columns: Names
    members: Names  # "Name (email)"
    new_clients: Names
    new_projects: Names
    new_tasks: Names
    new_tags: Names
    duplicates: int
    rows: list[DetailedRow]  # the first PREVIEW_ROWS
    file_rates: bool  # whether a row of the file gives a rate

    @property
    def new(self) -> bool:
        """Whether the import would create clients, projects, tasks or tags."""
        return bool(self.new_clients or self.new_projects or self.new_tasks or self.new_tags)

    def to_data(self) -> dict[str, Any]:
        """The preview as JSON data: times as ISO text, rates as decimal text."""
        return json.loads(json.dumps(asdict(self), default=str))

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Preview:
        names = {key: Names(**data[key]) for key in _NAMES_FIELDS}
        return cls(
            **{
                **data,
                **names,
                "errors": [RowError(**error) for error in data["errors"]],
                "rows": [_row_from_data(row) for row in data["rows"]],
            }
        )


_NAMES_FIELDS = (
    "ignored_columns",
    "members",
    "new_clients",
    "new_projects",
    "new_tasks",
    "new_tags",
)


def _row_from_data(data: dict[str, Any]) -> DetailedRow:
    rate = data["rate"]
    return DetailedRow(
        **{
            **data,
            "start": datetime.fromisoformat(data["start"]),
            "end": datetime.fromisoformat(data["end"]),
            "rate": None if rate is None else Decimal(rate),
        }
    )


def preview_of(plan: ImportPlan) -> Preview:
    """The plan as its preview shows it."""
    parsed = plan.parsed
    ignored = Names(limit=PREVIEW_COLUMNS)
    for name in parsed.ignored_columns:
        ignored.add(name)
    members = Names()
    for user in plan.members:
        members.add(f"{user.display_name} ({user.email})")
    return Preview(
        ok=plan.ok,
        limit=parsed.limit,
        row_count=plan.row_count,
        error_count=plan.error_count,
        errors=plan.errors[:PREVIEW_ERRORS],
        date_pattern=parsed.date_pattern,
        date_label=parsed.date_label,
        needs_day_first=parsed.needs_day_first,
        clock=parsed.clock,
        seconds=parsed.seconds,
        currency=parsed.currency,
        ignored_columns=ignored,
        members=members,
        new_clients=plan.new_clients,
        new_projects=plan.new_projects,
        new_tasks=plan.new_tasks,
        new_tags=plan.new_tags,
        duplicates=plan.duplicates,
        rows=plan.preview,
        file_rates=plan.file_rates,
    )


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
    source: Source,
    *,
    day_first: bool | None = None,
) -> ImportPlan:
    """Read a file as a stream and work out what importing it into `workspace` would do."""
    reader = DetailedCsv(source, zone=member_zone(membership.user), day_first=day_first)
    plan = ImportPlan(reader=reader, membership=membership)
    known = _known_people(membership)
    catalog = _Catalog(workspace, membership, plan=plan)
    now = timezone.now()
    batch: list[DetailedRow] = []
    for row in reader.rows():
        plan.row_count += 1
        plan.file_rates = plan.file_rates or row.rate is not None
        if len(plan.preview) < PREVIEW_ROWS:
            plan.preview.append(row)
        _check_row(plan, row, known, membership, catalog, now)
        batch.append(row)
        if len(batch) >= BATCH:
            _count_duplicates(plan, workspace, batch)
    _count_duplicates(plan, workspace, batch)
    plan.errors = sorted([*reader.parsed.errors, *plan.errors], key=lambda e: e.line)[:MAX_ERRORS]
    plan.error_count += reader.parsed.error_count
    if catalog.refused and not catalog.can_create:
        plan.error_count += 1
        plan.errors.insert(0, RowError(0, ONLY_ADMINS_CREATE))
    if not plan.ok:
        plan.duplicates = 0
    return plan


def resume_import(
    workspace: Workspace, membership: Membership, source: Source, preview: Preview
) -> ImportPlan:
    """The plan a preview was made from, for apply_import, without reading the file again.

    apply_import checks every row again as it saves it, so nothing the preview found is
    trusted but the file's date format and its number of rows.
    """
    reader = DetailedCsv(
        source, zone=member_zone(membership.user), date_pattern=preview.date_pattern
    )
    plan = ImportPlan(reader=reader, membership=membership, people=_known_people(membership))
    plan.row_count = preview.row_count
    if not preview.ok:
        plan.add_error(0, "The file has problems.")
    return plan


def _known_people(membership: Membership) -> dict[str, User]:
    """Whose rows the importing member may import, by lower-case email."""
    if not membership.is_admin:
        return {membership.user.email.lower(): membership.user}
    members = Membership.objects.filter(workspace_id=membership.workspace_id)
    return {m.user.email.lower(): m.user for m in members.select_related("user")}


def _check_row(
    plan: ImportPlan,
    row: DetailedRow,
    known: dict[str, User],
    membership: Membership,
    catalog: _Catalog,
    now: datetime,
) -> None:
    """Report what the file's reading cannot see: whose row it is, and what it needs."""
    email = row.email.lower()
    if email in known:
        plan.people[email] = known[email]
    for problem in _row_problems(row, known, membership, now):
        plan.add_error(row.line, problem)
    try:
        catalog.parts(row)
    except RowRefused as refusal:
        plan.add_error(row.line, refusal.message)


def _row_problems(
    row: DetailedRow, known: dict[str, User], membership: Membership, now: datetime
) -> list[str]:
    """Why the importing member cannot save this row, checked by the plan and on saving."""
    problems = []
    if row.email.lower() in known:
        pass
    elif not membership.is_admin:
        problems.append(f"{shown(row.email)} is not you: members import their own time only.")
    else:
        problems.append(f"No member of this workspace has {shown(row.email)}.")
    try:
        check_entry_times(row.start, row.end, now=now)
    except EntryTimeError as error:
        problems.append(error.message)
    names = [("Project", row.project), ("Client", row.client), ("Task", row.task)]
    for kind, name in [*names, *(("Tag", tag) for tag in row.tags)]:
        try:
            validate_single_line(name)
        except ValidationError as error:
            problems.append(f"{kind}: {error.messages[0]}")
    if row.task and not row.project:
        problems.append("The row has a task but no project.")
    return problems


def _fold(name: str) -> str:
    # Names are unique regardless of case in a workspace, so they are matched that way.
    return name.lower()


ONLY_ADMINS_CREATE = (
    "Some clients, projects, tasks or tags the file names are not available to you: only "
    "admins can create them here."
)


class RowRefused(Exception):
    """A row needs something the importing member may not use or create."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# A name the preview would create; the plan makes nothing.
_PLANNED = object()
_ProjectKey = tuple[str, str]  # folded project name, folded client name ("" for none)


class _Catalog:
    """The workspace's clients, projects, tasks and tags as the importing member may use them.

    The member's rights are the tracker's and the API's: projects and tasks come from
    Project/Task `usable_by(membership)` (visible to them, not archived, not done), tags must
    not be archived, and only someone who may manage the catalog creates what is missing.
    A project the member cannot see gets the very message of a project that does not exist
    and that they cannot create ("not available to you"); a member who may create projects
    cannot create one whose name a private project they cannot see already has (the names
    are unique), so that row is refused with the same message, and the private project is
    neither used nor shown.

    With `plan`, nothing is created: names are noted in the plan. Without, missing ones are
    created in the import's transaction.
    """

    def __init__(
        self, workspace: Workspace, membership: Membership, plan: ImportPlan | None = None
    ) -> None:
        self.workspace = workspace
        self.plan = plan
        settings = WorkspaceSettings.objects.for_workspace(workspace)
        self.can_create = can_manage_catalog(membership, settings)
        self.refused = False  # whether a row needed something unavailable
        self.clients = {_fold(c.name): c for c in Client.objects.in_workspace(workspace)}
        projects = Project.objects.in_workspace(workspace)
        usable = set(projects.usable_by(membership).values_list("id", flat=True))
        visible = set(
            projects.visible_to(membership.user_id, is_admin=membership.is_admin).values_list(
                "id", flat=True
            )
        )
        # key -> the project, or a string saying why it cannot be used
        self.projects: dict[_ProjectKey, object] = {}
        keys = {}
        for project in projects.select_related("client"):
            key = (_fold(project.name), _fold(project.client.name) if project.client else "")
            if project.id in usable:
                self.projects[key] = project
                keys[project.id] = key
            elif project.id in visible:
                self.projects[key] = f"Project “{shown(project.name)}” is archived."
            else:
                self.projects[key] = None  # as if it did not exist, but its name is taken
        self.tasks: dict[tuple[str, _ProjectKey], object] = {
            (_fold(task.name), keys[task.project_id]): task
            for task in Task.objects.in_workspace(workspace).filter(
                project__in=projects.usable_by(membership)
            )
        }
        self.tags = {_fold(t.name): t for t in Tag.objects.in_workspace(workspace)}

    def parts(self, row: DetailedRow) -> tuple[Project | None, Task | None, list[Tag]]:
        """The row's project, task and tags; raise RowRefused if the member may not use one."""
        tags = list({id(tag): tag for tag in map(self._tag, row.tags)}.values())
        if not row.project:
            return None, None, tags
        key = (_fold(row.project), _fold(row.client))
        project = self._project(row, key)
        task = self._task(row, key, project) if row.task else None
        return project, task, tags

    def _refuse(self, kind: str, name: str) -> RowRefused:
        self.refused = True
        return RowRefused(f"{kind} “{shown(name)}” is not available to you.")

    def _project(self, row: DetailedRow, key: _ProjectKey) -> Project:
        if key in self.projects:
            found = self.projects[key]
            if isinstance(found, str):
                raise RowRefused(found)
            if found is None:
                raise self._refuse("Project", row.project)
            return found  # type: ignore[return-value]
        if not self.can_create:
            raise self._refuse("Project", row.project)
        client = self._client(row) if row.client else None
        if self.plan is not None:
            self.plan.new_projects.add(
                f"{row.project} ({row.client})" if row.client else row.project
            )
            project: object = _PLANNED
        else:
            project = Project.objects.in_workspace(self.workspace).create(
                name=row.project, client=client, billable=bool(row.billable)
            )
        self.projects[key] = project
        return project  # type: ignore[return-value]

    def _client(self, row: DetailedRow) -> Client | None:
        client = self.clients.get(_fold(row.client))
        if client is _PLANNED:
            return None
        if client is not None:
            if client.archived:
                raise RowRefused(f"Client “{shown(row.client)}” is archived.")
            return client
        if self.plan is not None:
            self.plan.new_clients.add(row.client)
            self.clients[_fold(row.client)] = _PLANNED  # type: ignore[assignment]
            return None
        client = Client.objects.in_workspace(self.workspace).create(name=row.client)
        self.clients[_fold(row.client)] = client
        return client

    def _task(self, row: DetailedRow, key: _ProjectKey, project: Project) -> Task:
        task_key = (_fold(row.task), key)
        task = self.tasks.get(task_key)
        if task is not None:
            if task is not _PLANNED and task.status != TaskStatus.ACTIVE:
                raise RowRefused(f"Task “{shown(row.task)}” is done: no time can go on it.")
            return task  # type: ignore[return-value]
        if not self.can_create:
            raise self._refuse("Task", row.task)
        if self.plan is not None:
            self.plan.new_tasks.add(f"{row.project}: {row.task}")
            task = _PLANNED
        else:
            task = Task.objects.in_workspace(self.workspace).create(project=project, name=row.task)
        self.tasks[task_key] = task
        return task  # type: ignore[return-value]

    def _tag(self, name: str) -> Tag:
        tag = self.tags.get(_fold(name))
        if tag is not None:
            if tag is not _PLANNED and tag.archived:
                raise RowRefused(f"Tag “{shown(name)}” is archived.")
            return tag
        if not self.can_create:
            raise self._refuse("Tag", name)
        if self.plan is not None:
            self.plan.new_tags.add(name)
            tag = _PLANNED  # type: ignore[assignment]
        else:
            tag = Tag.objects.in_workspace(self.workspace).create(name=name)
        self.tags[_fold(name)] = tag
        return tag


def _count_duplicates(plan: ImportPlan, workspace: Workspace, batch: list[DetailedRow]) -> None:
    """Count the batch's rows that repeat an entry the member has, and empty the batch.

    Compared by names, as nothing is created yet; not counted once the file has problems.
    """
    if batch and not plan.error_count and not plan.reader.parsed.error_count:
        entries = _same_starts(workspace, plan, batch).select_related("project__client", "task")
        existing = {_name_key(entry) for entry in entries}
        plan.duplicates += sum(1 for row in batch if _row_key(plan, row) in existing)
    batch.clear()


def _row_key(plan: ImportPlan, row: DetailedRow) -> _Key:
    user = plan.people[row.email.lower()]
    project = (_fold(row.project), _fold(row.client)) if row.project else None
    task = _fold(row.task) if row.task and row.project else None
    return (user.pk, row.start, row.end, row.description, project, task)


def _same_starts(
    workspace: Workspace, plan: ImportPlan, batch: list[DetailedRow]
) -> QuerySet[TimeEntry]:
    """The plan's members' finished entries that start when a row of the batch starts."""
    return TimeEntry.objects.in_workspace(workspace).filter(
        user_id__in=[user.pk for user in plan.people.values()],
        start__in={row.start for row in batch},
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


def apply_import(
    workspace: Workspace,
    plan: ImportPlan,
    *,
    keep_file_rates: bool = False,
    upload: ImportUpload | None = None,
) -> ImportResult:
    """Read the file again and save its entries and the catalog they need, all or nothing.

    The rows go to the database in batches of BATCH, so memory stays flat whatever the
    file's size. A row identical to an entry that was there before the import is skipped;
    identical rows within the file are all kept, as they were distinct entries when exported.
    Every row is checked again as it is saved, with the member's rights as they are now.
    Entries get the rate that applies now (tracking.services.resolve_rate), as the tracker
    gives them; an admin restoring a backup may keep the file's rates instead.
    The `upload` the file came from, if any, is consumed in the same transaction: the
    entries and the upload's removal commit together or not at all (`_consume`), and so
    does the workspace's audit event of the import.
    """
    if not plan.ok:
        raise ImportFailed("The file has problems; nothing was saved.")
    if keep_file_rates and not plan.membership.is_admin:
        raise ImportFailed("Only admins can keep the file's rates; nothing was saved.")
    try:
        with transaction.atomic(using=workspace.db_alias):
            if upload is not None:
                _consume(workspace, upload)
            deferred = defer_entry_totals(workspace)
            writer = _Writer(workspace, plan, keep_file_rates=keep_file_rates)
            batch: list[DetailedRow] = []
            for row in plan.reader.rows():
                batch.append(row)
                if len(batch) >= BATCH:
                    writer.save(batch)
            writer.save(batch)
            if not plan.reader.parsed.ok or writer.count != plan.row_count:
                raise ImportFailed("The file changed since its preview; nothing was saved.")
            if deferred:
                fold_inserted(workspace, *writer.ours)
            audit.record(
                workspace,
                audit.Kind.IMPORT_CONFIRMED,
                actor_id=plan.membership.user_id,
                file_name=upload.file_name if upload is not None else None,
                created=writer.created,
                skipped=writer.count - writer.created,
            )
    except IntegrityError:
        # The database's own text may quote names: workspace content stays out of messages.
        raise ImportFailed(
            "The database refused the import (a name or an entry clashed with one saved "
            "meanwhile); nothing was saved. Try again."
        ) from None
    except OperationalError:  # e.g. chosen as a deadlock's victim
        raise ImportFailed(
            "The database could not finish the import just now; nothing was saved. "
            "Try again in a moment."
        ) from None
    return ImportResult(created=writer.created, skipped=writer.count - writer.created)


class _Writer:
    """Saves rows batch by batch inside apply_import's transaction."""

    def __init__(self, workspace: Workspace, plan: ImportPlan, *, keep_file_rates: bool) -> None:
        self.workspace = workspace
        self.plan = plan
        self.keep_file_rates = keep_file_rates
        self.catalog = _Catalog(workspace, plan.membership)
        self.now = timezone.now()
        self.rates: dict[tuple[int, object], Decimal | None] = {}
        self.count = self.created = 0
        # Fresh time-ordered ids, highest first: rows that start at the same second then
        # keep the file's order (newest first, ties by id) when exported again.
        self.base = uuid7().int & ~((1 << 40) - 1)
        self.ours = (self._id(plan.row_count - 1), self._id(0))

    def _id(self, index: int) -> uuid.UUID:
        return uuid.UUID(int=self.base + self.plan.row_count - index)

    def save(self, batch: list[DetailedRow]) -> None:
        """Save the batch's new entries and their tags, then empty the batch."""
        if self.count + len(batch) > self.plan.row_count:
            raise ImportFailed("The file changed since its preview; nothing was saved.")
        keyed = []
        for row in batch:
            user = self.plan.people.get(row.email.lower())
            problems = _row_problems(row, self.plan.people, self.plan.membership, self.now)
            try:
                project, task, tags = self.catalog.parts(row)
            except RowRefused as refusal:
                problems.append(refusal.message)
            if user is None or problems:
                raise ImportFailed(
                    f"Line {row.line}: {' '.join(problems)} The file or the workspace changed "
                    "since its preview; nothing was saved."
                )
            key = (user.pk, row.start, row.end, row.description, _id(project), _id(task))
            keyed.append((row, user, project, task, tags, key))
        existing = set(
            _same_starts(self.workspace, self.plan, batch)
            .exclude(id__range=self.ours)  # entries of this very import are not duplicates
            .values_list("user_id", "start", "end", "description", "project_id", "task_id")
        )
        entries: list[TimeEntry] = []
        links: list[TimeEntryTag] = []
        for row, user, project, task, tags, key in keyed:
            entry_id = self._id(self.count)
            self.count += 1
            if key in existing:
                continue
            entry = TimeEntry(
                id=entry_id,
                user_id=user.pk,
                description=row.description,
                project=project,
                task=task,
                billable=_billable(row, project),
                start=row.start,
                end=row.end,
                hourly_rate=self._rate(row, user, project),
            )
            entries.append(entry)
            links.extend(TimeEntryTag(entry_id=entry.id, tag_id=tag.id) for tag in tags)
        TimeEntry.objects.in_workspace(self.workspace).bulk_create(entries)
        TimeEntryTag.objects.in_workspace(self.workspace).bulk_create(links)
        self.created += len(entries)
        batch.clear()

    def _rate(self, row: DetailedRow, user: User, project: Project | None) -> Decimal | None:
        """The rate that applies now, or the file's if an admin chose to keep it."""
        if self.keep_file_rates and row.rate is not None:
            return row.rate
        key = (user.pk, _id(project))
        if key not in self.rates:
            self.rates[key] = resolve_rate(self.workspace, user.pk, project)
        return self.rates[key]


def _billable(row: DetailedRow, project: Project | None) -> bool:
    """The file's Billable, or the project's default when the file has no such column."""
    return bool(project and project.billable) if row.billable is None else row.billable


def _id(row: object | None) -> object | None:
    return getattr(row, "id", None)


# --- Uploaded files waiting for confirmation: a row of the region, the file in its storage ---

# PostgreSQL's "lock_not_available": a NOWAIT lock is held by another transaction.
LOCK_NOT_AVAILABLE = "55P03"


class UploadGone(Exception):
    """The upload, or its file, is no longer there: imported, cancelled or expired."""


class UploadBusy(Exception):
    """Another request is importing this upload right now."""


def store_upload(membership: Membership, file: UploadedFile, preview: Preview) -> ImportUpload:
    """Keep a member's uploaded file, and the preview planned from it, until they confirm.

    The file goes to the region's storage first, then its row: a file whose row could not be
    saved is deleted again (or swept, if the process died in between). The expired uploads
    of the workspace are swept first, so that happens at every upload even without a
    worker running the periodic sweep.
    """
    workspace = membership.workspace
    sweep_uploads(workspace)
    upload = ImportUpload(
        workspace_id=workspace.id,
        user_id=membership.user_id,
        file_name=(file.name or "")[:FILE_NAME_MAX],
        size=file.size,
        previews=json.dumps({AUTO: preview.to_data()}),
    )
    storage = storage_for(workspace)
    storage.save(upload.storage_name, file)
    try:
        ImportUpload.objects.in_workspace(workspace).bulk_create([upload])
    except BaseException:
        storage.delete(upload.storage_name)
        raise
    return upload


def waiting_upload(membership: Membership, upload_id: object) -> ImportUpload | None:
    """The member's upload waiting in their workspace, if it is there and not expired.

    Another member's upload, another workspace's and a malformed id are all no upload; an
    expired one is removed now.
    """
    upload = _uploads_of(membership, upload_id).first()
    if upload is not None and upload.is_expired(timezone.now()):
        _remove(membership.workspace, _uploads_of(membership, upload.id))
        return None
    return upload


def discard_upload(membership: Membership, upload_id: object) -> None:
    """Remove the member's waiting upload and its file (cancelled, or its file is missing).

    An upload being imported right now is left to its import.
    """
    _remove(membership.workspace, _uploads_of(membership, upload_id))


def _uploads_of(membership: Membership, upload_id: object) -> ImportUploadQuerySet:
    uploads = ImportUpload.objects.in_workspace(membership.workspace)
    try:
        pk = uuid.UUID(str(upload_id))
    except ValueError:
        return uploads.none()
    return uploads.filter(pk=pk, user_id=membership.user_id)


def open_upload(workspace: Workspace, upload: ImportUpload) -> File:
    """Open the upload's file in the region's storage; raise UploadGone if it is missing."""
    try:
        return storage_for(workspace).open(upload.storage_name, "rb")
    except FileNotFoundError:
        raise UploadGone("The uploaded file is missing.") from None


def kept_preview(upload: ImportUpload, order: str) -> Preview | None:
    """The preview kept for the upload and a day order ("auto", "day" or "month"), if any.

    One kept by an older version of the app, in another shape, is planned again.
    """
    try:
        return Preview.from_data(json.loads(upload.previews)[order])
    except (KeyError, TypeError, ValueError):
        return None


def keep_preview(workspace: Workspace, upload: ImportUpload, order: str, preview: Preview) -> None:
    """Keep a preview on the upload's row, unless the upload went meanwhile."""
    upload.previews = json.dumps({**json.loads(upload.previews), order: preview.to_data()})
    uploads = ImportUpload.objects.in_workspace(workspace).filter(pk=upload.pk)
    uploads.update(previews=upload.previews)


def import_upload(
    membership: Membership, upload: ImportUpload, preview: Preview, *, keep_file_rates: bool
) -> ImportResult:
    """Import a waiting upload as its preview found it, consuming the upload (apply_import).

    Raises UploadGone if it was imported or removed meanwhile, UploadBusy while another
    request imports it, ImportFailed if it cannot be imported (it then waits as before).
    """
    workspace = membership.workspace
    with open_upload(workspace, upload) as file:
        plan = resume_import(workspace, membership, file, preview)
        return apply_import(workspace, plan, keep_file_rates=keep_file_rates, upload=upload)


def _consume(workspace: Workspace, upload: ImportUpload) -> None:
    """Take an upload for the import whose transaction this runs in, or raise.

    Its row is locked, then deleted: the deletion commits with the entries, or rolls back
    with them, and the database drops the lock of a request that dies. PostgreSQL refuses at
    once while another import holds it (UploadBusy); SQLite's transactions take the write
    lock when they begin, so a second confirm waits for the first and finds the row gone
    (UploadGone). The file is deleted once the import has committed.
    """
    uploads = ImportUpload.objects.in_workspace(workspace).filter(pk=upload.pk)
    try:
        held = list(uploads.select_for_update(nowait=True).values_list("pk", flat=True))
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        raise UploadBusy("This upload is being imported right now.") from None
    if not held:
        raise UploadGone("The upload was imported or removed meanwhile.")
    uploads.delete()
    storage = storage_for(workspace)
    # A storage that fails here leaves an orphan file for the sweep, not a failed import.
    transaction.on_commit(
        partial(storage.delete, upload.storage_name), using=workspace.db_alias, robust=True
    )


def sweep_uploads(workspace: Workspace, now: datetime | None = None) -> int:
    """Remove the workspace's uploads nobody confirmed within UPLOAD_TTL, with their files,
    and the files of its imports folder that no upload owns once they are as old; return
    how many files went.

    Such files are left by a process that died between writing a file and its row, or
    between an import's commit and its file's deletion.
    """
    now = now or timezone.now()
    expired = ImportUpload.objects.in_workspace(workspace).expired(now)
    removed = _remove(workspace, expired) if expired.exists() else 0
    return removed + _sweep_orphans(workspace, now)


def _remove(workspace: Workspace, uploads: ImportUploadQuerySet) -> int:
    """Delete the uploads no import holds, then their files; return how many.

    An upload an import has locked is skipped on PostgreSQL (its import consumes it or
    leaves it waiting); on SQLite, the write lock waits for that import to end.
    """
    with transaction.atomic(using=workspace.db_alias):
        free = list(uploads.select_for_update(skip_locked=True).only("id", "workspace_id"))
        uploads.filter(pk__in=[upload.pk for upload in free]).delete()
    storage = storage_for(workspace)
    for upload in free:
        storage.delete(upload.storage_name)
    return len(free)


def _sweep_orphans(workspace: Workspace, now: datetime) -> int:
    """Delete the files of the workspace's imports folder older than UPLOAD_TTL that no
    upload owns; return how many."""
    storage = storage_for(workspace)
    folder = imports_folder(workspace.id)
    try:
        names = storage.listdir(folder)[1]
    except FileNotFoundError:  # a folder storage where nothing was uploaded yet
        return 0
    if not names:
        return 0
    uploads = ImportUpload.objects.in_workspace(workspace)
    owned = {f"{pk}.csv" for pk in uploads.values_list("pk", flat=True)}
    orphans = [name for name in names if name not in owned and _expired_file(name, now)]
    for name in orphans:
        storage.delete(folder + name)
    return len(orphans)


def _expired_file(name: str, now: datetime) -> bool:
    """Whether a file named after an upload's id was written more than UPLOAD_TTL ago.

    Ids are time-ordered UUIDs (uuid7) that start with their milliseconds; a file named
    otherwise is not ours to judge.
    """
    try:
        upload_id = uuid.UUID(name.removesuffix(".csv"))
    except ValueError:
        return False
    if upload_id.version != 7:
        return False
    written = datetime.fromtimestamp((upload_id.int >> 80) / 1000, UTC)
    return now - written > UPLOAD_TTL
