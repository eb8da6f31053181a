"""The one definition of a valid time entry's times, called by every path that writes one.

The tracker, the timesheet, the REST API (POST and PUT), the report's edit page and the CSV
import all check start and end here, so no path can store an entry that another refuses,
and every stored entry is one that every report can render.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from .durations import MAX_DURATION

EARLIEST_START = datetime(1970, 1, 1, tzinfo=UTC)
# How far ahead time may be planned; the end may then run MAX_DURATION further.
LATEST_AHEAD = timedelta(days=365)
# The days a page, a filter or an address may name (a week, a report range, a cell). Wider
# than an entry's own bounds, so reports can look ahead; narrow enough that arithmetic on
# them (a week on either side, a time zone's offset) never leaves Python's dates.
EARLIEST_DAY = date(1970, 1, 1)
LATEST_DAY = date(2100, 12, 31)
DAY_RANGE_MESSAGE = "Choose a day between 1970 and 2100."


class EntryTimeError(ValueError):
    """Start or end break a rule; `field` says which ("start" or "end")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def day_in_range(day: date) -> bool:
    """Whether a page, filter or address may name this day."""
    return EARLIEST_DAY <= day <= LATEST_DAY


def check_entry_times(
    start: datetime,
    end: datetime | None,
    *,
    now: datetime | None = None,
    capped: bool = True,
) -> None:
    """Raise EntryTimeError unless `start` and `end` (None: running) make a valid entry.

    `capped=False` lifts the 999-hour cap for one case only: stopping a running timer,
    since a timer forgotten for weeks must still be stoppable.
    """
    now = now or timezone.now()
    if timezone.is_naive(start) or (end is not None and timezone.is_naive(end)):
        raise EntryTimeError("start", "Times need a time zone.")
    if start < EARLIEST_START:
        raise EntryTimeError("start", "Entries start in 1970 or later.")
    if start > now + LATEST_AHEAD:
        raise EntryTimeError("start", "Entries can start at most a year ahead.")
    if end is None:
        if start > now:
            raise EntryTimeError("start", "A running timer cannot start in the future.")
        return
    if end <= start:
        raise EntryTimeError("end", "The end must be after the start.")
    if capped and end - start > MAX_DURATION:
        raise EntryTimeError("end", "An entry can last at most 999 hours.")
    if not capped and end > now + LATEST_AHEAD:
        raise EntryTimeError("end", "A timer can be stopped at most a year ahead.")
