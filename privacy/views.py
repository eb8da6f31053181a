"""The privacy policy: what we store, where, and which cookies we set; and, for the server's
staff, the anonymous page view counts."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from workspaces.regions import Region

from .analytics import traffic
from .forms import DEFAULT_RANGE, AnalyticsRangeForm
from .inventory import KINDS


@require_GET
def policy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/policy.html", {"regions": Region.choices, "kinds": KINDS})


@never_cache
@require_GET
def analytics(request: HttpRequest) -> HttpResponse:
    """Show staff the page views per route and per day of the last 7, 30 or 90 days.

    Anyone else, signed in or not, gets the 404 of a page that does not exist: no redirect
    to the login page that would tell the page is there.
    """
    if not (request.user.is_authenticated and request.user.is_staff):
        raise Http404
    form = AnalyticsRangeForm(request.GET or {"days": DEFAULT_RANGE})
    days = form.cleaned_data["days"] if form.is_valid() else DEFAULT_RANGE
    context = {"form": form, "traffic": traffic(days, timezone.now().date()), "days": days}
    status = 200 if form.is_valid() else 400
    return render(request, "privacy/analytics.html", context, status=status)
