"""Move a workspace to another region: the support action behind `manage.py move_workspace`.

A move walks the region kernel's registry (`regional_models()`, `workspace_prefixes()`), so
a regional model or file added later moves without anyone adding it here. It goes in steps,
each of which can be run again after an interruption and ends in the same state:

1. **Mark.** The directory notes the target (`Workspace.moving_to`). From then on a request
   may read the workspace's data but not change it (workspaces/readonly.py answers 503).
   The move then waits `settle` seconds, so that requests which began before the mark finish.
2. **Copy.** Every regional table, parents first: a table whose rows in the target already
   match the source's (same count, same checksum) is left alone; any other has its target
   rows replaced by the source's in one transaction. Then every file under the workspace's
   prefix, but those already in the target with the same content.
3. **Verify.** Per table, the number of rows and a SHA-256 of every row's values in key order;
   per file, a SHA-256 of its content. Any difference stops the move before the switch.
4. **Switch.** One directory update: the workspace's region is the target, writable again,
   and the source is noted as holding a stale copy (`Workspace.stale_copy_in`). The move
   goes into the workspace's audit log, in the target.
5. **Delete.** The source's rows (children first, one transaction) and files; then the note
   is cleared. SQLite regions run with `secure_delete` and have their write-ahead log
   truncated here, so the deleted text does not stay readable in the files.

A rerun finds where the last run stopped from those two directory fields and the checksums.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.core.files.storage import Storage
from django.db import models, transaction

from . import audit
from .models import Workspace
from .regions import (
    Region,
    RegionalModel,
    copy_in,
    region_vendor,
    regional_cursor,
    regional_models,
    truncate_sqlite_log,
    workspace_prefixes,
)

# Rows read (and inserted) at a time: memory stays flat whatever the workspace's size.
PAGE = 2000
# How long requests that began before the mark may still write, by default.
SETTLE_SECONDS = 5.0

Report = Callable[[str], None]


class MoveError(Exception):
    """The move cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Digest:
    """What a table or a file holds, compared between the source and the target."""

    count: int
    sha256: str


def move_workspace(
    workspace_id: uuid.UUID,
    target: str,
    *,
    settle: float = SETTLE_SECONDS,
    report: Report = print,
) -> None:
    """Move a workspace's rows and files to the `target` region, or finish a move that stopped.

    Raises Workspace.DoesNotExist for an unknown id, MoveError when the move cannot go on
    (nothing is lost: run it again), RegionUnavailable when a region cannot be reached.
    """
    target = Region(target).value
    workspace = Workspace.objects.get(pk=workspace_id)
    if workspace.stale_copy_in:
        _delete_stale_copy(workspace, report)
    if workspace.moving_to and workspace.moving_to != target:
        raise MoveError(
            f"This workspace is being moved to {Region(workspace.moving_to).label}; run the "
            f"command with {workspace.moving_to} to finish that move first."
        )
    if workspace.region == target:
        report(f"The workspace is in {Region(target).label}; nothing to move.")
        return
    source = workspace.region
    if not workspace.moving_to:
        _mark(workspace, target)
        report(f"Marked read-only while it moves to {Region(target).label}.")
        time.sleep(settle)
    copy_workspace(workspace, source, target, report)
    verify_copy(workspace, source, target, report)
    _switch(workspace, source, target)
    report(f"Switched: the workspace is now served from {Region(target).label}.")
    # In the target, now the workspace's region, and after the switch: the event is not
    # part of what was copied and verified. An operator moved it: no member is its actor.
    audit.record(workspace, audit.Kind.REGION_MOVED, actor_id=None, to=target, **{"from": source})
    _delete_stale_copy(workspace, report)
    report("Done.")


def copy_workspace(workspace: Workspace, source: str, target: str, report: Report) -> None:
    """Copy every regional row and file of the workspace from `source` to `target`."""
    origin, destination = copy_in(workspace, source), copy_in(workspace, target)
    for model in regional_models():
        # A table with nothing in the target (a first run) is copied without comparing.
        empty = not model.objects.in_workspace(destination).exists()
        if not empty and table_digest(model, destination) == table_digest(model, origin):
            report(f"{model._meta.label}: {_rows(model, origin)}, already copied")
            continue
        _replace_rows(model, origin, destination)
        report(f"{model._meta.label}: {_rows(model, origin)} copied")
    copied = kept = 0
    for (source_files, prefix), (target_files, _) in _storage_pairs(origin, destination):
        for name in walk(source_files, prefix):
            if target_files.exists(name):
                if file_digest(target_files, name) == file_digest(source_files, name):
                    kept += 1
                    continue
                target_files.delete(name)
            with source_files.open(name, "rb") as file:
                saved = target_files.save(name, file)
            if saved != name:
                raise MoveError(f"The target storage saved {name} as {saved}; run the move again.")
            copied += 1
    report(f"Files: {copied:,} copied, {kept:,} already copied")


def verify_copy(workspace: Workspace, source: str, target: str, report: Report) -> None:
    """Raise MoveError unless the target holds exactly the source's rows and files."""
    origin, destination = copy_in(workspace, source), copy_in(workspace, target)
    differ = []
    for model in regional_models():
        have, got = table_digest(model, origin), table_digest(model, destination)
        if have != got:
            differ.append(f"{model._meta.label} ({have.count:,} rows here, {got.count:,} there)")
        else:
            report(f"Verified {model._meta.label}: {_rows(model, origin)}, checksums match")
    for (source_files, prefix), (target_files, _) in _storage_pairs(origin, destination):
        names = sorted(walk(source_files, prefix))
        if names != sorted(walk(target_files, prefix)):
            differ.append(f"the files under {prefix}")
        elif any(file_digest(source_files, n) != file_digest(target_files, n) for n in names):
            differ.append(f"the content of files under {prefix}")
        else:
            report(f"Verified files: {len(names):,}, checksums match")
    if differ:
        raise MoveError(
            "The copy differs from the source in " + "; ".join(differ) + ". Nothing was "
            "switched; run the move again to copy what differs."
        )


def table_digest(model: type[RegionalModel], workspace: Workspace) -> Digest:
    """Count and checksum a table's rows of the workspace, in key order, page by page."""
    fields = model._meta.concrete_fields
    digest = hashlib.sha256()
    count = 0
    for page in _pages(model, workspace):
        for row in page:
            values = [field.value_from_object(row) for field in fields]
            digest.update(json.dumps(values, default=str, sort_keys=True).encode())
            digest.update(b"\n")
        count += len(page)
    return Digest(count, digest.hexdigest())


def file_digest(storage: Storage, name: str) -> Digest:
    """Size and checksum of one stored file, read in chunks."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as file:
        for chunk in file.chunks():
            digest.update(chunk)
            size += len(chunk)
    return Digest(size, digest.hexdigest())


def walk(storage: Storage, prefix: str) -> Iterator[str]:
    """Every file's name under a prefix (a folder of the storage), at any depth."""
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:  # a folder storage without the folder: no files
        return
    for name in files:
        yield f"{prefix}{name}"
    for folder in folders:
        yield from walk(storage, f"{prefix}{folder}/")


def delete_workspace_data(workspace: Workspace, report: Report) -> None:
    """Delete every regional row and file of the workspace in the region `workspace` names.

    Rows go children first (derived ones after their sources) in one transaction of the
    region; then the files. On SQLite the
    write-ahead log is truncated, so no copy of the deleted pages stays in it.
    """
    with transaction.atomic(using=workspace.db_alias):
        for model in regional_models(deleting=True):
            _delete_rows(model, workspace)
    deleted = 0
    for storage, prefix in workspace_prefixes(workspace):
        for name in list(walk(storage, prefix)):
            storage.delete(name)
            deleted += 1
    report(f"Deleted the copy in {Region(workspace.region).label}: rows, and {deleted:,} files")
    if region_vendor(workspace) == "sqlite" and not truncate_sqlite_log(workspace.db_alias):
        report(
            "The region's SQLite write-ahead log is in use; the deleted pages (overwritten "
            "with zeros) replace the old ones in the file at its next checkpoint."
        )


def _rows(model: type[RegionalModel], workspace: Workspace) -> str:
    count = model.objects.in_workspace(workspace).count()
    return f"{count:,} row{'' if count == 1 else 's'}"


def _mark(workspace: Workspace, target: str) -> None:
    marked = Workspace.objects.filter(
        pk=workspace.pk, region=workspace.region, moving_to=""
    ).update(moving_to=target)
    if not marked:
        raise MoveError("The workspace changed while the move began; run the move again.")
    workspace.moving_to = target


def _switch(workspace: Workspace, source: str, target: str) -> None:
    switched = Workspace.objects.filter(pk=workspace.pk, region=source, moving_to=target).update(
        region=target, moving_to="", stale_copy_in=source
    )
    if not switched:
        raise MoveError("The workspace changed during the move; run the move again.")
    workspace.region, workspace.moving_to, workspace.stale_copy_in = target, "", source


def _delete_stale_copy(workspace: Workspace, report: Report) -> None:
    stale = workspace.stale_copy_in
    delete_workspace_data(copy_in(workspace, stale), report)
    Workspace.objects.filter(pk=workspace.pk, stale_copy_in=stale).update(stale_copy_in="")
    workspace.stale_copy_in = ""


def _pages(model: type[RegionalModel], workspace: Workspace) -> Iterator[list[RegionalModel]]:
    """The workspace's rows of a table, PAGE at a time, in key order (keyset pagination)."""
    rows = model.objects.in_workspace(workspace).order_by("pk")
    last = None
    while True:
        page = list((rows if last is None else rows.filter(pk__gt=last))[:PAGE])
        if not page:
            return
        yield page
        last = page[-1].pk


def _replace_rows(model: type[RegionalModel], origin: Workspace, destination: Workspace) -> None:
    """Make a table's rows of the workspace in the destination those of the origin."""
    fields = model._meta.concrete_fields
    # Foreign keys are checked at commit: a parent's rows may be replaced under its children.
    with transaction.atomic(using=destination.db_alias):
        _delete_rows(model, destination)
        into = model.objects.in_workspace(destination)
        with regional_cursor(destination) as cursor:
            ops = cursor.db.ops
        for page in _pages(model, origin):
            batch = max(ops.bulk_batch_size(fields, page), 1)
            for start in range(0, len(page), batch):
                # As loaddata saves: raw values, so auto_now fields keep the source's time.
                into._insert(page[start : start + batch], fields=fields, raw=True)


def _delete_rows(model: type[models.Model], workspace: Workspace) -> None:
    """Delete a table's rows of the workspace in its region, with no cascade in Python."""
    column = model._meta.get_field("workspace_id")
    with regional_cursor(workspace) as cursor:
        quote = cursor.db.ops.quote_name
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column.column)} = %s",
            [column.get_db_prep_value(workspace.id, cursor.db)],
        )


def _storage_pairs(
    origin: Workspace, destination: Workspace
) -> list[tuple[tuple[Storage, str], tuple[Storage, str]]]:
    return list(zip(workspace_prefixes(origin), workspace_prefixes(destination), strict=True))
