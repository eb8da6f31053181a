"""The Auto tracker page: the person's own records of a day, grouped and drawn, and the
actions on a selection of them (create an entry, add them to an entry, delete them).

Every view works on the requester's own records only: ids are looked up among the records
stored under `request.user.pk`, so anyone else's (even for the workspace's owner or an
admin) is a 404, the same answer as a missing one.
"""

from __future__ import annotations

import uuid
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from workspaces.access import get_membership
from workspaces.models import Membership, WorkspaceSettings

from .. import services
from ..access import get_in_workspace
from ..forms import DayField, ManualEntryForm
from ..models import TimeEntry
from . import activity
from .models import ActivityRecord

PAGE = "tracking/auto_tracker.html"
ENTRY_IDS = "auto-%s"
# The timeline's drawing: a day across WIDTH units, a lane of records over hour marks.
WIDTH, LANE_TOP, LANE_HEIGHT, HEIGHT = 960, 8, 36, 68
PALETTE = ["#2f6fed", "#1e8e3e", "#e37400", "#9334e6", "#c5221f", "#00838f", "#6d4c41", "#5f6368"]


class DayForm(forms.Form):
    """Which day the page shows; today (the person's) when not given."""

    day = DayField(required=False)


# --- the day ---


@dataclass
class Group:
    """Records of one application or one site, with their time on the day."""

    label: str
    kind: str  # "site" or "app"
    color: str = ""
    total: timedelta = timedelta()
    records: list[ActivityRecord] = field(default_factory=list)


def group_key(record: ActivityRecord) -> tuple[str, str]:
    """A record with an address belongs to its site (domain), any other to its application."""
    host = activity.host_of(record.url)
    if host:
        return host, "site"
    return record.app or "(unnamed)", "app"


def _clipped(record: ActivityRecord, begin: datetime, end: datetime) -> timedelta:
    return max(min(record.end, end) - max(record.start, begin), timedelta())


def groups_of(records: Sequence[ActivityRecord], begin: datetime, end: datetime) -> list[Group]:
    """The day's records by site or application, longest total first; totals count only
    the part of each record on the day."""
    groups: dict[tuple[str, str], Group] = {}
    for record in records:
        key = group_key(record)
        group = groups.setdefault(key, Group(label=key[0], kind=key[1]))
        group.records.append(record)
        group.total += _clipped(record, begin, end)
    ordered = sorted(groups.values(), key=lambda group: (-group.total, group.label))
    for index, group in enumerate(ordered):
        group.color = PALETTE[index % len(PALETTE)]
    return ordered


def timeline(groups: Sequence[Group], begin: datetime, end: datetime) -> dict[str, Any]:
    """Rectangles and hour marks of the day, in SVG units (drawn by the template)."""
    span = (end - begin).total_seconds()  # 23 or 25 hours on a DST change

    def x(moment: datetime) -> float:
        seconds = (min(max(moment, begin), end) - begin).total_seconds()
        return round(seconds / span * WIDTH, 1)

    bars = []
    for group in groups:
        for record in group.records:
            left = x(record.start)
            bars.append(
                {
                    "x": left,
                    "width": max(round(x(record.end) - left, 1), 1.0),
                    "color": group.color,
                    "record": record,
                    "group": group.label,
                }
            )
    marks = []
    for hour in range(0, 25, 3):
        moment = begin + timedelta(hours=hour)
        anchor = "start" if hour == 0 else "end" if hour == 24 else "middle"
        marks.append({"x": x(moment), "label": f"{hour:02d}:00", "anchor": anchor})
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "lane_top": LANE_TOP,
        "lane_height": LANE_HEIGHT,
        "lane_bottom": LANE_TOP + LANE_HEIGHT,
        "label_y": HEIGHT - 6,
        "bars": bars,
        "marks": marks,
    }


def _day_context(membership: Membership, day: date) -> dict[str, Any]:
    workspace, user = membership.workspace, membership.user
    begin, end = activity.day_bounds(day, user.time_zone)
    records = activity.records_of_day(workspace, user, day)
    groups = groups_of(records, begin, end)
    return {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "is_today": day == _today(membership),
        "records": records,
        "groups": groups,
        "plot": timeline(groups, begin, end),
        "day_total": sum((group.total for group in groups), timedelta()),
    }


def _today(membership: Membership) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(membership.user.time_zone)).date()


def _base(membership: Membership) -> dict[str, Any]:
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "auto_tracker_on": membership.user.auto_tracker,
        "prefs": WorkspaceSettings.objects.for_workspace(membership.workspace),
    }


def _render_day(
    request: HttpRequest, membership: Membership, day: date, *, status: int = 200
) -> HttpResponse:
    context = _base(membership) | _day_context(membership, day)
    return render(request, PAGE, context, status=status)


@login_required
@require_GET
def auto_tracker(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """The person's own auto tracker records of one day."""
    membership = get_membership(request, workspace_id)
    form = DayForm(request.GET)
    if not form.is_valid():
        context = _base(membership) | {"day_errors": form.errors["day"]}
        return render(request, PAGE, context, status=400)
    day = form.cleaned_data["day"] or _today(membership)
    return _render_day(request, membership, day)


# --- a selection of records ---


def _selected(request: HttpRequest, membership: Membership) -> list[ActivityRecord]:
    """The posted records, all the person's own: a malformed id is a 400, an id that is not
    one of theirs a 404; none at all is a 400 on the day's page (raised as _NothingSelected)."""
    posted = request.POST.getlist("records")
    try:
        ids = {uuid.UUID(value) for value in posted}
    except ValueError:
        raise BadRequest("The selection is not valid; reload the page.") from None
    if not ids:
        raise _NothingSelected
    records = activity.own_records(membership.workspace, membership.user_id, ids)
    if len(records) != len(ids):
        raise Http404("No such auto tracker record.")
    return records


class _NothingSelected(Exception):
    pass


def _day_of(membership: Membership, records: Sequence[ActivityRecord]) -> date:
    zone = zoneinfo.ZoneInfo(membership.user.time_zone)
    return min(record.start for record in records).astimezone(zone).date()


def _back_to(membership: Membership, day: date) -> HttpResponse:
    url = reverse("tracking:auto_tracker", args=[membership.workspace_id])
    return redirect(f"{url}?day={day:%Y-%m-%d}")


def _posted_day(request: HttpRequest, membership: Membership) -> date:
    form = DayForm(request.POST)
    if form.is_valid() and form.cleaned_data["day"]:
        return form.cleaned_data["day"]
    return _today(membership)


def _selection_or_refusal(
    request: HttpRequest, membership: Membership
) -> list[ActivityRecord] | HttpResponse:
    try:
        return _selected(request, membership)
    except _NothingSelected:
        messages.error(request, "Select one or more records first.")
        return _render_day(request, membership, _posted_day(request, membership), status=400)


def _entry_form(membership: Membership, data: Any = None, **kwargs: Any) -> ManualEntryForm:
    return ManualEntryForm(
        data,
        workspace=membership.workspace,
        membership=membership,
        auto_id=ENTRY_IDS,
        **kwargs,
    )


def _initial(membership: Membership, records: Sequence[ActivityRecord]) -> dict[str, Any]:
    span = activity.selection_of(records)
    zone = zoneinfo.ZoneInfo(membership.user.time_zone)
    start, end = span.start.astimezone(zone), span.end.astimezone(zone)
    initial: dict[str, Any] = {
        "description": span.description,
        "day": start.date(),
        "start_time": start.time(),
        "end_time": end.time(),
    }
    if end.date() != start.date() or end == start:
        # The form reads an end time as today or tomorrow; a duration says it exactly.
        seconds = max(int((span.end - span.start).total_seconds()), 60)
        initial["duration"] = f"{seconds // 3600}:{seconds % 3600 // 60:02d}"
        del initial["end_time"]
    return initial


@login_required
@require_POST
def create_entry(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """First post: the entry form prefilled from the selected records. Second (`save`): add
    the entry; errors are shown next to their fields (400)."""
    membership = get_membership(request, workspace_id)
    records = _selection_or_refusal(request, membership)
    if isinstance(records, HttpResponse):
        return records
    saving = "save" in request.POST
    if saving:
        form = _entry_form(membership, request.POST)
    else:
        form = _entry_form(membership, initial=_initial(membership, records))
    if saving and form.is_valid():
        data = form.cleaned_data
        services.create_entry(
            membership.workspace, membership.user_id, form.details(), data["start"], data["end"]
        )
        messages.success(request, "Entry created from the auto tracker's records.")
        return _back_to(membership, _day_of(membership, records))
    context = _base(membership) | {
        "form": form,
        "records": records,
        "day": _day_of(membership, records),
        "span": activity.selection_of(records),
    }
    return render(
        request, "tracking/auto_tracker_entry.html", context, status=400 if saving else 200
    )


def _entries_of_day(membership: Membership, day: date) -> list[TimeEntry]:
    begin, end = activity.day_bounds(day, membership.user.time_zone)
    return list(
        TimeEntry.objects.in_workspace(membership.workspace)
        .of_user(membership.user_id)
        .filter(start__lt=end)
        .filter(Q(end__isnull=True) | Q(end__gt=begin))
        .select_related("project", "task")
        .order_by("start", "id")
    )


@login_required
@require_POST
def add_to_entry(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """First post: choose one of the day's entries. Second (`entry`): stretch that entry to
    cover the records (activity.extend_entry)."""
    membership = get_membership(request, workspace_id)
    records = _selection_or_refusal(request, membership)
    if isinstance(records, HttpResponse):
        return records
    day = _day_of(membership, records)
    context = _base(membership) | {
        "records": records,
        "day": day,
        "span": activity.selection_of(records),
    }
    chosen = request.POST.get("entry", "")
    if "choose" in request.POST:
        if not chosen:
            context["entries"] = _entries_of_day(membership, day)
            context["error"] = "Choose the entry to add the records to."
            return render(request, "tracking/auto_tracker_add.html", context, status=400)
        entry = get_in_workspace(
            TimeEntry, membership.workspace, chosen, user_id=membership.user_id
        )
        try:
            activity.extend_entry(membership.workspace, entry, records)
        except activity.ActivityRefused as refusal:
            context["entries"] = _entries_of_day(membership, day)
            context["error"] = refusal.message
            return render(request, "tracking/auto_tracker_add.html", context, status=400)
        messages.success(request, "The entry now covers the selected records.")
        return _back_to(membership, day)
    context["entries"] = _entries_of_day(membership, day)
    return render(request, "tracking/auto_tracker_add.html", context)


@login_required
@require_POST
def delete_records(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """First post: ask. Second (`confirm`): delete the selected records."""
    membership = get_membership(request, workspace_id)
    records = _selection_or_refusal(request, membership)
    if isinstance(records, HttpResponse):
        return records
    day = _day_of(membership, records)
    if not request.POST.get("confirm"):
        context = _base(membership) | {
            "records": records,
            "day": day,
            "span": activity.selection_of(records),
        }
        return render(request, "tracking/auto_tracker_delete.html", context)
    count = activity.delete_records(
        membership.workspace, membership.user_id, [record.id for record in records]
    )
    messages.success(request, f"{count} record{'' if count == 1 else 's'} deleted.")
    return _back_to(membership, day)
