"""Stream the Detailed report CSV of a filtered entry set, in FORMATS.md section 1's format.

Two paths give the same bytes for the same data (tests/reports/test_export_identity.py):

- PostgreSQL: one `COPY (SELECT ...) TO STDOUT` in a transaction on the region's connection.
  The database writes each finished line, quoting, formula guard and CRLF included, so
  Python only strips COPY's framing and joins lines into chunks of at least 16 KiB.
- Elsewhere (SQLite): csv_format.entry_row and csv_line over an iterator of the entries.

Names and emails live in the directory, so the caller passes them in (`people`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import DatabaseError, transaction
from django.db.models import BigIntegerField, F, Func, QuerySet, TextField
from django.db.models.expressions import RawSQL

from tracking.models import Tag, TimeEntry, TimeEntryTag
from workspaces.regions import drop_region_connection, region_vendor, regional_cursor

from .csv_format import CHUNK_SIZE, TAG_SEPARATOR, ExportFormat, csv_line, entry_row, guard, header

# Rows fetched per round trip on the Python path: memory stays flat at any size.
ITERATOR_CHUNK = 2000
# Binary COPY frames each row with a 16-bit field count and a 32-bit length before the
# text; the first row also carries the 19-byte file header, and a lone -1 count ends it.
_ROW_FRAME = 6
_FILE_HEADER = 19
# csv_format.GUARDED for PostgreSQL's regular expressions; sent as a parameter.
_GUARD_PATTERN = "^'*[-=+@\t\r]"
_SQL_DATES = {
    "%m/%d/%Y": "MM/DD/YYYY",
    "%d/%m/%Y": "DD/MM/YYYY",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%Y-%m-%d": "YYYY-MM-DD",
    "%d-%m-%Y": "DD-MM-YYYY",
    "%m-%d-%Y": "MM-DD-YYYY",
}
_DECIMAL_HOURS = "round(q.s::numeric(30, 10) / 3600, 2)::text"
_INNER_COLUMNS = "id, st, en, uid, billable, rate, description, project, client, task, s, tags"
Q = '"'  # the CSV quote, kept apart so the SQL below stays readable


@dataclass(frozen=True, slots=True)
class Person:
    """Who an entry belongs to, as the directory knows them."""

    name: str
    email: str


class ExportAborted(Exception):
    """The database stopped answering mid-stream: the download must not look complete."""


def detailed_csv(
    entries: QuerySet[TimeEntry], fmt: ExportFormat, people: Mapping[int, Person]
) -> Iterator[bytes]:
    """Yield the CSV of `entries`, newest first, in chunks of at least 16 KiB."""
    if region_vendor(entries.workspace) == "postgresql":
        return _copy_csv(entries, fmt, people)
    return _python_csv(entries, fmt, people)


def _python_csv(
    entries: QuerySet[TimeEntry], fmt: ExportFormat, people: Mapping[int, Person]
) -> Iterator[bytes]:
    try:
        yield from _chunks(_python_lines(entries, fmt, people), fmt)
    except DatabaseError as error:
        drop_region_connection(entries.workspace)
        raise ExportAborted("The database stopped answering; the export is incomplete.") from error


# --- Python path ---


def _python_lines(
    entries: QuerySet[TimeEntry], fmt: ExportFormat, people: Mapping[int, Person]
) -> Iterator[str]:
    unknown = Person("", "")
    rows = (
        entries.order_by("-start", "-id")
        .select_related("project__client", "task")
        .prefetch_related("tags")
        .iterator(chunk_size=ITERATOR_CHUNK)
    )
    for entry in rows:
        person = people.get(entry.user_id, unknown)
        project = entry.project
        yield csv_line(
            entry_row(
                fmt,
                project=project.name if project else "",
                client=project.client.name if project and project.client else "",
                description=entry.description,
                task=entry.task.name if entry.task else "",
                user_name=person.name,
                group="",
                email=person.email,
                tags=sorted(tag.name for tag in entry.tags.all()),
                billable=entry.billable,
                start=entry.start,
                end=entry.end,
                rate=entry.hourly_rate,
            )
        )


def _chunks(lines: Iterator[str], fmt: ExportFormat) -> Iterator[bytes]:
    """Put the header first and join lines into chunks of at least CHUNK_SIZE bytes."""
    parts = [csv_line(header(fmt.currency))]
    size = len(parts[0])
    for line in lines:
        parts.append(line)
        size += len(line)  # characters: never more than the bytes
        if size >= CHUNK_SIZE:
            yield "".join(parts).encode()
            parts.clear()
            size = 0
    if parts:
        yield "".join(parts).encode()


# --- PostgreSQL path ---


class _Seconds(Func):
    """Whole seconds from start to end, cut as Python's int() cuts them."""

    output_field = BigIntegerField()

    def __init__(self) -> None:
        super().__init__(F("end"), F("start"))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        (end, end_params), (start, start_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        return f"trunc(extract(epoch from ({end} - {start})))::bigint", [
            *end_params,
            *start_params,
        ]


def _tags_sql() -> str:
    through = TimeEntryTag._meta.db_table
    tag, entry = Tag._meta.db_table, TimeEntry._meta.db_table
    # "C" compares UTF-8 bytes, which is code point order: the order of Python's sorted().
    return (
        f'coalesce((SELECT string_agg(t."name", \'{TAG_SEPARATOR}\' ORDER BY t."name" '
        f'COLLATE "C") FROM "{through}" tt JOIN "{tag}" t ON t."id" = tt."tag_id" '
        f'WHERE tt."entry_id" = "{entry}"."id"), \'\')'
    )


class _Part:
    """A piece of SQL with its parameters, in the order they appear in it."""

    def __init__(self, sql: str, *params: Any) -> None:
        self.sql, self.params = sql, list(params)


def _join(parts: list[_Part], separator: str) -> _Part:
    joined = _Part(separator.join(part.sql for part in parts))
    for part in parts:
        joined.params.extend(part.params)
    return joined


def _values(fmt: ExportFormat, people: Mapping[int, Person], *, quoted: bool) -> list[_Part]:
    """The 17 values of a row over the columns of `q`; as finished CSV cells when `quoted`."""

    def text(column: str) -> _Part:
        value = f"coalesce({column}, '')"
        if not quoted:
            return _Part(f"CASE WHEN {value} ~ %s THEN '''' ELSE '' END || {value}", _GUARD_PATTERN)
        doubled = f"replace({value}, '{Q}', '{Q}{Q}')"
        opening = f"CASE WHEN {value} ~ %s THEN '{Q}''' ELSE '{Q}' END"
        return _Part(f"{opening} || {doubled} || '{Q}'", _GUARD_PATTERN)

    def plain(sql: str, *params: Any) -> _Part:
        # Values that never hold a quote nor start like a formula: dates, times, numbers.
        return _Part(f"'{Q}' || {sql} || '{Q}'" if quoted else sql, *params)

    def local(column: str, pattern: str) -> _Part:
        return plain(f"to_char(({column} AT TIME ZONE %s), %s)", zone_name(fmt), pattern)

    ids = sorted(people)
    lookup = "coalesce((%s::text[])[array_position(%s::bigint[], q.uid)], {missing})"
    if quoted:
        # A person's three cells are the same on each of their rows: written once, here, by
        # the Python writer itself, and picked by user id (a workspace has few members).
        cells = [csv_line([people[i].name, "", people[i].email])[:-2] for i in ids]
        person = [_Part(lookup.format(missing=f"'{Q}{Q},{Q}{Q},{Q}{Q}'"), cells, ids)]
    else:
        person = [
            _Part(lookup.format(missing="''"), [guard(people[i].name) for i in ids], ids),
            _Part("''"),
            _Part(lookup.format(missing="''"), [guard(people[i].email) for i in ids], ids),
        ]
    minutes = "lpad(mod(q.s / 60, 60)::text, 2, '0')"
    durations = {
        # hh:mm:ss: hours zero-padded to two digits and free to grow past 99.
        "full": f"CASE WHEN q.s < 36000 THEN '0' ELSE '' END || (q.s / 3600)::text || ':' "
        f"|| {minutes} || ':' || lpad(mod(q.s, 60)::text, 2, '0')",
        "compact": f"(q.s / 3600)::text || ':' || {minutes}",
        "decimal": _DECIMAL_HOURS,
    }
    clock = "HH24:MI" if fmt.clock == "24" else "HH12:MI"
    time_pattern = clock + (":SS" if fmt.seconds else "") + (" AM" if fmt.clock == "12" else "")
    date_pattern = _SQL_DATES[fmt.date_pattern]
    return [
        text("q.project"),
        text("q.client"),
        text("q.description"),
        text("q.task"),
        *person,
        text("q.tags"),
        plain("CASE WHEN q.billable THEN 'Yes' ELSE 'No' END"),
        local("q.st", date_pattern),
        local("q.st", time_pattern),
        local("q.en", date_pattern),
        local("q.en", time_pattern),
        plain(durations[fmt.duration_format]),
        plain(_DECIMAL_HOURS),
        plain("round(coalesce(q.rate, 0)::numeric, 2)::text"),
        # The extra scale keeps the division exact far past the cent, so a tie is rounded
        # on the true value (PostgreSQL rounds numeric ties away from zero: half up here).
        plain(
            "(CASE WHEN q.billable THEN "
            "round(q.s * coalesce(q.rate, 0)::numeric(30, 10) / 3600, 2) ELSE 0.00 END)::text"
        ),
    ]


def export_sql(
    entries: QuerySet[TimeEntry],
    fmt: ExportFormat,
    people: Mapping[int, Person],
    *,
    lines: bool = True,
) -> tuple[str, list[Any]]:
    """Return the SELECT of finished CSV lines, newest first, and its parameters.

    With `lines=False` it selects the same 17 values as plain columns instead: what the
    benchmark gives psql's own CSV writer, for comparison.
    """
    inner = (
        entries.order_by("-start", "-id")
        .annotate(x_seconds=_Seconds(), x_tags=RawSQL(_tags_sql(), [], output_field=TextField()))
        .values_list(
            "id",
            "start",
            "end",
            "user_id",
            "billable",
            "hourly_rate",
            "description",
            "project__name",
            "project__client__name",
            "task__name",
            "x_seconds",
            "x_tags",
        )
    )
    inner_sql, inner_params = inner.query.get_compiler(using=entries.db).as_sql()
    values = _values(fmt, people, quoted=lines)
    select = _join(values, " || ',' || " if lines else ", ")
    if lines:
        select.sql += " || E'\\r\\n'"
    # The outer ORDER BY repeats the inner one: the planner keeps the inner order (no
    # second sort), and the order is promised by SQL rather than by a plan's habits.
    sql = (
        f"SELECT {select.sql} FROM ({inner_sql}) AS q ({_INNER_COLUMNS}) "
        "ORDER BY q.st DESC, q.id DESC"
    )
    return sql, [*select.params, *inner_params]


def zone_name(fmt: ExportFormat) -> str:
    """The IANA name of the export's zone, as PostgreSQL's AT TIME ZONE reads it."""
    return getattr(fmt.zone, "key", None) or "UTC"


def _copy_csv(
    entries: QuerySet[TimeEntry], fmt: ExportFormat, people: Mapping[int, Person]
) -> Iterator[bytes]:
    sql, params = export_sql(entries, fmt, people)
    workspace = entries.workspace
    first = csv_line(header(fmt.currency)).encode()
    try:
        with transaction.atomic(using=workspace.db_alias), regional_cursor(workspace) as cursor:
            # psycopg's own cursor, for COPY; Django's binds parameters on the client.
            raw = cursor.cursor
            # Compiling this long expression would cost more than the query saves, and
            # would hold back the first byte by half a second.
            raw.execute("SET LOCAL jit = off")
            with raw.copy(f"COPY ({sql}) TO STDOUT (FORMAT binary)", params) as copy:
                yield from _copy_chunks(copy, first)
    except psycopg.Error as error:
        # A broken connection must not be reused by the next request of this worker.
        drop_region_connection(workspace)
        raise ExportAborted("The database stopped answering; the export is incomplete.") from error


def _copy_chunks(copy: Any, first: bytes) -> Iterator[bytes]:
    """Strip COPY's binary framing from each row and yield chunks of at least 16 KiB."""
    parts: list[Any] = [first]
    size = len(first)
    skip = _FILE_HEADER + _ROW_FRAME
    for data in copy:
        row = memoryview(data)[skip:]
        skip = _ROW_FRAME
        if len(row) <= 0:
            continue  # the trailer: a lone -1 field count
        parts.append(row)
        size += len(row)
        if size >= CHUNK_SIZE:
            yield b"".join(parts)
            parts.clear()
            size = 0
    if parts:
        yield b"".join(parts)
