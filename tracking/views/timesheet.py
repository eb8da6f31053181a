"""The weekly timesheet grid: type a duration in a cell to add, resize or clear time."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from workspaces.access import get_membership

from .. import timesheet as sheet
from ..formatting import week_bounds
from ..forms import TimesheetCellForm, TimesheetWeekForm
from ..models import WorkspaceSettings

PAGE = "tracking/timesheet.html"


def _first_day(request: HttpRequest, day: date | None) -> date:
    return week_bounds(day or timezone.localdate(), request.user.week_start)[0]


def _picked(form: Any, key: str) -> tuple[str, Any, Any] | None:
    """The row (key, project, task) that a picker value names, if it can be picked."""
    task = form.tasks.get(key)
    project = task.project if task else form.projects.get(key)
    return (key, project, task) if project else None


def _last_week_keys(request: HttpRequest, first: date) -> list[str]:
    entries = sheet.week_entries(request.workspace, request.user.pk, first - timedelta(7))
    return list(dict.fromkeys(sheet.row_key(e.project_id, e.task_id) for e in entries))


def _grid_context(
    request: HttpRequest, first: date, row_keys: list[str], **extra: Any
) -> dict[str, Any]:
    workspace = request.workspace
    picker = TimesheetCellForm(workspace=workspace, membership=request.membership)
    extra_rows = [row for key in row_keys if key and (row := _picked(picker, key))]
    entries = sheet.week_entries(workspace, request.user.pk, first)
    week = sheet.build_week(first, entries, extra_rows)
    return {
        "workspace": workspace,
        "prefs": WorkspaceSettings.objects.for_workspace(workspace),
        "week": week,
        "first": first,
        "previous": first - timedelta(7),
        "next": first + timedelta(7),
        "rows_value": ",".join(row.key for row in week.rows if row.key),
        "picker": picker,
        **extra,
    }


@login_required
@require_GET
def timesheet(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    form = TimesheetWeekForm(request.GET)
    if not form.is_valid():
        context = _grid_context(request, _first_day(request, None), [], week_form=form)
        return render(request, PAGE, context, status=400)
    first = _first_day(request, form.cleaned_data["week"])
    keys = form.cleaned_data["rows"]
    if form.cleaned_data["copy"]:
        keys += _last_week_keys(request, first)
    if form.cleaned_data["add"]:
        keys.append(form.cleaned_data["add"])
    context = _grid_context(request, first, keys, week_form=form)
    return render(request, PAGE, context)


@login_required
@require_POST
def set_cell(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Apply one cell; htmx gets the grid back, other browsers a redirect to the week."""
    get_membership(request, workspace_id)
    workspace = request.workspace
    form = TimesheetCellForm(request.POST, workspace=workspace, membership=request.membership)
    error = None
    if form.is_valid():
        data = form.cleaned_data
        first = _first_day(request, data["day"])
        details = form.details()
        key = sheet.row_key(
            details.project.id if details.project else None,
            details.task.id if details.task else None,
        )
        entries = [
            e
            for e in sheet.week_entries(workspace, request.user.pk, first)
            if sheet.row_key(e.project_id, e.task_id) == key
            and timezone.localtime(e.start).date() == data["day"]
        ]
        try:
            sheet.set_cell(workspace, request.user.pk, details, data["day"], entries, data["value"])
        except sheet.CellError as problem:
            error = str(problem)
    else:
        error = next(iter(form.errors.values()))[0]
        first = _first_day(request, form.cleaned_data.get("day"))
    row_keys = [k for k in request.POST.get("rows", "").split(",") if k]
    if error is None and not request.htmx:
        query = urlencode({"week": first.isoformat(), "rows": ",".join(row_keys)})
        return redirect(reverse("tracking:timesheet", args=[workspace.id]) + "?" + query)
    context = _grid_context(request, first, row_keys, cell_error=error)
    template = PAGE + "#timesheet-grid" if request.htmx else PAGE
    return render(request, template, context, status=400 if error else 200)
