"""The person's helper settings page, their idle history, and deleting all they recorded."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from workspaces.models import Membership
from workspaces.outage import region_guard
from workspaces.regions import REGION_ALIASES, Region

from .forms import HelperSettingsForm
from .models import ActivityRecord, IdlePeriod

# The idle history shown per workspace on the settings page.
HISTORY = 20
HELPER_MODELS = (IdlePeriod, ActivityRecord)


@login_required
@require_http_methods(["GET", "POST"])
def helper_settings(request: HttpRequest) -> HttpResponse:
    """Turn idle detection and the auto tracker on or off; see the idle history."""
    form = HelperSettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Helper settings saved.")
        return redirect("tracking:helper_settings")
    unavailable: set[str] = set()
    history = []
    for membership in _memberships(request):
        workspace = membership.workspace
        with region_guard(unavailable):
            periods = IdlePeriod.objects.in_workspace(workspace).filter(user_id=request.user.pk)
            rows = list(periods.select_related("entry")[:HISTORY])
            if rows:
                history.append((workspace, rows))
    context = {
        "form": form,
        "history": history,
        "unavailable": [Region(region).label for region in sorted(unavailable)],
    }
    return render(request, "tracking/helpers.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delete_helper_data(request: HttpRequest) -> HttpResponse:
    """Show how much the helpers hold about the person; delete all of it once confirmed."""
    counts, unavailable = _counts(request.user.pk)
    if request.method == "POST":
        if unavailable:
            messages.error(
                request,
                f"The {', '.join(unavailable)} region cannot be reached now: nothing was "
                "deleted. Try again later.",
            )
            return redirect("tracking:delete_helper_data")
        deleted = sum(
            model.objects.across_region(region).filter(user_id=request.user.pk).delete()[0]
            for region in REGION_ALIASES
            for model in HELPER_MODELS
        )
        messages.success(request, f"Deleted {deleted} record{'s' if deleted != 1 else ''}.")
        return redirect("tracking:helper_settings")
    context = {"counts": counts, "unavailable": unavailable}
    return render(request, "tracking/helpers_delete.html", context)


def _memberships(request: HttpRequest) -> list[Membership]:
    return list(
        Membership.objects.filter(user=request.user)
        .select_related("workspace")
        .order_by("workspace__name")
    )


def _counts(user_id: int) -> tuple[list[tuple[str, int]], list[str]]:
    counts = {str(model._meta.verbose_name_plural): 0 for model in HELPER_MODELS}
    unavailable: set[str] = set()
    for region in REGION_ALIASES:
        with region_guard(unavailable):
            for model in HELPER_MODELS:
                found = model.objects.across_region(region).filter(user_id=user_id).count()
                counts[str(model._meta.verbose_name_plural)] += found
    return list(counts.items()), [Region(r).label for r in sorted(unavailable)]
