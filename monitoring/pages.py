"""The captures pages: a member's screenshots and location samples by day, and who looked."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from uuid import UUID

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from tracking.formatting import local_midnight
from tracking.forms import DayField
from tracking.models import TimeEntry
from tracking.templatetags.timefmt import duration
from workspaces.access import get_membership
from workspaces.models import Membership, User
from workspaces.regions import storage_for

from . import captures as capture_rules
from . import viewing
from .models import CaptureView, LocationSample, MonitoringPolicy, NotShared, Screenshot


class CapturesForm(forms.Form):
    """Which day, and (for admins) whose captures."""

    day = DayField(required=False)
    member = forms.IntegerField(required=False, min_value=1)


@login_required
@require_GET
def captures(request: HttpRequest, workspace_id: UUID) -> HttpResponse:
    """A member's screenshots and location samples of one day, entry by entry."""
    membership = get_membership(request, workspace_id)
    form = CapturesForm(request.GET)
    if not form.is_valid():
        return render(
            request, "monitoring/captures.html", _base(membership, form, None), status=400
        )
    subject = viewing.subject_for(membership, form.cleaned_data["member"])
    day = form.cleaned_data["day"] or timezone.localdate()
    context = _base(membership, form, subject)
    context.update(_day(membership, subject, day))
    if subject.pk == membership.user_id:
        context["views"] = _views_of(membership, subject)
    return render(request, "monitoring/captures.html", context)


@login_required
@require_GET
def screenshot_image(request: HttpRequest, workspace_id: UUID, screenshot_id: UUID) -> HttpResponse:
    """The screenshot's image, to its member and the workspace's admins only."""
    return _image(request, workspace_id, screenshot_id, thumbnail=False)


@login_required
@require_GET
def screenshot_thumbnail(
    request: HttpRequest, workspace_id: UUID, screenshot_id: UUID
) -> HttpResponse:
    """A small copy of the screenshot, made by a task; the image itself until it exists."""
    return _image(request, workspace_id, screenshot_id, thumbnail=True)


@login_required
@require_GET
def entry_locations(request: HttpRequest, workspace_id: UUID, entry_id: UUID) -> HttpResponse:
    """An entry's location samples: a list with links to OpenStreetMap and a plot."""
    membership = get_membership(request, workspace_id)
    entry = viewing.entry_for(membership, entry_id)
    samples = list(LocationSample.objects.in_workspace(membership.workspace).filter(entry=entry))
    if samples:
        viewing.record_location_view(membership, entry)
    subject = User.objects.filter(pk=entry.user_id).first()
    context = {
        "workspace": membership.workspace,
        "membership": membership,
        "subject": subject,
        "entry": entry,
        "samples": samples,
        "plot": viewing.plot(samples),
    }
    return render(request, "monitoring/locations.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def delete_screenshot(
    request: HttpRequest, workspace_id: UUID, screenshot_id: UUID
) -> HttpResponse:
    """Ask, saying what it costs, then delete a screenshot (capture_rules.delete_screenshot:
    the member's own deletion takes the time since the previous screenshot off its entry)."""
    membership = get_membership(request, workspace_id)
    shot = viewing.screenshot_for(membership, screenshot_id)
    back = reverse("monitoring:captures", args=[membership.workspace_id])
    back += f"?day={timezone.localtime(shot.captured_at):%Y-%m-%d}"
    if shot.user_id != membership.user_id:
        back += f"&member={shot.user_id}"
    if request.method == "GET":
        context = {
            "workspace": membership.workspace,
            "shot": shot,
            "removes": capture_rules.time_removed_by_deleting(membership, shot),
            "back": back,
        }
        return render(request, "monitoring/delete_screenshot.html", context)
    try:
        done = capture_rules.delete_screenshot(membership, shot)
    except capture_rules.CaptureRefused as refusal:
        messages.error(request, refusal.message)
        return redirect(back)
    if done.removed:
        messages.success(
            request, f"Screenshot deleted; its entry is {duration(done.removed)} shorter."
        )
    else:
        messages.success(request, "Screenshot deleted; its entry's time is unchanged.")
    return redirect(back)


def _image(
    request: HttpRequest, workspace_id: UUID, screenshot_id: UUID, *, thumbnail: bool
) -> HttpResponse:
    membership = get_membership(request, workspace_id)
    shot = viewing.screenshot_for(membership, screenshot_id)
    storage = storage_for(membership.workspace)
    if thumbnail and shot.has_thumbnail:
        name, content_type = shot.thumbnail_name, "image/webp"
    else:
        name, content_type = shot.storage_name, shot.content_type
    try:
        file = storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404("The image is gone.") from None
    viewing.record_screenshot_view(membership, shot)
    response = FileResponse(file, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = "inline"
    return response


def _base(membership: Membership, form: CapturesForm, subject: User | None) -> dict[str, object]:
    members = []
    if membership.is_admin:
        members = [
            m.user for m in membership.workspace.memberships.select_related("user").order_by("id")
        ]
    return {
        "workspace": membership.workspace,
        "membership": membership,
        "form": form,
        "subject": subject,
        "members": members,
        "policy": MonitoringPolicy.objects.for_workspace(membership.workspace),
    }


def _day(membership: Membership, subject: User, day: date) -> dict[str, object]:
    """The subject's entries of the day that have captures, with their captures."""
    workspace = membership.workspace
    begin, end = local_midnight(day), local_midnight(day + timedelta(days=1))
    shots = list(
        Screenshot.objects.in_workspace(workspace)
        .filter(user_id=subject.pk, captured_at__gte=begin, captured_at__lt=end)
        .order_by("captured_at", "id")
    )
    located = defaultdict(int)
    for entry_id in (
        LocationSample.objects.in_workspace(workspace)
        .filter(user_id=subject.pk, recorded_at__gte=begin, recorded_at__lt=end)
        .values_list("entry_id", flat=True)
    ):
        located[entry_id] += 1
    by_entry: dict[object, list[Screenshot]] = defaultdict(list)
    for shot in shots:
        by_entry[shot.entry_id].append(shot)
    declined = defaultdict(set)
    for entry_id, switch in (
        NotShared.objects.in_workspace(workspace)
        .filter(user_id=subject.pk, entry__start__gte=begin, entry__start__lt=end)
        .values_list("entry_id", "switch")
    ):
        declined[entry_id].add(switch)
    ids = set(by_entry) | set(located) | set(declined)
    entries = (
        TimeEntry.objects.in_workspace(workspace)
        .filter(pk__in=ids)
        .select_related("project")
        .order_by("start", "id")
    )
    groups = [
        {
            "entry": entry,
            "screenshots": by_entry[entry.pk],
            "locations": located[entry.pk],
            "not_shared": declined[entry.pk],
        }
        for entry in entries
    ]
    return {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "groups": groups,
        "screenshot_count": len(shots),
    }


def _views_of(membership: Membership, subject: User) -> list[dict[str, object]]:
    """Who looked at the subject's captures, newest first (the last 200 looks)."""
    views = list(
        CaptureView.objects.in_workspace(membership.workspace)
        .filter(subject_id=subject.pk)
        .select_related("screenshot", "entry")[:200]
    )
    viewers = {u.pk: u for u in User.objects.filter(pk__in={view.viewer_id for view in views})}
    return [{"view": view, "viewer": viewers.get(view.viewer_id)} for view in views]
