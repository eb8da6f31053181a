"""Accept API paths with or without a trailing slash, as Clockify's API does."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ApiTrailingSlashMiddleware:
    """Drop one trailing slash from /api/v1/... and /api/reports/v1/... paths."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        for prefix in ("/api/v1/", "/api/reports/v1/"):
            if path.startswith(prefix) and path.endswith("/") and len(path) > len(prefix):
                request.path_info = path[:-1]
        return self.get_response(request)
