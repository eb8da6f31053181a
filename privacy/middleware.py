"""Count page views without cookies: the route's name and the UTC day, nothing about anyone."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .models import PageViews

logger = logging.getLogger(__name__)

# Namespaces whose pages are not counted: the API (its docs page is HTML too).
NOT_COUNTED_NAMESPACES = {"api"}


def is_counted(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether this request is a page view to count.

    Only a successful GET of a whole HTML page of a named route: not the API, static files
    (whitenoise answers them before any route), the health check, redirects, errors, htmx
    fragments, or anyone whose browser asks not to be tracked (DNT or GPC); nothing at all
    when the operator turned analytics off (PAGE_ANALYTICS=false).
    """
    match = request.resolver_match
    return (
        settings.PAGE_ANALYTICS
        and request.method == "GET"
        and 200 <= response.status_code < 300
        and response.get("Content-Type", "").startswith("text/html")
        and match is not None
        and bool(match.url_name)
        and not NOT_COUNTED_NAMESPACES.intersection(match.namespaces)
        and "HX-Request" not in request.headers
        and request.headers.get("DNT") != "1"
        and request.headers.get("Sec-GPC") != "1"
    )


class PageViewMiddleware:
    """Add one to today's count of the page's route once its response is built.

    It reads no cookie, session or user, and sets none: a signed-in view counts the same as
    an anonymous one. A count that fails is logged and the page is served anyway.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        try:
            if is_counted(request, response):
                PageViews.objects.count_view(request.resolver_match.view_name)
        except Exception:
            logger.exception("Could not count a page view")
        return response
