"""The tracker page's uploads (static/js/capture.js): the API's rules, with the session's login.

The same parsing (monitoring.api_captures) and the same capture services
(monitoring.captures) as the desktop and mobile clients' API, so a browser can do nothing a
client cannot; answers are the API's JSON shape, `{"message", "code"}` on refusal.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST
from ninja.errors import HttpError
from pydantic import ValidationError

from clockify.body_limit import accepts_large_body
from workspaces.access import get_membership
from workspaces.api_fields import instant

from . import api_captures, captures
from .models import Screenshot, Switch


def _refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message, "code": status}, status=status)


@accepts_large_body(api_captures.SCREENSHOT_BODY_LIMIT)
@login_required
@require_POST
def web_screenshot(request: HttpRequest, workspace_id: UUID) -> JsonResponse:
    """One frame the page captured while its member shared their screen."""
    membership = get_membership(request, workspace_id)
    try:
        when = api_captures.captured_at_of(request.POST.get("capturedAt"))
        blurred = api_captures.blurred_of(request.POST.get("blurred"))
        image = request.FILES.get("image")
        if image is None:
            return _refusal("image: required, a PNG, JPEG or WebP file.", 400)
        shot = captures.accept_screenshot(membership, image, when, blurred, Screenshot.Source.WEB)
    except HttpError as error:
        return _refusal(str(error), error.status_code)
    except captures.CaptureRefused as refusal:
        return _refusal(refusal.message, refusal.status)
    body = {
        "id": str(shot.id),
        "timeEntryId": str(shot.entry_id),
        "capturedAt": instant(shot.captured_at),
    }
    return JsonResponse(body, status=201)


@login_required
@require_POST
def web_locations(request: HttpRequest, workspace_id: UUID) -> JsonResponse:
    """Positions the page's browser gave, with the member's permission."""
    membership = get_membership(request, workspace_id)
    try:
        payload = api_captures.LocationsIn.model_validate_json(request.body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return _refusal(f"{where}: {first['msg']}" if where else first["msg"], 400)
    try:
        result = captures.accept_locations(membership, api_captures.samples_of(payload))
    except captures.CaptureRefused as refusal:
        return _refusal(refusal.message, refusal.status)
    body = {"accepted": result.accepted, "dropped": result.dropped, "duplicates": result.duplicates}
    return JsonResponse(body)


@login_required
@require_POST
def web_not_shared(request: HttpRequest, workspace_id: UUID) -> JsonResponse:
    """The member declined or stopped sharing (`switch`: screenshots or location)."""
    membership = get_membership(request, workspace_id)
    switch = request.POST.get("switch", "")
    if switch not in Switch.values:
        return _refusal("switch: screenshots or location.", 400)
    try:
        noted = captures.note_not_shared(membership, switch)
    except captures.CaptureRefused as refusal:
        return _refusal(refusal.message, refusal.status)
    return JsonResponse({"timeEntryId": str(noted.entry_id), "switch": noted.switch})
