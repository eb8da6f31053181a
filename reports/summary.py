"""The Summary report: time and amounts grouped one or two levels deep, and its charts.

Two grouped queries (the groups, and time per day) whatever the range or the number of
entries; the charts are plain SVG geometry computed here and drawn by the template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Sum
from django.db.models.functions import TruncDate, TruncMonth, TruncYear

from tracking.formatting import week_bounds

from .detailed import ONE_SECOND, Totals, _money, seconds_and_amount
from .expressions import entry_length
from .forms import ReportFilterForm

GROUP_CHOICES = [
    ("project", "Project"),
    ("client", "Client"),
    ("member", "Member"),
    ("task", "Task"),
    ("tag", "Tag"),
    ("date", "Date"),
]
SUBGROUP_CHOICES = [("", "(none)"), *GROUP_CHOICES]
# What each grouping reads from an entry row.
GROUP_COLUMNS = {
    "project": "project_id",
    "client": "project__client_id",
    "member": "user_id",
    "task": "task_id",
    "tag": "tags__id",
}
EMPTY_LABELS = {
    "project": "Without project",
    "client": "Without client",
    "member": "Former member",
    "task": "Without task",
    "tag": "Without tag",
    "date": "",
}
PALETTE = ("#2f6fdf", "#e0793a", "#2f9e6e", "#b04ad1", "#d1b12e", "#d14a6b", "#3aa6c4", "#7a8a99")
MAX_BARS = 62
# Tables stay readable (and pages small) for any range: the rest adds up in a last row.
MAX_GROUPS, MAX_CHILDREN = 200, 50
MORE = object()
SHARE_ROWS = 10
CHART_WIDTH, CHART_HEIGHT, CHART_BASE = 720, 200, 170


class SummaryFilterForm(ReportFilterForm):
    """The report filter plus the first and optional second grouping."""

    group = forms.ChoiceField(label="Group by", choices=GROUP_CHOICES, required=False)
    subgroup = forms.ChoiceField(label="Then by", choices=SUBGROUP_CHOICES, required=False)

    def clean_group(self) -> str:
        return self.cleaned_data["group"] or "project"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("subgroup") and data.get("subgroup") == data.get("group"):
            self.add_error("subgroup", "Choose a second grouping different from the first.")
        return data


@dataclass
class Group:
    """One row of the summary table, with its second-level rows."""

    key: Any
    label: str
    seconds: int = 0
    amount: Decimal = Decimal("0.00")
    percent: float = 0.0
    color: str = PALETTE[0]
    children: list[Group] = field(default_factory=list)

    @property
    def duration(self) -> timedelta:
        return timedelta(seconds=self.seconds)


@dataclass
class Bar:
    """One bar of the time chart, in SVG user units."""

    label: str
    title: str
    x: float
    y: float
    width: float
    height: float
    seconds: int
    show_label: bool
    label_x: float = 0.0


@dataclass
class ShareRow:
    label: str
    percent: float
    width: float
    y: int
    color: str
    seconds: int


@dataclass
class Summary:
    groups: list[Group]
    bars: list[Bar]
    bucket: str
    shares: list[ShareRow]
    max_seconds: int
    group_label: str = ""
    subgroup_label: str = ""

    @property
    def share_height(self) -> int:
        return max(len(self.shares), 1) * 28


def summarize(form: SummaryFilterForm, report_totals: Totals, *, date_pattern: str) -> Summary:
    """Group the filtered entries and lay out both charts."""
    data = form.cleaned_data
    group, subgroup = data["group"], data.get("subgroup") or None
    per_day = _per_day(form)
    span = _span(form, per_day)
    bucket, start_of = _bucketing(form, span)
    dates = Dates(bucket, start_of, date_pattern)
    groups = _groups(form, group, subgroup, report_totals.seconds, dates)
    bars, top = _bars(per_day, span, dates)
    return Summary(
        groups=groups,
        bars=bars,
        bucket=bucket,
        shares=_shares(groups, report_totals.seconds),
        max_seconds=top,
        group_label=dict(GROUP_CHOICES)[group],
        subgroup_label=dict(GROUP_CHOICES).get(subgroup or "", ""),
    )


@dataclass(frozen=True)
class Dates:
    """How the report buckets dates: by day, or by week, month or year over long ranges."""

    bucket: str
    start_of: Callable[[date], date]
    pattern: str


def _column(form: ReportFilterForm, name: str, dates: Dates) -> tuple[str, Any]:
    if name != "date":
        return GROUP_COLUMNS[name], None
    # Months and years are truncated by the database, so long ranges return few rows.
    trunc = {"month": TruncMonth, "year": TruncYear}.get(dates.bucket, TruncDate)
    return "g_date", trunc("start", tzinfo=form.zone)


def _groups(
    form: SummaryFilterForm, group: str, subgroup: str | None, total: int, dates: Dates
) -> list[Group]:
    entries = form.entries()
    names = [group, *([subgroup] if subgroup else [])]
    columns = []
    for name in names:
        column, expression = _column(form, name, dates)
        if expression is not None:
            entries = entries.annotate(**{column: expression})
        columns.append(column)
    # Per (billable, rate) too: summed intervals priced here are cheaper than a price per row.
    rows = (
        entries.values(*columns, "billable", "hourly_rate")
        .annotate(length=Sum(entry_length()))
        .order_by()
    )
    top: dict[Any, Group] = {}
    children: dict[Any, dict[Any, Group]] = {}
    for row in rows:
        key = _key(group, row[columns[0]], dates)
        parent = top.get(key)
        if parent is None:
            parent = top[key] = Group(key, _label(form, group, key, dates))
            parent.color = _color(form, group, key, len(top))
        seconds, amount = seconds_and_amount(row)
        parent.seconds += seconds
        parent.amount += amount
        if subgroup:
            sub_key = _key(subgroup, row[columns[1]], dates)
            siblings = children.setdefault(key, {})
            child = siblings.get(sub_key)
            if child is None:
                child = siblings[sub_key] = Group(sub_key, _label(form, subgroup, sub_key, dates))
            child.seconds += seconds
            child.amount += amount
    for parent in top.values():
        parent.amount = _money(parent.amount)
        for child in children.get(parent.key, {}).values():
            child.amount = _money(child.amount)
    ordered = _capped(sorted(top.values(), key=lambda g: _order(group, g)), MAX_GROUPS)
    for parent in ordered:
        parent.percent = _percent(parent.seconds, total)
        kids = sorted(children.get(parent.key, {}).values(), key=lambda g: _order(subgroup, g))
        parent.children = _capped(kids, MAX_CHILDREN) if parent.key is not MORE else []
        for child in parent.children:
            child.percent = _percent(child.seconds, total)
    return ordered


def _key(name: str, value: Any, dates: Dates) -> Any:
    if name != "date" or value is None:
        return value
    day = value.date() if isinstance(value, datetime) else value
    return dates.start_of(day)


def _capped(groups: list[Group], limit: int) -> list[Group]:
    """At most `limit` rows; the rest add up in one last row, so the table still sums."""
    if len(groups) <= limit:
        return groups
    rest = groups[limit - 1 :]
    more = Group(MORE, f"{len(rest)} more", color="#9aa5b1")
    more.seconds = sum(g.seconds for g in rest)
    more.amount = sum((g.amount for g in rest), Decimal("0.00"))
    return [*groups[: limit - 1], more]


def _order(name: str | None, group: Group) -> tuple:
    # Dates read in calendar order (newest first, as the Detailed report); the rest by size.
    if name == "date":
        return (0, -(group.key.toordinal() if group.key else 0))
    return (-group.seconds, group.label.lower())


def _label(form: ReportFilterForm, name: str, key: Any, dates: Dates) -> str:
    if key is None:
        return EMPTY_LABELS[name]
    if name == "date":
        return _bucket_title(key, dates.bucket, dates.pattern)
    if name == "member":
        person = form.people.get(key)
        return person.display_name if person else EMPTY_LABELS["member"]
    rows = {"project": form.projects, "client": form.clients, "task": form.tasks, "tag": form.tags}
    row = rows[name].get(str(key))
    # A member may have time on a private project they have since left: name it plainly.
    return row.name if row else f"Other {name}"


def _color(form: ReportFilterForm, name: str, key: Any, position: int) -> str:
    if name == "project" and (project := form.projects.get(str(key))):
        return project.color
    if key is None:
        return "#9aa5b1"
    return PALETTE[(position - 1) % len(PALETTE)]


def _percent(seconds: int, total: int) -> float:
    return round(seconds * 100 / total, 1) if total else 0.0


def _per_day(form: ReportFilterForm) -> dict[date, int]:
    rows = (
        form.entries()
        .annotate(day=TruncDate("start", tzinfo=form.zone))
        .values("day")
        .annotate(length=Sum(entry_length()))
        .order_by()
    )
    return {row["day"]: row["length"] // ONE_SECOND for row in rows}


def _span(form: ReportFilterForm, per_day: dict[date, int]) -> tuple[date, date] | None:
    first, last = form.days()
    if first is None or last is None:
        if not per_day:
            return None
        first, last = min(per_day), max(per_day)
    return first, last


def _bucketing(
    form: ReportFilterForm, span: tuple[date, date] | None
) -> tuple[str, Callable[[date], date]]:
    days = (span[1] - span[0]).days + 1 if span else 1
    # Few enough bars to read: days up to two months, then weeks, months, or years.
    if days <= MAX_BARS:
        return "day", lambda d: d
    if days <= MAX_BARS * 7:
        week_start = form.membership.user.week_start
        return "week", lambda d: week_bounds(d, week_start)[0]
    if days <= MAX_BARS * 31:
        return "month", lambda d: d.replace(day=1)
    return "year", lambda d: d.replace(month=1, day=1)


def _bars(
    per_day: dict[date, int], span: tuple[date, date] | None, dates: Dates
) -> tuple[list[Bar], int]:
    if span is None:
        return [], 0
    first, last = span
    bucket, start_of = dates.bucket, dates.start_of
    buckets: dict[date, int] = {}
    day = first
    while day <= last:
        buckets.setdefault(start_of(day), 0)
        day = _step(day, bucket, start_of)
    for day, seconds in per_day.items():
        key = start_of(day)
        if key in buckets:
            buckets[key] += seconds
    top = max(buckets.values(), default=0)
    count = len(buckets)
    slot = CHART_WIDTH / max(count, 1)
    every = max(1, round(count / 12))
    bars = []
    for index, (key, seconds) in enumerate(sorted(buckets.items())):
        height = (seconds / top) * (CHART_BASE - 10) if top else 0
        x = index * slot + slot * 0.15
        bars.append(
            Bar(
                label=_bucket_label(key, bucket),
                title=f"{_bucket_title(key, bucket, dates.pattern)}: {seconds / 3600:.2f} h",
                x=round(x, 2),
                y=round(CHART_BASE - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                seconds=seconds,
                show_label=index % every == 0,
                label_x=round(x + slot * 0.35, 2),
            )
        )
    return bars, top


def _step(day: date, bucket: str, start_of: Any) -> date:
    if bucket == "day":
        return day + timedelta(days=1)
    if bucket == "week":
        return start_of(day) + timedelta(days=7)
    if bucket == "month":
        return (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return date(day.year + 1, 1, 1)


def _bucket_label(key: date, bucket: str) -> str:
    if bucket == "day":
        return key.strftime("%d")
    if bucket == "week":
        return key.strftime("%b %d")
    if bucket == "month":
        return key.strftime("%b %y")
    return str(key.year)


def _bucket_title(key: date, bucket: str, date_pattern: str) -> str:
    if bucket == "week":
        return f"Week of {key.strftime(date_pattern)}"
    if bucket == "month":
        return key.strftime("%B %Y")
    if bucket == "year":
        return str(key.year)
    return key.strftime(date_pattern)


def _shares(groups: list[Group], total: int) -> list[ShareRow]:
    shown = groups[:SHARE_ROWS]
    rest = groups[SHARE_ROWS:]
    items = [(g.label, g.seconds, g.color) for g in shown]
    if rest:
        items.append((f"{len(rest)} more", sum(g.seconds for g in rest), "#9aa5b1"))
    rows = []
    for index, (label, seconds, color) in enumerate(items):
        percent = _percent(seconds, total)
        rows.append(
            ShareRow(
                label=label or "(no label)",
                percent=percent,
                width=round(min(percent, 100) * 2.3, 2),
                y=index * 28,
                color=color,
                seconds=seconds,
            )
        )
    return rows
