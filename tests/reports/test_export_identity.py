"""On PostgreSQL the COPY path writes exactly the bytes of the Python path, for awkward data."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.conf import settings
from django.db import connections

from reports import export
from reports.csv_format import CHUNK_SIZE, CLOCKS, DATE_PATTERNS, DURATION_FORMATS, ExportFormat
from tests.factories import add_member, make_client, make_project, make_tag, make_task, make_user
from tracking.models import TimeEntry

pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["eu"]["ENGINE"],
    reason="the COPY path needs PostgreSQL: run with DATABASE_URL_EU set (CI does)",
)

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]
AWKWARD = [
    'She said "hi", then left',
    "line one\nline two\r\nline three",
    '=HYPERLINK("http://evil")',
    "-2+3",
    "+1 555",
    "@mention",
    "\ttabbed",
    "\rcarriage",
    "'=already quoted",
    "''-twice",
    "back\\slash \\N \\.",
    "🎉 emoji and ünïcödé",
    "",
    "comma, separated, text",
]


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def awkward_workspace(workspace, owner):
    """Entries with every awkward text, across midnight, a DST change and over 24 hours."""
    weird = add_member(workspace, make_user("=odd@example.com", name='Ann "=Quote", Jr.')).user
    client = make_client(workspace, 'Client, "Inc"\n🎉')
    project = make_project(workspace, "-Project '", client=client, hourly_rate=Decimal("33.33"))
    plain = make_project(workspace, "@plain")
    task = make_task(project, workspace, '=Task "x"')
    tags = [make_tag(workspace, name) for name in ("zeta", "Alpha", "émoji 🎉", "=sum", '"q"')]
    starts = [
        at(2026, 3, 28, 23, 30),  # across midnight in Europe and across Berlin's DST change
        at(2026, 3, 29, 0, 59, 59),
        at(2026, 10, 25, 0, 30),  # Berlin's clocks go back during this one
        at(2026, 11, 1, 5, 45, 30),  # New York's change
        at(2026, 1, 1, 0, 0),
        at(2026, 1, 1, 0, 0),  # the same start twice: ties go by id
        at(1999, 12, 31, 22, 0),
    ]
    lengths = [
        timedelta(hours=2, minutes=43, seconds=37),  # 2.73
        timedelta(minutes=13),  # 0.22
        timedelta(hours=27, minutes=3, seconds=9),  # over a day
        timedelta(hours=123, seconds=1),  # over 99 hours
        timedelta(seconds=18),  # 0.005 hours: the half-up tie
        timedelta(seconds=1),
        timedelta(minutes=90),
    ]
    people = [owner, weird]
    rates = [Decimal("0.01"), None, Decimal("99999.99"), Decimal("33.33"), Decimal("2.50")]
    spans = zip(starts, lengths, strict=True)
    for count, ((start, length), description) in enumerate(
        itertools.product(spans, AWKWARD[:7]), start=1
    ):
        entry = TimeEntry.objects.in_workspace(workspace).create(
            user_id=people[count % 2].pk,
            description=AWKWARD[(count * 3) % len(AWKWARD)] + description,
            project=[project, plain, None][count % 3],
            task=task if count % 3 == 0 else None,
            billable=count % 4 != 0,
            start=start + timedelta(seconds=count),
            end=start + timedelta(seconds=count) + length,
            hourly_rate=rates[count % len(rates)],
        )
        entry.set_tags(workspace, tags[: count % (len(tags) + 1)])
    return {user.pk: export.Person(user.display_name, user.email) for user in (owner, weird)} | {
        999_999: export.Person("Gone", "gone@example.com")
    }


def both(entries, fmt, people) -> tuple[bytes, bytes]:
    copied = b"".join(export._copy_csv(entries, fmt, people))
    written = b"".join(export._chunks(export._python_lines(entries, fmt, people), fmt))
    return copied, written


def test_every_format_gives_the_same_bytes(workspace, owner):
    people = awkward_workspace(workspace, owner)
    entries = TimeEntry.objects.in_workspace(workspace).finished()
    for pattern, clock, duration in itertools.product(DATE_PATTERNS, CLOCKS, DURATION_FORMATS):
        fmt = ExportFormat(pattern, clock, ZoneInfo("Europe/Berlin"), duration, "EUR")
        copied, written = both(entries, fmt, people)
        assert copied == written, (pattern, clock, duration)
    assert b'"\'=HYPERLINK(""http://evil"")' in copied
    assert b"\"'-Project '\"" in copied


@pytest.mark.parametrize("zone", ZONES)
def test_every_zone_gives_the_same_bytes(workspace, owner, zone):
    people = awkward_workspace(workspace, owner)
    entries = TimeEntry.objects.in_workspace(workspace).finished()
    for duration in DURATION_FORMATS:
        fmt = ExportFormat("%d.%m.%Y", "24", ZoneInfo(zone), duration, "GBP")
        copied, written = both(entries, fmt, people)
        assert copied == written


def test_filters_and_member_scope_give_the_same_bytes(workspace, owner):
    people = awkward_workspace(workspace, owner)
    entries = (
        TimeEntry.objects.in_workspace(workspace)
        .finished()
        .filter(user_id=owner.pk, description__icontains="quoted")
    )
    copied, written = both(entries, ExportFormat(), people)
    assert copied == written
    assert copied.count(b"\r\n") > 1


def test_chunks_are_at_least_16_kib(workspace, owner):
    awkward_workspace(workspace, owner)
    entries = TimeEntry.objects.in_workspace(workspace).finished()
    for _ in range(3):
        TimeEntry.objects.in_workspace(workspace).bulk_create(
            [
                TimeEntry(
                    user_id=entry.user_id,
                    description=entry.description * 5,
                    start=entry.start,
                    end=entry.end,
                )
                for entry in entries
            ]
        )
    chunks = list(export._copy_csv(entries, ExportFormat(), {}))
    assert len(chunks) > 2
    assert all(len(chunk) >= CHUNK_SIZE for chunk in chunks[:-1])


def test_the_sql_carries_no_names(workspace, owner):
    people = awkward_workspace(workspace, owner)
    fmt = ExportFormat(zone=ZoneInfo("Europe/Berlin"))
    sql, params = export.export_sql(TimeEntry.objects.in_workspace(workspace), fmt, people)
    assert "Quote" not in sql and "Europe/Berlin" not in sql and "MM/DD" not in sql
    assert "Europe/Berlin" in params


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_a_broken_connection_aborts_and_is_dropped(workspace, owner, monkeypatch):
    people = awkward_workspace(workspace, owner)
    entries = TimeEntry.objects.in_workspace(workspace).finished()
    real = psycopg.Copy.__iter__

    def breaking(copy):
        rows = real(copy)
        for _ in range(3):
            yield next(rows)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(psycopg.Copy, "__iter__", breaking)
    stream = export._copy_csv(entries, ExportFormat(), people)
    with pytest.raises(export.ExportAborted):
        b"".join(stream)
    assert connections[workspace.db_alias].connection is None  # dropped, not reused
    monkeypatch.undo()
    assert TimeEntry.objects.in_workspace(workspace).count() == len(entries)  # reconnects
