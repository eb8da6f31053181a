"""The Summary report: time and amounts grouped one or two levels deep, and its charts.

Two grouped queries (the groups, and time per day) whatever the range or the number of
entries; the charts are plain SVG geometry computed here and drawn by the template.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Sum
from django.db.models.functions import TruncDate

from tracking.formatting import week_bounds

from .detailed import Totals, _money
from .expressions import BillableAmount, DurationSeconds
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
    groups = _groups(form, group, subgroup, report_totals.seconds, date_pattern)
    per_day = _per_day(form)
    bars, bucket, top = _bars(form, per_day, date_pattern)
    return Summary(
        groups=groups,
        bars=bars,
        bucket=bucket,
        shares=_shares(groups, report_totals.seconds),
        max_seconds=top,
        group_label=dict(GROUP_CHOICES)[group],
        subgroup_label=dict(GROUP_CHOICES).get(subgroup or "", ""),
    )


def _column(form: ReportFilterForm, name: str) -> tuple[str, Any]:
    if name == "date":
        return "g_date", TruncDate("start", tzinfo=form.zone)
    return GROUP_COLUMNS[name], None


def _groups(
    form: SummaryFilterForm, group: str, subgroup: str | None, total: int, date_pattern: str
) -> list[Group]:
    entries = form.entries()
    names = [group, *([subgroup] if subgroup else [])]
    columns = []
    for name in names:
        column, expression = _column(form, name)
        if expression is not None:
            entries = entries.annotate(**{column: expression})
        columns.append(column)
    rows = (
        entries.values(*columns)
        .annotate(seconds=Sum(DurationSeconds()), amount=Sum(BillableAmount()))
        .order_by()
    )
    top: dict[Any, Group] = {}
    for row in rows:
        key = row[columns[0]]
        parent = top.get(key)
        if parent is None:
            parent = top[key] = Group(key, _label(form, group, key, date_pattern))
            parent.color = _color(form, group, key, len(top))
        seconds, amount = row["seconds"] or 0, _money(row["amount"])
        parent.seconds += seconds
        parent.amount += amount
        if subgroup:
            sub_key = row[columns[1]]
            child = Group(sub_key, _label(form, subgroup, sub_key, date_pattern), seconds, amount)
            parent.children.append(child)
    ordered = sorted(top.values(), key=lambda g: _order(group, g))
    for parent in ordered:
        parent.percent = _percent(parent.seconds, total)
        parent.children.sort(key=lambda g: _order(subgroup or "", g))
        for child in parent.children:
            child.percent = _percent(child.seconds, total)
    return ordered


def _order(name: str, group: Group) -> tuple:
    # Dates read in calendar order (newest first, as the Detailed report); the rest by size.
    if name == "date":
        return (0, -(group.key.toordinal() if group.key else 0))
    return (-group.seconds, group.label.lower())


def _label(form: ReportFilterForm, name: str, key: Any, date_pattern: str) -> str:
    if key is None:
        return EMPTY_LABELS[name]
    if name == "date":
        return key.strftime(date_pattern)
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
        .annotate(seconds=Sum(DurationSeconds()))
        .order_by()
    )
    return {row["day"]: row["seconds"] or 0 for row in rows}


def _bars(
    form: ReportFilterForm, per_day: dict[date, int], date_pattern: str
) -> tuple[list[Bar], str, int]:
    first, last = form.days()
    if first is None or last is None:
        if not per_day:
            return [], "day", 0
        first, last = min(per_day), max(per_day)
    span = (last - first).days + 1
    # Few enough bars to read: days up to two months, then weeks, months, or years.
    if span <= MAX_BARS:
        bucket, start_of = "day", lambda d: d
    elif span <= MAX_BARS * 7:
        week_start = form.membership.user.week_start
        bucket, start_of = "week", lambda d: week_bounds(d, week_start)[0]
    elif span <= MAX_BARS * 31:
        bucket, start_of = "month", lambda d: d.replace(day=1)
    else:
        bucket, start_of = "year", lambda d: d.replace(month=1, day=1)
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
        label = _bucket_label(key, bucket, date_pattern)
        hours = seconds / 3600
        bars.append(
            Bar(
                label=label,
                title=f"{_bucket_title(key, bucket, date_pattern)}: {hours:.2f} h",
                x=round(index * slot + slot * 0.15, 2),
                y=round(CHART_BASE - height, 2),
                width=round(slot * 0.7, 2),
                height=round(height, 2),
                seconds=seconds,
                show_label=index % every == 0,
            )
        )
    for bar in bars:
        bar.label_x = round(bar.x + bar.width / 2, 2)
    return bars, bucket, top


def _step(day: date, bucket: str, start_of: Any) -> date:
    if bucket == "day":
        return day + timedelta(days=1)
    if bucket == "week":
        return start_of(day) + timedelta(days=7)
    if bucket == "month":
        return (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    return date(day.year + 1, 1, 1)


def _bucket_label(key: date, bucket: str, date_pattern: str) -> str:
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
