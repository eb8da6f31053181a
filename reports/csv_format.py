"""Write Clockify's Detailed report CSV exactly as FORMATS.md section 1 describes it.

This is the reference for every way we produce the file: the Python path here and the
PostgreSQL COPY path must give the same bytes, so each rule below is spelled out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracking.durations import decimal_hours, format_duration

if TYPE_CHECKING:
    from workspaces.models import User, WorkspaceSettings

COLUMNS = (
    "Project",
    "Client",
    "Description",
    "Task",
    "User",
    "Group",
    "Email",
    "Tags",
    "Billable",
    "Start Date",
    "Start Time",
    "End Date",
    "End Time",
    "Duration (h)",
    "Duration (decimal)",
)
# The six date formats people can pick (workspaces.models.DateFormat values).
DATE_PATTERNS = ("%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d", "%d-%m-%Y", "%m-%d-%Y")
CLOCKS = ("12", "24")
DURATION_FORMATS = ("full", "compact", "decimal")
TAG_SEPARATOR = ", "
CHUNK_SIZE = 16 * 1024
# OWASP's formula triggers, after any run of quotes: guarding "'=x" too (as "''=x") keeps a
# text that really starts with a quote intact through export and import. The importer
# removes one quote from exactly these cells. In SQL: value ~ '^''*[=+\-@\t\r]'.
GUARDED = re.compile(r"'*[=+\-@\t\r]")
CENT = Decimal("0.01")


def header(currency: str) -> list[str]:
    """Return the 17 column names, the workspace currency in the rate and amount columns."""
    return [*COLUMNS, f"Billable Rate ({currency})", f"Billable Amount ({currency})"]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """How the exporting member reads dates and times, and how the workspace shows money."""

    date_pattern: str = "%m/%d/%Y"
    clock: str = "12"
    zone: tzinfo = UTC
    duration_format: str = "full"
    currency: str = "USD"

    def __post_init__(self) -> None:
        if self.date_pattern not in DATE_PATTERNS:
            raise ValueError(f"Unknown date pattern {self.date_pattern!r}.")
        if self.clock not in CLOCKS:
            raise ValueError(f"Unknown clock {self.clock!r}.")
        if self.duration_format not in DURATION_FORMATS:
            raise ValueError(f"Unknown duration format {self.duration_format!r}.")

    @classmethod
    def for_member(cls, user: User, settings: WorkspaceSettings) -> ExportFormat:
        """Take the member's date, clock and zone and the workspace's durations and currency."""
        try:
            zone: tzinfo = ZoneInfo(user.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            zone = UTC
        return cls(
            date_pattern=user.date_format,
            clock=user.time_format,
            zone=zone,
            duration_format=settings.duration_format,
            currency=settings.currency,
        )

    @property
    def seconds(self) -> bool:
        """Times carry seconds exactly when durations are Full (Clockify's rule)."""
        return self.duration_format == "full"

    def date(self, local: datetime) -> str:
        """Write a local date, day and month zero-padded, four-digit year."""
        return (
            self.date_pattern.replace("%d", f"{local.day:02d}")
            .replace("%m", f"{local.month:02d}")
            .replace("%Y", f"{local.year:04d}")
        )

    def time(self, local: datetime) -> str:
        """Write a local time: '02:44:33 PM' or '14:44:33', without seconds unless Full."""
        seconds = f":{local.second:02d}" if self.seconds else ""
        if self.clock == "24":
            return f"{local.hour:02d}:{local.minute:02d}{seconds}"
        # Not strftime's %p: it follows the C locale and could write something else.
        suffix = "AM" if local.hour < 12 else "PM"
        return f"{(local.hour % 12) or 12:02d}:{local.minute:02d}{seconds} {suffix}"


def entry_row(
    fmt: ExportFormat,
    *,
    project: str,
    client: str,
    description: str,
    task: str,
    user_name: str,
    group: str,
    email: str,
    tags: Sequence[str],
    billable: bool,
    start: datetime,
    end: datetime,
    rate: Decimal | None,
) -> list[str]:
    """Return one finished entry's 17 values as Clockify writes them.

    Dates and times are local to `fmt.zone`, with no offset; seconds are cut, not rounded,
    when the format drops them. Both durations come from the exact seconds between start
    and end. The rate column holds the entry's rate whether billable or not (so a restore
    keeps it) and "0.00" when it has none; the amount is hours times rate rounded half up
    to the cent for billable entries, "0.00" for the others, as in Clockify's files.
    """
    if start.tzinfo is None or end.tzinfo is None:
        raise ValueError("start and end must be timezone-aware.")
    # Subtracting in UTC: two datetimes sharing a ZoneInfo subtract as wall clocks, which
    # is an hour off across a daylight-saving change.
    duration = end.astimezone(UTC) - start.astimezone(UTC)
    local_start, local_end = start.astimezone(fmt.zone), end.astimezone(fmt.zone)
    return [
        project,
        client,
        description,
        task,
        user_name,
        group,
        email,
        TAG_SEPARATOR.join(tags),
        "Yes" if billable else "No",
        fmt.date(local_start),
        fmt.time(local_start),
        fmt.date(local_end),
        fmt.time(local_end),
        format_duration(duration, fmt.duration_format),
        decimal_hours(duration),
        _money(rate or Decimal(0)),
        _money(amount(duration, rate) if billable else Decimal(0)),
    ]


def amount(duration: timedelta, rate: Decimal | None) -> Decimal:
    """Return whole seconds times the hourly rate, rounded half up to the cent."""
    seconds = max(int(duration.total_seconds()), 0)
    return (Decimal(seconds) * (rate or Decimal(0)) / 3600).quantize(CENT, ROUND_HALF_UP)


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT, ROUND_HALF_UP):f}"


def guard(value: str) -> str:
    """Put a quote before a cell a spreadsheet would run as a formula (OWASP)."""
    return "'" + value if GUARDED.match(value) else value


def csv_line(row: Sequence[str]) -> str:
    """Write one record: every field guarded and quoted, quotes doubled, CRLF at the end."""
    return ",".join('"' + guard(value).replace('"', '""') + '"' for value in row) + "\r\n"


def write_csv(rows: Iterable[Sequence[str]]) -> Iterator[bytes]:
    """Yield the records as UTF-8 (no byte-order mark) in chunks of at least 16 KiB.

    Pass header(currency) as the first row. Only the last chunk may be smaller.
    """
    parts: list[str] = []
    size = 0
    for row in rows:
        line = csv_line(row)
        parts.append(line)
        # Characters, not bytes: never more than the bytes, so chunks are at least as big.
        size += len(line)
        if size >= CHUNK_SIZE:
            yield "".join(parts).encode()
            parts.clear()
            size = 0
    if parts:
        yield "".join(parts).encode()
