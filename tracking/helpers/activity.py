"""The auto tracker's records: taking in a client's batch, reading a day back, and turning a
selection of records into time (README, "Idle detection and auto tracker").

Everything here works on one person's own records, named by their user id; there is no way
to ask for someone else's. Refusals are ActivityRefused subclasses carrying a message and
an HTTP status (403 the auto tracker is off, 400 bad input), so the API and the pages answer
them alike, and nothing is stored on any refusal.

Rules of a batch:

- Taken only while the person's auto tracker is on (`User.auto_tracker`), else 403.
- At most MAX_SAMPLES samples; a sample needs a client id (1 to CLIENT_ID_MAX characters),
  an `app`, `title` or `url`, and `start` <= `end`, with `end` at most CLOCK_SKEW in the
  future, at most MAX_RECORD long, and `end` within the person's retention
  (`User.helper_retention_days`): older records would be purged at once. Any broken rule
  refuses the whole batch (400, naming the sample's index and field).
- Text longer than the record's field is cut to it (APP_MAX, TITLE_MAX, URL_MAX), never
  refused: a window title has no natural limit.
- Addresses: unless the person allowed full addresses (`User.auto_tracker_urls`), only the
  page's origin is kept, `scheme://host[:port]` in lower case, cut on the server whatever
  the client sent; an address without a host (about:blank, a file) keeps nothing. User
  names and passwords in an address are never kept, even when full addresses are.
- A client id sent before by this person in this workspace, or earlier in the same batch,
  is a duplicate: counted, and adds nothing (a unique constraint backs this up).
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit, urlunsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from workspaces.models import User, Workspace

from .. import services
from ..models import TimeEntry
from ..rules import EARLIEST_START, EntryTimeError
from .models import APP_MAX, CLIENT_ID_MAX, TITLE_MAX, URL_MAX, ActivityRecord

MAX_SAMPLES = 500
MAX_RECORD = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=2)  # how far ahead of the server a client's clock may be


class ActivityRefused(Exception):
    """A batch or an action that is not taken; `status` is the HTTP status that says why."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class AutoTrackerOff(ActivityRefused):
    status = 403


class InvalidActivity(ActivityRefused):
    status = 400


AUTO_TRACKER_OFF = (
    "The auto tracker is off in your profile: turn it on there to send activity; "
    "nothing was stored."
)


@dataclass(frozen=True)
class Sample:
    """One record as a client sends it (values unchecked)."""

    client_id: str
    app: str | None
    title: str | None
    url: str | None
    start: datetime
    end: datetime


@dataclass(frozen=True)
class ActivityResult:
    accepted: int
    duplicates: int


def origin_of(url: str) -> str:
    """The address's origin, `scheme://host[:port]` in lower case; "" if it names no host.

    An address without a scheme ("example.com/page") is read as https.
    """
    text = url.strip()
    if "://" not in text and not text.startswith("//"):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return ""
    if not host or not parts.scheme:
        return ""
    if ":" in host:  # an IPv6 address goes back in its brackets
        host = f"[{host}]"
    return f"{parts.scheme.lower()}://{host}" + (f":{port}" if port else "")


def host_of(url: str) -> str:
    """The host alone, for grouping and display: "docs.python.org"."""
    origin = origin_of(url)
    return origin.split("://", 1)[1] if origin else ""


def _without_credentials(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
        if "@" not in parts.netloc:
            return url.strip()
        netloc = parts.netloc.rsplit("@", 1)[1]
        return urlunsplit(parts._replace(netloc=netloc))
    except ValueError:
        return origin_of(url)


def kept_url(url: str, *, full: bool) -> str:
    """What is stored of an address: all of it (less credentials) if allowed, else its origin."""
    if not url.strip():
        return ""
    kept = _without_credentials(url) if full else origin_of(url)
    return kept[:URL_MAX]


def _cut(value: str | None, limit: int) -> str:
    return (value or "").strip()[:limit]


def _utc_second(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _check_sample(index: int, sample: Sample, now: datetime, earliest: datetime) -> None:
    where = f"samples[{index}]"
    if not isinstance(sample.client_id, str) or not 1 <= len(sample.client_id) <= CLIENT_ID_MAX:
        raise InvalidActivity(f"{where}.id: 1 to {CLIENT_ID_MAX} characters.")
    for name in ("app", "title", "url"):
        value = getattr(sample, name)
        if value is not None and not isinstance(value, str):
            raise InvalidActivity(f"{where}.{name}: text is required.")
    if not any((value or "").strip() for value in (sample.app, sample.title, sample.url)):
        raise InvalidActivity(f"{where}.app: give an app, a title or a url.")
    for name in ("start", "end"):
        moment = getattr(sample, name)
        if not isinstance(moment, datetime) or timezone.is_naive(moment):
            raise InvalidActivity(f"{where}.{name}: a timestamp with a time zone is required.")
        if moment < EARLIEST_START:
            raise InvalidActivity(f"{where}.{name} is before 1970.")
    if sample.end < sample.start:
        raise InvalidActivity(f"{where}.end is before its start.")
    if sample.end > now + CLOCK_SKEW:
        raise InvalidActivity(f"{where}.end is in the future.")
    if sample.end - sample.start > MAX_RECORD:
        hours = int(MAX_RECORD.total_seconds() // 3600)
        raise InvalidActivity(f"{where}.end: a record lasts at most {hours} hours.")
    if sample.end < earliest:
        raise InvalidActivity(
            f"{where}.end is older than your retention of "
            f"{(now - earliest).days} days: it would be deleted at once."
        )


def accept_activity(
    workspace: Workspace, user: User, samples: Sequence[Sample], *, now: datetime | None = None
) -> ActivityResult:
    """Keep a batch of the person's auto tracker records; ActivityRefused if refused whole."""
    now = now or timezone.now()
    if not user.auto_tracker:
        raise AutoTrackerOff(AUTO_TRACKER_OFF)
    if len(samples) > MAX_SAMPLES:
        raise InvalidActivity(f"samples: at most {MAX_SAMPLES} per request.")
    earliest = now - timedelta(days=user.helper_retention_days)
    for index, sample in enumerate(samples):
        _check_sample(index, sample, now, earliest)
    seen: set[str] = set()
    rows: list[ActivityRecord] = []
    duplicates = 0
    for sample in samples:
        if sample.client_id in seen:
            duplicates += 1
            continue
        seen.add(sample.client_id)
        rows.append(
            ActivityRecord(
                workspace_id=workspace.id,
                user_id=user.pk,
                client_id=sample.client_id,
                app=_cut(sample.app, APP_MAX),
                title=_cut(sample.title, TITLE_MAX),
                url=kept_url(sample.url or "", full=user.auto_tracker_urls),
                start=_utc_second(sample.start),
                end=_utc_second(sample.end),
            )
        )
    if not rows:
        return ActivityResult(0, duplicates)
    own = ActivityRecord.objects.in_workspace(workspace).of_user(user.pk)
    with transaction.atomic(using=workspace.db_alias):
        # A replay (or a concurrent copy of this batch) hits activity_record_once: such rows
        # are skipped, and counted as duplicates from what was really inserted.
        own.bulk_create(rows, ignore_conflicts=True)
        inserted = own.filter(id__in=[row.id for row in rows]).count()
    return ActivityResult(inserted, duplicates + len(rows) - inserted)


# --- reading a day ---


def day_bounds(day: date, zone_name: str) -> tuple[datetime, datetime]:
    """The instants a day of the person's time zone begins and ends (DST-safe)."""
    zone = zoneinfo.ZoneInfo(zone_name)
    begin = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    return begin, end


def records_of_day(workspace: Workspace, user: User, day: date) -> list[ActivityRecord]:
    """The person's records that fall on `day` of their time zone, wholly or in part."""
    begin, end = day_bounds(day, user.time_zone)
    return list(
        ActivityRecord.objects.in_workspace(workspace)
        .of_user(user.pk)
        # Records last at most MAX_RECORD, so the start bounds the search both ways.
        .filter(start__lt=end, start__gte=begin - MAX_RECORD)
        .filter(Q(end__gt=begin) | Q(start__gte=begin))
        .order_by("start", "id")
    )


def own_records(workspace: Workspace, user_id: int, ids: Iterable[object]) -> list[ActivityRecord]:
    """The person's records with these ids; the caller compares counts (someone else's or a
    missing id is simply not found)."""
    return list(
        ActivityRecord.objects.in_workspace(workspace)
        .of_user(user_id)
        .filter(id__in=list(ids))
        .order_by("start", "id")
    )


# --- turning records into time ---


@dataclass(frozen=True)
class Selection:
    """What a set of records suggests for an entry: its span and its likeliest description."""

    start: datetime
    end: datetime
    description: str


def selection_of(records: Sequence[ActivityRecord]) -> Selection:
    """Earliest start, latest end, and the most common title (else app, else domain); ties
    go to the one seen first."""
    labels = Counter(record.title or record.app or host_of(record.url) for record in records)
    labels.pop("", None)
    description = labels.most_common(1)[0][0] if labels else ""
    return Selection(
        start=min(record.start for record in records),
        end=max(record.end for record in records),
        description=description,
    )


def extend_entry(
    workspace: Workspace, entry: TimeEntry, records: Sequence[ActivityRecord]
) -> TimeEntry:
    """Stretch one of the person's entries to cover the records: it starts at the earlier of
    its start and the records' earliest start, and ends at the later of its end and their
    latest end (a running timer keeps running: only its start can move). Its details stay.

    InvalidActivity if the stretched entry breaks tracking.rules (e.g. too long).
    """
    span = selection_of(records)
    start = min(entry.start, span.start)
    end = None if entry.end is None else max(entry.end, span.end)
    details = services.EntryDetails.of(entry)
    try:
        return services.update_entry(workspace, entry, details, start, end)
    except EntryTimeError as error:
        raise InvalidActivity(f"The entry cannot cover these records: {error.message}") from None


def delete_records(workspace: Workspace, user_id: int, ids: Iterable[object]) -> int:
    """Delete the person's records with these ids; return how many went."""
    own = ActivityRecord.objects.in_workspace(workspace).of_user(user_id)
    return own.filter(id__in=list(ids)).delete()[1].get(ActivityRecord._meta.label, 0)
