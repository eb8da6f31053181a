"""The report filter: one form for the report pages, the CSV export and the reports API.

Every value of the query string goes through it: a preset or custom date range, members,
projects, clients, tasks, tags, billable, description, sort, order, page size and the
keyset cursor. Ids are checked against this workspace's own rows, so a filter can never
name (or return) another workspace's data; a member may only ask for their own time.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django import forms
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from tracking.formatting import week_bounds
from tracking.forms import DayField
from tracking.models import (
    DESCRIPTION_MAX,
    Client,
    EntryTotal,
    Project,
    Tag,
    Task,
    TimeEntry,
    TimeEntryTag,
)
from workspaces.models import Membership, Workspace

from .expressions import DurationSeconds

NONE = "none"  # the "Without project" / "Without client" choice
MAX_PAGE = 1_000_000
PAGE_SIZES = (50, 100, 200)
CURSOR_MAX = 400

RANGE_CHOICES = [
    ("today", "Today"),
    ("yesterday", "Yesterday"),
    ("this_week", "This week"),
    ("last_week", "Last week"),
    ("this_month", "This month"),
    ("last_month", "Last month"),
    ("this_year", "This year"),
    ("last_year", "Last year"),
    ("all", "All time"),
    ("custom", "Custom"),
]
BILLABLE_CHOICES = [("", "Billable and non-billable"), ("yes", "Billable"), ("no", "Non-billable")]
SORT_CHOICES = [
    ("date", "Date"),
    ("duration", "Duration"),
    ("description", "Description"),
    ("member", "Member"),
    ("project", "Project"),
]
ORDER_CHOICES = [("desc", "Descending"), ("asc", "Ascending")]
DEFAULT_RANGE = "this_week"


class _OptionsInPython:
    """Write a <select> exactly as Django's templates do, without one template per option.

    The filters list every project, task and tag of the workspace: an included template
    (and its attributes template) per option was a fifth of the report page's rendering.
    """

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]  # type: ignore[attr-defined]
        html = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                html.append(f'\n  <optgroup label="{_text(group_name)}">')
            for option in options:
                value, label = conditional_escape(option["value"]), _text(option["label"])
                # select_option.html ends in a newline, hence the blank line after each.
                html.append(
                    f'\n  <option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n'
                )
            if group_name:
                html.append("\n  </optgroup>")
        html.append("\n</select>")
        return mark_safe("".join(html))


class QuickSelect(_OptionsInPython, forms.Select):
    """A Select rendered without a template per option."""


class QuickSelectMultiple(_OptionsInPython, forms.SelectMultiple):
    """A SelectMultiple rendered without a template per option."""


def _text(value: Any) -> str:
    return conditional_escape(localize(value))


def _attrs(attrs: dict[str, Any]) -> str:
    # django/forms/widgets/attrs.html: False leaves the attribute out, True writes its name.
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _many(label: str, what: str) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        widget=QuickSelectMultiple(attrs={"size": 4}),
        error_messages={"invalid_choice": f"Choose {what} of this workspace only."},
    )


class ReportFilterForm(forms.Form):
    """Filters, sort and page of a report; `entries()` is the filtered, scoped queryset."""

    preset = forms.ChoiceField(
        label="Date range", choices=RANGE_CHOICES, required=False, widget=QuickSelect
    )
    start = DayField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = DayField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    members = forms.MultipleChoiceField(
        label="Team",
        required=False,
        widget=QuickSelectMultiple(attrs={"size": 4}),
        error_messages={"invalid_choice": "You can only report on members of this workspace."},
    )
    projects = _many("Projects", "projects")
    clients = _many("Clients", "clients")
    tasks = _many("Tasks", "tasks")
    tags = _many("Tags", "tags")
    billable = forms.ChoiceField(
        label="Billable", choices=BILLABLE_CHOICES, required=False, widget=QuickSelect
    )
    description = forms.CharField(
        label="Description contains", required=False, max_length=DESCRIPTION_MAX
    )
    sort = forms.ChoiceField(
        label="Sort by", choices=SORT_CHOICES, required=False, widget=QuickSelect
    )
    order = forms.ChoiceField(
        label="Order", choices=ORDER_CHOICES, required=False, widget=QuickSelect
    )
    size = forms.TypedChoiceField(
        label="Rows per page",
        choices=[(str(n), str(n)) for n in PAGE_SIZES],
        coerce=int,
        required=False,
        empty_value=PAGE_SIZES[0],
        widget=QuickSelect,
    )
    # Keyset navigation: a cursor names the row a page starts after or ends before.
    after = forms.CharField(required=False, max_length=CURSOR_MAX, widget=forms.HiddenInput)
    before = forms.CharField(required=False, max_length=CURSOR_MAX, widget=forms.HiddenInput)
    last = forms.BooleanField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE, widget=forms.HiddenInput
    )

    def __init__(
        self, data: Any = None, *, workspace: Workspace, membership: Membership, **kwargs: Any
    ) -> None:
        if data is not None and not data.get("preset"):
            # Show the range the report really uses: typed dates mean Custom, else the default.
            data = data.copy()
            data["preset"] = "custom" if data.get("start") or data.get("end") else DEFAULT_RANGE
        super().__init__(data, **kwargs)
        for name in ("preset", "billable", "sort", "order", "size", "group", "subgroup"):
            if name in self.fields:
                self.fields[name].error_messages["invalid_choice"] = "Choose one of the options."
        self.workspace = workspace
        self.membership = membership
        self.is_admin = membership.is_admin
        try:
            self.zone: tzinfo = zoneinfo.ZoneInfo(membership.user.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.zone = UTC
        self._choose()

    def _choose(self) -> None:
        ws, user_id = self.workspace, self.membership.user_id
        if self.is_admin:
            people = Membership.objects.filter(workspace_id=ws.id).select_related("user")
            self.people = {m.user_id: m.user for m in people}
        else:
            self.people = {user_id: self.membership.user}
        ordered = sorted(self.people.values(), key=lambda u: (u.display_name.lower(), u.pk))
        self.fields["members"].choices = [(str(u.pk), u.display_name) for u in ordered]
        if not self.is_admin:
            self.fields["members"].error_messages["invalid_choice"] = (
                "Members can only see their own time; ask an admin for others'."
            )

        projects = Project.objects.in_workspace(ws).visible_to(user_id, is_admin=self.is_admin)
        self.projects = {str(p.id): p for p in projects.select_related("client")}
        self.fields["projects"].choices = [
            (NONE, "Without project"),
            *((key, _project_label(p)) for key, p in self.projects.items()),
        ]
        self.clients = {str(c.id): c for c in Client.objects.in_workspace(ws)}
        self.fields["clients"].choices = [
            (NONE, "Without client"),
            *((key, c.name) for key, c in self.clients.items()),
        ]
        visible = [p.id for p in self.projects.values()]  # not `projects`: a second query
        tasks = Task.objects.in_workspace(ws).filter(project_id__in=visible)
        self.tasks = {str(t.id): t for t in tasks.select_related("project")}
        self.fields["tasks"].choices = [
            (key, f"{t.project.name}: {t.name}") for key, t in self.tasks.items()
        ]
        self.tags = {str(t.id): t for t in Tag.objects.in_workspace(ws)}
        self.fields["tags"].choices = [(key, t.name) for key, t in self.tags.items()]

    # --- Cleaning ---

    def clean_preset(self) -> str:
        return self.cleaned_data["preset"] or DEFAULT_RANGE

    def clean_sort(self) -> str:
        return self.cleaned_data["sort"] or "date"

    def clean_order(self) -> str:
        return self.cleaned_data["order"] or "desc"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if data.get("preset") == "custom":
            if start is None and "start" not in self.errors:
                self.add_error("start", "Choose the first day of the range.")
            if end is None and "end" not in self.errors:
                self.add_error("end", "Choose the last day of the range.")
        if start and end and end < start:
            self.add_error("end", "The end of the range must not be before its start.")
        steps = [name for name in ("after", "before", "last") if data.get(name)]
        if len(steps) > 1:
            self.add_error(None, "Choose one page at a time.")
        for name in ("after", "before"):
            if data.get(name) and "sort" in data:
                try:
                    data[name] = decode_cursor(data[name], data["sort"])
                except ValueError:
                    self.add_error(name, "This page link is not valid; start from the first page.")
        return data

    # --- What the form selects ---

    def range(self) -> tuple[datetime | None, datetime | None]:
        """The chosen range as aware datetimes in the member's zone: [start, end); None if open."""
        first, last = self.days()
        start = self._midnight(first) if first else None
        end = self._midnight(last + timedelta(days=1)) if last else None
        return start, end

    def days(self) -> tuple[date | None, date | None]:
        """The first and last local day of the range; None on both sides for all time."""
        data = self.cleaned_data
        today = timezone.now().astimezone(self.zone).date()
        preset = data.get("preset") or DEFAULT_RANGE
        if preset == "custom":
            return data["start"], data["end"]
        if preset == "all":
            return None, None
        return preset_days(preset, today, self.membership.user.week_start)

    def _midnight(self, day: date) -> datetime:
        # Local midnight through UTC: a day that starts in a DST gap still has one instant.
        naive = datetime.combine(day, time.min)
        return naive.replace(tzinfo=self.zone).astimezone(UTC).astimezone(self.zone)

    def entries(self) -> QuerySet[TimeEntry]:
        """Finished entries matching every filter, in this workspace's region, unordered."""
        data = self.cleaned_data
        entries = TimeEntry.objects.in_workspace(self.workspace).finished()
        start, end = self.range()
        if start is not None:
            entries = entries.filter(start__gte=start)
        if end is not None:
            entries = entries.filter(start__lt=end)
        entries = entries.filter(*self._key_filters())
        if tags := data.get("tags"):
            tagged = TimeEntryTag.objects.in_workspace(self.workspace).filter(tag_id__in=tags)
            entries = entries.filter(id__in=tagged.values("entry_id"))
        if description := data.get("description"):
            entries = entries.filter(description__icontains=description)
        return entries

    def entry_totals(self) -> QuerySet[EntryTotal] | None:
        """The rows of tracking.EntryTotal that add up to this report, if its filters allow.

        They do for all time, without tags or description: every other filter is a column
        of their key. None otherwise; the report then adds up its entries.
        """
        data = self.cleaned_data
        if any(self.range()) or data.get("tags") or data.get("description"):
            return None
        return EntryTotal.objects.in_workspace(self.workspace).filter(*self._key_filters())

    def _key_filters(self) -> list[Q]:
        """The filters on member, project, client, task and billable; TimeEntry and
        EntryTotal share these fields."""
        data = self.cleaned_data
        filters = [
            _with_none(data.get("projects"), "project_id", "project__isnull"),
            _with_none(data.get("clients"), "project__client_id", "project__client__isnull"),
        ]
        if not self.is_admin:
            # The chokepoint of "members see their own time", whatever else the form says.
            filters.append(Q(user_id=self.membership.user_id))
        if members := data.get("members"):
            filters.append(Q(user_id__in=[int(pk) for pk in members]))
        if tasks := data.get("tasks"):
            filters.append(Q(task_id__in=tasks))
        if billable := data.get("billable"):
            filters.append(Q(billable=billable == "yes"))
        return filters

    def sort_expression(self) -> Any:
        """The SQL value rows are sorted by (the id breaks ties)."""
        sort = self.cleaned_data.get("sort") or "date"
        if sort == "duration":
            return DurationSeconds()
        if sort == "description":
            return Lower("description")
        if sort == "project":
            return Lower(Coalesce(F("project__name"), Value("")))
        if sort == "member":
            # Names live in the directory: rank the members here and sort by that rank.
            ranks = [When(user_id=pk, then=Value(n)) for n, pk in enumerate(self.member_order())]
            return Case(*ranks, default=Value(len(ranks)), output_field=IntegerField())
        return F("start")

    def member_order(self) -> list[int]:
        """Member ids in the order of their names."""
        people = sorted(self.people.values(), key=lambda u: (u.display_name.lower(), u.pk))
        return [u.pk for u in people]

    def filter_summary(self) -> str:
        """The filters in words, for the page heading and the export."""
        data = self.cleaned_data
        first, last = self.days()
        label = dict(RANGE_CHOICES)[data.get("preset") or DEFAULT_RANGE]
        if first and last:
            span = (
                f"{first:%b %-d, %Y}"
                if first == last
                else f"{first:%b %-d, %Y} \u2013 {last:%b %-d, %Y}"
            )
            parts = [span if label == "Custom" else f"{label} ({span})"]
        else:
            parts = [label]
        names = {
            "members": ("Team", lambda key: self.people[int(key)].display_name),
            "projects": (
                "Projects",
                lambda key: self._named(key, self.projects, "Without project"),
            ),
            "clients": ("Clients", lambda key: self._named(key, self.clients, "Without client")),
            "tasks": ("Tasks", lambda key: self.tasks[key].name),
            "tags": ("Tags", lambda key: self.tags[key].name),
        }
        for field, (title, name) in names.items():
            if keys := data.get(field):
                parts.append(f"{title}: {', '.join(name(key) for key in keys)}")
        if billable := data.get("billable"):
            parts.append("Billable only" if billable == "yes" else "Non-billable only")
        if description := data.get("description"):
            parts.append(f"Description contains “{description}”")
        return " · ".join(parts)

    @staticmethod
    def _named(key: str, rows: dict[str, Any], none: str) -> str:
        return none if key == NONE else rows[key].name


def preset_days(preset: str, today: date, week_start: int) -> tuple[date, date]:
    """The first and last day of a preset range around `today`."""
    if preset == "today":
        return today, today
    if preset == "yesterday":
        yesterday = today - timedelta(days=1)
        return yesterday, yesterday
    if preset in ("this_week", "last_week"):
        first, last = week_bounds(today, week_start)
        if preset == "last_week":
            return first - timedelta(days=7), last - timedelta(days=7)
        return first, last
    if preset in ("this_month", "last_month"):
        first = today.replace(day=1)
        if preset == "last_month":
            first = (first - timedelta(days=1)).replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return first, following - timedelta(days=1)
    year = today.year - (preset == "last_year")
    return date(year, 1, 1), date(year, 12, 31)


def _with_none(keys: list[str] | None, field: str, isnull: str) -> Q:
    if not keys:
        return Q()
    ids = [key for key in keys if key != NONE]
    condition = Q(**{f"{field}__in": ids}) if ids else Q(pk__in=[])
    if NONE in keys:
        condition |= Q(**{isnull: True})
    return condition


def _project_label(project: Project) -> str:
    return f"{project.name} ({project.client.name})" if project.client else project.name


# --- Keyset cursors: the sort value and id of a row, opaque in the address ---


def encode_cursor(value: Any, pk: uuid.UUID) -> str:
    """Write a row's sort value and id as a URL-safe token."""
    if isinstance(value, datetime):
        value = value.astimezone(UTC).isoformat()
    raw = json.dumps([value, str(pk)], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str, sort: str) -> tuple[Any, uuid.UUID]:
    """Read a token back for a sort key; ValueError if it is not one we wrote."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        value, pk = json.loads(raw.decode())
        pk = uuid.UUID(pk)
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError, TypeError, ValueError):
        raise ValueError("Not a cursor.") from None
    if sort == "date":
        if not isinstance(value, str):
            raise ValueError("Not a date cursor.")
        moment = datetime.fromisoformat(value)
        if timezone.is_naive(moment):
            raise ValueError("Not a date cursor.")
        try:
            return moment.astimezone(UTC), pk
        except OverflowError:
            raise ValueError("Not a date cursor.") from None
    if sort in ("duration", "member"):
        if not isinstance(value, int) or isinstance(value, bool) or abs(value) > 2**62:
            raise ValueError("Not a number cursor.")
        return value, pk
    if not isinstance(value, str):
        raise ValueError("Not a text cursor.")
    return value, pk
