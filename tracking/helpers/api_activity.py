"""API v1 for auto tracker clients (FORMATS section 4): send activity, read a day back.

Both operations are about the caller alone: records are stored under the caller's user id
and read back by it, and there is no parameter naming anyone else. The rules of a batch are
in tracking/helpers/activity.py.
"""

from __future__ import annotations

import re
from datetime import date

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from workspaces.api_fields import ERRORS, ApiSchema, Instant, instant, iso_duration, member_of

from ..rules import DAY_RANGE_MESSAGE, day_in_range
from . import activity
from .models import CLIENT_ID_MAX, ActivityRecord

router = Router(tags=["Auto tracker"])
WS = "/workspaces/{workspaceId}"


class ActivitySampleIn(ApiSchema):
    id: str = Field(..., min_length=1, max_length=CLIENT_ID_MAX)
    # Longer text is cut to the record's field on the server, not refused.
    app: str | None = None
    title: str | None = None
    url: str | None = None
    start: Instant
    end: Instant


class ActivityIn(ApiSchema):
    samples: list[ActivitySampleIn] = Field(..., max_length=activity.MAX_SAMPLES)


class ActivityAccepted(Schema):
    accepted: int
    duplicates: int


class ActivityOut(Schema):
    id: str
    clientId: str
    app: str
    title: str
    url: str
    start: str
    end: str
    duration: str


class DayQuery(Schema):
    # Read in the handler, so that another workspace is a 404 whatever the query.
    date: str | None = Field(None, max_length=10)


@router.post(
    WS + "/activity",
    response={200: ActivityAccepted, **ERRORS},
    summary="Send auto tracker records (at most 500 a request)",
)
def send_activity(request: HttpRequest, workspaceId: str, payload: ActivityIn) -> ActivityAccepted:
    """The caller's own records. Accepted only while their auto tracker is on (else 403,
    nothing stored); an id sent before, or twice in the batch, counts as a duplicate. Without
    full addresses allowed, a url is cut to its origin (scheme://host). A malformed sample
    refuses the batch (400, naming it)."""
    membership = member_of(request, workspaceId)
    samples = [
        activity.Sample(
            client_id=sample.id,
            app=sample.app,
            title=sample.title,
            url=sample.url,
            start=sample.start,
            end=sample.end,
        )
        for sample in payload.samples
    ]
    try:
        result = activity.accept_activity(membership.workspace, request.user, samples)
    except activity.ActivityRefused as exc:
        raise HttpError(exc.status, exc.message) from None
    return ActivityAccepted(accepted=result.accepted, duplicates=result.duplicates)


@router.get(
    WS + "/activity",
    response={200: list[ActivityOut], **ERRORS},
    summary="Your own auto tracker records of a day (date=YYYY-MM-DD, your time zone)",
)
def list_activity(request: HttpRequest, workspaceId: str, query: Query[DayQuery]) -> list:
    """The caller's records that fall on that day of their profile's time zone; nobody
    else's, ever."""
    membership = member_of(request, workspaceId)
    day = _day(query.date)
    records = activity.records_of_day(membership.workspace, request.user, day)
    return [_record_json(record) for record in records]


def _day(value: str | None) -> date:
    if not value:
        raise HttpError(400, "date: required, a day as YYYY-MM-DD.")
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        raise HttpError(400, "date: a day as YYYY-MM-DD.") from None
    if not day_in_range(day):
        raise HttpError(400, f"date: {DAY_RANGE_MESSAGE}")
    return day


def _record_json(record: ActivityRecord) -> dict[str, str]:
    return {
        "id": str(record.id),
        "clientId": record.client_id,
        "app": record.app,
        "title": record.title,
        "url": record.url,
        "start": instant(record.start) or "",
        "end": instant(record.end) or "",
        "duration": iso_duration(record.end - record.start) or "PT0S",
    }
