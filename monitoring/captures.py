"""Taking in captures, deleting them and letting them expire: the services under the API
(monitoring/api_captures.py) and the web pages.

Each refusal is a CaptureRefused subclass with a message for the person and an HTTP status
(403 a switch is off, 409 no time entry to attach it to, 400 bad input, 413 too large), so
every caller answers it the same way. Nothing is stored on any refusal: every check runs
before the file is written, and a failure after that deletes the file again.

Rules (README, "Monitoring: capture"):

- A screenshot is attached to the member's entry covering `captured_at`: a running timer
  that started at or before it, or a finished entry that started at or before it, ended at
  or after it, and ended within the last UPLOAD_GRACE (an hour), for uploads a client queued
  while offline. Of several, the one that started last. A capture from the future (beyond
  CLOCK_SKEW) is a 400; a capture taken before the switch was last turned on is a 403.
- Location samples are attached to the entry that was running at `recordedAt`; a sample
  outside any entry is dropped and counted (as is one less accurate than MAX_ACCURACY, one
  taken before the switch was turned on, or one older than the retention period), never
  stored, so one bad moment in an offline queue does not lose the whole batch. A sample
  that is malformed (non-finite or out-of-range coordinates, negative accuracy, a future
  time, an unknown kind) refuses the whole batch.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from clockify.celery import queue_on_commit
from tracking.models import TimeEntry
from tracking.rules import EARLIEST_START, EntryTimeError, check_entry_times
from workspaces import audit
from workspaces.models import Membership, Workspace
from workspaces.regions import Region, WorkspaceCopy, storage_for
from workspaces.services import on_every_workspace

from . import images
from .models import LocationSample, MonitoringPolicy, NotShared, Screenshot, Switch

MAX_UPLOAD = 10 * 1024 * 1024  # bytes of image; the request may carry a little more (the form)
UPLOAD_GRACE = timedelta(hours=1)  # a finished entry takes screenshots this long after its end
CLOCK_SKEW = timedelta(minutes=2)  # how far ahead of the server a client's clock may be
MAX_SAMPLES = 500
MAX_ACCURACY = 1000.0  # metres; a less accurate sample is dropped
CLIENT_ID_MAX = 64


class CaptureRefused(Exception):
    """A capture that is not taken; `status` is the HTTP status that says why."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class MonitoringOff(CaptureRefused):
    """The switch for this kind of capture is off in the workspace."""

    status = 403


class NotAllowed(CaptureRefused):
    """The person may not do this to that capture (someone else's, and not an admin)."""

    status = 403


class NoCoveringEntry(CaptureRefused):
    """The member has no time entry to attach the capture to."""

    status = 409


class InvalidCapture(CaptureRefused):
    """The capture itself is malformed: a bad image, a bad sample, a bad time."""

    status = 400


class CaptureTooLarge(CaptureRefused):
    status = 413


def _off(switch: str) -> MonitoringOff:
    return MonitoringOff(
        f"{switch} off in this workspace: an admin has not turned it on, so nothing is collected."
    )


def _utc_second(moment: datetime) -> datetime:
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


# --- screenshots ---


def covering_entry(
    workspace: Workspace, user_id: int, moment: datetime, now: datetime
) -> TimeEntry | None:
    """The member's entry a capture at `moment` belongs to (module docstring), or None."""
    entries = TimeEntry.objects.in_workspace(workspace).of_user(user_id).filter(start__lte=moment)
    running = entries.running()
    recent = entries.filter(end__gte=moment).filter(end__gte=now - UPLOAD_GRACE)
    return (running | recent).order_by("-start", "-id").first()


def accept_screenshot(
    membership: Membership,
    file: IO[bytes],
    captured_at: datetime,
    client_blurred: bool,
    source: str,
    *,
    now: datetime | None = None,
) -> Screenshot:
    """Check, re-encode and keep a member's screenshot; CaptureRefused (a subclass) if not.

    Order: the switch (403), the time (400, or 403 before the switch was turned on), the entry
    (409), the size (413) and the image (400); only then the file is written, under a random
    key, and its row saved in one transaction of the region. The thumbnail is made by a task
    queued on that commit.
    """
    workspace = membership.workspace
    now = now or timezone.now()
    policy = MonitoringPolicy.objects.for_workspace(workspace)
    if not policy.screenshots:
        raise _off("Screenshots are")
    captured_at = _utc_second(captured_at)
    if captured_at > now + CLOCK_SKEW:
        raise InvalidCapture("capturedAt is in the future.")
    if captured_at < EARLIEST_START:
        raise InvalidCapture("capturedAt is before 1970.")
    turned_on = policy.screenshots_changed_at
    if turned_on is not None and captured_at < turned_on - CLOCK_SKEW:
        raise MonitoringOff("This screenshot was taken before screenshots were turned on.")
    if covering_entry(workspace, membership.user_id, captured_at, now) is None:
        raise NoCoveringEntry(_no_entry_message())
    size = getattr(file, "size", None)
    if size is not None and size > MAX_UPLOAD:
        raise CaptureTooLarge(f"The image is too large: at most {MAX_UPLOAD // 2**20} MB.")
    try:
        encoded = images.prepare(file, blur=policy.blur and not client_blurred)
    except images.ImageRefused as exc:
        raise InvalidCapture(str(exc)) from None
    return _store(membership, policy, encoded, captured_at, client_blurred, source, now)


def _no_entry_message() -> str:
    hours = int(UPLOAD_GRACE.total_seconds() // 3600)
    return (
        "No time entry covers capturedAt: screenshots are taken while your timer runs "
        f"(or uploaded within {hours} hour{'s' if hours != 1 else ''} of its stop)."
    )


def _store(
    membership: Membership,
    policy: MonitoringPolicy,
    encoded: images.Encoded,
    captured_at: datetime,
    client_blurred: bool,
    source: str,
    now: datetime,
) -> Screenshot:
    from .tasks import make_thumbnail  # the task module imports this one

    workspace = membership.workspace
    shot = Screenshot(
        workspace_id=workspace.id,
        user_id=membership.user_id,
        captured_at=captured_at,
        content_type=encoded.content_type,
        width=encoded.width,
        height=encoded.height,
        size=len(encoded.data),
        blurred=client_blurred or encoded.blurred,
        source=Screenshot.Source(source),
    )
    storage = storage_for(workspace)
    written: str | None = None
    try:
        with transaction.atomic(using=workspace.db_alias):
            # Again inside the transaction: the entry may have been deleted or stopped since.
            entry = covering_entry(workspace, membership.user_id, captured_at, now)
            if entry is None:
                raise NoCoveringEntry(_no_entry_message())
            shot.entry = entry
            written = storage.save(shot.storage_name, ContentFile(encoded.data))
            if written != shot.storage_name:  # the storage renamed it: a key collision
                raise RuntimeError(f"Screenshot file {shot.storage_name} exists already.")
            Screenshot.objects.in_workspace(workspace).bulk_create([shot])
            queue_on_commit(
                make_thumbnail, str(workspace.id), str(shot.id), using=workspace.db_alias
            )
    except BaseException:
        if written is not None:
            storage.delete(written)
        raise
    return shot


def remove_screenshot_files(sender: Any, instance: Screenshot, using: str, **kwargs: Any) -> None:
    """post_delete of a Screenshot: delete its file and thumbnail once the deletion commits.

    However the row goes (its entry deleted, the workspace purged, retention, the member),
    its files follow, from the storage of the region whose database it was deleted from.
    """
    storage = storage_for(WorkspaceCopy(instance.workspace_id, using))  # type: ignore[arg-type]
    names = [instance.storage_name, instance.thumbnail_name]

    def delete_files() -> None:
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files, using=using)


# --- deleting a screenshot ---


@dataclass(frozen=True)
class ScreenshotDeleted:
    """What deleting a screenshot changed: the time its entry lost (zero for an admin's)."""

    entry_id: uuid.UUID
    removed: timedelta
    start: datetime  # the entry's times after the deletion
    end: datetime | None


def time_removed_by_deleting(
    membership: Membership, screenshot: Screenshot, entry: TimeEntry | None = None
) -> timedelta:
    """How much time deleting this screenshot takes from its entry, to say so beforehand.

    The member's own screenshot takes the time since the previous screenshot of the entry
    (or since the entry's start) up to its capture; someone else's (an admin's deletion)
    takes none. The entry keeps at least one second.
    """
    if screenshot.user_id != membership.user_id:
        return timedelta(0)
    workspace = membership.workspace
    entry = entry or TimeEntry.objects.in_workspace(workspace).get(pk=screenshot.entry_id)
    previous = (
        Screenshot.objects.in_workspace(workspace)
        .filter(entry_id=entry.id, captured_at__lt=screenshot.captured_at)
        .exclude(pk=screenshot.pk)
        .order_by("-captured_at")
        .values_list("captured_at", flat=True)
        .first()
    )
    since = max(previous or entry.start, entry.start)
    span = max(screenshot.captured_at - since, timedelta(0))
    if entry.end is None:
        # A running timer's start moves forward, but not past now.
        return min(span, max(timezone.now().replace(microsecond=0) - entry.start, timedelta(0)))
    return min(span, entry.end - entry.start - timedelta(seconds=1))


def delete_screenshot(membership: Membership, screenshot: Screenshot) -> ScreenshotDeleted:
    """Delete a screenshot; the member's own deletion shortens its entry (Clockify's rule).

    The entry loses `time_removed_by_deleting`: a finished entry ends that much earlier, a
    running timer's start moves that much later, so the entry's duration drops by exactly
    that span and it keeps at least one second. The new times pass tracking.rules like every
    other edit. An admin may delete anyone's screenshot and removes no time; a member may
    delete only their own (NotAllowed otherwise). The files go after the commit.
    """
    if screenshot.user_id != membership.user_id and not membership.is_admin:
        raise NotAllowed("Only the member and the workspace's admins can delete a screenshot.")
    workspace = membership.workspace
    with transaction.atomic(using=workspace.db_alias):
        entry = (
            TimeEntry.objects.in_workspace(workspace)
            .select_for_update()
            .get(pk=screenshot.entry_id)
        )
        removed = time_removed_by_deleting(membership, screenshot, entry)
        if removed > timedelta(0):
            if entry.end is None:
                entry.start += removed
            else:
                entry.end -= removed
            try:
                check_entry_times(entry.start, entry.end)
            except EntryTimeError as exc:
                raise InvalidCapture(f"The entry's time cannot be cut: {exc.message}") from None
            entry.save(update_fields=["start", "end", "updated_at"])
        Screenshot.objects.in_workspace(workspace).filter(pk=screenshot.pk).delete()
        audit.record(
            workspace,
            audit.Kind.SCREENSHOT_DELETED,
            actor_id=membership.user_id,
            subject_id=screenshot.user_id,
            screenshot=str(screenshot.pk),
            entry=str(entry.pk),
            seconds_removed=int(removed.total_seconds()),
        )
    return ScreenshotDeleted(entry.id, removed, entry.start, entry.end)


# --- location ---


@dataclass(frozen=True)
class Sample:
    """One location sample as a client sends it (values unchecked)."""

    client_id: str
    latitude: float
    longitude: float
    accuracy: float
    recorded_at: datetime
    kind: str


@dataclass(frozen=True)
class LocationResult:
    accepted: int
    dropped: int
    duplicates: int


def _check_sample(index: int, sample: Sample, now: datetime) -> None:
    where = f"samples[{index}]"
    if not sample.client_id or len(sample.client_id) > CLIENT_ID_MAX:
        raise InvalidCapture(f"{where}.id: 1 to {CLIENT_ID_MAX} characters.")
    for name, value, low, high in (
        ("latitude", sample.latitude, -90.0, 90.0),
        ("longitude", sample.longitude, -180.0, 180.0),
    ):
        if not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidCapture(f"{where}.{name}: a finite number is required.")
        if not low <= value <= high:
            raise InvalidCapture(f"{where}.{name}: must be between {low:g} and {high:g}.")
    accuracy = sample.accuracy
    if not isinstance(accuracy, int | float) or not math.isfinite(accuracy) or accuracy < 0:
        raise InvalidCapture(f"{where}.accuracy: metres, a finite number of 0 or more.")
    if sample.kind not in LocationSample.Kind.values:
        raise InvalidCapture(f"{where}.kind: one of START, STOP, MOVE.")
    if timezone.is_naive(sample.recorded_at):
        raise InvalidCapture(f"{where}.recordedAt: a time zone is required.")
    if sample.recorded_at > now + CLOCK_SKEW:
        raise InvalidCapture(f"{where}.recordedAt is in the future.")
    if sample.recorded_at < EARLIEST_START:
        raise InvalidCapture(f"{where}.recordedAt is before 1970.")


def _running_at(entries: Sequence[TimeEntry], moment: datetime) -> TimeEntry | None:
    """Of the member's entries (latest start first), the one running at `moment`."""
    for entry in entries:
        if entry.start <= moment and (entry.end is None or moment <= entry.end):
            return entry
    return None


def accept_locations(
    membership: Membership, samples: Sequence[Sample], *, now: datetime | None = None
) -> LocationResult:
    """Keep a batch of a member's location samples; CaptureRefused if refused as a whole.

    Location off is a 403, more than MAX_SAMPLES or any malformed sample a 400 (nothing
    kept). Then each sample is kept, dropped (accuracy worse than MAX_ACCURACY, no timer
    running at its moment, before the switch was turned on, or already past retention) or a
    duplicate (its client id was sent before, or earlier in this batch).
    """
    workspace = membership.workspace
    now = now or timezone.now()
    policy = MonitoringPolicy.objects.for_workspace(workspace)
    if not policy.location:
        raise _off("Location is")
    if len(samples) > MAX_SAMPLES:
        raise InvalidCapture(f"At most {MAX_SAMPLES} samples per request.")
    for index, sample in enumerate(samples):
        _check_sample(index, sample, now)
    if not samples:
        return LocationResult(0, 0, 0)
    earliest = now - timedelta(days=policy.location_retention_days)
    if policy.location_changed_at is not None:
        earliest = max(earliest, policy.location_changed_at - CLOCK_SKEW)
    moments = [_utc_second(sample.recorded_at) for sample in samples]
    entries = list(
        TimeEntry.objects.in_workspace(workspace)
        .of_user(membership.user_id)
        .filter(start__lte=max(moments))
        .exclude(end__lt=min(moments))
        .order_by("-start", "-id")
    )
    dropped, duplicates = 0, 0
    seen: set[str] = set()
    rows: list[LocationSample] = []
    for sample, moment in zip(samples, moments, strict=True):
        if sample.client_id in seen:
            duplicates += 1
            continue
        seen.add(sample.client_id)
        entry = _running_at(entries, moment)
        if sample.accuracy > MAX_ACCURACY or moment < earliest or entry is None:
            dropped += 1
            continue
        rows.append(
            LocationSample(
                workspace_id=workspace.id,
                user_id=membership.user_id,
                entry=entry,
                client_id=sample.client_id,
                latitude=float(sample.latitude),
                longitude=float(sample.longitude),
                accuracy=float(sample.accuracy),
                recorded_at=moment,
                kind=sample.kind,
            )
        )
    samples_of_member = LocationSample.objects.in_workspace(workspace).filter(
        user_id=membership.user_id
    )
    with transaction.atomic(using=workspace.db_alias):
        # A replay (or a concurrent copy of this batch) hits location_sample_once: such rows
        # are skipped, and counted as duplicates from what was really inserted.
        samples_of_member.bulk_create(rows, ignore_conflicts=True)
        inserted = samples_of_member.filter(id__in=[row.id for row in rows]).count()
    return LocationResult(inserted, dropped, duplicates + len(rows) - inserted)


# --- retention ---


@dataclass
class Purged:
    screenshots: int = 0
    locations: int = 0


PURGE_BATCH = 500


def purge_workspace(workspace: Workspace, now: datetime) -> Purged:
    """Delete a workspace's captures past its retention: files first, then rows."""
    policy = MonitoringPolicy.objects.for_workspace(workspace)
    purged = Purged()
    shots = Screenshot.objects.in_workspace(workspace).filter(
        captured_at__lt=now - timedelta(days=policy.screenshot_retention_days)
    )
    storage = storage_for(workspace)
    while batch := list(shots.order_by("captured_at", "id")[:PURGE_BATCH]):
        for shot in batch:
            storage.delete(shot.storage_name)
            storage.delete(shot.thumbnail_name)
        # The post_delete receiver deletes them again after the commit: a no-op by then.
        purged.screenshots += (
            shots.filter(pk__in=[shot.pk for shot in batch])
            .delete()[1]
            .get(Screenshot._meta.label, 0)
        )
    samples = LocationSample.objects.in_workspace(workspace).filter(
        recorded_at__lt=now - timedelta(days=policy.location_retention_days)
    )
    purged.locations = samples.delete()[1].get(LocationSample._meta.label, 0)
    return purged


def purge_expired(now: datetime | None = None, regions: Iterable[str] = Region.values) -> Purged:
    """Purge every workspace of every region; a region that is down is skipped until next time.

    Idempotent: a second run finds nothing past its retention.
    """
    now = now or timezone.now()
    total = Purged()
    purges = on_every_workspace(
        lambda workspace: purge_workspace(workspace, now), what="Purging captures", regions=regions
    )
    for purged in purges:
        total.screenshots += purged.screenshots
        total.locations += purged.locations
    return total


# --- not shared ---


def note_not_shared(membership: Membership, switch: str) -> NotShared:
    """Note that the member declined (or stopped) sharing during their running timer.

    Only while that switch is on (MonitoringOff otherwise) and a timer runs (NoCoveringEntry
    otherwise); once per entry and switch, the latest moment kept.
    """
    workspace = membership.workspace
    switch = Switch(switch)
    if not MonitoringPolicy.objects.for_workspace(workspace).is_on(switch):
        raise _off(f"{switch.label} is" if switch == Switch.LOCATION else "Screenshots are")
    running = TimeEntry.objects.in_workspace(workspace).of_user(membership.user_id).running()
    entry = running.first()
    if entry is None:
        raise NoCoveringEntry("No timer is running, so there is nothing to note.")
    noted, _ = NotShared.objects.in_workspace(workspace).update_or_create(
        entry=entry,
        switch=switch,
        defaults={"user_id": membership.user_id, "at": timezone.now()},
    )
    return noted
