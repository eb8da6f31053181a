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
from workspaces.models import WorkspaceSettings

from .. import timesheet as sheet
from ..formatting import week_bounds
from ..forms import TimesheetCellForm, TimesheetWeekForm

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
    request: HttpRequest,
    first: date,
    row_keys: list[str],
    edited: sheet.RowSpec | None = None,
    **extra: Any,
) -> dict[str, Any]:
    workspace = request.workspace
    picker = TimesheetCellForm(workspace=workspace, membership=request.membership)
    extra_rows = [row for key in row_keys if key and (row := _picked(picker, key))]
    if edited is not None:
        extra_rows.append(edited)
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


def _posted_row(form: TimesheetCellForm) -> sheet.RowSpec | None:
    """The row a posted cell belongs to, when its project or task can be picked."""
    if "project_task" not in form.cleaned_data:
        return None
    key = form.cleaned_data["project_task"]
    return _picked(form, key) if key else ("", None, None)


def _apply(request: HttpRequest, form: TimesheetCellForm, first: date) -> str | None:
    """Apply a valid cell; the reason if it cannot be."""
    key, day = form.cleaned_data["project_task"], form.cleaned_data["day"]
    entries = [
        e
        for e in sheet.week_entries(request.workspace, request.user.pk, first)
        if sheet.row_key(e.project_id, e.task_id) == key
        and timezone.localtime(e.start).date() == day
    ]
    try:
        sheet.set_cell(
            request.workspace,
            request.user.pk,
            form.details(),
            day,
            entries,
            form.cleaned_data["value"],
        )
    except sheet.CellError as problem:
        return str(problem)
    return None


@login_required
@require_POST
def set_cell(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Apply one cell; htmx gets that cell and the totals back, other browsers the week."""
    get_membership(request, workspace_id)
    workspace = request.workspace
    form = TimesheetCellForm(request.POST, workspace=workspace, membership=request.membership)
    valid = form.is_valid()
    day = form.cleaned_data.get("day")
    first = _first_day(request, day)
    error = _apply(request, form, first) if valid else next(iter(form.errors.values()))[0]
    rows_value = form.data.get("rows", "")
    if error is None and not request.htmx:
        query = urlencode({"week": first.isoformat(), "rows": rows_value})
        return redirect(reverse("tracking:timesheet", args=[workspace.id]) + "?" + query)
    edited = _posted_row(form)
    if request.htmx:
        # Only the edited cell and the totals go back: other cells may hold newer typing.
        entries = sheet.week_entries(workspace, request.user.pk, first) if edited else []
        week = sheet.build_week(first, entries, [edited] if edited else [])
        context = {
            "workspace": workspace,
            "prefs": WorkspaceSettings.objects.for_workspace(workspace),
            "week": week,
            "rows_value": rows_value,
        }
    else:
        keys = [key for key in rows_value.split(",") if key]
        context = _grid_context(request, first, keys, edited)
    found = context["week"].find(edited[0], day) if edited and day else None
    if found is not None:
        row, cell = found
        context.update(row=row, cell=cell)
        if error:
            cell.typed, cell.error = form.data.get("value", ""), error
    elif error:
        context["sheet_error"] = error
    template = PAGE + "#cell-update" if request.htmx else PAGE
    return render(request, template, context, status=400 if error else 200)
