"""Request bodies capped before they are read: small for every page and API call, larger
only for views that accept one, and only for signed-in people.

A Django view says so with `@accepts_large_body(limit)`. A django-ninja operation cannot
(ninja serves every operation through its own view function, so the mark would land on the
wrong one); its URL is registered instead, by name, with `accept_large_body_at(view_name,
limit, allowed)`: `allowed(request)` says whether this caller may send that much (for the
API, whether its X-Api-Key is valid), asked only for a body over the usual cap.

The cap is checked against Content-Length before anything reads the body (CSRF reads a
POST's form to find its token), and again while the body streams, for bodies that come
without a Content-Length or with a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat

View = Callable[..., HttpResponse]


class RequestBodyTooLarge(BadRequest):
    """The body streamed past its cap."""


def accepts_large_body(limit: int) -> Callable[[View], View]:
    """Let signed-in people send this view a body of up to `limit` bytes."""

    def mark(view: View) -> View:
        view.body_limit = limit  # type: ignore[attr-defined]
        return view

    return mark


@dataclass(frozen=True)
class _LargeRoute:
    limit: int
    allowed: Callable[[HttpRequest], bool]


# URL names ("namespace:name", as request.resolver_match.view_name gives them) that take more.
_large_routes: dict[str, _LargeRoute] = {}


def _signed_in(request: HttpRequest) -> bool:
    return request.user.is_authenticated


def accept_large_body_at(
    view_name: str, limit: int, allowed: Callable[[HttpRequest], bool] | None = None
) -> None:
    """Let the URL named `view_name` take a body of up to `limit` bytes from callers that
    `allowed` accepts (by default, a signed-in person). Resolved before the body is read."""
    _large_routes[view_name] = _LargeRoute(limit, allowed or _signed_in)


def _route_limit(request: HttpRequest, current: int) -> int | None:
    match = request.resolver_match
    route = _large_routes.get(match.view_name) if match is not None else None
    if route is None or route.limit <= current:
        return None
    # Only a body that needs it asks who is calling (for the API, a query for the key).
    length = _content_length(request)
    if length and length <= current:
        return None
    return route.limit if route.allowed(request) else None


class _CappedStream:
    """Read from a request's stream, raising once more than `limit` bytes came through."""

    def __init__(self, stream: Any, limit: int) -> None:
        self.stream = stream
        self.limit = limit
        self.read_so_far = 0
        self.overflowed = False

    def _take(self, method: Callable[[int], bytes], size: int | None) -> bytes:
        # Never ask for more than one byte past the cap: a body read whole must not be
        # pulled into memory before it is found too large.
        room = self.limit + 1 - self.read_so_far
        data = method(room if size is None or size < 0 else min(size, room))
        self.read_so_far += len(data)
        if self.read_so_far > self.limit:
            self.overflowed = True
            raise RequestBodyTooLarge(f"Request body over {self.limit} bytes.")
        return data

    def read(self, size: int | None = -1, /) -> bytes:
        return self._take(self.stream.read, size)

    def readline(self, size: int | None = -1, /) -> bytes:
        return self._take(self.stream.readline, size)

    def seekable(self) -> bool:
        return False

    def close(self) -> None:
        self.stream.close()


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = f"The request is too large: at most {filesizeformat(limit)} is accepted here."
    if request.path_info.startswith("/api/"):
        return JsonResponse({"message": message, "code": 413}, status=413)
    return render(request, "413.html", {"message": message}, status=413)


class RequestBodyLimitMiddleware:
    """Answer 413 to a body over its view's cap, before the body is read or while it is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Django keeps the body's source in _stream; wrapping it caps every reader, also one
        # that runs before the view is known.
        stream = request._stream = _CappedStream(request._stream, settings.REQUEST_BODY_LIMIT)
        response = self.get_response(request)
        if stream.overflowed:
            # Whatever an inner layer made of the exception (CSRF's 403, a 400), it was this.
            return _too_large(request, stream.limit)
        return response

    def process_view(
        self, request: HttpRequest, view: View, args: tuple, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        """Raise the cap for a view that accepts more and a signed-in person; check it."""
        stream = request._stream
        if not isinstance(stream, _CappedStream):
            return None  # read already, under the small cap
        large = getattr(view, "body_limit", None)
        if large and request.user.is_authenticated:
            stream.limit = max(large, stream.limit)
        stream.limit = _route_limit(request, stream.limit) or stream.limit
        if _content_length(request) > stream.limit:
            return _too_large(request, stream.limit)
        return None
