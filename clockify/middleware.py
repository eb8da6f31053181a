"""Small request and response rules: API paths with or without a trailing slash, as
Clockify's API takes them; the Permissions-Policy header."""

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


# Screen capture and location are for this site's own pages (the tracker asks for them while
# a workspace collects them); every other powerful feature is off, for us and for frames.
PERMISSIONS_POLICY = ", ".join(
    [
        "display-capture=(self)",
        "geolocation=(self)",
        "camera=()",
        "microphone=()",
        "payment=()",
        "usb=()",
    ]
)


class PermissionsPolicyMiddleware:
    """Send the Permissions-Policy header on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
