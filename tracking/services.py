"""Writes on time entries that involve several rows or rules: rates, the timer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from workspaces import audit
from workspaces.models import Workspace, WorkspaceSettings

if TYPE_CHECKING:
    from .forms_catalog import NamedRowForm

from . import rules
from .models import Client, MemberRate, Project, Tag, Task, TimeEntry


def resolve_rate(workspace: Workspace, user_id: int, project: Project | None) -> Decimal | None:
    """The hourly rate that applies now: the project's, else the member's, else the workspace's."""
    if project is not None and project.hourly_rate is not None:
        return project.hourly_rate
    member_rate = (
        MemberRate.objects.in_workspace(workspace)
        .filter(user_id=user_id)
        .values_list("hourly_rate", flat=True)
        .first()
    )
    if member_rate is not None:
        return member_rate
    return WorkspaceSettings.objects.for_workspace(workspace).hourly_rate


def apply_project_rate_to_past_entries(workspace: Workspace, project: Project) -> int:
    """Give the project's entries its current rate (or the fallback if it has none)."""
    entries = TimeEntry.objects.in_workspace(workspace).filter(project=project)
    if project.hourly_rate is not None:
        return entries.update(hourly_rate=project.hourly_rate)
    changed = 0
    for user_id in entries.values_list("user_id", flat=True).distinct():
        rate = resolve_rate(workspace, user_id, None)
        changed += entries.filter(user_id=user_id).update(hourly_rate=rate)
    return changed


def apply_member_rate_to_past_entries(workspace: Workspace, user_id: int) -> int:
    """Give the member's entries without a project rate the member's current rate."""
    rate = resolve_rate(workspace, user_id, None)
    return (
        TimeEntry.objects.in_workspace(workspace)
        .filter(user_id=user_id)
        .exclude(project__hourly_rate__isnull=False)
        .update(hourly_rate=rate)
    )


def apply_workspace_rate_to_past_entries(workspace: Workspace) -> int:
    """Give entries covered by neither a project nor a member rate the workspace's rate."""
    rate = WorkspaceSettings.objects.for_workspace(workspace).hourly_rate
    members_with_rates = MemberRate.objects.in_workspace(workspace).values_list(
        "user_id", flat=True
    )
    return (
        TimeEntry.objects.in_workspace(workspace)
        .exclude(project__hourly_rate__isnull=False)
        .exclude(user_id__in=list(members_with_rates))
        .update(hourly_rate=rate)
    )


class TimerError(Exception):
    """A timer action that cannot be done; the message says why, for the person."""


class NoRunningTimer(TimerError):
    """Stopping with no timer running."""


class TimerChanged(TimerError):
    """The timer is not in the state the page showed (a double click, or another tab)."""


# Means "whatever runs now" for `expected_running`: API clients follow Clockify's rule
# that starting stops the running timer; pages pass the id they showed instead.
ANY_RUNNING = object()


@dataclass
class EntryDetails:
    """What an entry is about, as cleaned by a form or an API schema."""

    description: str = ""
    project: Project | None = None
    task: Task | None = None
    tags: list[Tag] = field(default_factory=list)
    billable: bool = False

    @classmethod
    def of(cls, entry: TimeEntry) -> EntryDetails:
        """An entry's own details, to start it again or to keep them while its times change."""
        return cls(
            description=entry.description,
            project=entry.project,
            task=entry.task,
            tags=list(entry.tags.all()),
            billable=entry.billable,
        )


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _running_for_update(workspace: Workspace, user_id: int) -> TimeEntry | None:
    entries = TimeEntry.objects.in_workspace(workspace).of_user(user_id).running()
    return entries.select_for_update().first()


def start_timer(
    workspace: Workspace,
    user_id: int,
    details: EntryDetails,
    *,
    at: datetime | None = None,
    expected_running: object = ANY_RUNNING,
) -> TimeEntry:
    """Start a timer, stopping the running one at the same instant (Clockify's rule).

    One running entry per member is a partial unique index, so two concurrent starts
    cannot both win: the loser sees an IntegrityError, retries once against the new state,
    and otherwise reports a TimerError rather than failing.
    """
    at = _whole_second(at or timezone.now())
    rules.check_entry_times(at, None)
    for attempt in range(2):
        try:
            with transaction.atomic(using=workspace.db_alias):
                running = _running_for_update(workspace, user_id)
                running_id = running.id if running else None
                if expected_running is not ANY_RUNNING and running_id != expected_running:
                    raise TimerChanged("The timer changed meanwhile; this page now shows it.")
                if running is not None:
                    if running.start >= at:
                        raise TimerChanged("A timer was started this very second.")
                    running.stop(at)
                return _create(workspace, user_id, details, at, None)
        except IntegrityError:
            if attempt:
                raise TimerChanged("Another timer started at the same moment.") from None
            expected_running = ANY_RUNNING if expected_running is ANY_RUNNING else None
    raise AssertionError("unreachable")


def stop_timer(
    workspace: Workspace,
    user_id: int,
    *,
    at: datetime | None = None,
    expected_running: object = ANY_RUNNING,
) -> TimeEntry:
    """Stop the member's running timer; a timer stopped within its first second lasts 1 s."""
    at = _whole_second(at or timezone.now())
    with transaction.atomic(using=workspace.db_alias):
        running = _running_for_update(workspace, user_id)
        if running is None:
            raise NoRunningTimer("No timer is running.")
        if expected_running is not ANY_RUNNING and running.id != expected_running:
            raise TimerChanged("The timer changed meanwhile; this page now shows it.")
        end = max(at, running.start + timedelta(seconds=1))
        rules.check_entry_times(running.start, end, capped=False)
        running.stop(end)
        return running


def create_entry(
    workspace: Workspace, user_id: int, details: EntryDetails, start: datetime, end: datetime
) -> TimeEntry:
    """Add a finished entry by hand; EntryTimeError if its times break tracking.rules."""
    start, end = _whole_second(start), _whole_second(end)
    rules.check_entry_times(start, end)
    with transaction.atomic(using=workspace.db_alias):
        return _create(workspace, user_id, details, start, end)


def update_entry(
    workspace: Workspace,
    entry: TimeEntry,
    details: EntryDetails,
    start: datetime,
    end: datetime | None,
) -> TimeEntry:
    """Change an entry; its rate follows a change of project, and otherwise stays as stored.

    EntryTimeError if the new times break tracking.rules.
    """
    start, end = _whole_second(start), (_whole_second(end) if end else None)
    rules.check_entry_times(start, end)
    project_changed = entry.project_id != (details.project.id if details.project else None)
    with transaction.atomic(using=workspace.db_alias):
        entry.description = details.description
        entry.project = details.project
        entry.task = details.task
        entry.billable = details.billable
        entry.start, entry.end = start, end
        if project_changed:
            entry.hourly_rate = resolve_rate(workspace, entry.user_id, details.project)
        entry.save()
        entry.set_tags(workspace, details.tags)
    return entry


def delete_entry(workspace: Workspace, entry: TimeEntry, *, actor_id: int) -> None:
    """Delete a time entry; an admin deleting someone else's is in the workspace's audit log."""
    entry_id = entry.pk  # delete() empties it
    with transaction.atomic(using=workspace.db_alias):
        entry.delete()
        if entry.user_id != actor_id:
            audit.record(
                workspace,
                audit.Kind.ENTRY_DELETED,
                actor_id=actor_id,
                subject_id=entry.user_id,
                entry=str(entry_id),
                start=entry.start.isoformat(),
            )


def duplicate_entry(workspace: Workspace, entry: TimeEntry) -> TimeEntry:
    """Copy a finished entry, same times and details, as Clockify's Duplicate does."""
    with transaction.atomic(using=workspace.db_alias):
        copy = TimeEntry.objects.in_workspace(workspace).create(
            user_id=entry.user_id,
            description=entry.description,
            project=entry.project,
            task=entry.task,
            billable=entry.billable,
            start=entry.start,
            end=entry.end,
            hourly_rate=entry.hourly_rate,
        )
        copy.set_tags(workspace, entry.tags.all())
    return copy


def _create(
    workspace: Workspace,
    user_id: int,
    details: EntryDetails,
    start: datetime,
    end: datetime | None,
) -> TimeEntry:
    entry = TimeEntry.objects.in_workspace(workspace).create(
        user_id=user_id,
        description=details.description,
        project=details.project,
        task=details.task,
        billable=details.billable,
        start=start,
        end=end,
        hourly_rate=resolve_rate(workspace, user_id, details.project),
    )
    if details.tags:
        entry.set_tags(workspace, details.tags)
    return entry


def save_named_row(form: NamedRowForm) -> bool:
    """Save a valid catalog form in one transaction; a name taken meanwhile is its error."""
    try:
        with transaction.atomic(using=form.workspace.db_alias):
            form.save()
    except IntegrityError:
        # The unique constraint caught what clean() could not see: a concurrent save.
        form.add_error("name", form.duplicate_message())
        return False
    return True


def delete_catalog_row(workspace: Workspace, row: Client | Project | Task | Tag) -> bool:
    """Delete a client, project, task or tag; False while time entries or projects need it."""
    try:
        with transaction.atomic(using=workspace.db_alias):
            type(row).objects.in_workspace(workspace).filter(pk=row.pk).delete()
    except (ProtectedError, IntegrityError):
        # IntegrityError: a protecting row was added between the check and the delete.
        return False
    return True
