"""Every page in the person's own time zone; a region that is down, or a workspace that is
moving, answers 503, not 500."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from . import readonly
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
