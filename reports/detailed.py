"""The Detailed report: totals, one keyset page of entries, and full-day subtotals.

Every page costs the same few queries wherever it is in the report: totals (one grouped query,
over all time of the few rows of tracking.EntryTotal on PostgreSQL), the rows (one keyset
query of size + 1 rows, never an OFFSET), their tags, and the subtotals of the days on the
page (one grouped query).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum, prefetch_related_objects
from django.db.models.functions import TruncDate
from django.utils import timezone

from tracking.models import TimeEntry
from workspaces.regions import region_vendor

from .expressions import BillableAmount, DurationSeconds, entry_length
from .forms import ReportFilterForm, encode_cursor

CENT = Decimal("0.01")
ONE_SECOND = timedelta(seconds=1)


@dataclass(frozen=True)
class Totals:
    """What the filtered entries add up to."""

    count: int = 0
    seconds: int = 0
    billable_seconds: int = 0
    amount: Decimal = Decimal("0.00")

    @property
    def duration(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    @property
    def billable_duration(self) -> timedelta:
        return timedelta(seconds=self.billable_seconds)


@dataclass
class ReportDay:
    """A local day of the page, with the subtotal of the whole day (not only this page)."""

    day: date
    entries: list[TimeEntry] = field(default_factory=list)
    seconds: int = 0
    amount: Decimal = Decimal("0.00")

    @property
    def duration(self) -> timedelta:
        return timedelta(seconds=self.seconds)


@dataclass
class DetailedPage:
    """One page of the report and the cursors around it."""

    totals: Totals
    entries: list[TimeEntry]
    days: list[ReportDay]
    number: int
    pages: int
    previous: str | None = None
    next: str | None = None

    @property
    def grouped(self) -> bool:
        return bool(self.days)


def totals(entries: QuerySet[TimeEntry]) -> Totals:
    """Count, total and billable time and amount of a filtered queryset, in one query.

    The database sums interval lengths per (billable, rate) pair, which is much cheaper
    over a million rows than per-row arithmetic; the few pairs then give the amount exactly.
    On PostgreSQL the pairs come in the order of the entry_totals index, which holds every
    column read here (hence COUNT(*), not the id): an index-only scan that adds each group
    up in turn, without touching the table or hashing a rate per row.
    """
    groups = (
        entries.order_by()
        .values("billable", "hourly_rate")
        .annotate(count=Count("*"), length=Sum(entry_length()))
    )
    return _add_up(groups)


def totals_of(form: ReportFilterForm) -> Totals:
    """The totals of the valid form's report, in one query.

    Over all time they come from the few rows of tracking.EntryTotal, which PostgreSQL's
    triggers keep exact in every entry's own transaction: a million entries are not read
    again on every page. Elsewhere (a date range, tags, a description; SQLite) the
    entries themselves are added up.
    """
    rows = form.entry_totals()
    if rows is None or region_vendor(rows.workspace) != "postgresql":
        return totals(form.entries())
    groups = (
        rows.order_by()
        .values("billable", "hourly_rate")
        .annotate(count=Sum("count"), length=Sum("length"))
    )
    return _add_up(groups)


def _add_up(groups: Iterable[dict[str, Any]]) -> Totals:
    """Totals from rows of count and summed length per billable and rate."""
    count, seconds, billable_seconds, amount = 0, 0, 0, Decimal(0)
    for group in groups:
        group_seconds, group_amount = seconds_and_amount(group)
        count += group["count"]
        seconds += group_seconds
        amount += group_amount
        if group["billable"]:
            billable_seconds += group_seconds
    return Totals(count, seconds, billable_seconds, _money(amount))


def seconds_and_amount(row: dict[str, Any]) -> tuple[int, Decimal]:
    """Whole seconds and exact amount of a row of summed `length` per billable and rate."""
    seconds = row["length"] // ONE_SECOND if row["length"] else 0
    if not row["billable"] or row["hourly_rate"] is None:
        return seconds, Decimal(0)
    return seconds, Decimal(seconds) * row["hourly_rate"] / 3600


def detailed_page(form: ReportFilterForm, report_totals: Totals) -> DetailedPage:
    """The page the valid form asks for: first, after or before a cursor, or the last."""
    data = form.cleaned_data
    size, descending = data["size"], data["order"] == "desc"
    pages = max(math.ceil(report_totals.count / size), 1)
    rows = form.entries().annotate(sort_key=form.sort_expression())
    rows = rows.select_related("project__client", "task")
    number = data.get("page") or 1
    if data.get("after"):
        found, more = _walk(rows, data["after"], forward=True, descending=descending, size=size)
        previous_exists, next_exists = True, more
    elif data.get("before"):
        found, more = _walk(rows, data["before"], forward=False, descending=descending, size=size)
        previous_exists, next_exists = more, True
    elif data.get("last"):
        found, more = _walk(rows, None, forward=False, descending=descending, size=size)
        previous_exists, next_exists, number = more, False, pages
    else:
        found, more = _walk(rows, None, forward=True, descending=descending, size=size)
        previous_exists, next_exists, number = False, more, 1
    # A plain list per row: `entry.tags.all` would build a manager and a queryset per row.
    prefetch_related_objects(found, Prefetch("tags", to_attr="tag_list"))
    _label_rows(found, form)
    page = DetailedPage(
        totals=report_totals,
        entries=found,
        days=_days(form, found) if data["sort"] == "date" else [],
        number=min(number, pages),
        pages=pages,
    )
    if found and previous_exists:
        page.previous = encode_cursor(found[0].sort_key, found[0].id)
    if found and next_exists:
        page.next = encode_cursor(found[-1].sort_key, found[-1].id)
    return page


def _walk(
    rows: QuerySet[TimeEntry],
    cursor: tuple[Any, Any] | None,
    *,
    forward: bool,
    descending: bool,
    size: int,
) -> tuple[list[TimeEntry], bool]:
    # Walking backwards is walking forwards in the opposite order, then turning the page.
    down = descending == forward
    if cursor is not None:
        value, pk = cursor
        if down:
            rows = rows.filter(Q(sort_key__lt=value) | Q(sort_key=value, id__lt=pk))
        else:
            rows = rows.filter(Q(sort_key__gt=value) | Q(sort_key=value, id__gt=pk))
    ordering = (F("sort_key").desc(), "-id") if down else (F("sort_key").asc(), "id")
    found = list(rows.order_by(*ordering)[: size + 1])
    more = len(found) > size
    found = found[:size]
    if not forward:
        found.reverse()
    return found, more


def _label_rows(entries: list[TimeEntry], form: ReportFilterForm) -> None:
    for entry in entries:
        person = form.people.get(entry.user_id)
        entry.member_name = person.display_name if person else "Former member"
        # In the zone the page is shown in (the active one), as the row's times are.
        entry.ends_another_day = (
            timezone.localtime(entry.end).date() != timezone.localtime(entry.start).date()
        )


def _days(form: ReportFilterForm, entries: list[TimeEntry]) -> list[ReportDay]:
    """Group the page's entries by local day, each with its whole day's subtotal."""
    days: list[ReportDay] = []
    for entry in entries:
        day = entry.start.astimezone(form.zone).date()
        if not days or days[-1].day != day:
            days.append(ReportDay(day))
        days[-1].entries.append(entry)
    if not days:
        return days
    wanted = {d.day for d in days}
    first, last = min(wanted), max(wanted)
    sums = (
        form.entries()
        .filter(
            start__gte=_midnight(first, form), start__lt=_midnight(last + timedelta(days=1), form)
        )
        .annotate(day=TruncDate("start", tzinfo=form.zone))
        .filter(day__in=wanted)
        .values("day")
        .annotate(seconds=Sum(DurationSeconds()), amount=Sum(BillableAmount()))
        .order_by()
    )
    by_day = {row["day"]: row for row in sums}
    for day in days:
        row = by_day.get(day.day)
        if row:
            day.seconds, day.amount = row["seconds"] or 0, _money(row["amount"])
    return days


def _midnight(day: date, form: ReportFilterForm) -> datetime:
    return datetime.combine(day, time.min).replace(tzinfo=form.zone)


def _money(value: Decimal | float | None) -> Decimal:
    if value is None:
        return Decimal("0.00")
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    return value.quantize(CENT, rounding=ROUND_HALF_UP)
