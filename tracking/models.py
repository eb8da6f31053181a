"""Regional tracking data. Every model here lives in its workspace's region database."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from workspaces.models import RATE_FIELD
from workspaces.regions import RegionalModel, RegionalQuerySet

if TYPE_CHECKING:
    from workspaces.models import Membership, Workspace

# Clockify's limits (FORMATS.md).
DESCRIPTION_MAX = 3000
TASK_NAME_MAX = 1000
PROJECT_NAME_MAX = 250
CLIENT_NAME_MAX = 100
TAG_NAME_MAX = 100


class MemberRate(RegionalModel):
    """A member's hourly rate in a workspace; overrides the workspace default."""

    person_fields = ("user_id",)

    user_id = models.BigIntegerField()
    hourly_rate = models.DecimalField(**RATE_FIELD)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace_id", "user_id"], name="member_rate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.hourly_rate} for user {self.user_id}"


class ArchivableQuerySet(RegionalQuerySet):
    def active(self) -> ArchivableQuerySet:
        """Rows that can still be picked for new time."""
        return self.filter(archived=False)


class Client(RegionalModel):
    """Who the work is for."""

    name = models.CharField(max_length=CLIENT_NAME_MAX)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "workspace_id", Lower("name"), name="client_name_unique_in_workspace"
            ),
        ]
        ordering = [Lower("name")]

    def __str__(self) -> str:
        return self.name


class ProjectQuerySet(ArchivableQuerySet):
    def visible_to(self, user_id: int, *, is_admin: bool) -> ProjectQuerySet:
        """Projects a member may see: public ones and private ones they belong to."""
        if is_admin:
            return self
        return self.filter(
            models.Q(is_public=True) | models.Q(memberships__user_id=user_id)
        ).distinct()

    def usable_by(self, membership: Membership, *, keeping: object = None) -> ProjectQuerySet:
        """Projects the member may put time on: visible to them and not archived.

        The one rule for the tracker, the timesheet, the API and the CSV import. `keeping`
        is the project an edited entry already has, kept even if archived since.
        """
        visible = self.visible_to(membership.user_id, is_admin=membership.is_admin)
        if keeping is None:
            return visible.active()
        return visible.filter(models.Q(archived=False) | models.Q(pk=keeping))


class Project(RegionalModel):
    """What time is tracked on; optionally for a client, with its own rate and colour."""

    name = models.CharField(max_length=PROJECT_NAME_MAX)
    client = models.ForeignKey(
        Client, null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    color = models.CharField(
        max_length=7,
        default="#2f6fdf",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #2f6fdf.")],
    )
    billable = models.BooleanField("billable by default", default=True)
    hourly_rate = models.DecimalField(null=True, blank=True, **RATE_FIELD)
    is_public = models.BooleanField(
        "public", default=True, help_text="Public projects are open to every member."
    )
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        # Unique per client; NULL clients are compared too (two constraints, for SQLite).
        constraints = [
            models.UniqueConstraint(
                "workspace_id",
                "client",
                Lower("name"),
                condition=models.Q(client__isnull=False),
                name="project_name_unique_per_client",
            ),
            models.UniqueConstraint(
                "workspace_id",
                Lower("name"),
                condition=models.Q(client__isnull=True),
                name="project_name_unique_without_client",
            ),
        ]
        ordering = [Lower("name")]

    def __str__(self) -> str:
        return self.name


class ProjectMember(RegionalModel):
    """A member who may track time on a private project."""

    person_fields = ("user_id",)

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user_id"], name="project_member_unique")
        ]

    def __str__(self) -> str:
        return f"user {self.user_id} on {self.project_id}"


class TaskStatus(models.TextChoices):
    ACTIVE = "ACTIVE", "Active"
    DONE = "DONE", "Done"


class TaskQuerySet(RegionalQuerySet):
    def open(self, *, keeping: object = None) -> TaskQuerySet:
        """Tasks time may go on (not done); `keeping` is an edited entry's own task."""
        if keeping is None:
            return self.filter(status=TaskStatus.ACTIVE)
        return self.filter(models.Q(status=TaskStatus.ACTIVE) | models.Q(pk=keeping))

    def usable_by(self, membership: Membership) -> TaskQuerySet:
        """Open tasks of the projects the member may put time on."""
        projects = Project.objects.in_workspace(self._require_workspace()).usable_by(membership)
        return self.open().filter(project__in=projects)


class Task(RegionalModel):
    """A piece of a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    name = models.CharField(max_length=TASK_NAME_MAX)
    status = models.CharField(max_length=6, choices=TaskStatus.choices, default=TaskStatus.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TaskQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint("project", Lower("name"), name="task_name_unique_in_project"),
        ]
        ordering = [Lower("name")]

    def __str__(self) -> str:
        return self.name


class Tag(RegionalModel):
    """A label for entries, e.g. 'meeting'."""

    name = models.CharField(max_length=TAG_NAME_MAX)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ArchivableQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint("workspace_id", Lower("name"), name="tag_name_unique"),
        ]
        ordering = [Lower("name")]

    def __str__(self) -> str:
        return self.name


class TimeEntryQuerySet(RegionalQuerySet):
    def running(self) -> TimeEntryQuerySet:
        """Entries whose timer is still going."""
        return self.filter(end__isnull=True)

    def finished(self) -> TimeEntryQuerySet:
        return self.filter(end__isnull=False)

    def of_user(self, user_id: int) -> TimeEntryQuerySet:
        return self.filter(user_id=user_id)


class TimeEntry(RegionalModel):
    """A span of someone's time, running while `end` is empty."""

    person_fields = ("user_id",)

    user_id = models.BigIntegerField()
    description = models.CharField(max_length=DESCRIPTION_MAX, blank=True)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="entries", through="TimeEntryTag")
    billable = models.BooleanField(default=False)
    start = models.DateTimeField()
    end = models.DateTimeField(null=True, blank=True)
    # The rate that applied when the entry was made (project, else member, else workspace):
    # later rate changes do not rewrite history unless someone asks for it explicitly.
    hourly_rate = models.DecimalField(null=True, blank=True, **RATE_FIELD)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TimeEntryQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__isnull=True) | models.Q(end__gt=models.F("start")),
                name="entry_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["workspace_id", "user_id"],
                condition=models.Q(end__isnull=True),
                name="one_running_entry_per_member",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace_id", "user_id", "-start"], name="entry_user_start"),
            models.Index(fields=["workspace_id", "-start"], name="entry_workspace_start"),
            # Report totals, grouped by (billable, rate): read from this index alone, already in
            # group order, a million entries add up without touching the table or hashing the
            # rate of every row. Key columns rather than include=, which SQLite would ignore
            # with a warning on every migrate.
            models.Index(
                fields=["workspace_id", "billable", "hourly_rate", "start", "end"],
                condition=models.Q(end__isnull=False),
                name="entry_totals",
            ),
        ]
        verbose_name_plural = "time entries"

    def __str__(self) -> str:
        return f"{self.description or '(no description)'} from {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.end is None

    @property
    def duration(self) -> timedelta:
        """How long the entry lasted, or has lasted so far while running."""
        return (self.end or timezone.now()) - self.start

    @property
    def amount(self) -> Decimal | None:
        """What the entry is worth if billable: hours times the stored rate."""
        if not self.billable or self.hourly_rate is None or self.end is None:
            return None
        hours = Decimal(self.duration.total_seconds()) / Decimal(3600)
        return (hours * self.hourly_rate).quantize(Decimal("0.01"))

    def save(self, *args: object, **kwargs: object) -> None:
        # Whole seconds, as Clockify stores and exports them: a CSV backup then restores
        # exactly the same entries.
        self.start = self.start.replace(microsecond=0)
        if self.end is not None:
            self.end = self.end.replace(microsecond=0)
        super().save(*args, **kwargs)

    def stop(self, at: datetime | None = None) -> None:
        """Stop the timer at `at` (now by default)."""
        self.end = at or timezone.now()
        self.save(update_fields=["end", "updated_at"])

    def set_tags(self, workspace: Workspace, tags: Iterable[Tag]) -> None:
        """Link the entry to exactly these tags of its workspace."""
        if self.workspace_id != workspace.id:
            raise ValueError("An entry is tagged in its own workspace's scope only.")
        links = TimeEntryTag.objects.in_workspace(workspace).filter(entry=self)
        wanted = {tag.pk for tag in tags}
        links.exclude(tag_id__in=wanted).delete()
        have = set(links.values_list("tag_id", flat=True))
        TimeEntryTag.objects.in_workspace(workspace).bulk_create(
            TimeEntryTag(entry=self, tag_id=tag_id) for tag_id in wanted - have
        )
        # As Django's own tags.set() does: a prefetched list of tags is stale now.
        getattr(self, "_prefetched_objects_cache", {}).pop("tags", None)


class TimeEntryTag(RegionalModel):
    """A tag on an entry: the join table, regional like both ends, with their workspace."""

    entry = models.ForeignKey(TimeEntry, on_delete=models.CASCADE, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="entry_links")

    class Meta:
        verbose_name = "tag on an entry"
        verbose_name_plural = "tags on entries"
        constraints = [
            models.UniqueConstraint(fields=["entry", "tag"], name="entry_tag_unique"),
        ]

    def __str__(self) -> str:
        return f"tag {self.tag_id} on {self.entry_id}"


class EntryTotal(RegionalModel):
    """Finished entries added up per member, project, task, billable and rate, over all time.

    Kept by PostgreSQL triggers on the entries table (migration 0003), in the same transaction
    as every insert, update and delete of entries (COPY included), so it is exact whenever
    an entry is; nothing in Python writes it. The Detailed report's totals for all time read
    these few rows instead of a million entries. On SQLite there are no triggers and the
    table stays empty: the report adds up the entries themselves (reports.detailed.totals_of).
    """

    derived_from = ("tracking.TimeEntry",)
    person_fields = ("user_id",)

    user_id = models.BigIntegerField()
    # Foreign keys only for the report's filters (project__client_id ...): no constraint, as
    # a project or task may go while its zeroed rows stay.
    project = models.ForeignKey(
        Project,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    task = models.ForeignKey(
        Task, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    billable = models.BooleanField()
    hourly_rate = models.DecimalField(null=True, **RATE_FIELD)
    count = models.BigIntegerField()
    length = models.DurationField()  # the sum of (end - start), exact to the microsecond
    # Its key is a unique index NULLS NOT DISTINCT made with the triggers: SQLite has neither.


# The helpers' models live in their own package; importing them here registers them with
# the tracking app (and its migrations).
from .helpers.models import ActivityRecord, IdlePeriod  # noqa: E402, F401
