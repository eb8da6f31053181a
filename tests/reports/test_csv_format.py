"""Writing the Detailed report CSV: columns, values and bytes exactly as Clockify's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reports.csv_format import CHUNK_SIZE, ExportFormat, entry_row, guard, header, write_csv
from workspaces.models import User, WorkspaceSettings

pytestmark = pytest.mark.django_db(databases=[])

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def row(fmt: ExportFormat, start: datetime, end: datetime, **fields: object) -> list[str]:
    values: dict = {
        "project": "Website",
        "client": "Acme",
        "description": "Design",
        "task": "",
        "user_name": "Ann",
        "group": "",
        "email": "ann@example.com",
        "tags": [],
        "billable": True,
        "start": start,
        "end": end,
        "rate": Decimal("50.00"),
    }
    values.update(fields)
    return entry_row(fmt, **values)


def at(*args: int, zone: ZoneInfo | None = None) -> datetime:
    return datetime(*args, tzinfo=zone or UTC)


def test_header_names_the_currency():
    assert header("EUR") == [
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
        "Billable Rate (EUR)",
        "Billable Amount (EUR)",
    ]


def test_export_bytes():
    fmt = ExportFormat(zone=BERLIN, currency="EUR")
    rows = [
        header("EUR"),
        row(
            fmt,
            at(2026, 3, 4, 13, 44, 33),
            at(2026, 3, 4, 16, 28, 10),
            description='=HYPERLINK("x"), then\r\nmore \\ text 🎉',
            tags=["design", "web"],
            task="Mockups",
            group="Team A, Team B",
        ),
        row(
            fmt,
            at(2026, 3, 3, 22, 47),
            at(2026, 3, 4, 0, 0),
            project="",
            client="",
            description="",
            billable=False,
            rate=None,
        ),
    ]
    assert b"".join(write_csv(rows)) == (
        b'"Project","Client","Description","Task","User","Group","Email","Tags","Billable",'
        b'"Start Date","Start Time","End Date","End Time","Duration (h)","Duration (decimal)",'
        b'"Billable Rate (EUR)","Billable Amount (EUR)"\r\n'
        b'"Website","Acme","\'=HYPERLINK(""x""), then\r\nmore \\ text \xf0\x9f\x8e\x89",'
        b'"Mockups","Ann","Team A, Team B","ann@example.com","design, web","Yes",'
        b'"03/04/2026","02:44:33 PM","03/04/2026","05:28:10 PM","02:43:37","2.73","50.00",'
        b'"136.35"\r\n'
        b'"","","","","Ann","","ann@example.com","","No",'
        b'"03/03/2026","11:47:00 PM","03/04/2026","01:00:00 AM","01:13:00","1.22","0.00",'
        b'"0.00"\r\n'
    )


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("%m/%d/%Y", "02/01/2026"),
        ("%d/%m/%Y", "01/02/2026"),
        ("%d.%m.%Y", "01.02.2026"),
        ("%Y-%m-%d", "2026-02-01"),
        ("%d-%m-%Y", "01-02-2026"),
        ("%m-%d-%Y", "02-01-2026"),
    ],
)
def test_date_formats(pattern, expected):
    values = row(ExportFormat(date_pattern=pattern), at(2026, 2, 1, 9), at(2026, 2, 1, 10))
    assert values[9] == values[11] == expected


@pytest.mark.parametrize(
    ("clock", "duration_format", "afternoon", "midnight", "noon"),
    [
        ("12", "full", "02:44:33 PM", "12:00:05 AM", "12:30:00 PM"),
        ("24", "full", "14:44:33", "00:00:05", "12:30:00"),
        ("12", "compact", "02:44 PM", "12:00 AM", "12:30 PM"),
        ("24", "compact", "14:44", "00:00", "12:30"),
        ("12", "decimal", "02:44 PM", "12:00 AM", "12:30 PM"),
        ("24", "decimal", "14:44", "00:00", "12:30"),
    ],
)
def test_clocks_and_seconds(clock, duration_format, afternoon, midnight, noon):
    fmt = ExportFormat(clock=clock, duration_format=duration_format)
    assert row(fmt, at(2026, 1, 5, 14, 44, 33), at(2026, 1, 5, 15))[10] == afternoon
    assert row(fmt, at(2026, 1, 5, 0, 0, 5), at(2026, 1, 5, 12, 30))[10:13:2] == [midnight, noon]


@pytest.mark.parametrize(
    ("length", "full", "compact", "decimal"),
    [
        (timedelta(minutes=13), "00:13:00", "0:13", "0.22"),
        (timedelta(minutes=30), "00:30:00", "0:30", "0.50"),
        (timedelta(hours=2, minutes=43, seconds=37), "02:43:37", "2:43", "2.73"),
        (timedelta(hours=3, minutes=30), "03:30:00", "3:30", "3.50"),
        (timedelta(hours=27, minutes=3, seconds=9), "27:03:09", "27:03", "27.05"),
        (timedelta(seconds=18), "00:00:18", "0:00", "0.01"),
    ],
)
def test_durations(length, full, compact, decimal):
    start = at(2026, 1, 5, 8)
    for duration_format, expected in (("full", full), ("compact", compact), ("decimal", decimal)):
        values = row(ExportFormat(duration_format=duration_format), start, start + length)
        assert values[13:15] == [expected, decimal]


@pytest.mark.parametrize(
    ("length", "rate", "billable", "expected"),
    [
        (timedelta(hours=2, minutes=43, seconds=37), Decimal("50"), True, ["50.00", "136.35"]),
        # 18 s at 1.00/h is 0.005: half up gives a cent where banker's rounding gives none.
        (timedelta(seconds=18), Decimal("1"), True, ["1.00", "0.01"]),
        (timedelta(minutes=13), Decimal("99.99"), True, ["99.99", "21.66"]),
        (timedelta(hours=1), None, True, ["0.00", "0.00"]),
        # The rate stays in the file for a non-billable entry, so a restore keeps it.
        (timedelta(hours=1), Decimal("80"), False, ["80.00", "0.00"]),
    ],
)
def test_rate_and_amount(length, rate, billable, expected):
    start = at(2026, 1, 5, 8)
    values = row(ExportFormat(), start, start + length, rate=rate, billable=billable)
    assert values[15:] == expected


def test_midnight_crossing_and_over_a_day():
    fmt = ExportFormat(date_pattern="%Y-%m-%d", clock="24", zone=NEW_YORK)
    values = row(fmt, at(2026, 1, 5, 22, 0, zone=NEW_YORK), at(2026, 1, 7, 1, 3, 9, zone=NEW_YORK))
    assert values[9:15] == ["2026-01-05", "22:00:00", "2026-01-07", "01:03:09", "27:03:09", "27.05"]


@pytest.mark.parametrize(
    ("zone", "start", "end", "expected"),
    [
        # Spring forward: 01:30 CET to 03:30 CEST is one hour.
        (BERLIN, at(2026, 3, 29, 0, 30), at(2026, 3, 29, 1, 30), ["01:30:00", "03:30:00"]),
        # Fall back: 02:30 CEST to 02:30 CET is one hour with the same wall time.
        (BERLIN, at(2026, 10, 25, 0, 30), at(2026, 10, 25, 1, 30), ["02:30:00", "02:30:00"]),
        (NEW_YORK, at(2026, 3, 8, 6, 30), at(2026, 3, 8, 7, 30), ["01:30:00", "03:30:00"]),
        (NEW_YORK, at(2026, 11, 1, 5, 30), at(2026, 11, 1, 6, 30), ["01:30:00", "01:30:00"]),
    ],
)
def test_daylight_saving_changes(zone, start, end, expected):
    fmt = ExportFormat(clock="24", zone=zone)
    values = row(fmt, start, end)
    assert [values[10], values[12]] == expected
    assert values[13:17] == ["01:00:00", "1.00", "50.00", "50.00"]


def test_entries_in_another_zone_are_written_in_the_exporters():
    fmt = ExportFormat(clock="24", zone=BERLIN)
    values = row(fmt, at(2026, 7, 1, 23, 30, zone=NEW_YORK), at(2026, 7, 2, 0, 30, zone=NEW_YORK))
    assert values[9:13] == ["07/02/2026", "05:30:00", "07/02/2026", "06:30:00"]


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        row(ExportFormat(), datetime(2026, 1, 1, 9), datetime(2026, 1, 1, 10))


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+49 30 1234", "'+49 30 1234"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'=1+1", "''=1+1"),  # keeps a real leading quote through the importer
        ("'quoted'", "'quoted'"),
        ("a=b", "a=b"),
        ("\nline", "\nline"),
        ("", ""),
    ],
)
def test_formula_guard(text, written):
    assert guard(text) == written


def test_tags_and_group_cells_are_guarded_as_a_whole():
    values = row(ExportFormat(), at(2026, 1, 1, 9), at(2026, 1, 1, 10), tags=["-urgent", "x"])
    assert b'"\'-urgent, x"' in b"".join(write_csv([values]))


def test_chunks_are_at_least_16_kib():
    line = row(ExportFormat(), at(2026, 1, 1, 9), at(2026, 1, 1, 10), description="é" * 300)
    chunks = list(write_csv([line] * 500))
    assert len(chunks) > 3
    assert all(len(chunk) >= CHUNK_SIZE for chunk in chunks[:-1])
    assert b"".join(chunks) == b"".join(write_csv([line])) * 500
    assert list(write_csv([])) == []


def test_format_for_member():
    user = User(time_zone="Europe/Berlin", date_format="%d.%m.%Y", time_format="24")
    settings = WorkspaceSettings(duration_format="compact", currency="GBP")
    fmt = ExportFormat.for_member(user, settings)
    assert fmt == ExportFormat("%d.%m.%Y", "24", BERLIN, "compact", "GBP")
    assert not fmt.seconds
    assert ExportFormat.for_member(User(time_zone="Mars/Olympus"), settings).zone is UTC


def test_unknown_formats_are_refused():
    with pytest.raises(ValueError, match="date pattern"):
        ExportFormat(date_pattern="%Y/%m/%d")
    with pytest.raises(ValueError, match="clock"):
        ExportFormat(clock="AM")
    with pytest.raises(ValueError, match="duration"):
        ExportFormat(duration_format="hours")
