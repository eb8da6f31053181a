"""Regional data of the reports: CSV files waiting for their import to be confirmed."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone

from workspaces.regions import RegionalModel, RegionalQuerySet

# An upload nobody confirmed within this time is removed, with its file.
UPLOAD_TTL = timedelta(hours=1)
FILE_NAME_MAX = 200


def imports_folder(workspace_id: uuid.UUID) -> str:
    """Where a workspace's uploads wait in its region's storage: under its own prefix, so
    whatever copies or deletes the workspace's files (`workspace_prefixes`) finds them."""
    return f"{workspace_id}/imports/"


class ImportUploadQuerySet(RegionalQuerySet):
    def expired(self, now: datetime) -> ImportUploadQuerySet:
        """Uploads nobody confirmed within UPLOAD_TTL."""
        return self.filter(created_at__lt=now - UPLOAD_TTL)


class ImportUpload(RegionalModel):
    """A CSV file one member uploaded, waiting for them to confirm its import.

    The file is in the region's storage (`storage_name`); the row says whose it is and keeps
    what its preview showed, so showing the preview again reads no file. Both are the
    workspace's content, kept in its region, and for UPLOAD_TTL at most.
    """

    person_fields = ("user_id",)

    user_id = models.BigIntegerField()  # the uploader: nobody else may preview or confirm it
    file_name = models.CharField(max_length=FILE_NAME_MAX)  # as on the person's computer
    size = models.PositiveBigIntegerField()  # bytes
    created_at = models.DateTimeField(default=timezone.now)
    # Day order ("auto", "day" or "month") -> the preview planned for it (importing.Preview),
    # as JSON text: PostgreSQL's JSON columns refuse the NUL characters a file's cells may
    # hold, which a preview shows.
    previews = models.TextField(default="{}")

    objects = ImportUploadQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Upload {self.id} of user {self.user_id}"

    @property
    def storage_name(self) -> str:
        """The file's name in the region's storage; nothing of the person's file name."""
        return f"{imports_folder(self.workspace_id)}{self.id}.csv"

    def stored_files(self) -> list[str]:
        return [self.storage_name]

    def is_expired(self, now: datetime) -> bool:
        """Whether the upload waited longer than UPLOAD_TTL."""
        return self.created_at < now - UPLOAD_TTL
