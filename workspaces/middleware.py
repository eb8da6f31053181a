"""Every page in the person's own time zone; a region that is down, or a workspace that is
moving, answers 503, not 500; an admin who lacks the two-factor authentication their
workspace requires is sent to set it up."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from . import readonly
from .access import ADMIN_MFA_REQUIRED, refused_for_missing_mfa
from .outage import (
    RETRY_AFTER_SECONDS,
    RegionUnavailable,
    log_outage,
    remembering_unreachable_regions,
)


class UserTimezoneMiddleware:
    """Activate the person's time zone (their profile setting) for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class RegionOutageMiddleware:
    """Answer 503 naming the region when a page needs a region that cannot be reached, or
    tries to change a workspace that is being moved to another region."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with remembering_unreachable_regions(), readonly.guarding_writes():
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, RegionUnavailable):
            log_outage(exception)
            context = {"region_label": exception.region.label}
            response = render(request, "503.html", context, status=503)
            retry_after = RETRY_AFTER_SECONDS
        elif isinstance(exception, readonly.WorkspaceMoving):
            context = {"message": str(exception)}
            response = render(request, "503_moving.html", context, status=503)
            retry_after = readonly.RETRY_AFTER_SECONDS
        else:
            return None
        response["Retry-After"] = str(retry_after)
        if getattr(request, "htmx", False):
            # htmx swaps no 5xx: reloading the page shows this one instead of a dead button.
            response["HX-Refresh"] = "true"
        return response


class AdminMfaMiddleware:
    """Send an admin refused for lack of the required two-factor authentication to set it up.

    workspaces.access decides (`refused_for_missing_mfa`); this turns that 403 of a page
    into a redirect to allauth's authenticator setup, with the reason as a message. The API
    answers its own 403 with the reason (clockify.api).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not refused_for_missing_mfa(request, exception):
            return None
        messages.warning(request, ADMIN_MFA_REQUIRED)
        setup = reverse("mfa_activate_totp")
        if getattr(request, "htmx", False):
            # A fragment's request would swap the setup page into the fragment: go there.
            return HttpResponseClientRedirect(setup)
        return redirect(setup)
