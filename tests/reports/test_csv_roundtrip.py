"""Export then import gives back the same entries, and exporting those again the same bytes.

With Compact and Decimal durations the file's times have no seconds, so for those formats
the entries are generated on whole minutes; with Full they carry any second.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.csv_format import (
    CLOCKS,
    DATE_PATTERNS,
    DURATION_FORMATS,
    ExportFormat,
    entry_row,
    header,
    write_csv,
)
from reports.csv_import import DetailedRow, read_detailed_csv

pytestmark = pytest.mark.django_db(databases=[])

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu"]
# Instants around daylight-saving changes (Berlin, New York, Lord Howe's half hour) in 2026.
CHANGES = [
    datetime(2026, 3, 29, 1, tzinfo=UTC),
    datetime(2026, 10, 25, 1, tzinfo=UTC),
    datetime(2026, 3, 8, 7, tzinfo=UTC),
    datetime(2026, 11, 1, 6, tzinfo=UTC),
    datetime(2026, 4, 4, 15, tzinfo=UTC),
    datetime(2026, 10, 3, 15, 30, tzinfo=UTC),
]
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
TRICKY = ['"', ",", "\n", "\r", "\t", "'", "=", "+", "-", "@", "\\", "🎉", "\u2028", "\x85"]

plain = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from(TRICKY),
    max_size=30,
)
# Cells a spreadsheet would run as formulas, and texts that really start with a quote.
formula = st.builds(
    str.__add__, st.sampled_from(["=", "-", "+", "@", "\t", "\r", "'=", "''-", "'"]), plain
)
text = plain | formula
tag = st.text(
    alphabet=st.characters(blacklist_categories=["Cs", "Cc"]) | st.sampled_from(TRICKY),
    min_size=1,
    max_size=12,
).filter(lambda name: ", " not in name)
formats = st.builds(
    ExportFormat,
    date_pattern=st.sampled_from(DATE_PATTERNS),
    clock=st.sampled_from(CLOCKS),
    zone=st.sampled_from(ZONES).map(ZoneInfo),
    duration_format=st.sampled_from(DURATION_FORMATS),
    currency=st.sampled_from(["USD", "EUR", "GBP", "AUD"]),
)


@st.composite
def entries(draw: st.DrawFn, fmt: ExportFormat) -> dict:
    step = 1 if fmt.seconds else 60  # whole minutes when the file's times have no seconds
    near_change = st.builds(
        lambda change, offset: change + timedelta(seconds=offset * step),
        st.sampled_from(CHANGES),
        st.integers(-4 * 3600 // step, 4 * 3600 // step),
    )
    anywhere = st.integers(0, 36 * 365 * 86400 // step).map(
        lambda n: EPOCH + timedelta(seconds=n * step)
    )
    start = draw(near_change | anywhere)
    length = draw(st.integers(1, 100 * 3600 // step)) * step  # up to 100 hours
    return {
        "project": draw(text),
        "client": draw(text),
        "description": draw(text),
        "task": draw(text),
        "user_name": draw(text),
        "group": draw(text),
        "email": draw(st.emails()),
        "tags": draw(st.lists(tag, max_size=3)),
        "billable": draw(st.booleans()),
        "start": start,
        "end": start + timedelta(seconds=length),
        "rate": draw(st.none() | st.decimals(0, 10000, places=2)),
    }


@st.composite
def exports(draw: st.DrawFn) -> tuple[ExportFormat, list[dict]]:
    fmt = draw(formats)
    return fmt, draw(st.lists(entries(fmt), min_size=1, max_size=6))


def export(fmt: ExportFormat, rows: list[dict]) -> bytes:
    return b"".join(write_csv([header(fmt.currency), *(entry_row(fmt, **row) for row in rows)]))


def fields(row: DetailedRow) -> dict:
    return {
        "project": row.project,
        "client": row.client,
        "description": row.description,
        "task": row.task,
        "user_name": row.user_name,
        "group": row.group,
        "email": row.email,
        "tags": row.tags,
        "billable": row.billable,
        "start": row.start,
        "end": row.end,
        "rate": row.rate,
    }


def restored(fmt: ExportFormat, row: dict) -> dict:
    """What the file can say about an entry: all of it, but for two things."""
    # A missing rate is written as 0.00, so it comes back as a zero rate.
    rate = Decimal("0.00") if row["rate"] is None else row["rate"]
    start, end = row["start"].astimezone(fmt.zone), row["end"].astimezone(fmt.zone)
    if start.fold and end.fold:
        # Wholly inside the second pass of a repeated hour: without offsets the file cannot
        # tell it from the first pass, which the importer picks. The duration is the same.
        start, end = start.replace(fold=0), end.replace(fold=0)
    return {**row, "rate": rate, "start": start.astimezone(UTC), "end": end.astimezone(UTC)}


@settings(max_examples=100, deadline=None)
@given(exports())
def test_export_import_export(case):
    fmt, written = case
    data = export(fmt, written)

    parsed = read_detailed_csv(data, zone=fmt.zone)
    if parsed.needs_day_first:  # no day above 12: the person says which order it is
        parsed = read_detailed_csv(data, zone=fmt.zone, day_first=fmt.date_pattern[1] == "d")
    assert parsed.ok, parsed.errors
    assert parsed.date_pattern == fmt.date_pattern
    assert parsed.clock == fmt.clock and parsed.seconds == fmt.seconds
    assert parsed.currency == fmt.currency

    expected = [restored(fmt, row) for row in written]
    assert [fields(row) for row in parsed.rows] == expected
    assert export(fmt, [fields(row) for row in parsed.rows]) == data
