"""The REST API under /api/: Clockify's v1 paths, X-Api-Key authentication, its error shape.

Every error answers `{"message": ..., "code": ...}` (code is the HTTP status), as
Clockify's API does, so that existing clients and scripts understand it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import APIKeyHeader

from clockify.body_limit import RequestBodyTooLarge
from workspaces.access import ADMIN_MFA_REQUIRED_API, refused_for_missing_mfa
from workspaces.models import ApiKey
from workspaces.outage import RETRY_AFTER_SECONDS, RegionUnavailable, log_outage
from workspaces.readonly import RETRY_AFTER_SECONDS as MOVE_RETRY_AFTER_SECONDS
from workspaces.readonly import WorkspaceMoving

API_RATE_LIMIT = 50  # requests per second per key, as Clockify allows paid plans


class RateLimited(Exception):
    """The key made more than API_RATE_LIMIT requests in this second."""


class ApiKeyAuth(APIKeyHeader):
    """Authenticate by `X-Api-Key`; the request then acts as the key's owner."""

    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> ApiKey | None:
        api_key = ApiKey.objects.authenticate(key or "")
        if api_key is None:
            return None
        _count_request(api_key)
        request.user = api_key.user
        return api_key


def _count_request(api_key: ApiKey) -> None:
    bucket = f"api-rate:{api_key.pk}:{int(time.time())}"
    cache.add(bucket, 0, timeout=2)
    try:
        used = cache.incr(bucket)
    except ValueError:  # the bucket expired between add and incr
        used = 1
    if used > API_RATE_LIMIT:
        raise RateLimited


api = NinjaAPI(
    title="Time tracker API",
    version="1",
    description="Clockify-compatible REST API (v1). Authenticate with the X-Api-Key header.",
    auth=ApiKeyAuth(),
    urls_namespace="api",
)


def _error(request: HttpRequest, message: str, status: int, **headers: str) -> HttpResponse:
    response = api.create_response(request, {"message": message, "code": status}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _validation_message(errors: list[dict]) -> str:
    first = errors[0] if errors else {}
    where = ".".join(str(part) for part in first.get("loc", ()) if part not in ("body", "payload"))
    text = first.get("msg", "Invalid request.")
    return f"{where}: {text}" if where else text


def _handler(status: int, message: str | None = None) -> Callable:
    def handle(request: HttpRequest, exc: Exception) -> HttpResponse:
        return _error(request, message or str(exc) or "Error", status)

    return handle


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, _validation_message(exc.errors), 400)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return _error(request, "Full authentication is required: send a valid X-Api-Key.", 401)
    return _error(request, str(exc), exc.status_code)


@api.exception_handler(RateLimited)
def _rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    message = f"Rate limit of {API_RATE_LIMIT} requests per second exceeded."
    return _error(request, message, 429, Retry_After="1")


@api.exception_handler(RequestBodyTooLarge)
def _body_too_large(request: HttpRequest, exc: RequestBodyTooLarge) -> HttpResponse:
    # A body without an honest Content-Length that streamed past the cap while being read.
    return _error(request, "The request is too large.", 413)


@api.exception_handler(RegionUnavailable)
def _region_unavailable(request: HttpRequest, exc: RegionUnavailable) -> HttpResponse:
    # Its own workspaces' calls only: the caller's workspaces in other regions answer as usual.
    log_outage(exc)
    return _error(request, str(exc), 503, Retry_After=str(RETRY_AFTER_SECONDS))


@api.exception_handler(WorkspaceMoving)
def _workspace_moving(request: HttpRequest, exc: WorkspaceMoving) -> HttpResponse:
    return _error(request, str(exc), 503, Retry_After=str(MOVE_RETRY_AFTER_SECONDS))


api.add_exception_handler(Http404, _handler(404, "Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    if refused_for_missing_mfa(request, exc):
        # The workspace requires two-factor authentication of its admins: say so, whatever
        # admin-only rule refused them (workspaces/access.py).
        return _error(request, ADMIN_MFA_REQUIRED_API, 403)
    return _error(request, str(exc) or "Forbidden.", 403)


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    if settings.DEBUG:
        raise exc
    # Logged by Django's request logger; the client gets the error shape, not a trace.
    import logging

    logging.getLogger("django.request").exception("API error", exc_info=exc)
    return _error(request, "Internal error.", 500)


api.add_exception_handler(Exception, _server_error)

api.add_router("/v1", "workspaces.api.router")
api.add_router("/v1", "tracking.api.router")
api.add_router("/v1", "tracking.helpers.api.router")
api.add_router("/v1", "tracking.helpers.api_activity.router")
api.add_router("/v1", "monitoring.api_captures.router")
api.add_router("/v1", "monitoring.api.router")
api.add_router("/reports/v1", "reports.api.router")
