"""Reading Detailed report CSV files: every variant people really have, and bad lines."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reports.csv_import import MAX_ERRORS, DetailedCsv, RowError, read_detailed_csv

pytestmark = pytest.mark.django_db(databases=[])

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")

HEADER = (
    '"Project","Client","Description","Task","User","Group","Email","Tags","Billable",'
    '"Start Date","Start Time","End Date","End Time","Duration (h)","Duration (decimal)",'
    '"Billable Rate (USD)","Billable Amount (USD)"'
)


def record(
    start_date: str = "03/14/2026",
    start_time: str = "10:23:52 AM",
    end_date: str = "03/14/2026",
    end_time: str = "11:30:00 AM",
    *,
    description: str = "Work",
    billable: str = "Yes",
    rate: str = "50.00",
    duration: str = "01:06:08",
    email: str = "ann@example.com",
    tags: str = "Development, Backend",
) -> str:
    values = [
        "Project A",
        "Client A",
        description,
        "Task 1",
        "Ann Tester",
        "Group 1, Group 2",
        email,
        tags,
        billable,
        start_date,
        start_time,
        end_date,
        end_time,
        duration,
        "1.10",
        rate,
        "55.11",
    ]
    return ",".join('"' + value.replace('"', '""') + '"' for value in values)


def read(text: str, zone: ZoneInfo = UTC, **options: object):
    return read_detailed_csv(text.encode(), zone=zone, **options)


def test_reads_a_clockify_file():
    parsed = read(HEADER + "\r\n" + record() + "\r\n", zone=BERLIN)
    assert parsed.ok and parsed.errors == []
    [row] = parsed.rows
    assert (row.line, row.project, row.client, row.description, row.task) == (
        2,
        "Project A",
        "Client A",
        "Work",
        "Task 1",
    )
    assert (row.user_name, row.group, row.email) == (
        "Ann Tester",
        "Group 1, Group 2",
        "ann@example.com",
    )
    assert row.tags == ["Development", "Backend"]
    assert row.billable is True
    assert row.rate == Decimal("50.00")
    assert row.start == datetime(2026, 3, 14, 9, 23, 52, tzinfo=UTC)
    assert row.end == datetime(2026, 3, 14, 10, 30, tzinfo=UTC)
    assert row.duration == timedelta(hours=1, minutes=6, seconds=8)
    assert (parsed.date_label, parsed.clock, parsed.seconds, parsed.currency) == (
        "MM/DD/YYYY",
        "12",
        True,
        "USD",
    )


@pytest.mark.parametrize("bom", ["", "\ufeff"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_byte_order_mark_and_line_endings(bom, newline):
    text = bom + HEADER + newline + record(description="two\r\nlines") + newline + record()
    parsed = read(text)
    assert parsed.ok
    assert [row.line for row in parsed.rows] == [2, 4]
    assert parsed.rows[0].description == "two\r\nlines"


def test_activity_instead_of_task_and_missing_columns():
    text = (
        '"Project","Description","Activity","User","Email","Tags",'
        '"Start Date","Start Time","End Date","End Time","Duration (h)"\n'
        '"P","Work","Meeting","Ann","ann@example.com","","03/14/2026","10:00","03/14/2026",'
        '"11:00","1:00"\n'
    )
    parsed = read(text)
    assert parsed.ok
    [row] = parsed.rows
    assert (row.task, row.client, row.group, row.billable, row.rate) == (
        "Meeting",
        "",
        "",
        None,
        None,
    )
    assert (parsed.clock, parsed.seconds, parsed.currency) == ("24", False, None)


def test_extra_columns_anywhere_are_ignored():
    text = (
        '"Project","Client","Description","Task","User","Group","Email","Tags","Type",'
        '"Billable","Invoiced","Invoice ID","Start Date","Start Time","End Date","End Time",'
        '"Duration (h)","Duration (decimal)","Billable Rate (EUR)","Billable Amount (EUR)",'
        '"Date of creation","Approval","Approved by","Customer number"\n'
        '"P","C","Work","","Ann","","ann@example.com","x","Regular","Yes","Yes","INV-7",'
        '"10/15/2024","11:00:00 AM","10/15/2024","11:30:00 AM","00:30:00","0.50","1000.00",'
        '"500.00","10/15/2024","Approved","Bob","K-1"\n'
    )
    parsed = read(text)
    assert parsed.ok
    assert parsed.ignored_columns == [
        "Type",
        "Invoiced",
        "Invoice ID",
        "Date of creation",
        "Approval",
        "Approved by",
        "Customer number",
    ]
    [row] = parsed.rows
    assert (row.tags, row.billable, row.rate, parsed.currency) == (
        ["x"],
        True,
        Decimal(1000),
        "EUR",
    )
    assert row.duration == timedelta(minutes=30)


@pytest.mark.parametrize(
    ("first", "second", "label"),
    [
        ("12/31/2025", "01/02/2026", "MM/DD/YYYY"),
        ("31/12/2025", "02/01/2026", "DD/MM/YYYY"),
        ("31.12.2025", "02.01.2026", "DD.MM.YYYY"),
        ("2025-12-31", "2026-01-02", "YYYY-MM-DD"),
        ("31-12-2025", "02-01-2026", "DD-MM-YYYY"),
        ("12-31-2025", "01-02-2026", "MM-DD-YYYY"),
    ],
)
def test_each_date_format(first, second, label):
    text = "\n".join(
        [HEADER, record(second, "09:00 AM", second, "10:00 AM"), record(first, "09:00 AM", first)]
    )
    parsed = read(text)
    assert parsed.ok and parsed.date_label == label
    assert [row.start.date() for row in parsed.rows] == [
        datetime(2026, 1, 2).date(),
        datetime(2025, 12, 31).date(),
    ]


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("02:44:33 PM", "03:00:00 PM", (14, 44, 33)),
        ("02:44 PM", "03:00 PM", (14, 44, 0)),
        ("14:44:33", "15:00:00", (14, 44, 33)),
        ("14:44", "15:00", (14, 44, 0)),
        ("12:05 AM", "01:00 AM", (0, 5, 0)),
        ("12:05:00 pm", "1:00 pm", (12, 5, 0)),
        ("9:05", "10:00:00", (9, 5, 0)),
    ],
)
def test_clocks_with_and_without_seconds(start, end, expected):
    parsed = read(HEADER + "\n" + record("01/20/2026", start, "01/20/2026", end))
    [row] = parsed.rows
    assert (row.start.hour, row.start.minute, row.start.second) == expected


def test_ambiguous_dates_ask_the_person():
    text = HEADER + "\n" + record("03/04/2026", "09:00 AM", "03/04/2026", "10:00 AM")
    parsed = read(text)
    assert parsed.needs_day_first and not parsed.ok
    assert parsed.date_label == "MM/DD/YYYY"
    assert parsed.rows[0].start.date() == datetime(2026, 3, 4).date()
    day_first = read(text, day_first=True)
    assert day_first.ok and day_first.date_label == "DD/MM/YYYY"
    assert day_first.rows[0].start.date() == datetime(2026, 4, 3).date()
    assert read(text, day_first=False).ok


def test_a_day_above_12_anywhere_settles_the_order():
    rows = [record(f"0{n}/04/2026", "09:00", f"0{n}/04/2026", "10:00") for n in range(1, 9)]
    parsed = read("\n".join([HEADER, *rows, record("25/04/2026", "09:00", "25/04/2026", "10:00")]))
    assert parsed.ok and parsed.date_label == "DD/MM/YYYY"
    assert parsed.rows[0].start.date() == datetime(2026, 4, 1).date()


def test_dates_that_contradict_the_order_are_errors():
    text = "\n".join(
        [
            HEADER,
            record("25/04/2026", "09:00", "25/04/2026", "10:00"),
            record("04/25/2026", end_date="04/25/2026"),
        ]
    )
    parsed = read(text)
    assert parsed.date_label == "DD/MM/YYYY"
    assert [str(e) for e in parsed.errors] == [
        "Line 3: Start Date “04/25/2026” is not a date in DD/MM/YYYY."
    ]
    wrong_choice = read(text, day_first=False)
    assert [error.line for error in wrong_choice.errors] == [2]


def test_a_chosen_order_does_not_change_unambiguous_formats():
    parsed = read(
        HEADER + "\n" + record("2026-03-04", "09:00", "2026-03-04", "10:00"), day_first=True
    )
    assert parsed.ok and parsed.rows[0].start.month == 3


@pytest.mark.parametrize(
    ("written", "read_as"),
    [
        ("'=1+1", "=1+1"),
        ("'-5", "-5"),
        ("'+49", "+49"),
        ("'@me", "@me"),
        ("'\tx", "\tx"),
        ("'\rx", "\rx"),
        ("''=1", "'=1"),
        ("'quoted'", "'quoted'"),
        ("=1+1", "=1+1"),
        ("it's", "it's"),
    ],
)
def test_the_formula_guard_is_removed_exactly_once(written, read_as):
    parsed = read(HEADER + "\n" + record(description=written, tags="'-urgent, x"))
    assert parsed.rows[0].description == read_as
    assert parsed.rows[0].tags == ["-urgent", "x"]


def test_duration_is_recomputed_from_start_and_end():
    parsed = read(HEADER + "\n" + record(duration="99:00:00"))
    assert parsed.rows[0].duration == timedelta(hours=1, minutes=6, seconds=8)


def test_midnight_and_days_long_entries():
    parsed = read(HEADER + "\n" + record("01/30/2026", "10:00 PM", "02/01/2026", "01:03:09 AM"))
    assert parsed.rows[0].duration == timedelta(hours=27, minutes=3, seconds=9)


@pytest.mark.parametrize(
    ("zone", "day", "start", "end", "written", "expected"),
    [
        # 02:30 to 02:30 on the night clocks go back: the Duration column says which 02:30.
        (BERLIN, "10/25/2026", "02:30", "02:30", "01:00:00", timedelta(hours=1)),
        (BERLIN, "10/25/2026", "02:30", "02:30", "0:00", timedelta(0)),
        (BERLIN, "10/25/2026", "02:15", "02:45", "1:30", timedelta(hours=1, minutes=30)),
        (BERLIN, "10/25/2026", "02:15", "02:45", "0.50", timedelta(minutes=30)),
        (BERLIN, "03/29/2026", "01:30", "03:30", "01:00:00", timedelta(hours=1)),
        (NEW_YORK, "2026-11-01", "01:30", "01:00", "0:30", timedelta(minutes=30)),
        (NEW_YORK, "2026-03-08", "01:30", "03:30", "1.00", timedelta(hours=1)),
    ],
)
def test_daylight_saving_changes(zone, day, start, end, written, expected):
    parsed = read(HEADER + "\n" + record(day, start, day, end, duration=written), zone=zone)
    assert parsed.ok
    assert parsed.rows[0].duration == expected


def test_a_repeated_hour_without_a_duration_column_reads_as_the_shortest_entry():
    text = (
        '"Email","Start Date","Start Time","End Date","End Time"\n'
        '"a@example.com","10/25/2026","02:30","10/25/2026","03:10"\n'
    )
    [row] = read(text, zone=BERLIN).rows
    assert row.start == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert row.duration == timedelta(minutes=40)


def test_an_entry_inside_the_repeated_hour_reads_as_its_first_pass():
    text = HEADER + "\n" + record("10/25/2026", "02:10", "10/25/2026", "02:20", duration="0:10")
    [row] = read(text, zone=BERLIN).rows
    assert row.start == datetime(2026, 10, 25, 0, 10, tzinfo=UTC)  # 02:10 CEST, not CET
    assert row.duration == timedelta(minutes=10)


def test_a_skipped_hour_is_an_error():
    parsed = read(HEADER + "\n" + record("03/29/2026", "02:30", "03/29/2026", "04:00"), zone=BERLIN)
    assert parsed.rows == []
    assert "does not exist in Europe/Berlin" in parsed.errors[0].message


def test_zero_length_entries_are_kept():
    parsed = read(HEADER + "\n" + record(end_time="10:23:52 AM", duration="00:00:00"))
    assert parsed.ok and parsed.rows[0].duration == timedelta(0)


def test_each_bad_line_is_reported_and_the_rest_read():
    lines = [
        HEADER,
        record(description="a\nmultiline\ndescription"),  # lines 2-4, fine
        record("13/45/2026"),  # 5
        record(start_time="25:00"),  # 6
        record(end_time="09:00:00 AM"),  # 7: ends before it starts
        record(billable="Maybe", rate="fifty"),  # 8: two problems
        record(description="x" * 3001),  # 9
        '"too","short"',  # 10
        record(email=" "),  # 11
        "",  # 12: blank lines are skipped
        record(tags="ok, " + "t" * 101),  # 13
        record(),  # 14, fine
    ]
    parsed = read("\n".join(lines))
    assert [row.line for row in parsed.rows] == [2, 14]
    assert [str(error) for error in parsed.errors] == [
        "Line 5: Start Date “13/45/2026” is not a date in MM/DD/YYYY.",
        "Line 6: Start Time “25:00” is not a time.",
        "Line 7: The entry ends before it starts.",
        "Line 8: Billable is “Maybe”; expected Yes or No.",
        "Line 8: Billable Rate “fifty” is not an amount like 50.00.",
        "Line 9: Description is longer than 3000 characters.",
        "Line 10: It has 2 fields; the header has 17.",
        "Line 11: Email is empty; members are matched by email.",
        "Line 13: A tag is longer than 100 characters.",
    ]
    assert parsed.error_count == 9 and not parsed.ok


def test_mixed_date_formats_are_an_error():
    text = "\n".join([HEADER, record(), record("2026-03-04", end_date="2026-03-04")])
    assert [error.line for error in read(text).errors] == [3]


def test_errors_are_capped_but_counted():
    text = "\n".join([HEADER] + [record(billable="?")] * (MAX_ERRORS + 5))
    parsed = read(text)
    assert parsed.error_count == MAX_ERRORS + 5
    assert len(parsed.errors) == MAX_ERRORS


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", RowError(1, "The file is empty.")),
        (
            b'"Project","Client","Time (h)"\r\n"P","C","1:00"\r\n',
            RowError(
                1,
                "This is not a Detailed report: the header lacks Email, Start Date, "
                "Start Time, End Date, End Time.",
            ),
        ),
    ],
)
def test_files_that_are_not_detailed_reports(data, expected):
    parsed = read_detailed_csv(data, zone=UTC)
    assert parsed.errors == [expected] and parsed.rows == []


def test_broken_csv_stops_at_its_line():
    text = "\n".join([HEADER, record(), record() + '"x', record()])
    parsed = read(text)
    assert [row.line for row in parsed.rows] == [2]
    assert parsed.errors[0].line == 3
    assert "not valid CSV" in parsed.errors[0].message


def test_text_that_is_not_utf8_stops_at_its_line():
    data = (HEADER + "\n" + record() + "\n").encode() + record(description="café").encode("latin-1")
    parsed = read_detailed_csv(data, zone=UTC)
    assert [row.line for row in parsed.rows] == [2]
    assert parsed.errors == [RowError(3, "This is not UTF-8 text; save it as UTF-8.")]


def test_any_rereadable_source_of_text_or_bytes(tmp_path):
    data = ("\ufeff" + HEADER + "\r\n" + record(description="é🎉\r\nx\ry") + "\r\n").encode()
    expected = read_detailed_csv(data, zone=UTC).rows
    assert expected[0].description == "é🎉\r\nx\ry"

    def tiny_chunks():  # splits characters and CRLFs
        return (data[i : i + 3] for i in range(0, len(data), 3))

    path = tmp_path / "export.csv"
    path.write_bytes(data)
    text = io.StringIO(data.decode("utf-8-sig"), newline="")
    for source in (tiny_chunks, io.BytesIO(data), text, path, [data[:7], data[7:]]):
        assert read_detailed_csv(source, zone=UTC).rows == expected


def test_a_one_shot_iterator_is_refused():
    # The dates are settled in a first pass, so the file must be readable twice.
    with pytest.raises(TypeError, match="read twice"):
        DetailedCsv(iter([HEADER]), zone=UTC)


def test_rows_come_while_the_file_is_read():
    consumed = []

    def lines():
        yield HEADER + "\n"
        for n in range(5000):
            consumed.append(n)
            yield record() + "\n"

    reader = DetailedCsv(lines, zone=UTC)  # the first pass reads the dates to the end
    consumed.clear()
    rows = reader.rows()
    next(rows)
    assert len(consumed) <= 2  # one row out, one record read ahead at most
    assert sum(1 for _ in rows) == 4999 and len(consumed) == 5000
    assert reader.parsed.ok


def test_each_pass_reports_its_problems_once():
    reader = DetailedCsv("\n".join([HEADER, record(billable="?"), record()]), zone=UTC)
    for _ in range(2):
        assert len(list(reader.rows())) == 1
        assert [error.line for error in reader.parsed.errors] == [2]
        assert reader.parsed.error_count == 1
