"""Request bodies capped before they are read: small for every page and API call, larger
only for views that accept one, and only for signed-in people.

The cap is checked against Content-Length before anything reads the body (CSRF reads a
POST's form to find its token), and again while the body streams, for bodies that come
without a Content-Length or with a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable
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
        if _content_length(request) > stream.limit:
            return _too_large(request, stream.limit)
        return None
