"""Reading and writing durations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tracking.durations import DurationError, decimal_hours, format_duration, parse_duration

pytestmark = pytest.mark.django_db(databases=[])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:30", timedelta(hours=1, minutes=30)),
        ("0:05", timedelta(minutes=5)),
        ("1:30:15", timedelta(hours=1, minutes=30, seconds=15)),
        ("1.5", timedelta(hours=1, minutes=30)),
        ("1,5", timedelta(hours=1, minutes=30)),
        (".25", timedelta(minutes=15)),
        ("2", timedelta(hours=2)),
        ("90m", timedelta(minutes=90)),
        ("90 min", timedelta(minutes=90)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1.5h", timedelta(hours=1, minutes=30)),
        ("45s", timedelta(seconds=45)),
        ("  3:00  ", timedelta(hours=3)),
        ("999:00", timedelta(hours=999)),
    ],
)
def test_parse(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1:75", "1:30:99", "-1", "1:", "h", "1.2.3", "1 30"])
def test_parse_rejects(text):
    with pytest.raises(DurationError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "full", "compact", "decimal"),
    [
        (30 * 60, "00:30:00", "0:30", "0.50"),
        (13 * 60, "00:13:00", "0:13", "0.22"),
        (2 * 3600 + 43 * 60 + 37, "02:43:37", "2:43", "2.73"),
        (27 * 3600 + 3 * 60 + 9, "27:03:09", "27:03", "27.05"),
        (0, "00:00:00", "0:00", "0.00"),
        (18, "00:00:18", "0:00", "0.01"),
    ],
)
def test_format(seconds, full, compact, decimal):
    duration = timedelta(seconds=seconds)
    assert format_duration(duration, "full") == full
    assert format_duration(duration, "compact") == compact
    assert format_duration(duration, "decimal") == decimal
    assert decimal_hours(duration) == decimal


@given(st.integers(min_value=0, max_value=999 * 3600))
def test_full_format_reads_back(seconds):
    duration = timedelta(seconds=seconds)
    assert parse_duration(format_duration(duration, "full")) == duration


@given(st.integers(min_value=0, max_value=999 * 60))
def test_compact_format_reads_back_to_the_minute(minutes):
    duration = timedelta(minutes=minutes)
    assert parse_duration(format_duration(duration, "compact")) == duration
