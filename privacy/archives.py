"""Download everything: a ZIP per region of all that is stored about a person there.

Each region's data stays in its region: the archive of a region is built from that region's
database and storage alone and kept in that region's storage (under `archives/`, apart from
any workspace's files), offered by a link that needs the same sign-in and expires after
ARCHIVE_DAYS; the periodic sweep then deletes it. The directory's part (the profile) is not
copied into any region: the "your data" page serves it on its own, live (`profile_json`).

What an archive holds is what the account's deletion would erase, found the same way
(through the registry's `person_fields` and `actor_fields`), so a regional model added
later is in the archive without anyone changing this module:

- per workspace, `<name>/detailed.csv`: the person's entries, all time, in the Detailed
  report's CSV format, which the import reads back (a backup that is also a recovery point);
- per workspace and kind, `<name>/<kind>.json`: every other row about or naming them
  (location samples, looks at their captures, notices, audit events...), as JSON;
- per workspace, `<name>/files/`: the files of those rows (screenshot images).

Built into a temporary file in chunks and uploaded from it: memory stays flat at any size.
"""

from __future__ import annotations

import json
import re
import secrets
import tempfile
import zipfile
from collections.abc import Iterator
from datetime import timedelta
from functools import reduce
from operator import or_
from typing import IO, Any

from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from reports.csv_format import ExportFormat
from reports.export import Person, detailed_csv
from tracking.models import EntryTotal, TimeEntry
from workspaces.models import User, Workspace, WorkspaceSettings
from workspaces.regions import RegionalModel, region_storage, regional_models

from .models import ARCHIVE_DAYS, Archive

# Rows written per JSON chunk.
JSON_CHUNK = 2000


def _naming(model: type[RegionalModel], user_id: int) -> models.Q | None:
    names = (*model.person_fields, *model.actor_fields)
    if not names:
        return None
    return reduce(or_, (models.Q(**{name: user_id}) for name in names))


def request_archives(user: User, regions: list[str]) -> list[Archive]:
    """Create the archives to build, one per region, unless one is being built there already."""
    building = set(
        Archive.objects.filter(user=user, status=Archive.Status.BUILDING).values_list(
            "region", flat=True
        )
    )
    return [
        Archive.objects.create(user=user, region=region, key=secrets.token_urlsafe(24))
        for region in regions
        if region not in building
    ]


def build(archive: Archive) -> None:
    """Build one region's archive and keep it in that region's storage; idempotent."""
    if archive.status != Archive.Status.BUILDING:
        return
    user = archive.user
    storage = region_storage(archive.region)
    workspaces = _workspaces_holding(user, archive.region)
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("README.txt", _readme(user, archive, workspaces))
            for workspace in workspaces:
                _write_workspace(zf, user, workspace, _folder(workspace))
        spool.seek(0, 2)
        size = spool.tell()
        spool.seek(0)
        storage.delete(archive.storage_name)  # a retry replaces what a failed run left
        storage.save(archive.storage_name, File(spool))
    archive.status, archive.size, archive.ready_at = Archive.Status.READY, size, timezone.now()
    archive.save(update_fields=["status", "size", "ready_at"])


def _workspaces_holding(user: User, region: str) -> list[Workspace]:
    """The workspaces of the region (as the directory says) holding rows naming the person."""
    ids: set[Any] = set()
    for model in regional_models():
        if model.derived_from or (about := _naming(model, user.pk)) is None:
            continue
        rows = model.objects.across_region(region).filter(about)
        ids.update(rows.values_list("workspace_id", flat=True).distinct().order_by())
    return list(Workspace.objects.filter(pk__in=ids, region=region).order_by("name", "id"))


def _folder(workspace: Workspace) -> str:
    name = re.sub(r"[^\w.-]+", "-", workspace.name).strip("-.")[:60] or "workspace"
    return f"{name}-{str(workspace.id)[:8]}"


def _write_workspace(zf: zipfile.ZipFile, user: User, workspace: Workspace, folder: str) -> None:
    # Finished entries: a running timer has no end to write, and goes to the JSON below.
    entries = TimeEntry.objects.in_workspace(workspace).filter(user_id=user.pk, end__isnull=False)
    fmt = ExportFormat.for_member(user, WorkspaceSettings.objects.for_workspace(workspace))
    with zf.open(f"{folder}/detailed.csv", "w") as out:
        for chunk in detailed_csv(entries, fmt, {user.pk: Person(user.display_name, user.email)}):
            out.write(chunk)
    storage = region_storage(workspace.region)
    for model in regional_models():
        about = _naming(model, user.pk)
        if about is None or model is EntryTotal:  # totals of the entries, derived
            continue
        rows = model.objects.in_workspace(workspace).filter(about).order_by("pk")
        if model is TimeEntry:
            rows = rows.filter(end__isnull=True)
        if not rows.exists():
            continue
        kind = re.sub(r"\W+", "-", str(model._meta.verbose_name_plural)).strip("-")
        with zf.open(f"{folder}/{kind}.json", "w") as out:
            _write_json(out, rows.values().iterator(chunk_size=JSON_CHUNK))
        if model.stored_files is RegionalModel.stored_files:
            continue
        for row in rows.iterator(chunk_size=JSON_CHUNK):
            for name in row.stored_files():
                if storage.exists(name):
                    with (
                        storage.open(name) as source,
                        zf.open(f"{folder}/files/{name.split('/')[-1]}", "w") as out,
                    ):
                        for chunk in source.chunks():
                            out.write(chunk)


def _write_json(out: IO[bytes], rows: Iterator[dict[str, Any]]) -> None:
    """Write a JSON array one row at a time."""
    out.write(b"[")
    for index, row in enumerate(rows):
        out.write((",\n" if index else "\n").encode())
        out.write(json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False).encode())
    out.write(b"\n]\n")


def _readme(user: User, archive: Archive, workspaces: list[Workspace]) -> str:
    lines = [
        f"Everything stored about {user.email} in the {archive.get_region_display()} region,",
        f"as of {timezone.now():%Y-%m-%d %H:%M} UTC.",
        "",
        "Each folder is one workspace. detailed.csv holds your time entries in the Detailed",
        "report's CSV format: import it into a workspace to restore them. The .json files hold",
        "every other record about you or naming you; files/ holds your screenshots.",
        "",
    ]
    lines += [f"- {_folder(workspace)}: {workspace.name}" for workspace in workspaces]
    if not workspaces:
        lines.append("Nothing is stored about you in this region.")
    return "\n".join(lines) + "\n"


def profile_json(user: User) -> dict[str, Any]:
    """The directory's part of everything about the person: account, memberships, keys."""
    return {
        "email": user.email,
        "name": user.name,
        "date_joined": user.date_joined,
        "time_zone": user.time_zone,
        "week_start": user.week_start,
        "date_format": user.date_format,
        "time_format": user.time_format,
        "email_addresses": list(user.emailaddress_set.values("email", "verified", "primary")),
        "two_factor_methods": list(user.authenticator_set.values_list("type", flat=True)),
        "memberships": [
            {"workspace": m.workspace.name, "region": m.workspace.region, "role": m.role}
            for m in user.memberships.select_related("workspace").order_by("workspace__name")
        ],
        "api_keys": list(
            user.api_keys.values("name", "prefix", "created_at", "last_used_at", "revoked_at")
        ),
    }


def expired() -> models.QuerySet[Archive]:
    """Archives past ARCHIVE_DAYS, and builds that never finished within a day."""
    now = timezone.now()
    return Archive.objects.filter(
        models.Q(created_at__lt=now - timedelta(days=ARCHIVE_DAYS))
        | models.Q(status=Archive.Status.BUILDING, created_at__lt=now - timedelta(days=1))
    )


def delete(archives: models.QuerySet[Archive]) -> int:
    """Delete archives, each file before its row (a failed delete is retried next time)."""
    deleted = 0
    for archive in archives.order_by("pk").iterator():
        region_storage(archive.region).delete(archive.storage_name)
        archive.delete()
        deleted += 1
    return deleted


def delete_all(user: User) -> int:
    """Delete every archive of a person: part of their account's deletion."""
    return delete(Archive.objects.filter(user=user))
