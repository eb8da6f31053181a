"""Reading a member's entries for pages: days with totals, the week, keyset pages."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import DurationField, ExpressionWrapper, F, Q, Sum, prefetch_related_objects
from django.utils import timezone

from workspaces.models import Workspace

from .formatting import local_midnight, week_bounds
from .models import TimeEntry

PAGE_SIZE = 50
# A page is extended to the end of its last day, up to this many more entries.
DAY_TAIL_LIMIT = 500


@dataclass
class Day:
    """One day of a member's entries, newest first, with its total."""

    day: date
    entries: list[TimeEntry] = field(default_factory=list)
    # A running timer started this day: not in the list, but counted as the week counts it.
    running: timedelta = timedelta()

    @property
    def total(self) -> timedelta:
        return sum((entry.duration for entry in self.entries), self.running)


@dataclass
class EntryPage:
    days: list[Day]
    next_cursor: str | None


def member_entries(workspace: Workspace, user_id: int) -> object:
    """The member's finished entries, newest first, with what the list shows."""
    return (
        TimeEntry.objects.in_workspace(workspace)
        .of_user(user_id)
        .finished()
        .select_related("project__client", "task")
        .order_by("-start", "-id")
    )


def parse_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    """Read a 'load more' cursor; ValueError for one that this page did not write."""
    if not cursor:
        return None
    start, _, pk = cursor.partition("_")
    moment = datetime.fromisoformat(start)
    if timezone.is_naive(moment):
        raise ValueError("A cursor's time has a time zone.")
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:  # e.g. 0001-01-01 at +14:00
        raise ValueError("A cursor's time is out of range.") from None
    return moment, uuid.UUID(pk)


def entry_page(
    workspace: Workspace, user_id: int, position: tuple[datetime, uuid.UUID] | None = None
) -> EntryPage:
    """Up to PAGE_SIZE entries before a parsed cursor, never splitting a day: three queries."""
    entries = member_entries(workspace, user_id)
    if position is not None:
        entries = entries.filter(_before(*position))
    page = list(entries[:PAGE_SIZE])
    next_cursor = None
    if len(page) == PAGE_SIZE:
        last = page[-1]
        tail = list(entries.filter(_before(last.start, last.id))[:DAY_TAIL_LIMIT])
        last_day = timezone.localtime(last.start).date()
        same_day = [e for e in tail if timezone.localtime(e.start).date() == last_day]
        page.extend(same_day)
        if len(tail) > len(same_day) or len(tail) == DAY_TAIL_LIMIT:
            end = page[-1]
            next_cursor = f"{end.start.isoformat()}_{end.id}"
    prefetch_related_objects(page, "tags")
    return EntryPage(days=group_by_day(page), next_cursor=next_cursor)


def _before(start: datetime, pk: uuid.UUID) -> Q:
    return Q(start__lt=start) | Q(start=start, id__lt=pk)


def group_by_day(entries: list[TimeEntry]) -> list[Day]:
    """Group entries (newest first) by their local day."""
    days: list[Day] = []
    for entry in entries:
        day = timezone.localtime(entry.start).date()
        if not days or days[-1].day != day:
            days.append(Day(day))
        days[-1].entries.append(entry)
    return days


def count_running(days: list[Day], running: TimeEntry) -> None:
    """Add a running timer's time so far to the total of the day it started."""
    started = timezone.localtime(running.start).date()
    for day in days:
        if day.day == started:
            day.running = running.duration


def day_total(workspace: Workspace, user_id: int, day: date) -> timedelta:
    """The member's finished time on one local day."""
    start = local_midnight(day)
    return _total(workspace, user_id, start, local_midnight(day + timedelta(days=1)))


def week_total(workspace: Workspace, user_id: int, today: date, week_start: int) -> timedelta:
    """The member's finished time this week (their week start), plus a running timer."""
    first, last = week_bounds(today, week_start)
    return _total(workspace, user_id, local_midnight(first), local_midnight(last + timedelta(1)))


def _total(workspace: Workspace, user_id: int, start: datetime, end: datetime) -> timedelta:
    length = ExpressionWrapper(F("end") - F("start"), output_field=DurationField())
    total = (
        TimeEntry.objects.in_workspace(workspace)
        .of_user(user_id)
        .finished()
        .filter(start__gte=start, start__lt=end)
        .aggregate(total=Sum(length))["total"]
    )
    return total or timedelta()
