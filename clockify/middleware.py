"""Accept API paths with or without a trailing slash, as Clockify's API does."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ApiTrailingSlashMiddleware:
    """Drop one trailing slash from /api/v1/... paths before URL resolution."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if path.startswith("/api/v1/") and path.endswith("/") and len(path) > len("/api/v1/"):
            request.path_info = path[:-1]
        return self.get_response(request)
