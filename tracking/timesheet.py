"""The weekly timesheet: rows of project (and task), a column per day, durations in cells."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from workspaces.models import Workspace

from . import rules, services
from .formatting import local_midnight
from .models import Project, Task, TimeEntry

# Entries typed into an empty cell start at this local time.
CELL_START = time(9, 0)
MAX_CELL = timedelta(hours=24)

# A row as the picker names it: (key, project, task).
type RowSpec = tuple[str, Project | None, Task | None]


def row_key(project_id: object, task_id: object) -> str:
    """The key of a row, as the project picker writes it: '', 'p:<id>' or 't:<id>'."""
    if task_id:
        return f"t:{task_id}"
    return f"p:{project_id}" if project_id else ""


@dataclass
class Cell:
    day: date
    entries: list[TimeEntry] = field(default_factory=list)
    # A refused value: what was typed, shown again with the reason.
    typed: str | None = None
    error: str = ""

    @property
    def total(self) -> timedelta:
        return sum((e.duration for e in self.entries), timedelta())


@dataclass
class Row:
    key: str
    project: Project | None
    task: Task | None
    cells: list[Cell]

    @property
    def total(self) -> timedelta:
        return sum((cell.total for cell in self.cells), timedelta())

    @property
    def dom_id(self) -> str:
        """The row key as an HTML id part: 'none', 'p-<id>' or 't-<id>'."""
        return self.key.replace(":", "-") or "none"

    def sort_key(self) -> tuple[bool, str, str, str]:
        """No project first, then by project name, then task name, whatever their case."""
        if self.project is None:
            return (False, "", "", "")
        task = self.task.name.casefold() if self.task else ""
        return (True, self.project.name.casefold(), task, self.key)


@dataclass
class Week:
    days: list[date]
    rows: list[Row]

    @property
    def day_totals(self) -> list[timedelta]:
        return [sum((row.cells[i].total for row in self.rows), timedelta()) for i in range(7)]

    @property
    def total(self) -> timedelta:
        return sum((row.total for row in self.rows), timedelta())

    def find(self, key: str, day: date) -> tuple[Row, Cell] | None:
        """The row with this key and its cell on this day, if the week has them."""
        for row in self.rows:
            if row.key == key and self.days[0] <= day <= self.days[-1]:
                return row, row.cells[(day - self.days[0]).days]
        return None


def week_entries(workspace: Workspace, user_id: int, first: date) -> list[TimeEntry]:
    """The member's finished entries starting in the week (local days)."""
    return list(
        TimeEntry.objects.in_workspace(workspace)
        .of_user(user_id)
        .finished()
        .filter(start__gte=local_midnight(first), start__lt=local_midnight(first + timedelta(7)))
        .select_related("project__client", "task")
        .order_by("start", "id")
    )


def build_week(first: date, entries: list[TimeEntry], extra_rows: list[RowSpec]) -> Week:
    """Lay entries out in rows (in a stable order, see Row.sort_key) and day columns."""
    days = [first + timedelta(days=i) for i in range(7)]
    rows: dict[str, Row] = {}

    def row(key: str, project: Project | None, task: Task | None) -> Row:
        if key not in rows:
            rows[key] = Row(key, project, task, [Cell(day) for day in days])
        return rows[key]

    for entry in entries:
        target = row(row_key(entry.project_id, entry.task_id), entry.project, entry.task)
        index = (timezone.localtime(entry.start).date() - first).days
        target.cells[index].entries.append(entry)
    for key, project, task in extra_rows:
        row(key, project, task)
    # Rows keep their place whatever gets typed, so Tab always reaches the next cell.
    return Week(days=days, rows=sorted(rows.values(), key=Row.sort_key))


class CellError(ValueError):
    """A cell value that cannot be applied; the message says why."""


@contextmanager
def _as_cell_error() -> Iterator[None]:
    """Report a break of the one rule of an entry's times (tracking.rules) as a CellError."""
    try:
        yield
    except rules.EntryTimeError as error:
        raise CellError(error.message) from None


def set_cell(
    workspace: Workspace,
    user_id: int,
    details: services.EntryDetails,
    day: date,
    cell_entries: list[TimeEntry],
    total: timedelta,
) -> None:
    """Make the cell's entries add up to `total`: create, resize or remove entries.

    An empty cell gets one entry from 09:00; a cell with one entry has it resized; with
    several, the latest absorbs the change; an empty value removes the cell's entries.
    """
    if total > MAX_CELL:
        raise CellError("A day has 24 hours; enter at most 24:00.")
    current = sum((e.duration for e in cell_entries), timedelta())
    with _as_cell_error(), transaction.atomic(using=workspace.db_alias):
        if total == timedelta():
            for entry in cell_entries:
                entry.delete()
            return
        if not cell_entries:
            start = timezone.make_aware(datetime.combine(day, CELL_START))
            services.create_entry(workspace, user_id, details, start, start + total)
            return
        last = max(cell_entries, key=lambda e: (e.start, e.id))
        new_length = last.duration + (total - current)
        if new_length <= timedelta():
            raise CellError(
                f"This cell has {len(cell_entries)} entries; shorten them in the tracker."
            )
        rules.check_entry_times(last.start, last.start + new_length)
        last.end = last.start + new_length
        last.save(update_fields=["end", "updated_at"])
