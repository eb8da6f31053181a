"""API v1 for capture clients (../shared/FORMATS.md section 4): screenshots and location.

Both take captures only while the workspace's switch is on (else 403, naming the switch) and
only for the caller's own time; the rules are in monitoring/captures.py, shared with the web
app. The screenshot upload may carry up to 10 MB (the body limit is raised for this URL
alone, for a valid X-Api-Key, before the body is read).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from clockify.body_limit import accept_large_body_at
from workspaces.api_fields import ERRORS, ApiSchema, ErrorOut, Instant, instant, member_of
from workspaces.models import ApiKey

from . import captures
from .models import Screenshot

router = Router(tags=["Monitoring"])
WS = "/workspaces/{workspaceId}"
SCREENSHOT_URL_NAME = "monitoring-screenshot-upload"
# The image and the few form fields around it.
SCREENSHOT_BODY_LIMIT = captures.MAX_UPLOAD + 64 * 1024


def _has_valid_key(request: HttpRequest) -> bool:
    return ApiKey.objects.authenticate(request.headers.get("X-Api-Key", "")) is not None


accept_large_body_at(f"api:{SCREENSHOT_URL_NAME}", SCREENSHOT_BODY_LIMIT, _has_valid_key)


def _refused(exc: captures.CaptureRefused) -> HttpError:
    return HttpError(exc.status, exc.message)


class ScreenshotOut(Schema):
    id: str
    timeEntryId: str
    capturedAt: str


_instant = TypeAdapter(Instant)


def captured_at_of(value: str | None) -> datetime:
    """The upload's `capturedAt`; HttpError 400 if missing or not a timestamp."""
    if not value:
        raise HttpError(400, "capturedAt: required, an ISO 8601 timestamp.")
    try:
        return _instant.validate_python(value)
    except PydanticError as exc:
        raise HttpError(400, f"capturedAt: {exc.errors()[0]['msg']}") from None


def blurred_of(value: str | None) -> bool:
    """The upload's `blurred`: absent or "false" is False; HttpError 400 if not a boolean."""
    if value is None or value == "":
        return False
    if value.lower() not in ("true", "false"):
        raise HttpError(400, 'blurred: "true" or "false".')
    return value.lower() == "true"


@router.post(
    WS + "/screenshots",
    response={201: ScreenshotOut, 409: ErrorOut, 413: ErrorOut, **ERRORS},
    url_name=SCREENSHOT_URL_NAME,
    summary="Upload a screenshot (multipart: image, capturedAt, optional blurred)",
)
def upload_screenshot(
    request: HttpRequest,
    workspaceId: str,
    image: File[UploadedFile | None] = None,
    capturedAt: Form[str | None] = None,
    blurred: Form[str | None] = None,
) -> Status:
    """PNG, JPEG or WebP, at most 10 MB and 40 megapixels; kept re-encoded as WebP, without
    metadata, at most 1920 px wide, blurred here if the policy says blur and `blurred` is not
    "true". 403 while screenshots are off, 409 without a time entry covering `capturedAt`."""
    # Fields are optional to ninja so that another workspace is a 404 whatever the body.
    membership = member_of(request, workspaceId)
    when = captured_at_of(capturedAt)
    client_blurred = blurred_of(blurred)
    if image is None:
        raise HttpError(400, "image: required, a PNG, JPEG or WebP file.")
    try:
        shot = captures.accept_screenshot(
            membership, image, when, client_blurred, Screenshot.Source.API
        )
    except captures.CaptureRefused as exc:
        raise _refused(exc) from None
    return Status(
        201,
        {
            "id": str(shot.id),
            "timeEntryId": str(shot.entry_id),
            "capturedAt": instant(shot.captured_at) or "",
        },
    )


class SampleIn(ApiSchema):
    id: str = Field(..., min_length=1, max_length=captures.CLIENT_ID_MAX)
    latitude: float
    longitude: float
    accuracy: float = Field(..., description="Metres.")
    recordedAt: Instant
    kind: Literal["START", "STOP", "MOVE"]


class LocationsIn(ApiSchema):
    samples: list[SampleIn] = Field(..., max_length=captures.MAX_SAMPLES)


class LocationsOut(Schema):
    accepted: int
    dropped: int
    duplicates: int


@router.post(
    WS + "/locations",
    response={200: LocationsOut, **ERRORS},
    summary="Send location samples (at most 500 a request)",
)
def send_locations(request: HttpRequest, workspaceId: str, payload: LocationsIn) -> LocationsOut:
    """Samples taken while the caller's timer ran; a less accurate one than 1000 m, or one
    taken when no timer ran, is dropped and counted; a client id sent before counts as a
    duplicate and adds nothing. Non-finite or out-of-range coordinates, a negative accuracy
    or a future time refuse the batch (400). 403 while location is off."""
    membership = member_of(request, workspaceId)
    try:
        result = captures.accept_locations(membership, samples_of(payload))
    except captures.CaptureRefused as exc:
        raise _refused(exc) from None
    return LocationsOut(
        accepted=result.accepted, dropped=result.dropped, duplicates=result.duplicates
    )


def samples_of(payload: LocationsIn) -> list[captures.Sample]:
    """The batch as the capture service takes it."""
    return [
        captures.Sample(
            client_id=sample.id,
            latitude=sample.latitude,
            longitude=sample.longitude,
            accuracy=sample.accuracy,
            recorded_at=sample.recordedAt,
            kind=sample.kind,
        )
        for sample in payload.samples
    ]
