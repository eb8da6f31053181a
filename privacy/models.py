"""What the privacy app keeps in the directory: the archives a person asked for, and the
cookieless page analytics (how many times each page was opened on each day, nothing else)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from workspaces.regions import Region, uuid7

# An archive can be downloaded this long after it was asked for; then it is deleted.
ARCHIVE_DAYS = 7


class Archive(models.Model):
    """One region's ZIP of everything about a person, built on request (privacy/archives.py).

    The row is in the directory, so the "your data" page can list a person's archives of
    every region; the file is in the region's storage only.
    """

    class Status(models.TextChoices):
        BUILDING = "building", "Being built"
        READY = "ready", "Ready"

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="archives"
    )
    region = models.CharField(max_length=2, choices=Region.choices)
    # The random part of the file's name: nothing of the person in it.
    key = models.CharField(max_length=40, unique=True, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.BUILDING)
    created_at = models.DateTimeField(default=timezone.now)
    ready_at = models.DateTimeField(null=True, blank=True)
    size = models.PositiveBigIntegerField(default=0)  # bytes

    class Meta:
        ordering = ["-created_at", "region"]

    def __str__(self) -> str:
        return f"Archive {self.id} ({self.region})"

    @property
    def storage_name(self) -> str:
        return f"archives/{self.key}.zip"

    @property
    def expires_at(self) -> datetime:
        return self.created_at + timedelta(days=ARCHIVE_DAYS)

    @property
    def file_name(self) -> str:
        return f"my-data-{self.region}-{self.created_at:%Y-%m-%d}.zip"


# Counts older than this are purged (privacy.tasks.purge_old_page_views): a year and a bit,
# enough to compare a month with the same month last year.
PAGE_VIEWS_KEPT = timedelta(days=400)


class PageViewsQuerySet(models.QuerySet["PageViews"]):
    def count_view(self, route: str, day: date | None = None) -> None:
        """Add one view of `route` on `day` (today in UTC by default).

        One UPDATE in the usual case. The first view of a route on a day creates the row;
        when two requests create it at once, the unique constraint refuses the second
        insert (in a savepoint, so the connection stays usable on PostgreSQL) and that one
        adds its view to the row the first made.
        """
        day = day or timezone.now().date()
        if self.filter(route=route, day=day).update(count=F("count") + 1):
            return
        try:
            with transaction.atomic(using=self.db):
                self.create(route=route, day=day, count=1)
        except IntegrityError:
            self.filter(route=route, day=day).update(count=F("count") + 1)

    def purge_older_than(self, kept: timedelta = PAGE_VIEWS_KEPT) -> int:
        """Delete the counts of days older than `kept`; return how many rows went."""
        deleted, _ = self.filter(day__lt=timezone.now().date() - kept).delete()
        return deleted


class PageViews(models.Model):
    """Views of one page (its route name, never its address) on one UTC day.

    No address, person, cookie or browser detail is kept, only the count; the middleware
    that counts (privacy.middleware) skips browsers that send Do Not Track or Global
    Privacy Control.
    """

    route = models.CharField(max_length=200)
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    objects = PageViewsQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["route", "day"], name="page_views_unique")]
        indexes = [models.Index(fields=["day"], name="page_views_day")]
        verbose_name = "page views"
        verbose_name_plural = "page views"

    def __str__(self) -> str:
        return f"{self.route} on {self.day}: {self.count}"
