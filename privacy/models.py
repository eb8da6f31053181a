"""What the privacy app keeps in the directory: the archives a person asked for."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
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
