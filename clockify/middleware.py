"""Small request and response rules: API paths with or without a trailing slash, as
Clockify's API takes them; the Permissions-Policy header; CORS for the browser extension."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers


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


# A Chromium extension's origin: its id is 32 letters a to p.
EXTENSION_ORIGIN = re.compile(r"chrome-extension://[a-p]{32}")


class ExtensionCorsMiddleware:
    """Let browser extensions (static/extension/) call /api/v1/ with an X-Api-Key header.

    Narrow on purpose: only extension origins (web pages never get an answer they may
    read), only /api/v1/, only the X-Api-Key and Content-Type headers, and never
    credentials, so a cookie is never what authenticates such a request: the key is.
    This spares the extension a host permission for the server.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith("/api/v1/"):
            return self.get_response(request)
        origin = request.headers.get("Origin", "")
        if not EXTENSION_ORIGIN.fullmatch(origin):
            response = self.get_response(request)
            patch_vary_headers(response, ["Origin"])
            return response
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
            response["Access-Control-Allow-Headers"] = "X-Api-Key, Content-Type"
            response["Access-Control-Max-Age"] = "600"
        else:
            response = self.get_response(request)
        response["Access-Control-Allow-Origin"] = origin
        patch_vary_headers(response, ["Origin"])
        return response
