"""Read a Detailed report CSV, in every variant FORMATS.md lists, as a stream."""

from __future__ import annotations

import codecs
import csv
import io
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from typing import IO

from reports.csv_format import GUARDED, TAG_SEPARATOR
from tracking.durations import DurationError, parse_duration
from tracking.models import (
    CLIENT_NAME_MAX,
    DESCRIPTION_MAX,
    PROJECT_NAME_MAX,
    TAG_NAME_MAX,
    TASK_NAME_MAX,
)

MAX_ERRORS = 1000
# Hard limits: a file past one is refused at that point, so reading any file costs time and
# memory in proportion to its size, never more. Clockify's own exports stay far below them.
MAX_LINE = 64 * 1024  # bytes of one physical line, its line ending not counted
MAX_FIELD = 64 * 1024  # characters of one field
MAX_RECORD = 2 * MAX_LINE  # bytes of one row, every line of a multi-line field together
MAX_COLUMNS = 64
MAX_ROWS = 2_000_000  # rows below the header, blank ones included
MAX_QUOTED = 60  # characters of a cell quoted in a message

# Our field name -> the header names it goes by, lower case.
_COLUMNS = {
    "project": ("project",),
    "client": ("client",),
    "description": ("description",),
    "task": ("task", "activity"),
    "user_name": ("user",),
    "group": ("group",),
    "email": ("email",),
    "tags": ("tags",),
    "billable": ("billable",),
    "start_date": ("start date",),
    "start_time": ("start time",),
    "end_date": ("end date",),
    "end_time": ("end time",),
    "duration": ("duration (h)",),
    "duration_decimal": ("duration (decimal)",),
}
_REQUIRED = {
    "email": "Email",
    "start_date": "Start Date",
    "start_time": "Start Time",
    "end_date": "End Date",
    "end_time": "End Time",
}
_RATE = re.compile(r"billable rate(?: \((?P<currency>[a-z]{3})\))?", re.IGNORECASE)
_AMOUNT = re.compile(r"billable amount(?: \((?P<currency>[a-z]{3})\))?", re.IGNORECASE)
_LIMITS = {
    "description": ("Description", DESCRIPTION_MAX),
    "task": ("Task", TASK_NAME_MAX),
    "project": ("Project", PROJECT_NAME_MAX),
    "client": ("Client", CLIENT_NAME_MAX),
}
_NEWLINE = re.compile(rb"\r\n|\r|\n")
_BOM = codecs.BOM_UTF8
_DATE = re.compile(r"(?P<a>\d{1,4})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})")
_TIME = re.compile(r"(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?:\s*(?P<p>[ap]m))?", re.I)
_RATE_VALUE = re.compile(r"\d{1,10}(?:\.\d{1,2})?")
# Date styles: year-first and dotted dates read one way; slashed and dashed ones with the
# year last are DD/MM or MM/DD, which only a day above 12 (or the person) settles.
_AMBIGUOUS = {"slash", "dash"}
_PATTERNS = {
    ("iso", False): "%Y-%m-%d",
    ("dot", False): "%d.%m.%Y",
    ("slash", False): "%m/%d/%Y",
    ("slash", True): "%d/%m/%Y",
    ("dash", False): "%m-%d-%Y",
    ("dash", True): "%d-%m-%Y",
}
_LABELS = {
    "%m/%d/%Y": "MM/DD/YYYY",
    "%d/%m/%Y": "DD/MM/YYYY",
    "%d.%m.%Y": "DD.MM.YYYY",
    "%Y-%m-%d": "YYYY-MM-DD",
    "%d-%m-%Y": "DD-MM-YYYY",
    "%m-%d-%Y": "MM-DD-YYYY",
}

_STYLES = {pattern: key for key, pattern in _PATTERNS.items()}

_KEYS = {
    "Start Date": "start_date",
    "Start Time": "start_time",
    "End Date": "end_date",
    "End Time": "end_time",
}
_Date = tuple[str, int, int, int]  # style, year, first number, second number
_Time = tuple[int, int, int]


@dataclass(slots=True)
class DetailedRow:
    """One entry read from the file; `line` is where its record starts."""

    line: int
    project: str
    client: str
    description: str
    task: str
    user_name: str
    group: str
    email: str
    tags: list[str]
    billable: bool | None  # None when the file has no Billable column
    start: datetime  # aware, in UTC
    end: datetime
    rate: Decimal | None  # None when the file has no rate column or the cell is empty

    @property
    def duration(self) -> timedelta:
        """The time between start and end; the file's Duration columns are not trusted."""
        return self.end - self.start


@dataclass(slots=True)
class RowError:
    """Why a line of the file cannot be imported."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}: {self.message}"


@dataclass
class ParsedFile:
    """What a reading of a file found: its formats, and the problems of its latest pass."""

    errors: list[RowError] = field(default_factory=list)  # the first MAX_ERRORS, by line
    error_count: int = 0
    date_pattern: str | None = None  # a workspaces.models.DateFormat value
    # True when every date reads both as DD/MM and MM/DD: rows were read as MM/DD
    # (Clockify's default); ask the person and read again with day_first.
    needs_day_first: bool = False
    day_first: bool = False  # how the rows are read
    clock: str | None = None  # "12" or "24", from the first row
    seconds: bool | None = None  # whether the first row's times have seconds
    currency: str | None = None  # from the rate or amount header
    ignored_columns: list[str] = field(default_factory=list)  # names cut to MAX_QUOTED
    # The hard limit the file broke (its message), if any: nothing after it was read.
    limit: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the rows can be imported as they are."""
        return not self.error_count and not self.needs_day_first

    @property
    def date_label(self) -> str | None:
        """The date format as people know it, e.g. 'DD/MM/YYYY'."""
        return _LABELS.get(self.date_pattern or "")

    def add_error(self, line: int, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(line, message))

    def stop(self, line: int, message: str) -> None:
        """Record a broken hard limit; the reading ends there."""
        self.limit = message
        self.add_error(line, message)


@dataclass
class LoadedFile(ParsedFile):
    """A file read whole into memory by read_detailed_csv: for small files and tests."""

    rows: list[DetailedRow] = field(default_factory=list)


@dataclass(slots=True)
class _Pending:
    """A row whose fields are checked, its dates not yet read in the file's day order."""

    row: DetailedRow
    start_date: _Date
    start_time: _Time
    end_date: _Date
    end_time: _Time
    hint: timedelta | None
    texts: tuple[str, str]  # the start and end dates as written, for messages


# What a file can be read from, more than once: bytes or text, a path, a seekable file, a
# collection of chunks (not a one-shot iterator), or a function that opens it anew.
Source = (
    bytes
    | str
    | os.PathLike[str]
    | IO[bytes]
    | IO[str]
    | Collection[bytes]
    | Collection[str]
    | Callable[[], Iterable[bytes] | Iterable[str]]
)
_LINE_LIMIT = 64 * 1024  # a file is read a line at a time, at most this many bytes at once


class DetailedCsv:
    """A Detailed report CSV whose times are local to `zone`, read as a stream.

    Nothing is kept in memory but the record being read. The file is read twice: a first
    pass looks only at the dates to settle their format (a DD/MM file may show a day above
    12 only on its last line), then `rows()` reads it again, checks every field and yields
    the good rows one at a time. Each call of `rows()` is a new pass; `parsed` holds the
    formats and the problems of the latest one, complete once the pass is over.

    Bad rows are reported with their line number and left out; reading goes on. A file
    that is not CSV or UTF-8 stops at that line, and so does one past a hard limit (MAX_LINE,
    MAX_FIELD, MAX_RECORD, MAX_COLUMNS, MAX_ROWS; `parsed.limit` then names it).
    Zero-length entries (Clockify writes them) are kept: TimeEntry needs end > start, so
    the import decides what to do with them.
    A wall time that a daylight-saving change repeats is resolved with the file's Duration
    column; an entry wholly inside the repeated hour reads as its first pass (nothing in the
    file tells them apart). A wall time the change skips is an error: the file is likely
    in another zone.
    """

    def __init__(
        self,
        source: Source,
        *,
        zone: tzinfo,
        day_first: bool | None = None,
        date_pattern: str | None = None,
    ) -> None:
        """`date_pattern`, the format an earlier reading settled, spares the first pass."""
        self._open = _opener(source)
        self.zone = zone
        if date_pattern is None:
            self._style, self._day_first, self._needs_day_first = self._settle_dates(day_first)
        else:
            self._style, self._day_first = _STYLES[date_pattern]
            self._needs_day_first = False
        self.parsed = self._fresh()

    def rows(self) -> Iterator[DetailedRow]:
        """Read the file from its start, yielding each row that has no problem."""
        parsed = self.parsed = self._fresh()
        records = _records(self._open(), parsed)
        first = next(records, None)
        if first is None:
            if not parsed.error_count:
                parsed.add_error(1, "The file is empty.")
            return
        columns = _read_header(first[1], parsed)
        if columns is None:
            return
        width = len(first[1])
        for line, record in records:
            if not any(cell.strip() for cell in record):
                continue
            if len(record) != width:
                parsed.add_error(line, f"It has {len(record)} fields; the header has {width}.")
                continue
            item = _read_row(line, record, columns, parsed)
            if item is None:
                continue
            if mismatch := self._unlike_first(item):
                parsed.add_error(
                    line, f"The date “{shown(mismatch)}” is written unlike the file's first."
                )
                continue
            row = _resolve(item, self._day_first, self.zone, parsed)
            if row is not None:
                yield row

    def _unlike_first(self, item: _Pending) -> str | None:
        """A date of the row written in another style than the file's first date."""
        dates = (item.start_date, item.end_date)
        return next(
            (t for d, t in zip(dates, item.texts, strict=True) if d[0] != self._style), None
        )

    def _fresh(self) -> ParsedFile:
        parsed = ParsedFile(needs_day_first=self._needs_day_first, day_first=self._day_first)
        if self._style is not None:
            parsed.date_pattern = _PATTERNS[self._style, self._day_first]
        return parsed

    def _settle_dates(self, day_first: bool | None) -> tuple[str | None, bool, bool]:
        """The first pass: (date style, whether days come first, whether that is a guess)."""
        scratch = ParsedFile()  # problems are reported by rows(), not here
        records = _records(self._open(), scratch)
        first = next(records, None)
        positions = _date_positions(first[1]) if first else None
        if positions is None:
            return None, False, False
        width = len(first[1])
        style: str | None = None
        evidence: dict[bool, int] = {}  # day_first -> first line proving it
        for line, record in records:
            if len(record) != width:
                continue
            dates = [_parse_date(record[position]) for position in positions]
            if None in dates:
                continue
            style = style or dates[0][0]
            if any(date[0] != style for date in dates):
                continue
            # Only a date that reads one way and not the other proves the order.
            for date in dates:
                if style in _AMBIGUOUS and (date[2] > 12) != (date[3] > 12):
                    evidence.setdefault(date[2] > 12, line)
        if style not in _AMBIGUOUS:
            return style, False, False
        if day_first is not None:
            return style, day_first, False
        if not evidence:
            return style, False, True
        # Both orders proven is a broken file: the earlier proof wins, the rest fail.
        return style, min(evidence, key=evidence.__getitem__), False


def read_detailed_csv(source: Source, *, zone: tzinfo, day_first: bool | None = None) -> LoadedFile:
    """Read a whole file into memory: every good row, the formats and the problems."""
    reader = DetailedCsv(source, zone=zone, day_first=day_first)
    rows = list(reader.rows())
    loaded = LoadedFile(**{f.name: getattr(reader.parsed, f.name) for f in fields(ParsedFile)})
    loaded.rows = rows
    return loaded


def _opener(source: Source) -> Callable[[], Iterable[bytes] | Iterable[str]]:
    """A function that starts reading `source` from its beginning each time it is called."""
    if isinstance(source, bytes):
        return lambda: _lines_of(io.BytesIO(source))
    if isinstance(source, str):
        return lambda: [source]
    if isinstance(source, os.PathLike):
        return lambda: _file_lines(os.fspath(source))
    if hasattr(source, "seek") and hasattr(source, "readline"):
        file = source

        def rewound() -> Iterator[bytes] | Iterator[str]:
            file.seek(0)
            return _lines_of(file)

        return rewound
    if callable(source):
        return source
    if isinstance(source, Collection):
        return lambda: source
    raise TypeError(
        "A Detailed CSV is read twice: pass bytes, text, a path, a seekable file, a list of "
        "chunks or a function that opens the file anew, not a one-shot iterator."
    )


def _file_lines(path: str) -> Iterator[bytes]:
    with open(path, "rb") as file:
        yield from _lines_of(file)


def _lines_of(file: IO[bytes] | IO[str]) -> Iterator[bytes] | Iterator[str]:
    """A file in pieces of at most a line, and at most MAX_LINE + 1 bytes or characters."""
    return iter(lambda: file.readline(MAX_LINE + 1), file.read(0))


def _date_positions(names: list[str]) -> tuple[int, int] | None:
    """Where the Start Date and End Date columns are, if the header has both."""
    found = {name.strip().lower(): position for position, name in reversed(list(enumerate(names)))}
    if "start date" in found and "end date" in found:
        return found["start date"], found["end date"]
    return None


class _Limit(Exception):
    """A hard limit broken at `line`."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def _records(
    source: Iterable[str] | Iterable[bytes], parsed: ParsedFile
) -> Iterator[tuple[int, list[str]]]:
    """Yield (line where the record starts, fields); stop at text that is not CSV or UTF-8,
    or at a broken hard limit."""
    lines = _Lines(source)
    # Our own limits (MAX_FIELD, MAX_RECORD) are below csv's default field_size_limit, which
    # is process-wide and left as it is: a record that could pass ours never reaches it.
    reader = csv.reader(lines, strict=True)
    line = 1
    count = 0
    while True:
        lines.record = 0
        lines.record_line = line
        try:
            record = next(reader)
        except StopIteration:
            return
        except _Limit as limit:
            parsed.stop(limit.line, limit.message)
            return
        except UnicodeDecodeError:
            parsed.add_error(reader.line_num + 1, "This is not UTF-8 text; save it as UTF-8.")
            return
        except csv.Error as error:
            if "field limit" in str(error):  # csv's own limit, if other code lowered it
                parsed.stop(line, _FIELD_TOO_LONG)
            else:
                parsed.add_error(
                    line, f"This is not valid CSV ({error}); nothing after it was read."
                )
            return
        if len(record) > MAX_COLUMNS:
            parsed.stop(
                line,
                f"It has {len(record):,} columns; a file may have at most {MAX_COLUMNS}.",
            )
            return
        if any(len(cell) > MAX_FIELD for cell in record):
            parsed.stop(line, _FIELD_TOO_LONG)
            return
        if count > MAX_ROWS:  # the header is record 0
            parsed.stop(line, f"The file has more than {MAX_ROWS:,} rows; split it.")
            return
        count += 1
        yield line, record
        line = reader.line_num + 1


_FIELD_TOO_LONG = (
    f"A field is longer than {MAX_FIELD // 1024} KiB ({MAX_FIELD:,} characters), "
    "the limit; nothing after it was read."
)


class _Lines:
    """Text or UTF-8 bytes of any chunking, as lines ending in \\r\\n, \\n or \\r.

    Each piece is scanned once and a line is joined once, so the work is linear in the
    file's size; a line longer than MAX_LINE, or a record (counted from `record`, which the
    reader resets) longer than MAX_RECORD, raises _Limit before more of it is read.
    """

    def __init__(self, pieces: Iterable[str] | Iterable[bytes]) -> None:
        self.pieces = pieces
        self.line = 0  # lines handed out
        self.record = 0  # bytes handed out since the current record began
        self.record_line = 1

    def __iter__(self) -> Iterator[str]:
        held: list[bytes] = []  # the start of a line whose end has not come yet
        size = 0
        carry = b""  # a \r ending a piece: the next may start with its \n
        for piece in self.pieces:
            data = carry + (
                piece.encode("utf-8", "surrogatepass") if isinstance(piece, str) else piece
            )
            carry = b""
            if data.endswith(b"\r"):
                data, carry = data[:-1], b"\r"
            start = 0
            for match in _NEWLINE.finditer(data):
                yield self._line(held, size + match.start() - start, data[start : match.end()])
                held, size, start = [], 0, match.end()
            if start < len(data):
                held.append(data[start:])
                size += len(data) - start
                self._check(size)
        if held or carry:
            yield self._line(held, size, carry)

    def _line(self, held: list[bytes], size: int, tail: bytes) -> str:
        self._check(size)
        data = b"".join([*held, tail]) if held else tail
        if self.line == 0:
            data = data.removeprefix(_BOM)
        self.line += 1
        self.record += len(data)
        if self.record > MAX_RECORD:
            raise _Limit(
                self.record_line,
                f"The row from line {self.record_line} is longer than {MAX_RECORD // 1024} KiB, "
                "the limit; "
                "nothing after it was read.",
            )
        return data.decode("utf-8")

    def _check(self, size: int) -> None:
        if size > MAX_LINE:
            raise _Limit(
                self.line + 1,
                f"Line {self.line + 1} is longer than {MAX_LINE // 1024} KiB ({MAX_LINE:,} bytes), "
                "the limit; nothing after it was read.",
            )


def _read_header(names: list[str], parsed: ParsedFile) -> dict[str, int] | None:
    """Map our fields to column positions; record the currency and the ignored columns."""
    columns: dict[str, int] = {}
    aliases = {alias: key for key, names_ in _COLUMNS.items() for alias in names_}
    for position, raw in enumerate(names):
        name = raw.strip()
        key = aliases.get(name.lower())
        if key is None and (match := _RATE.fullmatch(name)):
            key = "rate"
            parsed.currency = parsed.currency or _upper(match["currency"])
        elif key is None and (match := _AMOUNT.fullmatch(name)):
            parsed.currency = parsed.currency or _upper(match["currency"])
            continue  # recomputed from duration and rate, never read
        if key is None or key in columns:
            parsed.ignored_columns.append(shown(name))
            continue
        columns[key] = position
    missing = [label for key, label in _REQUIRED.items() if key not in columns]
    if missing:
        parsed.add_error(
            1,
            "This is not a Detailed report: the header lacks " + ", ".join(missing) + ".",
        )
        return None
    return columns


def shown(text: str) -> str:
    """A cell as a message quotes it: cut to MAX_QUOTED characters."""
    return text if len(text) <= MAX_QUOTED else text[:MAX_QUOTED] + "…"


def _upper(text: str | None) -> str | None:
    return text.upper() if text else None


def _unguard(text: str) -> str:
    """Remove the one quote the exporter put before a formula-like cell."""
    return text[1:] if text.startswith("'") and GUARDED.match(text) else text


def _read_row(
    line: int, record: list[str], columns: dict[str, int], parsed: ParsedFile
) -> _Pending | None:
    """Check every field of a record; report each problem and return None if any."""

    def cell(key: str) -> str:
        return _unguard(record[columns[key]]) if key in columns else ""

    problems: list[str] = []
    texts = {key: cell(key) for key in ("project", "client", "description", "task")}
    for key, (label, limit) in _LIMITS.items():
        if len(texts[key]) > limit:
            problems.append(f"{label} is longer than {limit} characters.")
    tags = [tag for tag in cell("tags").split(TAG_SEPARATOR) if tag]
    if any(len(tag) > TAG_NAME_MAX for tag in tags):
        problems.append(f"A tag is longer than {TAG_NAME_MAX} characters.")
    email = cell("email").strip()
    if not email:
        problems.append("Email is empty; members are matched by email.")
    billable: bool | None = None
    if "billable" in columns:
        answer = cell("billable").strip().lower()
        if answer not in ("yes", "no"):
            problems.append(f"Billable is “{shown(cell('billable'))}”; expected Yes or No.")
        billable = answer == "yes"
    rate: Decimal | None = None
    if raw_rate := cell("rate").strip():
        if _RATE_VALUE.fullmatch(raw_rate):
            rate = Decimal(raw_rate)
        else:
            problems.append(f"Billable Rate “{shown(raw_rate)}” is not an amount like 50.00.")
    start_date, end_date = _parse_date(cell("start_date")), _parse_date(cell("end_date"))
    start_time, end_time = _parse_time(cell("start_time")), _parse_time(cell("end_time"))
    for label, value, kind in (
        ("Start Date", start_date, "date"),
        ("Start Time", start_time, "time"),
        ("End Date", end_date, "date"),
        ("End Time", end_time, "time"),
    ):
        if value is None:
            problems.append(f"{label} “{shown(cell(_KEYS[label]))}” is not a {kind}.")
    for problem in problems:
        parsed.add_error(line, problem)
    if problems or not (start_date and start_time and end_date and end_time):
        return None
    if parsed.clock is None:
        parsed.clock, parsed.seconds = _clock_of(cell("start_time"))
    placeholder = datetime.min.replace(tzinfo=UTC)
    row = DetailedRow(
        line=line,
        project=texts["project"],
        client=texts["client"],
        description=texts["description"],
        task=texts["task"],
        user_name=cell("user_name"),
        group=cell("group"),
        email=email,
        tags=tags,
        billable=billable,
        start=placeholder,
        end=placeholder,
        rate=rate,
    )
    return _Pending(
        row=row,
        start_date=start_date,
        start_time=start_time,
        end_date=end_date,
        end_time=end_time,
        hint=_duration_hint(cell("duration"), cell("duration_decimal")),
        texts=(cell("start_date"), cell("end_date")),
    )


def _parse_date(text: str) -> _Date | None:
    """Read the numbers of a date in one of the six formats, the order settled later."""
    match = _DATE.fullmatch(text.strip())
    if match is None:
        return None
    a, sep, b, c = match["a"], match["sep"], int(match["b"]), match["c"]
    if sep == "-" and len(a) == 4 and len(c) <= 2:
        return ("iso", int(a), b, int(c))
    if len(a) > 2 or len(c) != 4:
        return None
    style = {".": "dot", "/": "slash", "-": "dash"}[sep]
    return (style, int(c), int(a), b)


def _parse_time(text: str) -> _Time | None:
    """Read '02:44:33 PM', '02:44 PM', '14:44:33' or '14:44'."""
    match = _TIME.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    if minute > 59 or second > 59:
        return None
    if match["p"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["p"].lower() == "pm" else 0)
    elif hour > 23:
        return None
    return (hour, minute, second)


def _clock_of(text: str) -> tuple[str, bool]:
    """The clock and the seconds of a time _parse_time accepted."""
    match = _TIME.fullmatch(text.strip())
    return ("12" if match and match["p"] else "24"), bool(match and match["s"])


def _duration_hint(full: str, decimal: str) -> timedelta | None:
    """The file's own duration, used only to tell apart the two readings of a DST fold."""
    for text in (full, decimal):
        try:
            return parse_duration(text)
        except DurationError:
            continue
    return None


def _resolve(
    item: _Pending, day_first: bool, zone: tzinfo, parsed: ParsedFile
) -> DetailedRow | None:
    """Turn the local dates and times into UTC instants, now that the order is known."""
    line = item.row.line
    candidates: list[list[datetime]] = []
    for date, time, text, label in (
        (item.start_date, item.start_time, item.texts[0], "Start"),
        (item.end_date, item.end_time, item.texts[1], "End"),
    ):
        style, year, first, second = date
        month, day = (second, first) if style == "dot" or day_first else (first, second)
        try:
            local = datetime(year, month, day, *time)
        except ValueError:
            pattern = _PATTERNS[style, day_first and style in _AMBIGUOUS]
            parsed.add_error(
                line, f"{label} Date “{shown(text)}” is not a date in {_LABELS[pattern]}."
            )
            return None
        try:
            instants = _instants(local, zone)
        except OverflowError:  # year 1 or 9999 moved across UTC leaves the calendar
            parsed.add_error(line, f"{label} Date “{shown(text)}” is not a date we can store.")
            return None
        if not instants:
            parsed.add_error(
                line,
                f"{label} {local:%Y-%m-%d %H:%M} does not exist in {zone}: the clocks "
                "skipped it. Are the file's times in another time zone?",
            )
            return None
        candidates.append(instants)
    pairs = [(s, e) for s in candidates[0] for e in candidates[1] if e >= s]
    if not pairs:
        parsed.add_error(line, "The entry ends before it starts.")
        return None
    hint = item.hint
    if hint is None:
        start, end = min(pairs, key=lambda pair: pair[1] - pair[0])
    else:
        start, end = min(pairs, key=lambda pair: abs(pair[1] - pair[0] - hint))
    item.row.start, item.row.end = start, end
    return item.row


def _instants(local: datetime, zone: tzinfo) -> list[datetime]:
    """The UTC instants a wall time names: one, two in a DST fold, none in a DST gap."""
    found: list[datetime] = []
    for fold in (0, 1):
        instant = local.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == local and instant not in found:
            found.append(instant)
    return found
