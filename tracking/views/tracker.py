"""The tracker page: the timer bar, manual entries and the member's entries by day."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.db import transaction
from django.db.models import prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from workspaces import audit
from workspaces.access import get_membership
from workspaces.models import Workspace, WorkspaceSettings

from .. import entries as entry_lists
from .. import services
from ..access import get_in_workspace
from ..forms import BulkDeleteForm, EditEntryForm, ManualEntryForm, TimerForm
from ..helpers.models import ActivityRecord
from ..models import TimeEntry

PAGE = "tracking/tracker.html"
# The timer, manual and edit forms share the page: their own ids keep each label on its box.
TIMER_IDS, MANUAL_IDS, EDIT_IDS = "timer-%s", "manual-%s", "edit-%s"


def _own_entry(request: HttpRequest, workspace: Workspace, entry_id: UUID) -> TimeEntry:
    # The tracker works on the member's own entries; anyone else's is a 404 here.
    return get_in_workspace(TimeEntry, workspace, entry_id, user_id=request.user.pk)


def _running(workspace: Workspace, user_id: int) -> TimeEntry | None:
    entry = (
        TimeEntry.objects.in_workspace(workspace)
        .of_user(user_id)
        .running()
        .select_related("project", "task")
        .first()
    )
    if entry is not None:
        prefetch_related_objects([entry], "tags")
    return entry


def _form_kwargs(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"workspace": request.workspace, "membership": request.membership, **extra}


def _timer_context(request: HttpRequest) -> dict[str, Any]:
    running = _running(request.workspace, request.user.pk)
    return {
        "workspace": request.workspace,
        "running": running,
        "timer_form": TimerForm(
            initial={"running": running.id if running else ""},
            **_form_kwargs(request, auto_id=TIMER_IDS),
        ),
        "now": timezone.now(),
    }


def _context(request: HttpRequest, **overrides: Any) -> dict[str, Any]:
    workspace, user = request.workspace, request.user
    context = _timer_context(request)
    running = context["running"]
    cursor = _cursor(request)
    page = entry_lists.entry_page(workspace, user.pk, cursor)
    if running is not None and not cursor:
        entry_lists.count_running(page.days, running)
    today = timezone.localdate()
    context |= {
        "prefs": WorkspaceSettings.objects.for_workspace(workspace),
        "manual_form": ManualEntryForm(
            initial={"day": today}, **_form_kwargs(request, auto_id=MANUAL_IDS)
        ),
        "days": page.days,
        "next_cursor": page.next_cursor,
        "week_total": entry_lists.week_total(workspace, user.pk, today, user.week_start)
        + (running.duration if running else timedelta()),
        "editing": None,
        "auto_tracker_link": _shows_auto_tracker(workspace, user),
        # The idle dialog and its script, only while a timer runs and the person asked for it.
        "ask_idle": running is not None and user.idle_detection,
    }
    context.update(overrides)
    return context


def _shows_auto_tracker(workspace: Workspace, user: Any) -> bool:
    # The person's own records page is linked while their auto tracker is on, or while
    # they still have records from when it was.
    if user.auto_tracker:
        return True
    return ActivityRecord.objects.in_workspace(workspace).of_user(user.pk).exists()


def _cursor(request: HttpRequest) -> tuple[datetime, UUID] | None:
    """The 'load older entries' position in the address; 400 if this page did not write it."""
    try:
        return entry_lists.parse_cursor(request.GET.get("before"))
    except ValueError:
        raise BadRequest("This is not a page of your entries; reload the tracker.") from None


@login_required
@require_GET
def tracker(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    _cursor(request)  # a bad cursor is a 400 before anything is read
    if request.htmx and request.GET.get("before"):
        context = _context(request)
        return render(request, PAGE + "#entry-days", context)
    if request.htmx and request.htmx.target == "timer-bar":
        # Another tab asks whether the timer changed: the bar alone leaves messages unread.
        return render(request, PAGE + "#timer-bar", _timer_context(request))
    editing = None
    if edit_id := request.GET.get("edit"):
        editing = _own_entry(request, request.workspace, edit_id)
    context = _context(request)
    if editing is not None:
        context["editing"] = editing
        context["edit_form"] = EditEntryForm(
            **_form_kwargs(request, entry=editing, auto_id=EDIT_IDS)
        )
    return render(request, PAGE, context)


def _back(request: HttpRequest) -> HttpResponse:
    return redirect("tracking:tracker", request.workspace.id)


def _refused(request: HttpRequest, message: str, status: int = 400, **context: Any) -> HttpResponse:
    """Re-render the tracker with a message and 4xx (also for htmx, which swaps it in)."""
    messages.error(request, message)
    return render(request, PAGE, _context(request, **context), status=status)


@login_required
@require_POST
def start(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    form = TimerForm(request.POST, **_form_kwargs(request, auto_id=TIMER_IDS))
    if not form.is_valid():
        return _refused(request, "The timer was not started.", timer_form=form)
    expected = form.cleaned_data["running"] or None
    try:
        services.start_timer(
            request.workspace,
            request.user.pk,
            form.details(),
            expected_running=UUID(expected) if expected else None,
        )
    except ValueError:
        return _refused(request, "The timer was not started: the page was out of date.")
    except services.TimerError as error:
        return _refused(request, str(error), status=409)
    return _back(request)


@login_required
@require_POST
def stop(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    expected = request.POST.get("running", "")
    try:
        services.stop_timer(
            request.workspace,
            request.user.pk,
            expected_running=UUID(expected) if expected else services.ANY_RUNNING,
        )
    except ValueError:
        return _refused(request, "The timer was not stopped: the page was out of date.")
    except services.NoRunningTimer as error:
        return _refused(request, str(error), status=400)
    except services.TimerError as error:
        return _refused(request, str(error), status=409)
    return _back(request)


@login_required
@require_POST
def add_entry(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    form = ManualEntryForm(request.POST, **_form_kwargs(request, auto_id=MANUAL_IDS))
    if not form.is_valid():
        return _refused(request, "The entry was not added.", manual_form=form, manual_open=True)
    data = form.cleaned_data
    services.create_entry(
        request.workspace, request.user.pk, form.details(), data["start"], data["end"]
    )
    messages.success(request, "Entry added.")
    return _back(request)


@login_required
@require_http_methods(["GET", "POST"])
def edit_entry(request: HttpRequest, workspace_id: UUID, entry_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    entry = _own_entry(request, request.workspace, entry_id)
    prefetch_related_objects([entry], "tags")
    kwargs = _form_kwargs(request, entry=entry, auto_id=EDIT_IDS)
    form = EditEntryForm(request.POST or None, **kwargs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.update_entry(request.workspace, entry, form.details(), data["start"], data["end"])
        messages.success(request, "Entry saved.")
        if request.htmx:
            # Day groups and totals may all change: load the tracker afresh, without ?edit.
            return HttpResponseClientRedirect(reverse("tracking:tracker", args=[workspace_id]))
        return _back(request)
    context = {"workspace": request.workspace, "entry": entry, "edit_form": form}
    status = 400 if form.is_bound else 200
    if request.htmx:
        context["prefs"] = WorkspaceSettings.objects.for_workspace(request.workspace)
        return render(request, PAGE + "#entry-edit", context, status=status)
    return render(request, PAGE, _context(request, editing=entry, edit_form=form), status=status)


@login_required
@require_POST
def continue_entry(request: HttpRequest, workspace_id: UUID, entry_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    entry = _own_entry(request, request.workspace, entry_id)
    details = services.EntryDetails.of(entry)
    try:
        services.start_timer(request.workspace, request.user.pk, details)
    except services.TimerError as error:
        return _refused(request, str(error), status=409)
    return _back(request)


@login_required
@require_POST
def duplicate_entry(request: HttpRequest, workspace_id: UUID, entry_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    entry = _own_entry(request, request.workspace, entry_id)
    if entry.is_running:
        return _refused(request, "A running entry cannot be duplicated; stop it first.")
    services.duplicate_entry(request.workspace, entry)
    messages.success(request, "Entry duplicated.")
    return _back(request)


@login_required
@require_POST
def delete_entry(request: HttpRequest, workspace_id: UUID, entry_id: UUID) -> HttpResponse:
    get_membership(request, workspace_id)
    entry = _own_entry(request, request.workspace, entry_id)
    entry.delete()
    messages.success(request, "Entry deleted.")
    return _back(request)


@login_required
@require_POST
def bulk_delete(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """Delete the selected entries after a confirmation step; all or nothing."""
    get_membership(request, workspace_id)
    workspace = request.workspace
    form = BulkDeleteForm(request.POST, workspace=workspace, user_id=request.user.pk)
    if not form.is_valid():
        return _refused(request, form.errors["entries"][0])
    ids = form.cleaned_data["entries"]
    if not form.cleaned_data["confirm"]:
        context = {"workspace": workspace, "ids": ids, "count": len(ids)}
        return render(request, "tracking/confirm_bulk_delete.html", context)
    with transaction.atomic(using=workspace.db_alias):
        deleted = TimeEntry.objects.in_workspace(workspace).of_user(request.user.pk)
        count = deleted.filter(id__in=ids).delete()[1].get(TimeEntry._meta.label, 0)
        audit.record(workspace, audit.Kind.ENTRIES_DELETED, actor_id=request.user.pk, count=count)
    messages.success(request, f"{count} entr{'y' if count == 1 else 'ies'} deleted.")
    return redirect(reverse("tracking:tracker", args=[workspace.id]))
