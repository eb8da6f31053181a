"""Images, policies and entries for the capture tests."""

from __future__ import annotations

import io
import struct
import zlib
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from monitoring.models import MonitoringPolicy
from tests.files import files_in
from tracking.models import TimeEntry
from workspaces.models import Workspace
from workspaces.regions import storage_for


def image_bytes(
    size: tuple[int, int] = (400, 200), fmt: str = "PNG", edge: bool = True, **save: Any
) -> bytes:
    """An image whose left half is black and right half white: a sharp edge down the middle."""
    image = Image.new("RGB", size, "black")
    if edge:
        image.paste((255, 255, 255), (size[0] // 2, 0, size[0], size[1]))
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def upload(data: bytes, name: str = "shot.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels and holds almost none."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def turn_on(workspace: Workspace, **options: Any) -> MonitoringPolicy:
    fields = {"screenshots": True, "location": True, "blur": False, **options}
    policy = MonitoringPolicy.objects.in_workspace(workspace).first()
    if policy is None:
        return MonitoringPolicy.objects.in_workspace(workspace).create(**fields)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    return policy


# The test's "now", to the second, set as each test begins (tests/monitoring/conftest.py):
# moments made from it agree with one another, whichever second each call falls in.
_began: list[datetime] = []


def began() -> datetime:
    return _began[-1] if _began else timezone.now().replace(microsecond=0)


def timer(workspace: Workspace, user: Any, started: timedelta = timedelta(hours=1)) -> TimeEntry:
    """A running timer of `user` that started `started` ago."""
    start = began() - started
    return TimeEntry.objects.in_workspace(workspace).create(user_id=user.pk, start=start)


def entry(workspace: Workspace, user: Any, start: datetime, end: datetime) -> TimeEntry:
    return TimeEntry.objects.in_workspace(workspace).create(user_id=user.pk, start=start, end=end)


def stored(workspace: Workspace) -> list[str]:
    """The names of the workspace's files under screenshots/."""
    return files_in(storage_for(workspace), f"{workspace.id}/screenshots/")


def ago(**delta: float) -> datetime:
    return began() - timedelta(**delta)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
