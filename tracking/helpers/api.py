"""API v1 of the person's helpers (FORMATS.md section 4): their settings and idle periods.

Everything here is the caller's own: there is no user parameter, and nothing answers with
anyone else's helper data. The auto tracker's activity endpoints are in api_activity.py.
"""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from workspaces.api_fields import ERRORS, ApiSchema, Instant, instant, member_of

from ..api import EntryOut, entries_json
from . import idle

router = Router(tags=["Helpers"])
WS = "/workspaces/{workspaceId}"


class IdleDetectionOut(Schema):
    enabled: bool
    thresholdMinutes: int


class AutoTrackerOut(Schema):
    enabled: bool
    recordAddresses: bool = Field(..., description="False: send or keep domains only.")


class HelpersOut(Schema):
    idleDetection: IdleDetectionOut
    autoTracker: AutoTrackerOut
    retentionDays: int


@router.get(
    "/user/helpers",
    response={200: HelpersOut, **ERRORS},
    summary="The caller's idle detection and auto tracker settings: send nothing that is off",
)
def helper_settings(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    return {
        "idleDetection": {
            "enabled": user.idle_detection,
            "thresholdMinutes": user.idle_threshold_minutes,
        },
        "autoTracker": {"enabled": user.auto_tracker, "recordAddresses": user.auto_tracker_urls},
        "retentionDays": user.helper_retention_days,
    }


class IdlePeriodIn(ApiSchema):
    start: Instant
    end: Instant
    action: Literal["DISCARD", "DISCARD_AND_CONTINUE", "KEEP"]


class IdlePeriodOut(Schema):
    id: str
    start: str
    end: str
    action: str
    outcome: str
    timeEntries: list[EntryOut] = Field(..., description="Entries it changed or started.")
    deletedTimeEntryIds: list[str]
    alreadyAnswered: bool


@router.post(
    WS + "/idle-periods",
    response={200: IdlePeriodOut, 201: IdlePeriodOut, **ERRORS},
    summary="Answer an idle period: discard it, discard and continue, or keep it",
)
def answer_idle_period(request: HttpRequest, workspaceId: str, payload: IdlePeriodIn) -> Status:
    """201 with what the answer changed; 200 with the earlier answer when this idle time
    was answered before (nothing changes); 403 while idle detection is off."""
    workspace = member_of(request, workspaceId).workspace
    try:
        answer = idle.answer_idle(
            workspace, request.user, payload.start, payload.end, payload.action
        )
    except idle.IdleRefused as refused:
        raise HttpError(refused.status, str(refused)) from None
    period = answer.period
    body = {
        "id": str(period.id),
        "start": instant(period.start),
        "end": instant(period.end),
        "action": period.action,
        "outcome": period.outcome,
        "timeEntries": entries_json(answer.changed, workspace),
        "deletedTimeEntryIds": [str(pk) for pk in answer.deleted],
        "alreadyAnswered": answer.repeated,
    }
    return Status(200 if answer.repeated else 201, body)
